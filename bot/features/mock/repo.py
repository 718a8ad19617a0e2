"""The mock feature's repository on SQLite (MockStore, store.py).

Portability: `ON CONFLICT (...) DO NOTHING/DO UPDATE` only; a PostgreSQL implementation changes `?` to
`$n`, reads new ids from `RETURNING id`, and gives `mock_drafts.id` an identity column (ids are never reused,
so a Confirm button of a replaced draft stays stale).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.features.mock import member_rows
from bot.features.mock.attendance_rows import Planner, ReportResult, close_session, record_report
from bot.features.mock.card_repo import CardRepo
from bot.features.mock.model import (
    Answer,
    Round,
    Session,
)
from bot.features.mock.planned import PlannedJob, insert_missing, insert_planned
from bot.features.mock.pool_repo import PoolRepo
from bot.features.mock.rows import SESSION, session_row
from bot.features.mock.store import NewGroup
from bot.features.mock.waiting import LastTold, decide
from bot.store.db import Database, from_db, to_db


class MockRepo(PoolRepo, CardRepo):
    """MockStore on SQLite: the pool (pool_repo.py), the turns and scorecards (card_repo.py), and here the
    rounds, sessions and their answers."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # rounds and sessions ----------------------------------------------------------------------
    async def create_round(self, community: str, occurrence: datetime, week_start: datetime,
                           groups: list[NewGroup], waiting: list[str], now: datetime,
                           reasons: Mapping[str, str], bases: Mapping[str, str]) -> tuple[Round, bool]:
        """The round at this occurrence with its sessions, created now (True) or found as it was (False).
        With it, each waiting member's reason, and whether this round tells them (waiting.py decides, on
        what they were last told: in the same write, so a rerun keeps the decision)."""

        def w(c: sqlite3.Connection) -> tuple[Round, bool]:
            cur = c.execute(
                "INSERT INTO mock_rounds (community, occurrence, week_start, waiting, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (community, occurrence) DO NOTHING",
                (community, to_db(occurrence), to_db(week_start), ",".join(waiting), to_db(now)))
            created = cur.rowcount == 1
            rnd = _round_at(c, community, occurrence)
            assert rnd is not None
            if created:
                for g in groups:
                    s = c.execute(
                        "INSERT INTO mock_sessions (round_id, community, track, week_start, overlap, repeat, status, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'opening', ?, ?)",
                        (rnd.id, community, g.track, to_db(week_start), ",".join(str(x) for x in sorted(g.overlap)),
                         int(g.repeat), to_db(now), to_db(now)))
                    sid = int(s.lastrowid or 0)
                    n = len(g.members)
                    for pos, (member, level) in enumerate(zip(g.members, g.levels, strict=True)):
                        c.execute("INSERT INTO mock_members (session_id, position, member, level) VALUES (?, ?, ?, ?)",
                                  (sid, pos, member, level))
                        c.execute("INSERT INTO mock_turns (session_id, turn, interviewer, interviewee) "
                                  "VALUES (?, ?, ?, ?)", (sid, pos, member, g.members[(pos + 1) % n]))
                why = {m: reasons.get(m, "taken") for m in waiting}
                tell = decide(why, bases, {m: _last_told(c, community, m, occurrence) for m in waiting})
                for m in waiting:
                    c.execute("INSERT INTO mock_waiting (round_id, community, member, reason, basis, told) "
                              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, member) DO NOTHING",
                              (rnd.id, community, m, why[m], bases.get(m, ""), int(tell[m])))
            return rnd, created

        return await self._db.write(w)

    async def waiting_of(self, round_id: int) -> dict[str, tuple[str, bool]]:
        """The round's waiting members: (reason, whether the round tells them). Empty for a round of an
        earlier build (it kept no reasons)."""

        def q(c: sqlite3.Connection) -> dict[str, tuple[str, bool]]:
            return {str(m): (str(r), bool(t)) for m, r, t in c.execute(
                "SELECT member, reason, told FROM mock_waiting WHERE round_id = ?", (round_id,))}

        return await self._db.read(q)

    async def round_at(self, community: str, occurrence: datetime) -> Round | None:
        return await self._db.read(lambda c: _round_at(c, community, occurrence))

    async def last_round(self, community: str) -> Round | None:
        return await self._db.read(lambda c: _round_at(c, community, None))

    async def round_count(self, community: str, before: datetime) -> int:
        """How many rounds the community ran before this instant."""

        def q(c: sqlite3.Connection) -> int:
            return int(c.execute("SELECT COUNT(*) FROM mock_rounds WHERE community = ? AND occurrence < ?",
                                 (community, to_db(before))).fetchone()[0])

        return await self._db.read(q)

    async def session(self, session_id: int) -> Session | None:
        def q(c: sqlite3.Connection) -> Session | None:
            row = c.execute(f"SELECT {SESSION} FROM mock_sessions WHERE id = ?", (session_id,)).fetchone()
            return None if row is None else session_row(c, row)

        return await self._db.read(q)

    async def sessions_of_round(self, round_id: int) -> list[Session]:
        def q(c: sqlite3.Connection) -> list[Session]:
            rows = c.execute(f"SELECT {SESSION} FROM mock_sessions WHERE round_id = ? ORDER BY id",
                             (round_id,)).fetchall()
            return [session_row(c, r) for r in rows]

        return await self._db.read(q)

    async def sessions_of(self, community: str, member: str) -> list[Session]:
        """The member's sessions, newest first."""

        def q(c: sqlite3.Connection) -> list[Session]:
            rows = c.execute(
                f"SELECT {', '.join('s.' + col.strip() for col in SESSION.split(','))} FROM mock_sessions s "
                "JOIN mock_members m ON m.session_id = s.id WHERE s.community = ? AND m.member = ? ORDER BY s.id DESC",
                (community, member)).fetchall()
            return [session_row(c, r) for r in rows]

        return await self._db.read(q)

    async def pair_history(self, community: str) -> list[tuple[int, tuple[str, ...]]]:
        """(round number, members) of every session of the community that took place or was due to (not one
        cancelled before it took place: those members never met, so they may be paired again), oldest first."""

        def q(c: sqlite3.Connection) -> list[tuple[int, tuple[str, ...]]]:
            numbers = {int(r[0]): n for n, r in enumerate(c.execute(
                "SELECT id FROM mock_rounds WHERE community = ? ORDER BY occurrence", (community,)), 1)}
            out: list[tuple[int, tuple[str, ...]]] = []
            for sid, rid in c.execute("SELECT id, round_id FROM mock_sessions WHERE community = ? AND status != 'cancelled' "
                                      "ORDER BY id",
                                      (community,)).fetchall():
                people = tuple(str(m[0]) for m in c.execute(
                    "SELECT member FROM mock_members WHERE session_id = ? ORDER BY position", (sid,)))
                out.append((numbers.get(int(rid), 0), people))
            return out

        return await self._db.read(q)

    async def last_paired(self, community: str) -> dict[str, datetime]:
        """When each member was last put in a session (the round's occurrence)."""

        def q(c: sqlite3.Connection) -> dict[str, datetime]:
            rows = c.execute(
                "SELECT m.member, MAX(r.occurrence) FROM mock_members m JOIN mock_sessions s ON s.id = m.session_id "
                "JOIN mock_rounds r ON r.id = s.round_id WHERE s.community = ? AND s.status != 'cancelled' "
                "GROUP BY m.member", (community,)).fetchall()
            return {str(m): from_db(str(t)) for m, t in rows}

        return await self._db.read(q)

    async def busy(self, community: str, now: datetime) -> set[str]:
        """Members with a session still ahead of them: not yet booked, or booked and not yet over."""

        def q(c: sqlite3.Connection) -> set[str]:
            rows = c.execute(
                "SELECT m.member, s.status, s.start_at FROM mock_members m JOIN mock_sessions s ON s.id = m.session_id "
                "WHERE s.community = ? AND s.status IN ('opening', 'proposed', 'booked')", (community,)).fetchall()
            return {str(m) for m, status, start in rows if status != "booked" or start is None or from_db(str(start)) > now}

        return await self._db.read(q)

    async def opened(self, session_id: int, space: str, deadline: datetime, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET space = ?, deadline_at = ?, status = 'proposed', updated_at = ? "
                             "WHERE id = ? AND status = 'opening'",
                             (space, to_db(deadline), to_db(now), session_id)).rowcount == 1

        return await self._db.write(w)

    async def book(self, session_id: int, version: int, start: datetime, by: str | None, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET status = 'booked', start_at = ?, booked_by = ?, updated_at = ? "
                             "WHERE id = ? AND status = 'proposed' AND version = ?",
                             (to_db(start), by, to_db(now), session_id, version)).rowcount == 1

        return await self._db.write(w)

    async def reopen(self, session_id: int, version: int, deadline: datetime, now: datetime,
                     plan: Sequence[PlannedJob] = ()) -> bool:
        """A booked session goes back to proposing times (a reschedule): a new version, no time, and the
        time it had is declined (never offered again for this session). `plan`: jobs written with it."""

        def w(c: sqlite3.Connection) -> bool:
            done = c.execute("UPDATE mock_sessions SET status = 'proposed', version = version + 1, "
                             "declined = CASE WHEN declined = '' THEN start_at ELSE declined || ',' || start_at END, "
                             "start_at = NULL, booked_by = NULL, deadline_at = ?, updated_at = ? "
                             "WHERE id = ? AND status = 'booked' AND version = ? AND start_at IS NOT NULL",
                             (to_db(deadline), to_db(now), session_id, version)).rowcount == 1
            if done:
                insert_planned(c, plan, now)
            return done

        return await self._db.write(w)

    async def cancel(self, session_id: int, now: datetime, plan: Sequence[PlannedJob] = ()) -> bool:
        """End a session that has not been closed; `plan`: jobs written with it (telling the members)."""

        def w(c: sqlite3.Connection) -> bool:
            done = c.execute("UPDATE mock_sessions SET status = 'cancelled', version = version + 1, updated_at = ? "
                             "WHERE id = ? AND status IN ('opening', 'proposed', 'booked')",
                             (to_db(now), session_id)).rowcount == 1
            if done:
                insert_planned(c, plan, now)
            return done

        return await self._db.write(w)

    async def intend_space(self, session_id: int, name: str) -> str:
        """The name the session's private space gets: this one, unless one was chosen before (a rerun)."""

        def w(c: sqlite3.Connection) -> str:
            c.execute("UPDATE mock_sessions SET space_name = ? WHERE id = ? AND space_name IS NULL", (name, session_id))
            row = c.execute("SELECT space_name FROM mock_sessions WHERE id = ?", (session_id,)).fetchone()
            return name if row is None or row[0] is None else str(row[0])

        return await self._db.write(w)

    async def open_sessions(self, community: str) -> list[int]:
        """The ids of the community's sessions not closed or cancelled yet (opening, proposed, booked)."""

        def q(c: sqlite3.Connection) -> list[int]:
            return [int(r[0]) for r in c.execute(
                "SELECT id FROM mock_sessions WHERE community = ? AND status IN ('opening', 'proposed', 'booked') "
                "ORDER BY id", (community,))]

        return await self._db.read(q)

    async def add_missing_jobs(self, session_id: int, needs: Callable[[Session], Sequence[PlannedJob]],
                               now: datetime) -> list[PlannedJob]:
        """The jobs the session needs as it is now (`needs`, from the session read in this same write) that
        have no row yet, written; which were. One transaction: a change to the session cannot come between."""

        def w(c: sqlite3.Connection) -> list[PlannedJob]:
            row = c.execute(f"SELECT {SESSION} FROM mock_sessions WHERE id = ?", (session_id,)).fetchone()
            return [] if row is None else insert_missing(c, needs(session_row(c, row)), now)

        return await self._db.write(w)

    # did it happen? (bot.features.mock.attendance_rows) ---------------------------------------------
    async def report(self, session_id: int, member: str, answer: Answer, about: str | None, now: datetime,
                     plan: Planner) -> ReportResult:
        return await self._db.write(lambda c: record_report(c, session_id, member, answer, about, now, plan))

    async def close(self, session_id: int, version: int, now: datetime, plan: Planner) -> ReportResult:
        return await self._db.write(lambda c: close_session(c, session_id, version, now, plan))

    # a member's own data (bot.features.mock.member_rows) --------------------------------------------
    async def member_data(self, community: str, member: str) -> dict[str, Any]:
        return await self._db.read(lambda c: member_rows.member_data(c, community, member))

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]:
        return await self._db.read(lambda c: member_rows.community_data(c, community))

    async def erase_member(self, community: str, member: str) -> int:
        return await self._db.write(lambda c: member_rows.erase_member(c, community, member))


