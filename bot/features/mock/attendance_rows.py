"""The answers to "did it happen?" and a session's close, as SQL on the caller's connection (one write each).

An answer, the session points it earns, and (when it is the last answer) the session's close are one
transaction; so is a close by the report window. A close records each member's outcome (attendance.py),
awards the session points of those present at a session that happened, counts the uncontested no-shows,
pauses a member at their second in a row, and plans (planned.py) what must be told: all committed with
the change, or not at all. Points go through `ledger_insert`, the ledger's one insert path, idempotent on
(member, reason, session): a second answer, a rerun or a restart never doubles them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.features.mock.attendance import counted_before, everyone_answered, settle_session
from bot.features.mock.model import CLOSED_STATUSES, MISSES_TO_PAUSE, Answer, Outcome, Session, SessionStatus
from bot.features.mock.planned import PlannedJob, insert_planned
from bot.features.mock.points import REASON_SESSION, SESSION_DONE
from bot.features.mock.rows import SESSION, session_row
from bot.store.db import to_db
from bot.store.ledger import ledger_insert


class ReportState(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # this member answered before (each member answers once)
    CLOSED = "closed"  # the session was closed already (a late answer)
    NOT_OPEN = "not_open"  # not a booked session that has started, or not the member's


@dataclass(frozen=True, slots=True)
class Closing:
    status: SessionStatus
    credited: tuple[str, ...]  # members whose session points this close awarded
    paused: tuple[str, ...]  # members this close paused (their second no-show in a row)


@dataclass(frozen=True, slots=True)
class ReportResult:
    state: ReportState
    session: Session | None
    credited: bool = False  # the answer itself earned the member's session points
    closing: Closing | None = None
    planned: tuple[PlannedJob, ...] = ()


#: what a change must set off, from the session as it is after the change: (session, points awarded to
#: the answering member now, the close if the change closed it)
Planner = Callable[[Session, bool, Closing | None], Sequence[PlannedJob]]


def _session(c: sqlite3.Connection, session_id: int) -> Session | None:
    row = c.execute(f"SELECT {SESSION} FROM mock_sessions WHERE id = ?", (session_id,)).fetchone()
    return None if row is None else session_row(c, row)


def record_report(c: sqlite3.Connection, session_id: int, member: str, answer: Answer, about: str | None,
                  now: datetime, plan: Planner) -> ReportResult:
    s = _session(c, session_id)
    if s is None or member not in s.members:
        return ReportResult(ReportState.NOT_OPEN, s)
    if s.status in CLOSED_STATUSES:
        return ReportResult(ReportState.CLOSED, s)
    if s.status is not SessionStatus.BOOKED or s.start_at is None or s.start_at > now:
        return ReportResult(ReportState.NOT_OPEN, s)
    if c.execute("INSERT INTO mock_reports (session_id, member, answer, about, reported_at) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT (session_id, member) DO NOTHING",
                 (session_id, member, answer.value, about, to_db(now))).rowcount != 1:
        return ReportResult(ReportState.ALREADY, s)
    s = _session(c, session_id)
    assert s is not None
    credited = False
    if answer is Answer.MET and settle_session(s, final=False).outcomes[member] is Outcome.PRESENT:
        credited = ledger_insert(c, s.community, member, SESSION_DONE, REASON_SESSION, str(s.id), now)
        if credited:
            c.execute("UPDATE mock_reports SET points = ? WHERE session_id = ? AND member = ?",
                      (SESSION_DONE, session_id, member))
    closing = close_rows(c, s, now) if everyone_answered(s) else None
    s = _session(c, session_id)
    assert s is not None
    planned = tuple(plan(s, credited, closing))
    insert_planned(c, planned, now)
    return ReportResult(ReportState.RECORDED, s, credited, closing, planned)


def close_session(c: sqlite3.Connection, session_id: int, version: int, now: datetime,
                  plan: Planner) -> ReportResult:
    """Close a booked session of this version with the answers given (the report window has passed)."""
    s = _session(c, session_id)
    if s is None or s.version != version or s.status is not SessionStatus.BOOKED:
        return ReportResult(ReportState.CLOSED if s is not None and s.status in CLOSED_STATUSES
                            else ReportState.NOT_OPEN, s)
    closing = close_rows(c, s, now)
    s = _session(c, session_id)
    assert s is not None and closing is not None
    planned = tuple(plan(s, False, closing))
    insert_planned(c, planned, now)
    return ReportResult(ReportState.RECORDED, s, False, closing, planned)


def close_rows(c: sqlite3.Connection, s: Session, now: datetime) -> Closing | None:
    """Record the close of a booked session on its answers; None if it is not booked any more. A no-show an
    earlier build already counted (attendance.counted_before) is recorded as one and not counted again."""
    counted = counted_before(s)
    settled = settle_session(s, final=True)
    if c.execute("UPDATE mock_sessions SET status = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'",
                 (settled.status.value, to_db(now), to_db(now), s.id)).rowcount != 1:
        return None
    credited: list[str] = []
    paused: list[str] = []
    for member in s.members:
        outcome = settled.outcomes[member]
        c.execute("UPDATE mock_members SET outcome = ?, absent = ? WHERE session_id = ? AND member = ?",
                  (outcome.value, int(outcome is Outcome.NOSHOW), s.id, member))
        profile = (s.community, member)
        if outcome is Outcome.PRESENT:
            c.execute("UPDATE mock_profiles SET missed_in_row = 0 WHERE community = ? AND member = ?", profile)
            if settled.status is SessionStatus.DONE and ledger_insert(c, s.community, member, SESSION_DONE,
                                                                      REASON_SESSION, str(s.id), now):
                credited.append(member)
        elif outcome is Outcome.NOSHOW and member not in counted:
            c.execute("UPDATE mock_profiles SET missed_in_row = missed_in_row + 1 WHERE community = ? AND member = ?",
                      profile)
            if c.execute("UPDATE mock_profiles SET paused = 1, paused_until = NULL, updated_at = ? WHERE community = ? "
                         "AND member = ? AND paused = 0 AND missed_in_row >= ?",
                         (to_db(now), *profile, MISSES_TO_PAUSE)).rowcount == 1:
                paused.append(member)
    return Closing(settled.status, tuple(credited), tuple(paused))
