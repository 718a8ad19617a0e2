"""What the mock feature shows: the forms, the pair's space messages, packets, scorecards and status.

Pure functions of stored state; every button carries only row ids (and a version), so it keeps working
after a restart and a stale one is recognised. Times go out as `bot.markup.timestamp`, shown to each reader
in their own zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import markup as mk
from bot.actions import encode
from bot.content.schema import Item, RubricDimension
from bot.features.mock.availability import EXAMPLE, MAX_TEXT
from bot.features.mock.model import (
    CADENCES,
    COMPETENCIES,
    ERASED,
    LEVEL_LABELS,
    LEVELS,
    MAX_CARD_TEXT,
    NAME,
    TRACK_LABELS,
    Competency,
    Profile,
    Scorecard,
    Session,
    SessionStatus,
)
from bot.features.mock.points import FEEDBACK_GIVEN, SESSION_DONE
from bot.messages import Choice, Field, FileOut, Form, FormField, InputKind, Reply, SelectOption, Style, clip

STALE = "That button is from an earlier step of this mock interview, so nothing changed. Use the newest message."
NOT_YOURS = "That belongs to another member's mock interview, so nothing changed."
RUBRIC_TEXT: dict[RubricDimension, str] = {
    RubricDimension.MODELING_JUDGMENT: "frames the problem and picks an approach for stated reasons",
    RubricDimension.PRODUCTION_READINESS: "serving, monitoring, failure modes, cost",
    RubricDimension.EVALUATION_RIGOR: "metrics for the goal, sound splits, baselines, error analysis",
    RubricDimension.COMMUNICATION_CLARITY: "structured, states assumptions, checks in, sums up",
    RubricDimension.TECHNICAL_DEPTH: "knows why, not only what",
    RubricDimension.PROBLEM_SOLVING: "approach, decomposition, edge cases",
    RubricDimension.CODE_QUALITY: "correct, tested, readable",
    RubricDimension.TRADE_OFF_REASONING: "names options and picks with reasons",
    RubricDimension.OWNERSHIP: "takes responsibility and follows through",
    RubricDimension.COLLABORATION: "works with others, handles disagreement",
}


def track_label(track: str) -> str:
    return TRACK_LABELS.get(track, track)


def at(member: str) -> str:
    """A mention of a member by id (ids are platform ids: no spaces, no braces); an erased member has none."""
    return "a former member" if member.startswith(ERASED) else "{@" + member + "}"


def people(members: Sequence[str]) -> str:
    """Mentions joined as "A, B and C"."""
    shown = [at(m) for m in members]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def names_line(members: Sequence[str], names: Mapping[str, str]) -> str:
    shown = [names.get(m, "a member") for m in members]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " & " + shown[-1]


# joining ---------------------------------------------------------------------------------------------
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
    noted = f"\n\nI adjusted:{adjusted}" if adjusted else ""
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


# the pair's space ---------------------------------------------------------------------------------
def proposal_reply(session: Session, names: Mapping[str, str], starts: Sequence[datetime], page: int,
                   more: bool) -> Reply:
    who = people(session.members)
    listing = "\n".join(f"{n}. {mk.timestamp(at, 'f')} ({mk.timestamp(at, 'R')})" for n, at in enumerate(starts, 1))
    deadline = (f"\n\nIf nobody picks by {mk.timestamp(session.deadline_at, 'f')}, I book the first one."
                if session.deadline_at else "")
    trio = " There are three of you: each interviews the next in turn." if len(session.members) == 3 else ""
    repeat = " You have been paired before: nobody else shared a free time with you this round." \
        if session.repeat else ""
    choices = [Choice(f"Book time {n}", encode(NAME, "pick", session.id, session.version, int(at.timestamp())),
                      Style.PRIMARY) for n, at in enumerate(starts, 1)]
    if more:
        choices.append(Choice("Other times", encode(NAME, "more", session.id, session.version, page + 1)))
    choices.append(Choice("Cancel this session", encode(NAME, "cancel", session.id, session.version), Style.DANGER))
    text = (f"Welcome {who}! You are paired for a one-hour {mk.bold(track_label(session.track))} mock "
            f"interview.{trio}{repeat}\n\n"
            + (f"Times that suit all of you (each of you sees your own local time):\n{listing}" if starts else
               "I have no more shared free times to offer this week. Agree on one here, change your availability "
               "with /mock availability, or cancel.")
            + (deadline if starts else ""))
    return Reply(title=f"Mock interview · {names_line(session.members, names)}", text=text,
                 fields=tuple(Field(names.get(m, "Member"), f"{LEVEL_LABELS.get(lv, lv)}")
                              for m, lv in zip(session.members, session.levels, strict=True)),
                 choices=tuple(choices))


def booked_reply(session: Session, start: datetime, by: str | None, invite: FileOut, auto: bool) -> Reply:
    who = "Nobody picked a time, so I booked the first one" if auto or by is None else \
        f"{at(by)} booked it"
    first = session.interviewer(0)
    return Reply(
        title="Mock interview booked",
        # markup does not nest: a timestamp inside bold would show as raw text, so the time is not bold
        text=(f"{who}: {mk.timestamp(start, 'f')} ({mk.timestamp(start, 'R')}), one hour.\n\n"
              f"{at(first)} interviews first; you swap every {int(session.turn_length.total_seconds() // 60)} "
              "minutes. Each interviewer gets a private packet by DM before their turn. The invite is attached.\n"
              "Either of you can reschedule or cancel here; the others are told."),
        choices=(Choice("Reschedule", encode(NAME, "resched", session.id, session.version)),
                 Choice("Cancel", encode(NAME, "cancel", session.id, session.version), Style.DANGER),
                 Choice("Show my packet", encode(NAME, "packet", session.id))),
        files=(invite,),
    )


def reminder_reply(session: Session, start: datetime) -> Reply:
    """The time left is a relative timestamp, not words: a reminder sent late (after a restart) stays true."""
    return Reply(title="Mock interview reminder",
                 text=f"{people(session.members)}: your mock interview starts {mk.timestamp(start, 'f')} "
                      f"({mk.timestamp(start, 'R')}). "
                      f"{at(session.interviewer(0))} interviews first.",
                 choices=(Choice("Show my packet", encode(NAME, "packet", session.id)),
                          Choice("Reschedule", encode(NAME, "resched", session.id, session.version))))


def swap_reply(session: Session, turn: int) -> Reply:
    return Reply(text=f"Time to swap: {at(session.interviewer(turn))} now interviews "
                      f"{at(session.interviewee(turn))}. Your packet is in your DMs.",
                 choices=(Choice("Show my packet", encode(NAME, "packet", session.id)),))


def after_reply(session: Session, names: Mapping[str, str]) -> Reply:
    choices = [Choice("Yes, we met", encode(NAME, "met", session.id), Style.SUCCESS)]
    choices += [Choice(f"{clip(names.get(m, 'A member'), 40)} didn't show", encode(NAME, "noshow", session.id, pos))
                for pos, m in enumerate(session.members)]
    return Reply(title="Did it happen?",
                 text=f"{people(session.members)}: did your mock interview happen? One answer is enough. "
                      f"A session that happened earns each of you {SESSION_DONE} points, and each scorecard you "
                      f"write {FEEDBACK_GIVEN} more.",
                 choices=tuple(choices))


def met_reply(session: Session, present: Sequence[str]) -> Reply:
    return Reply(title="It happened",
                 text=f"Great work, {people(present)}! +{SESSION_DONE} points each.\n\nNow score your partner: "
                      "the scorecard reaches only them, by DM.",
                 choices=(Choice("Write my scorecard", encode(NAME, "card", session.id), Style.PRIMARY),))


# packets ----------------------------------------------------------------------------------------------
def packet_reply(session: Session, turn: int, item: Item, start: datetime | None) -> Reply:
    partner = session.interviewee(turn)
    level = session.levels[(turn + 1) % len(session.members)]
    minutes = int(session.turn_length.total_seconds() // 60)
    when = f" from {mk.timestamp(start, 'f')}" if start is not None else ""
    lines = [f"You interview {at(partner)} ({track_label(session.track)}, {LEVEL_LABELS.get(level, level)}) "
             f"for {minutes} minutes{when}. This packet is for you alone: don't show it to them.",
             "", mk.bold("Ask"), mk.escape(item.prompt)]
    if item.hint:
        lines += ["", f"{mk.bold('A nudge if they stall')}: {mk.escape(item.hint)}"]
    lines += ["", mk.bold("Key points a strong answer covers")] + [f"- {mk.escape(k)}" for k in item.key_points or ()]
    if item.outline:
        lines += ["", mk.bold("Outline")] + [f"- {s}: {mk.escape(v)}" for s, v in item.outline.items()]
    lines += ["", mk.bold("Follow-ups")] + [f"- {mk.escape(f)}" for f in item.follow_ups or ()]
    if item.strong_signals:
        lines += ["", mk.bold("Strong signals")] + [f"- {mk.escape(s)}" for s in item.strong_signals]
    if item.weak_signals:
        lines += ["", mk.bold("Weak signals")] + [f"- {mk.escape(s)}" for s in item.weak_signals]
    lines += ["", mk.bold("Rubric")] + [f"- {d.value.replace('_', ' ')}: {RUBRIC_TEXT[d]}" for d in item.rubric or ()]
    if item.model_answer:
        lines += ["", mk.bold("A model answer (for you; theirs may differ and still be strong)"),
                  mk.escape(item.model_answer)]
    lines += ["", "Afterwards you score them on modeling judgment, production readiness, evaluation rigor and "
              "communication clarity (1-4 each), with strengths and one thing to improve."]
    return Reply(title="Your interviewer packet", text="\n".join(lines),
                 fields=(Field("Topic", f"{item.domain.value} · {item.subtopic}"),
                         Field("Difficulty", item.difficulty.value)))


# scorecards --------------------------------------------------------------------------------------------
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


def scorecard_reply(card: Scorecard, item: Item | None, when: datetime | None) -> Reply:
    on = f" on {mk.timestamp(when, 'd')}" if when is not None else ""
    about = f"\n\nThe question: {mk.escape(clip(item.prompt, 300))}" if item is not None else ""
    by = at(card.interviewer) if card.interviewer else "your partner"
    return Reply(
        title="Your mock interview scorecard",
        text=(f"From {by}, for your mock interview{on}. Only you can read this.{about}\n\n"
              f"{mk.bold('Strengths')}\n{mk.escape(card.strengths or '')}\n\n"
              f"{mk.bold('One thing to improve')}\n{mk.escape(card.improve or '')}"),
        fields=tuple(Field(COMPETENCIES[c].label, f"{card.ratings[c]}/4") for c in Competency),
    )


def averages(cards: Sequence[Scorecard]) -> dict[Competency, float]:
    return {c: sum(card.ratings[c] for card in cards) / len(cards) for c in Competency} if cards else {}


def status_reply(profile: Profile | None, now: datetime, upcoming: Session | None, history: Sequence[Session],
                 cards: Sequence[Scorecard], described: str, me: str) -> Reply:
    if profile is None:
        head = "You are not in the mock interview pool. Join with /mock join."
    else:
        state = "active"
        if not profile.active_at(now):
            state = (f"paused until {mk.timestamp(profile.paused_until, 'd')}" if profile.paused_until
                     else "paused (come back with /mock resume)")
        head = (f"You are {state} in the pool: {', '.join(track_label(t) for t in profile.tracks)}, "
                f"{LEVEL_LABELS.get(profile.level, profile.level)}, {CADENCES.get(profile.cadence, profile.cadence).lower()}."
                f"\nAvailability: {mk.escape(described)} ({mk.escape(profile.zone)})")
    lines = [head]
    if upcoming is not None:
        partners = people(upcoming.others(me))
        if upcoming.status is SessionStatus.BOOKED and upcoming.start_at is not None:
            lines.append(f"\n{mk.bold('Next session')}: {mk.timestamp(upcoming.start_at, 'f')} with {partners} "
                         f"({track_label(upcoming.track)}).")
        else:
            lines.append(f"\n{mk.bold('Next session')}: with {partners} ({track_label(upcoming.track)}), "
                         "time not booked yet: pick one in your private space.")
    past = [s for s in history if s.status in (SessionStatus.DONE, SessionStatus.MISSED, SessionStatus.CANCELLED)]
    if past:
        lines.append(f"\n{mk.bold('History')}")
        for s in past[:5]:
            when = mk.timestamp(s.start_at, "d") if s.start_at else "unbooked"
            what = {SessionStatus.DONE: "missed" if me in s.absent else "happened",
                    SessionStatus.MISSED: "missed" if me in s.absent else "did not happen",
                    SessionStatus.CANCELLED: "cancelled"}[s.status]
            lines.append(f"- {when} · {track_label(s.track)} with {people(s.others(me))}: {what}")
    fields: tuple[Field, ...] = ()
    if cards:
        avg = averages(cards)
        fields = tuple(Field(COMPETENCIES[c].label, f"{avg[c]:.1f}/4") for c in Competency)
        lines.append(f"\nScorecard averages over {len(cards)} scorecard{'s' * (len(cards) != 1)} "
                     "(only you can see these; /mock feedback shows the latest):")
    return Reply(title="Your mock interviews", text="\n".join(lines), fields=fields)
