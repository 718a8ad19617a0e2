"""The points ledger: append-only rows, a running total kept by a trigger, and leaderboard queries."""

from __future__ import annotations

import sqlite3
from datetime import datetime

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


class LedgerRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def award(self, community: str, member: str, points: int, reason: str, ref: str,
                    now: datetime) -> bool:
        """Append a row; False (and nothing written) when this (member, reason, ref) was awarded before."""

        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                """INSERT OR IGNORE INTO ledger (community, member, points, reason, ref, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (community, member, points, reason, ref, to_db(now)),
            )
            return cur.rowcount > 0

        return await self._db.write(w)

    async def top(self, community: str, since: datetime | None, limit: int = 10) -> list[tuple[str, int]]:
        def q(c: sqlite3.Connection) -> list[tuple[str, int]]:
            if since is None:
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
