"""Who was at a session, from what each member answered for themselves. Pure: answers in, outcomes out.

Each member answers "did it happen?" once: "we met" (I was there, and so were you), "<partner> didn't
show" (I was there, they were not) or "none of us could make it". For each member, in this order:
- reported absent by a partner: a no-show, unless the member said they were there (or a partner said
  everyone met), which makes it disputed. Only an uncontested no-show counts against a member, and only
  once the window closed (or everyone answered) without the member saying it happened.
- said they couldn't make it: excused (disputed if a partner says everyone met).
- said they were there: present (disputed if they say "we met" while a partner says nobody could make it).
- silent: present when a partner says everyone met, excused when a partner says nobody could make it
  (both: disputed); otherwise unconfirmed once the window has closed, still pending before.

The session happened when at least two members were present; nobody answered at all: unconfirmed; a
contradiction and no two present: disputed; else it did not happen (missed).

A no-show an earlier build already counted (it marked the member absent, and added the miss, the moment a
partner reported it, keeping no answer row; `counted`) stays a no-show: the member is not asked again,
their own later answer changes nothing, and the close neither counts the miss a second time nor undoes it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.features.mock.model import Answer, Outcome, Report, Session, SessionStatus


@dataclass(frozen=True, slots=True)
class Settlement:
    outcomes: dict[str, Outcome]
    status: SessionStatus  # what the session closes as, if it closed on these answers now


def settle(members: Sequence[str], reports: Sequence[Report], final: bool,
           counted: Collection[str] = frozenset()) -> Settlement:
    """Each member's outcome from the answers so far. `final`: the window is closed (or everyone has
    answered), so silence decides; otherwise a silent member's outcome may still be PENDING. `counted`:
    no-shows an earlier build already counted (see the module docstring)."""
    by = {r.member: r for r in reports if r.member in members and r.member not in counted}
    outcomes = {m: Outcome.NOSHOW if m in counted else _outcome(m, by, final) for m in members}
    present = sum(1 for o in outcomes.values() if o is Outcome.PRESENT)
    if not by:
        status = SessionStatus.UNCONFIRMED
    elif present >= 2:
        status = SessionStatus.DONE
    elif any(o is Outcome.DISPUTED for o in outcomes.values()):
        status = SessionStatus.DISPUTED
    else:
        status = SessionStatus.MISSED
    return Settlement(outcomes, status)


def _outcome(m: str, by: dict[str, Report], final: bool) -> Outcome:
    own = by.get(m)
    others = [r for r in by.values() if r.member != m]
    accused = any(r.answer is Answer.ABSENT and r.about == m for r in others)
    vouched = any(r.answer is Answer.MET for r in others)
    denied = any(r.answer is Answer.NONE for r in others)
    says_there = own is not None and own.answer in (Answer.MET, Answer.ABSENT)
    if accused:
        if says_there or vouched:
            return Outcome.DISPUTED
        return Outcome.NOSHOW if final or own is not None else Outcome.PENDING
    if own is not None:
        if own.answer is Answer.NONE:
            return Outcome.DISPUTED if vouched else Outcome.EXCUSED
        if own.answer is Answer.MET and denied:
            return Outcome.DISPUTED
        return Outcome.PRESENT
    if vouched and denied:
        return Outcome.DISPUTED
    if vouched:
        return Outcome.PRESENT
    if not final:
        return Outcome.PENDING
    return Outcome.EXCUSED if denied else Outcome.UNCONFIRMED


def counted_before(s: Session) -> frozenset[str]:
    """Members of a session still open for answers whose no-show an earlier build already counted (this
    build marks a member absent only when it closes a session)."""
    return s.absent if s.status is SessionStatus.BOOKED else frozenset()


def settle_session(s: Session, final: bool) -> Settlement:
    """`settle` of a session's members and answers, with the no-shows an earlier build counted."""
    return settle(s.members, s.reports, final, counted_before(s))


def everyone_answered(s: Session) -> bool:
    """Everyone whose answer can still change something has answered."""
    said = {r.member for r in s.reports}
    counted = counted_before(s)
    return all(m in said for m in s.members if m not in counted)


def was_there(s: Session, member: str) -> bool:
    """Whether the member was at a session that happened: as recorded at the close, or by the answers so
    far while the session is still open for answers."""
    if s.status is SessionStatus.BOOKED:
        return bool(s.reports) and settle_session(s, final=False).outcomes[member] is Outcome.PRESENT
    return s.status is SessionStatus.DONE and s.outcome_of(member) is Outcome.PRESENT


def can_score(s: Session, interviewer: str, interviewee: str) -> bool:
    """A scorecard is written only for a turn that took place: both of its members were there."""
    return was_there(s, interviewer) and was_there(s, interviewee)
