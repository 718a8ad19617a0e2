"""What the mock feature shows: the pair's space messages, packets, scorecards and status (the forms are in
forms.py, "did it happen?" in report_views.py).

Pure functions of stored state; every button carries only row ids (and a version), so it keeps working
after a restart and a stale one is recognised. Times go out as `bot.markup.timestamp`, shown to each reader
in their own zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import markup as mk
from bot.actions import encode
from bot.content.item import Item
from bot.content.vocabulary import RubricDimension
from bot.features.mock import NAME
from bot.features.mock.attendance import was_there
from bot.features.mock.model import (
    CADENCES,
    CLOSED_STATUSES,
    COMPETENCIES,
    ERASED,
    LEVEL_LABELS,
    TRACK_LABELS,
    Competency,
    Outcome,
    Profile,
    Scorecard,
    Session,
    SessionStatus,
)
from bot.messages import Choice, Field, FileOut, Reply, Style, clip

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


# the pair's space ---------------------------------------------------------------------------------
def all_of_you(session: Session) -> str:
    return "both of you" if len(session.members) == 2 else "all of you"


def proposal_reply(session: Session, names: Mapping[str, str], starts: Sequence[datetime], page: int,
                   more: bool, first: datetime | None = None) -> Reply:
    """The times on offer, three at a time (`page`). `first`: the time the deadline books (the first of the
    whole list; page 0's first when not given, so only a later page needs it); `more`: there are later
    pages. The last page offers the first again, so a member who paged on can still go back to the times
    the deadline would book."""
    listing = "\n".join(f"{n}. {mk.timestamp(at, 'f')} ({mk.timestamp(at, 'R')})" for n, at in enumerate(starts, 1))
    booked = first if first is not None else (starts[0] if starts else None)
    deadline = (f"\n\nIf nobody picks by {mk.timestamp(session.deadline_at, 'f')}, I book "
                f"{mk.timestamp(booked, 'f')}{' (time 1)' if page == 0 and starts and booked == starts[0] else ''}."
                if session.deadline_at and booked is not None else "")
    trio = " There are three of you: each interviews the next in turn." if len(session.members) == 3 else ""
    repeat = " You have been paired before: nobody else shared a free time with you this round." \
        if session.repeat else ""
    choices = [Choice(f"Book time {n}", encode(NAME, "pick", session.id, session.version, int(at.timestamp())),
                      Style.PRIMARY) for n, at in enumerate(starts, 1)]
    if more:
        choices.append(Choice("Other times", encode(NAME, "more", session.id, session.version, page + 1)))
    elif page > 0:
        choices.append(Choice("Back to the first times", encode(NAME, "more", session.id, session.version, 0)))
    choices.append(Choice("Cancel this session", encode(NAME, "cancel", session.id, session.version), Style.DANGER))
    kind = f"one-hour {mk.bold(track_label(session.track))} mock interview"
    head = (f"Welcome {people(session.members)}! You are paired for a {kind}.{trio}{repeat}" if session.version == 1
            else f"{people(session.members)}: new times for your {kind}.{trio}")
    text = (f"{head}\n\n"
            + (f"Times that suit {all_of_you(session)} (each of you sees your own local time):\n{listing}" if starts else
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
              "minutes. Each interviewer gets a private packet by DM for their turn. The invite is attached.\n"
              + ("Either of you can reschedule or cancel here; the other is told." if len(session.members) == 2 else
                 "Any of you can reschedule or cancel here; the others are told.")),
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


# scorecards and status -----------------------------------------------------------------------------
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


def history_word(s: Session, me: str) -> str:
    """How a past session went for the member, in a word or two (one still open for answers: so far)."""
    if s.status is SessionStatus.BOOKED:
        return "happened (answers still open)" if was_there(s, me) else "answers still open"
    if s.status is SessionStatus.CANCELLED:
        return "cancelled"
    if s.status is SessionStatus.UNCONFIRMED:
        return "unconfirmed (nobody answered)"
    if s.status is SessionStatus.DISPUTED:
        return "disputed (counts against nobody)"
    if s.outcome_of(me) is Outcome.NOSHOW:
        return "missed"
    return "happened" if s.status is SessionStatus.DONE and s.outcome_of(me) is Outcome.PRESENT else "did not happen"


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
    waiting = next((s for s in history if s.status is SessionStatus.BOOKED and s.end_at is not None
                    and s.end_at <= now and s.report_of(me) is None), None)
    if waiting is not None and waiting.closes_at is not None:
        by = mk.timestamp(waiting.closes_at, 'f')
        lines.append(f"\n{mk.bold('Did it happen?')} Answer for your session with {people(waiting.others(me))} in "
                     f"your private space by {by}.")
        accusers = waiting.accusers(me)
        if accusers:
            says = "says" if len(accusers) == 1 else "say"
            lines.append(f"{people(accusers)} {says} you didn't show: if you were there, answer \"Yes, we met\" by "
                         f"{by}; otherwise it counts as a missed session for you.")
    past = [s for s in history if s.status in CLOSED_STATUSES or s.status is SessionStatus.CANCELLED
            or (s.status is SessionStatus.BOOKED and s.end_at is not None and s.end_at <= now)]
    if past:
        lines.append(f"\n{mk.bold('History')}")
        for s in past[:5]:
            when = mk.timestamp(s.start_at, "d") if s.start_at else "unbooked"
            lines.append(f"- {when} · {track_label(s.track)} with {people(s.others(me))}: {history_word(s, me)}")
    fields: tuple[Field, ...] = ()
    if cards:
        avg = averages(cards)
        fields = tuple(Field(COMPETENCIES[c].label, f"{avg[c]:.1f}/4") for c in Competency)
        lines.append(f"\nScorecard averages over {len(cards)} scorecard{'s' * (len(cards) != 1)} "
                     "(only you can see these; /mock feedback shows the latest):")
    return Reply(title="Your mock interviews", text="\n".join(lines), fields=fields)