def _last_told(c: sqlite3.Connection, community: str, member: str, occurrence: datetime) -> LastTold | None:
    """When the member was last told they wait, before the round at `occurrence` (waiting.py)."""
    row = c.execute("SELECT w.reason, w.basis, r.occurrence FROM mock_waiting w JOIN mock_rounds r ON r.id = w.round_id "
                    "WHERE w.community = ? AND w.member = ? AND w.told = 1 AND r.occurrence < ? "
                    "ORDER BY r.occurrence DESC LIMIT 1", (community, member, to_db(occurrence))).fetchone()
    if row is None:
        return None
    ago = int(c.execute("SELECT COUNT(*) FROM mock_rounds WHERE community = ? AND occurrence > ? AND occurrence <= ?",
                        (community, str(row[2]), to_db(occurrence))).fetchone()[0])
    paired = c.execute("SELECT 1 FROM mock_members m JOIN mock_sessions s ON s.id = m.session_id JOIN mock_rounds r "
                       "ON r.id = s.round_id WHERE s.community = ? AND m.member = ? AND s.status != 'cancelled' "
                       "AND r.occurrence > ? LIMIT 1", (community, member, str(row[2]))).fetchone() is not None
    return LastTold(str(row[0]), str(row[1]), ago, paired)


def _round_at(c: sqlite3.Connection, community: str, occurrence: datetime | None) -> Round | None:
    """The round at this occurrence (None: the community's latest round)."""
    cols = "SELECT id, community, occurrence, week_start, waiting FROM mock_rounds WHERE community = ?"
    row = (c.execute(cols + " ORDER BY occurrence DESC LIMIT 1", (community,)) if occurrence is None else
           c.execute(cols + " AND occurrence = ?", (community, to_db(occurrence)))).fetchone()
    if row is None:
        return None
    number = c.execute("SELECT COUNT(*) FROM mock_rounds WHERE community = ? AND occurrence <= ?",
                       (community, str(row[2]))).fetchone()[0]
    return Round(int(row[0]), str(row[1]), from_db(str(row[2])), from_db(str(row[3])), int(number),
                 tuple(m for m in str(row[4]).split(",") if m))
