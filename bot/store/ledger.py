"""The points ledger: append-only rows, a running total kept by a trigger, and leaderboard queries.

Every ledger row is written by `ledger_insert`, the one insert path: `LedgerRepo.award` and
`DailyRepo.save_answer` (inside its own transaction) both call it. A row is idempotent on
(ref, reason, community, member): a second insert of the same award writes nothing.

Portability: the SQL is plain `INSERT ... ON CONFLICT (...) DO NOTHING` and `SELECT`s that PostgreSQL runs
as they are; a PostgreSQL implementation changes `?` to `$1, $2, ...` (asyncpg), reads "was it inserted"
from `INSERT ... RETURNING id` (or the command status) instead of `cursor.rowcount`, and keeps
`points_total` up to date with a plpgsql trigger function (or an `ON CONFLICT DO UPDATE` on
`points_total` in `ledger_insert` itself) instead of the SQLite trigger of the first migration.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.store.db import Database, to_db

TOP_SQL_WINDOW = """
    SELECT member, SUM(points) AS total FROM ledger
    WHERE community = ? AND created_at >= ?
    GROUP BY member ORDER BY total DESC, member LIMIT ?
"""
TOP_SQL_ALL = """
    SELECT member, points FROM points_total
    WHERE community = ? ORDER BY points DESC, member LIMIT ?
"""
TOP_SQL_TOPIC_WINDOW = """
    SELECT member, SUM(points) AS total FROM ledger
    WHERE community = ? AND topic = ? AND created_at >= ?
    GROUP BY member ORDER BY total DESC, member LIMIT ?
"""
TOP_SQL_TOPIC_ALL = """
    SELECT member, SUM(points) AS total FROM ledger
    WHERE community = ? AND topic = ?
    GROUP BY member ORDER BY total DESC, member LIMIT ?
"""
_INSERT_SQL = """
    INSERT INTO ledger (community, member, points, reason, ref, created_at, topic)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (ref, reason, community, member) DO NOTHING
"""


def ledger_insert(conn: sqlite3.Connection, community: str, member: str, points: int, reason: str, ref: str,
                  created_at: datetime, topic: str | None = None) -> bool:
    """Append one ledger row inside the caller's transaction; False (nothing written) when this
    (community, member, reason, ref) was recorded before. The total follows by trigger."""
    cur = conn.execute(_INSERT_SQL, (community, member, points, reason, ref, to_db(created_at), topic))
    return cur.rowcount > 0


class LedgerRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def award(self, community: str, member: str, points: int, reason: str, ref: str,
                    now: datetime, *, topic: str | None = None) -> bool:
        """Append a row; False (and nothing written) when this (member, reason, ref) was awarded before.
        `topic` is the domain of the item the points were earned on, when there is one."""

        def w(c: sqlite3.Connection) -> bool:
            return ledger_insert(c, community, member, points, reason, ref, now, topic)

        return await self._db.write(w)

    async def top(self, community: str, since: datetime | None, limit: int = 10, *,
                  topic: str | None = None) -> list[tuple[str, int]]:
        """The `limit` members with most points since `since` (None: all time), most first; with `topic`,
        only points earned on items of that topic."""

        def q(c: sqlite3.Connection) -> list[tuple[str, int]]:
            if topic is not None:
                if since is None:
                    rows = c.execute(TOP_SQL_TOPIC_ALL, (community, topic, limit)).fetchall()
                else:
                    rows = c.execute(TOP_SQL_TOPIC_WINDOW, (community, topic, to_db(since), limit)).fetchall()
            elif since is None:
                rows = c.execute(TOP_SQL_ALL, (community, limit)).fetchall()
            else:
                rows = c.execute(TOP_SQL_WINDOW, (community, to_db(since), limit)).fetchall()
            return [(str(r[0]), int(r[1])) for r in rows]

        return await self._db.read(q)

    async def total(self, community: str, member: str, since: datetime | None = None) -> int:
        def q(c: sqlite3.Connection) -> int:
            if since is None:
                row = c.execute(
                    "SELECT points FROM points_total WHERE community = ? AND member = ?", (community, member)
                ).fetchone()
            else:
                row = c.execute(
                    "SELECT SUM(points) FROM ledger WHERE community = ? AND member = ? AND created_at >= ?",
                    (community, member, to_db(since)),
                ).fetchone()
            return int(row[0]) if row and row[0] is not None else 0

        return await self._db.read(q)

    async def rank(self, community: str, member: str) -> int | None:
        """1-based all-time rank, or None with no points."""

        def q(c: sqlite3.Connection) -> int | None:
            row = c.execute(
                "SELECT points FROM points_total WHERE community = ? AND member = ?", (community, member)
            ).fetchone()
            if row is None:
                return None
            ahead = c.execute(
                "SELECT COUNT(*) FROM points_total WHERE community = ? AND points > ?", (community, row[0])
            ).fetchone()[0]
            return int(ahead) + 1

        return await self._db.read(q)

    async def member_rows(self, community: str, member: str) -> list[dict[str, Any]]:
        def q(c: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = c.execute(
                """SELECT points, reason, ref, topic, created_at FROM ledger WHERE community = ? AND member = ?
                   ORDER BY created_at, id""", (community, member)).fetchall()
            return [{"points": int(r[0]), "reason": str(r[1]), "ref": str(r[2]), "topic": r[3], "at": str(r[4])}
                    for r in rows]

        return await self._db.read(q)

    async def erase_member(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            gone = c.execute("DELETE FROM ledger WHERE community = ? AND member = ?", (community, member)).rowcount
            c.execute("DELETE FROM points_total WHERE community = ? AND member = ?", (community, member))
            return gone

        return await self._db.write(w)
