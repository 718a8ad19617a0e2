"""The race's repository: races, their questions, and one row per member's pick.

A pick is one INSERT with a unique (question, member) key whose conditions (the question is posted, not
closed, its deadline not passed by the event's time) are checked in the same statement; there is no
shared row to read and rewrite, so a thousand picks in one second are a thousand independent inserts the
group commit takes together. The close marks the question closed and reads its picks in one write, so a
pick is either in the result or refused, never both.
PostgreSQL: `?` becomes `$n`; the INSERT ... SELECT ... ON CONFLICT and the partial unique index (one
running race per channel) run as written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from bot.features.quiz.model import Ended, Pick, PickOutcome, PickStatus, Race, RaceQuestion
from bot.store.db import Database, from_db, opt_from_db, to_db

#: (item id, topic, index of the right choice)
Planned = tuple[str, str, int]
_RACE_COLS = ("id, community, channel, started_by, topic, count, seconds, created_at, first_at, stop_by, stop_at, "
              "finished_at, ended")
_QUESTION_COLS = "id, race_id, idx, item_id, topic, answer, deadline, message, closed_at, settled_at"
_PICK_COLS = "id, question_id, member, choice, event_at, arrived_at"
_PICK_SQL = """
    INSERT INTO quiz_race_picks (question_id, community, member, choice, event_at, arrived_at)
    SELECT q.id, r.community, ?, ?, ?, ? FROM quiz_race_questions q JOIN quiz_races r ON r.id = q.race_id
    WHERE q.id = ? AND r.community = ? AND q.message IS NOT NULL AND q.closed_at IS NULL AND q.deadline >= ?
    ON CONFLICT (question_id, member) DO NOTHING
"""


def _race(row: Sequence[Any]) -> Race:
    return Race(int(row[0]), str(row[1]), str(row[2]), row[3], row[4], int(row[5]), int(row[6]),
                from_db(str(row[7])), from_db(str(row[8])), row[9], opt_from_db(row[10]), opt_from_db(row[11]),
                None if row[12] is None else Ended(str(row[12])))


def _question(row: Sequence[Any]) -> RaceQuestion:
    return RaceQuestion(int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), int(row[5]),
                        opt_from_db(row[6]), row[7], opt_from_db(row[8]), opt_from_db(row[9]))


def _pick(row: Sequence[Any]) -> Pick:
    return Pick(int(row[0]), int(row[1]), str(row[2]), int(row[3]), from_db(str(row[4])), from_db(str(row[5])))


def _running(c: sqlite3.Connection, community: str, channel: str) -> Race | None:
    row = c.execute(f"SELECT {_RACE_COLS} FROM quiz_races WHERE community = ? AND channel = ? "
                    "AND finished_at IS NULL", (community, channel)).fetchone()
    return None if row is None else _race(row)


def _race_data(c: sqlite3.Connection, community: str, member: str | None) -> dict[str, list[dict[str, Any]]]:
    """One member's (or, None, everyone's) picks, then the races they started or stopped, by member: the same
    two queries either way, so both exports agree."""
    pick_args: tuple[str, ...]
    race_args: tuple[str, ...]
    if member is None:
        picks_of, races_of, pick_args, race_args = "", "", (community,), (community,)
    else:
        picks_of, races_of = " AND p.member = ?", " AND (started_by = ? OR stop_by = ?)"
        pick_args, race_args = (community, member), (community, member, member)
    out: dict[str, list[dict[str, Any]]] = {}
    for r in c.execute("SELECT p.member, q.race_id, q.idx, q.item_id, p.choice, p.event_at FROM quiz_race_picks p "
                       f"JOIN quiz_race_questions q ON q.id = p.question_id WHERE p.community = ?{picks_of} "
                       "ORDER BY p.event_at, p.id", pick_args):
        out.setdefault(str(r[0]), []).append({"race": int(r[1]), "question": int(r[2]) + 1, "item": str(r[3]),
                                              "picked": int(r[4]), "at": str(r[5])})
    named: dict[str, list[dict[str, Any]]] = {}
    for r in c.execute(f"SELECT id, channel, created_at, started_by, stop_by FROM quiz_races WHERE community = ?"
                       f"{races_of} ORDER BY id", race_args):
        for who in dict.fromkeys(w for w in (r[3], r[4]) if w is not None):
            named.setdefault(str(who), []).append(
                {"race": int(r[0]), "started_or_stopped_in": str(r[1]), "at": str(r[2])})
    for who, entries in named.items():
        out.setdefault(who, []).extend(entries)
    return out


@runtime_checkable
class RaceStore(Protocol):
    async def create(self, community: str, channel: str, started_by: str, topic: str | None, seconds: int,
                     planned: Sequence[Planned], now: datetime, first_at: datetime) -> tuple[Race, bool]:
        """A race in this channel with its questions; (the race running there, False) when one already is."""
        ...

    async def race(self, race_id: int) -> Race | None: ...

    async def running(self, community: str, channel: str) -> Race | None: ...

    async def questions(self, race_id: int) -> list[RaceQuestion]: ...

    async def question(self, question_id: int) -> RaceQuestion | None: ...

    async def plan_deadline(self, question_id: int, deadline: datetime) -> None:
        """Set the deadline of a question not posted yet (the post shows it)."""
        ...

    async def mark_posted(self, question_id: int, message: str) -> None: ...

    async def pick(self, question_id: int, community: str, member: str, choice: int, event_at: datetime,
                   now: datetime) -> PickOutcome:
        """Record a member's pick once (the first counts)."""
        ...

    async def close(self, question_id: int, now: datetime) -> list[Pick]:
        """Close the question (once) and return every pick it took, in event order."""
        ...

    async def settle(self, question_id: int, now: datetime) -> bool:
        """Mark the close's follow-up (points, signals) done; True for the one caller that did it first."""
        ...

    async def picks(self, race_id: int) -> dict[int, list[Pick]]:
        """Every pick of the race by question id, in event order."""
        ...

    async def stop(self, race_id: int, by: str, now: datetime) -> bool:
        """Ask a running race to stop; False when it had ended (or was asked already)."""
        ...

    async def finish(self, race_id: int, ended: Ended, now: datetime) -> bool: ...

    async def member_data(self, community: str, member: str) -> list[dict[str, Any]]: ...

    async def community_data(self, community: str) -> dict[str, list[dict[str, Any]]]:
        """`member_data` of everyone here who has any, by member, in a few queries whatever their number."""
        ...

    async def erase_member(self, community: str, member: str) -> int: ...


class SqliteRaceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, community: str, channel: str, started_by: str, topic: str | None, seconds: int,
                     planned: Sequence[Planned], now: datetime, first_at: datetime) -> tuple[Race, bool]:
        def w(c: sqlite3.Connection) -> tuple[Race, bool]:
            cur = c.execute(
                "INSERT INTO quiz_races (community, channel, started_by, topic, count, seconds, created_at, first_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (community, channel, started_by, topic, len(planned), seconds, to_db(now), to_db(first_at)))
            if cur.rowcount == 0:
                existing = _running(c, community, channel)
                assert existing is not None
                return existing, False
            race_id = int(cur.lastrowid or 0)
            c.executemany("INSERT INTO quiz_race_questions (race_id, idx, item_id, topic, answer) "
                          "VALUES (?, ?, ?, ?, ?)",
                          [(race_id, i, item, item_topic, answer) for i, (item, item_topic, answer) in enumerate(planned)])
            row = c.execute(f"SELECT {_RACE_COLS} FROM quiz_races WHERE id = ?", (race_id,)).fetchone()
            return _race(row), True

        return await self._db.write(w)

    async def race(self, race_id: int) -> Race | None:
        def q(c: sqlite3.Connection) -> Race | None:
            row = c.execute(f"SELECT {_RACE_COLS} FROM quiz_races WHERE id = ?", (race_id,)).fetchone()
            return None if row is None else _race(row)

        return await self._db.read(q)

    async def running(self, community: str, channel: str) -> Race | None:
        return await self._db.read(lambda c: _running(c, community, channel))

    async def questions(self, race_id: int) -> list[RaceQuestion]:
        def q(c: sqlite3.Connection) -> list[RaceQuestion]:
            rows = c.execute(f"SELECT {_QUESTION_COLS} FROM quiz_race_questions WHERE race_id = ? ORDER BY idx",
                             (race_id,)).fetchall()
            return [_question(r) for r in rows]

        return await self._db.read(q)

    async def question(self, question_id: int) -> RaceQuestion | None:
        def q(c: sqlite3.Connection) -> RaceQuestion | None:
            row = c.execute(f"SELECT {_QUESTION_COLS} FROM quiz_race_questions WHERE id = ?",
                            (question_id,)).fetchone()
            return None if row is None else _question(row)

        return await self._db.read(q)

    async def plan_deadline(self, question_id: int, deadline: datetime) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE quiz_race_questions SET deadline = ? WHERE id = ? AND message IS NULL",
                      (to_db(deadline), question_id))

        await self._db.write(w)

    async def mark_posted(self, question_id: int, message: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE quiz_race_questions SET message = ? WHERE id = ? AND message IS NULL",
                      (message, question_id))

        await self._db.write(w)

    async def pick(self, question_id: int, community: str, member: str, choice: int, event_at: datetime,
                   now: datetime) -> PickOutcome:
        def w(c: sqlite3.Connection) -> PickOutcome:
            inserted = c.execute(_PICK_SQL, (member, choice, to_db(event_at), to_db(now), question_id, community,
                                             to_db(event_at))).rowcount > 0
            row = c.execute("SELECT q.deadline, q.item_id, q.closed_at, q.message, r.community "
                            "FROM quiz_race_questions q JOIN quiz_races r ON r.id = q.race_id WHERE q.id = ?",
                            (question_id,)).fetchone()
            if row is None or row[4] != community or row[3] is None:
                return PickOutcome(PickStatus.MISSING)
            deadline, item_id = opt_from_db(row[0]), str(row[1])
            if inserted:
                return PickOutcome(PickStatus.LOCKED, choice, deadline, item_id)
            mine = c.execute("SELECT choice FROM quiz_race_picks WHERE question_id = ? AND member = ?",
                             (question_id, member)).fetchone()
            if mine is not None:
                return PickOutcome(PickStatus.ALREADY, int(mine[0]), deadline, item_id)
            status = PickStatus.CLOSED if row[2] is not None else PickStatus.LATE
            return PickOutcome(status, None, deadline, item_id)

        return await self._db.write(w)

    async def close(self, question_id: int, now: datetime) -> list[Pick]:
        def w(c: sqlite3.Connection) -> list[Pick]:
            c.execute("UPDATE quiz_race_questions SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                      (to_db(now), question_id))
            rows = c.execute(f"SELECT {_PICK_COLS} FROM quiz_race_picks WHERE question_id = ? ORDER BY event_at, id",
                             (question_id,)).fetchall()
            return [_pick(r) for r in rows]

        return await self._db.write(w)

    async def settle(self, question_id: int, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE quiz_race_questions SET settled_at = ? WHERE id = ? AND settled_at IS NULL",
                             (to_db(now), question_id)).rowcount > 0

        return await self._db.write(w)

    async def picks(self, race_id: int) -> dict[int, list[Pick]]:
        def q(c: sqlite3.Connection) -> dict[int, list[Pick]]:
            rows = c.execute(f"SELECT {', '.join('p.' + col.strip() for col in _PICK_COLS.split(','))} "
                             "FROM quiz_race_picks p JOIN quiz_race_questions q ON q.id = p.question_id "
                             "WHERE q.race_id = ? ORDER BY p.event_at, p.id", (race_id,)).fetchall()
            out: dict[int, list[Pick]] = {}
            for r in rows:
                pick = _pick(r)
                out.setdefault(pick.question_id, []).append(pick)
            return out

        return await self._db.read(q)

    async def stop(self, race_id: int, by: str, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE quiz_races SET stop_by = ?, stop_at = ? WHERE id = ? AND finished_at IS NULL "
                             "AND stop_at IS NULL", (by, to_db(now), race_id)).rowcount > 0

        return await self._db.write(w)

    async def finish(self, race_id: int, ended: Ended, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE quiz_races SET finished_at = ?, ended = ? WHERE id = ? AND finished_at IS NULL",
                             (to_db(now), ended.value, race_id)).rowcount > 0

        return await self._db.write(w)

    async def member_data(self, community: str, member: str) -> list[dict[str, Any]]:
        return (await self._db.read(lambda c: _race_data(c, community, member))).get(member, [])

    async def community_data(self, community: str) -> dict[str, list[dict[str, Any]]]:
        """`member_data` of everyone here who has any, by member: one read of two queries, whatever the
        number of members (a community export)."""
        return await self._db.read(lambda c: _race_data(c, community, None))

    async def erase_member(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            gone = c.execute("DELETE FROM quiz_race_picks WHERE community = ? AND member = ?",
                             (community, member)).rowcount
            named = c.execute("UPDATE quiz_races SET started_by = NULL WHERE community = ? AND started_by = ?",
                              (community, member)).rowcount
            named += c.execute("UPDATE quiz_races SET stop_by = NULL WHERE community = ? AND stop_by = ?",
                               (community, member)).rowcount
            return gone + named

        return await self._db.write(w)
