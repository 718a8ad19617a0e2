"""Private messages waiting to be shown: where a member's DMs are closed and the platform has no way to
show one member a message in a channel, the message waits here and a button in the channel shows it to
that member alone (as an only-you reply). Nothing private is ever posted for others to read."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, to_db


@dataclass(frozen=True, slots=True)
class Drop:
    id: int
    community: str
    member: str
    reply_json: str


class DropRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(self, key: str, community: str, member: str, reply_json: str, now: datetime) -> int:
        """The drop for this outbox key (created once; a retry finds the same one)."""

        def w(c: sqlite3.Connection) -> int:
            c.execute(
                """INSERT INTO private_drops (key, community, member, reply, created_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (key) DO NOTHING""",
                (key, community, member, reply_json, to_db(now)),
            )
            return int(c.execute("SELECT id FROM private_drops WHERE key = ?", (key,)).fetchone()[0])

        return await self._db.write(w)

    async def get(self, drop_id: int) -> Drop | None:
        def q(c: sqlite3.Connection) -> Drop | None:
            row = c.execute("SELECT id, community, member, reply FROM private_drops WHERE id = ?",
                            (drop_id,)).fetchone()
            return None if row is None else Drop(int(row[0]), str(row[1]), str(row[2]), str(row[3]))

        return await self._db.read(q)

    async def erase_member(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM private_drops WHERE community = ? AND member = ?",
                             (community, member)).rowcount

        return await self._db.write(w)
