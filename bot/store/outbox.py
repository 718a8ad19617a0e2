"""The outbox: every message the core sends on its own is claimed here first, under a unique key.

A claim is a lease. Whoever inserts the row sends; a second process sees the row and stays away; a
process that died mid-send leaves a lease that expires, and the next claimant first asks the platform
whether the message went out (reconcile) before sending again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.store.db import Database, from_db, to_db

LEASE = timedelta(minutes=2)


class ClaimState(StrEnum):
    NEW = "new"  # we own it and nothing was tried: send
    RECLAIMED = "reclaimed"  # an earlier try may have sent it: reconcile, then send
    SENT = "sent"  # done before: `message` says where
    BUSY = "busy"  # another live claim holds it, or a retry time has not come
    ABANDONED = "abandoned"  # can never be delivered (the member left): settled, do not retry


@dataclass(frozen=True, slots=True)
class Claim:
    state: ClaimState
    message: str | None = None
    created_at: datetime | None = None


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, key: str, community: str, destination: str, now: datetime) -> Claim:
        def w(c: sqlite3.Connection) -> Claim:
            cur = c.execute(
                """INSERT OR IGNORE INTO outbox (key, community, destination, status, lease_until,
                                                 attempts, created_at)
                   VALUES (?, ?, ?, 'pending', ?, 1, ?)""",
                (key, community, destination, to_db(now + LEASE), to_db(now)),
            )
            if cur.rowcount:
                return Claim(ClaimState.NEW, created_at=now)
            status, message, created = c.execute(
                "SELECT status, message, created_at FROM outbox WHERE key = ?", (key,)
            ).fetchone()
            if status == "sent":
                return Claim(ClaimState.SENT, message, from_db(created))
            if status == "abandoned":
                return Claim(ClaimState.ABANDONED, created_at=from_db(created))
            cur = c.execute(
                """UPDATE outbox SET lease_until = ?, attempts = attempts + 1
                   WHERE key = ? AND status = 'pending' AND lease_until <= ?""",
                (to_db(now + LEASE), key, to_db(now)),
            )
            state = ClaimState.RECLAIMED if cur.rowcount else ClaimState.BUSY
            return Claim(state, created_at=from_db(created))

        return await self._db.write(w)

    async def mark_sent(self, key: str, message: str, now: datetime) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute(
                "UPDATE outbox SET status = 'sent', message = ?, sent_at = ?, lease_until = NULL WHERE key = ?",
                (message, to_db(now), key),
            )

        await self._db.write(w)

    async def mark_failed(self, key: str, error: str, retry_at: datetime) -> None:
        """Keep the row pending; nobody retries it before `retry_at`."""

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                "UPDATE outbox SET lease_until = ?, last_error = ? WHERE key = ? AND status = 'pending'",
                (to_db(retry_at), error[:500], key),
            )

        await self._db.write(w)

    async def mark_abandoned(self, key: str, error: str) -> None:
        """A message that can never go out (the member left): stop retrying, keep the record."""

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                "UPDATE outbox SET status = 'abandoned', last_error = ?, lease_until = NULL WHERE key = ?",
                (error[:500], key),
            )

        await self._db.write(w)
