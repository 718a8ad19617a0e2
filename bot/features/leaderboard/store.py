"""The leaderboard's own repository: study days (streaks), scored attempts (accuracy), exclusions from the
board and forget-me confirmations; a protocol and its SQLite implementation.

A study day is stored as the member's local date with the zone it was counted in, decided when the activity
happens (`record`): the member's own timezone, else the community's. The zones are read inside the same
write from the core's `members` and `communities` rows, so recording an answer's activity costs one write
on the member's path. Attempts are kept per community-local day (the recap's "hardest topics").

Portability: upserts are `ON CONFLICT (...) DO NOTHING / DO UPDATE`; a PostgreSQL implementation changes
`?` to `$n` and reads new ids from `RETURNING id`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.store.db import Database, from_db, to_db


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record` did: the local day it counted, in which zone, and whether the day is new."""

    day: date
    zone: str
    new_day: bool


@dataclass(frozen=True, slots=True)
class Exclusion:
    member: str
    by_member: str
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ForgetRequest:
    id: int
    community: str
    member: str
    created_at: datetime


def _mark_days(c: sqlite3.Connection, community: str, member: str, days: Iterable[int]) -> None:
    """Set the days' bits in the member's streak bitmap (board_streaks)."""
    wanted = list(days)
    if not wanted:
        return
    row = c.execute("SELECT base, bits FROM board_streaks WHERE community = ? AND member = ?",
                    (community, member)).fetchone()
    base, bits = (min(wanted), 0) if row is None else (int(row[0]), int.from_bytes(row[1], "little"))
    low = min(wanted)
    if low < base:  # a day before the first one known (a backfill, or a zone behind the earlier one)
        bits <<= base - low
        base = low
    for day in wanted:
        bits |= 1 << (day - base)
    c.execute("INSERT INTO board_streaks (community, member, base, bits) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (community, member) DO UPDATE SET base = excluded.base, bits = excluded.bits",
              (community, member, base, bits.to_bytes((bits.bit_length() + 7) // 8 or 1, "little")))


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_DAY_COLS = "member, day, zone, first_at, source"
_ATTEMPT_COLS = "member, day, topic, attempts, correct"
_EXCLUDED_COLS = "member, by_member, reason, at"


def empty_member_data() -> dict[str, Any]:
    """`member_data` of a member this feature holds nothing of."""
    return {"study_days": [], "attempts": [], "excluded_from_board": None}


def _member_data(days: list[Any], attempts: list[Any], excluded: list[Any]) -> dict[str, dict[str, Any]]:
    """Rows of `_DAY_COLS`, `_ATTEMPT_COLS` and `_EXCLUDED_COLS` (each in order), as each member's data."""
    out: dict[str, dict[str, Any]] = {}
    for m, d, z, f, s in days:
        out.setdefault(str(m), empty_member_data())["study_days"].append(
            {"day": d, "zone": z, "first_at": f, "source": s})
    for m, d, t, a, k in attempts:
        out.setdefault(str(m), empty_member_data())["attempts"].append(
            {"day": d, "topic": t or None, "attempts": a, "correct": k})
    for m, by, reason, at in excluded:
        out.setdefault(str(m), empty_member_data())["excluded_from_board"] = {"by": by, "reason": reason, "at": at}
    return out


class BoardRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # activity -----------------------------------------------------------------------------------------
    async def record(self, community: str, member: str, at: datetime, source: str, topic: str | None = None,
                     correct: bool | None = None) -> Recorded:
        def w(c: sqlite3.Connection) -> Recorded:
            mine, theirs = c.execute(
                "SELECT (SELECT timezone FROM members WHERE community = ? AND id = ?), "
                "(SELECT timezone FROM communities WHERE key = ?)", (community, member, community)).fetchone()
            community_zone = _zone(theirs) or ZoneInfo("UTC")
            zone = _zone(mine) or community_zone
            day = at.astimezone(zone).date()
            new = c.execute(
                "INSERT INTO board_days (community, member, day, zone, first_at, source) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (community, member, day) DO NOTHING",
                (community, member, day.isoformat(), zone.key, to_db(at), source)).rowcount > 0
            if new:
                _mark_days(c, community, member, [day.toordinal()])
            if correct is not None:
                c.execute(
                    """INSERT INTO board_attempts (community, member, topic, day, attempts, correct)
                       VALUES (?, ?, ?, ?, 1, ?)
                       ON CONFLICT (community, member, topic, day) DO UPDATE SET
                           attempts = board_attempts.attempts + 1, correct = board_attempts.correct + excluded.correct""",
                    (community, member, topic or "", at.astimezone(community_zone).date().isoformat(), int(correct)))
            return Recorded(day, zone.key, new)

        return await self._db.write(w)

    async def days(self, community: str, member: str) -> list[date]:
        """The member's study days, oldest first."""

        def q(c: sqlite3.Connection) -> list[date]:
            rows = c.execute("SELECT day FROM board_days WHERE community = ? AND member = ? ORDER BY day",
                             (community, member)).fetchall()
            return [date.fromisoformat(r[0]) for r in rows]

        return await self._db.read(q)

    async def history(self, community: str, member: str) -> tuple[int, int, str]:
        """The member's study days as a bitmap (bit i: day number `base + i`, `date.toordinal`) and the zone
        their today is in (their own, else the community's, else UTC): a streak's reads in one row."""

        def q(c: sqlite3.Connection) -> tuple[int, int, str]:
            row = c.execute(
                "SELECT (SELECT timezone FROM members WHERE community = ? AND id = ?), "
                "(SELECT timezone FROM communities WHERE key = ?), "
                "(SELECT base FROM board_streaks WHERE community = ? AND member = ?), "
                "(SELECT bits FROM board_streaks WHERE community = ? AND member = ?)",
                (community, member, community, community, member, community, member)).fetchone()
            zone = _zone(row[0]) or _zone(row[1]) or ZoneInfo("UTC")
            base = int(row[2]) if row[2] is not None else 0
            bits = int.from_bytes(row[3], "little") if row[3] is not None else 0
            return base, bits, zone.key

        return await self._db.read(q)

    async def backfilled(self, community: str, member: str) -> bool:
        def q(c: sqlite3.Connection) -> bool:
            return c.execute("SELECT 1 FROM board_backfilled WHERE community = ? AND member = ?",
                             (community, member)).fetchone() is not None

        return await self._db.read(q)

    async def backfill(self, community: str, member: str, days: Iterable[tuple[date, str, datetime]],
                       now: datetime) -> int:
        """Add days (day, zone, first instant) from before these tables, once per member; how many were new."""
        rows = [(community, member, d.isoformat(), z, to_db(at), "daily") for d, z, at in days]

        def w(c: sqlite3.Connection) -> int:
            if c.execute("INSERT INTO board_backfilled (community, member, at) VALUES (?, ?, ?) "
                         "ON CONFLICT (community, member) DO NOTHING", (community, member, to_db(now))).rowcount == 0:
                return 0
            before = c.total_changes
            c.executemany("INSERT INTO board_days (community, member, day, zone, first_at, source) "
                          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community, member, day) DO NOTHING", rows)
            added = c.total_changes - before
            _mark_days(c, community, member, [date.fromisoformat(str(r[2])).toordinal() for r in rows])
            return added

        return await self._db.write(w)

    async def active_members(self, community: str, since: datetime, until: datetime) -> list[str]:
        """Members with a study day that began in [since, until)."""

        def q(c: sqlite3.Connection) -> list[str]:
            rows = c.execute("SELECT DISTINCT member FROM board_days WHERE community = ? AND first_at >= ? "
                             "AND first_at < ? ORDER BY member", (community, to_db(since), to_db(until))).fetchall()
            return [str(r[0]) for r in rows]

        return await self._db.read(q)

    async def accuracy(self, community: str, member: str) -> dict[str, tuple[int, int]]:
        """The member's (attempts, correct) by topic, all time."""

        def q(c: sqlite3.Connection) -> dict[str, tuple[int, int]]:
            rows = c.execute("SELECT topic, SUM(attempts), SUM(correct) FROM board_attempts "
                             "WHERE community = ? AND member = ? GROUP BY topic ORDER BY topic",
                             (community, member)).fetchall()
            return {str(t): (int(a), int(k)) for t, a, k in rows}

        return await self._db.read(q)

    async def group_accuracy(self, community: str, first_day: date, last_day: date) -> dict[str, tuple[int, int]]:
        """Everyone's (attempts, correct) by topic on the community-local days first_day..last_day."""

        def q(c: sqlite3.Connection) -> dict[str, tuple[int, int]]:
            rows = c.execute("SELECT topic, SUM(attempts), SUM(correct) FROM board_attempts "
                             "WHERE community = ? AND day >= ? AND day <= ? GROUP BY topic",
                             (community, first_day.isoformat(), last_day.isoformat())).fetchall()
            return {str(t): (int(a), int(k)) for t, a, k in rows}

        return await self._db.read(q)

    # exclusions ---------------------------------------------------------------------------------------
    async def exclusions(self, community: str) -> list[Exclusion]:
        def q(c: sqlite3.Connection) -> list[Exclusion]:
            rows = c.execute("SELECT member, by_member, reason, at FROM board_exclusions WHERE community = ? "
                             "ORDER BY at, member", (community,)).fetchall()
            return [Exclusion(str(m), str(b), r, from_db(str(a))) for m, b, r, a in rows]

        return await self._db.read(q)

    async def exclude(self, community: str, member: str, by_member: str, reason: str | None,
                      now: datetime) -> bool:
        """True when the member was not excluded before."""

        def w(c: sqlite3.Connection) -> bool:
            return c.execute("INSERT INTO board_exclusions (community, member, by_member, reason, at) "
                             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (community, member) DO NOTHING",
                             (community, member, by_member, reason, to_db(now))).rowcount > 0

        return await self._db.write(w)

    async def include(self, community: str, member: str) -> bool:
        """True when the member was excluded (and now is not)."""

        def w(c: sqlite3.Connection) -> bool:
            return c.execute("DELETE FROM board_exclusions WHERE community = ? AND member = ?",
                             (community, member)).rowcount > 0

        return await self._db.write(w)

    # forget-me ----------------------------------------------------------------------------------------
    async def ask_forget(self, community: str, member: str, now: datetime) -> int:
        def w(c: sqlite3.Connection) -> int:
            cur = c.execute("INSERT INTO board_forget (community, member, created_at) VALUES (?, ?, ?)",
                            (community, member, to_db(now)))
            return int(cur.lastrowid or 0)

        return await self._db.write(w)

    async def forget_request(self, request_id: int) -> ForgetRequest | None:
        def q(c: sqlite3.Connection) -> ForgetRequest | None:
            row = c.execute("SELECT id, community, member, created_at FROM board_forget WHERE id = ?",
                            (request_id,)).fetchone()
            return None if row is None else ForgetRequest(int(row[0]), str(row[1]), str(row[2]), from_db(row[3]))

        return await self._db.read(q)

    async def drop_forget(self, request_id: int) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("DELETE FROM board_forget WHERE id = ?", (request_id,)).rowcount > 0

        return await self._db.write(w)

    # members' data ------------------------------------------------------------------------------------
    async def member_ids(self, community: str) -> list[str]:
        """Everyone studybot holds anything of here: known members, and anyone with points or activity."""

        def q(c: sqlite3.Connection) -> list[str]:
            rows = c.execute("SELECT id FROM members WHERE community = ? UNION SELECT member FROM points_total "
                             "WHERE community = ? UNION SELECT member FROM board_days WHERE community = ? "
                             "ORDER BY 1", (community, community, community)).fetchall()
            return [str(r[0]) for r in rows]

        return await self._db.read(q)

    async def member_data(self, community: str, member: str) -> dict[str, Any]:
        def q(c: sqlite3.Connection) -> dict[str, Any]:
            days = c.execute(f"SELECT {_DAY_COLS} FROM board_days WHERE community = ? AND member = ? "
                             "ORDER BY day", (community, member)).fetchall()
            attempts = c.execute(f"SELECT {_ATTEMPT_COLS} FROM board_attempts WHERE community = ? "
                                 "AND member = ? ORDER BY day, topic", (community, member)).fetchall()
            excluded = c.execute(f"SELECT {_EXCLUDED_COLS} FROM board_exclusions WHERE community = ? "
                                 "AND member = ?", (community, member)).fetchall()
            return _member_data(days, attempts, excluded).get(member, empty_member_data())

        return await self._db.read(q)

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]:
        """`member_data` of everyone in the community who has any (one read, three queries), by member."""

        def q(c: sqlite3.Connection) -> dict[str, dict[str, Any]]:
            days = c.execute(f"SELECT {_DAY_COLS} FROM board_days WHERE community = ? ORDER BY member, day",
                             (community,)).fetchall()
            attempts = c.execute(f"SELECT {_ATTEMPT_COLS} FROM board_attempts WHERE community = ? "
                                 "ORDER BY member, day, topic", (community,)).fetchall()
            excluded = c.execute(f"SELECT {_EXCLUDED_COLS} FROM board_exclusions WHERE community = ?",
                                 (community,)).fetchall()
            return _member_data(days, attempts, excluded)

        return await self._db.read(q)

    async def erase_member(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            gone = 0
            for table in ("board_days", "board_streaks", "board_backfilled", "board_attempts", "board_exclusions",
                          "board_forget"):
                gone += c.execute(f"DELETE FROM {table} WHERE community = ? AND member = ?",
                                  (community, member)).rowcount
            gone += c.execute("UPDATE board_exclusions SET by_member = '' WHERE community = ? AND by_member = ?",
                              (community, member)).rowcount
            return gone

        return await self._db.write(w)


@runtime_checkable
class BoardStore(Protocol):
    """Study days, scored attempts, exclusions and forget-me confirmations of the leaderboard feature."""

    async def record(self, community: str, member: str, at: datetime, source: str, topic: str | None = None,
                     correct: bool | None = None) -> Recorded:
        """Count `at` as a study day in the member's zone (and an attempt, when `correct` is given)."""
        ...

    async def days(self, community: str, member: str) -> list[date]: ...

    async def history(self, community: str, member: str) -> tuple[int, int, str]:
        """Study days as a bitmap from day number `base`, and the zone of the member's today."""
        ...

    async def backfilled(self, community: str, member: str) -> bool: ...

    async def backfill(self, community: str, member: str, days: Iterable[tuple[date, str, datetime]],
                       now: datetime) -> int: ...

    async def active_members(self, community: str, since: datetime, until: datetime) -> list[str]: ...

    async def accuracy(self, community: str, member: str) -> dict[str, tuple[int, int]]: ...

    async def group_accuracy(self, community: str, first_day: date, last_day: date) -> dict[str, tuple[int, int]]: ...

    async def exclusions(self, community: str) -> list[Exclusion]: ...

    async def exclude(self, community: str, member: str, by_member: str, reason: str | None,
                      now: datetime) -> bool: ...

    async def include(self, community: str, member: str) -> bool: ...

    async def ask_forget(self, community: str, member: str, now: datetime) -> int: ...

    async def forget_request(self, request_id: int) -> ForgetRequest | None: ...

    async def drop_forget(self, request_id: int) -> bool: ...

    async def member_ids(self, community: str) -> list[str]: ...

    async def member_data(self, community: str, member: str) -> dict[str, Any]: ...

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]: ...

    async def erase_member(self, community: str, member: str) -> int: ...


def _sqlite_satisfies_protocol(db: Database) -> BoardStore:
    return BoardRepo(db)  # checked by mypy (strict on bot/)
