"""The mock feature's forms and the replies that lead through them: joining (five fields, Discord's modal
limit) and its Confirm, the weekly availability, and the scorecard in two steps (four ratings, then words)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import markup as mk
from bot.actions import encode
from bot.features.mock import NAME
from bot.features.mock.availability import EXAMPLE, MAX_TEXT
from bot.features.mock.model import (
    CADENCES,
    COMPETENCIES,
    LEVEL_LABELS,
    LEVELS,
    MAX_CARD_TEXT,
    TRACK_LABELS,
    Competency,
    Profile,
    Scorecard,
    Session,
)
from bot.features.mock.views import track_label
from bot.messages import Choice, Field, Form, FormField, InputKind, Reply, SelectOption, Style, clip


def join_form(tracks: Sequence[str], level: str | None, zone: str, availability: str, cadence: str) -> Form:
    """Five fields: Discord's modal limit. The intro rides in the first field's description there."""
    return Form(
        form_id=encode(NAME, "join"),
        title="Join peer mock interviews",
        intro="Each round pairs you with a member who shares a track and a free time. Times are your local ones.",
        fields=(
            FormField("tracks", "Tracks", InputKind.MULTI_SELECT, max_values=len(TRACK_LABELS),
                      options=tuple(SelectOption(label, value) for value, label in TRACK_LABELS.items()),
                      defaults=tuple(t for t in tracks if t in TRACK_LABELS)),
            FormField("level", "Level", InputKind.SELECT,
                      options=tuple(SelectOption(LEVEL_LABELS[x], x) for x in LEVELS),
                      defaults=(level,) if level in LEVELS else ()),
            FormField("timezone", "Your timezone (e.g. Europe/Berlin)", max_length=64, default=zone),
            FormField("availability", "When you are free each week (your local time)", InputKind.LONG,
                      max_length=MAX_TEXT, placeholder=EXAMPLE, default=availability or None),
            FormField("cadence", "How often", InputKind.SELECT,
                      options=tuple(SelectOption(label, value) for value, label in CADENCES.items()),
                      defaults=(cadence if cadence in CADENCES else "weekly",)),
        ),
        submit_label="Check",
    )


def availability_form(profile: Profile) -> Form:
    return Form(
        form_id=encode(NAME, "avail"),
        title="Your weekly availability",
        intro="When you are free for a one-hour mock each week, in your local time.",
        fields=(
            FormField("availability", "When you are free (your local time)", InputKind.LONG, max_length=MAX_TEXT,
                      placeholder=EXAMPLE, default=profile.availability),
            FormField("timezone", "Your timezone", max_length=64, default=profile.zone),
        ),
        submit_label="Check",
    )


def confirm_reply(draft_id: int, tracks: Sequence[str], level: str, zone: str, described: str,
                  notes: Sequence[str], cadence: str, joining: bool) -> Reply:
    adjusted = "".join(f"\n- {mk.escape(n)}" for n in notes)
    noted = f"\n\nPlease check:{adjusted}" if adjusted else ""
    return Reply(
        title="Check your mock interview details",
        text=(f"I read your weekly availability as:\n{mk.bold(mk.escape(described))} ({mk.escape(zone)}){noted}\n\n"
              "Nothing is saved until you confirm."),
        fields=(Field("Tracks", ", ".join(track_label(t) for t in tracks)),
                Field("Level", LEVEL_LABELS.get(level, level)), Field("How often", CADENCES.get(cadence, cadence))),
        choices=(Choice("Confirm" if not joining else "Confirm and join", encode(NAME, "confirm", draft_id),
                        Style.SUCCESS),
                 Choice("Change it", encode(NAME, "edit", draft_id))),
    )


def rating_options(comp: Competency) -> tuple[SelectOption, ...]:
    text = COMPETENCIES[comp]
    return (SelectOption("1 · weak", "1", text.weak), SelectOption("2 · mixed, leaning weak", "2", "Some of it, gaps"),
            SelectOption("3 · solid, leaning strong", "3", "Most of it, minor gaps"),
            SelectOption("4 · strong", "4", text.strong))


def ratings_form(session: Session, turn: int, partner_name: str, card: Scorecard | None) -> Form:
    return Form(
        form_id=encode(NAME, "rate", session.id, turn),
        title=clip(f"Scorecard for {partner_name} (1 of 2)", 45),
        intro="Rate what you saw, 1 (weak) to 4 (strong). Only your partner will read this scorecard.",
        fields=tuple(FormField(comp.value, COMPETENCIES[comp].label, InputKind.SELECT, options=rating_options(comp),
                               defaults=(str(card.ratings[comp]),) if card is not None else ())
                     for comp in Competency),
        submit_label="Next",
    )


def words_form(session: Session, turn: int, partner_name: str) -> Form:
    return Form(
        form_id=encode(NAME, "words", session.id, turn),
        title=clip(f"Scorecard for {partner_name} (2 of 2)", 45),
        intro="In your own words. Be specific and kind: this reaches only your partner.",
        fields=(FormField("strengths", "Strengths", InputKind.LONG, max_length=MAX_CARD_TEXT,
                          placeholder="What went well, with an example"),
                FormField("improve", "One thing to improve", InputKind.LONG, max_length=MAX_CARD_TEXT,
                          placeholder="The one change that would help most")),
        submit_label="Send to my partner",
    )


def step_two_reply(session: Session, turn: int) -> Reply:
    return Reply(text="Ratings saved (step 1 of 2). Now the written part: strengths and one thing to improve.",
                 choices=(Choice("Step 2: write it", encode(NAME, "next", session.id, turn), Style.PRIMARY),))
