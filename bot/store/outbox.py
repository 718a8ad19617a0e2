"""The outbox: every message the core sends on its own is claimed here first, under a unique key.

A claim is a lease. Whoever inserts the row sends; a second process sees the row and stays away; a
process that died mid-send leaves a lease that expires, and the next claimant first asks the platform
whether the message went out (reconcile) before sending again.

Portability: the claim is `INSERT ... ON CONFLICT (key) DO NOTHING`, then a conditional `UPDATE` whose
`WHERE` decides who wins; PostgreSQL (READ COMMITTED) re-checks that `WHERE` on the locked row, so the same
two statements stay exclusive across processes there. A PostgreSQL implementation changes `?` to `$n` and
passes `force` as a boolean (`$n AND owner IS NULL`) rather than 0/1.
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

    async def claim(self, key: str, community: str, destination: str, now: datetime, owner: str,
                    force: bool = False) -> Claim:
        """Take the row for `key` for `owner`. `force` also takes a row that is only waiting for its retry
        time (an admin asked to try now); a live claim of another process is never taken before its lease ends.
        """

        def w(c: sqlite3.Connection) -> Claim:
            cur = c.execute(
                """INSERT INTO outbox (key, community, destination, status, lease_until, attempts, created_at,
                                       owner)
                   VALUES (?, ?, ?, 'pending', ?, 1, ?, ?) ON CONFLICT (key) DO NOTHING""",
                (key, community, destination, to_db(now + LEASE), to_db(now), owner),
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
                """UPDATE outbox SET lease_until = ?, attempts = attempts + 1, owner = ?
                   WHERE key = ? AND status = 'pending' AND (lease_until <= ? OR (? AND owner IS NULL))""",
                (to_db(now + LEASE), owner, key, to_db(now), int(force)),
            )
            state = ClaimState.RECLAIMED if cur.rowcount else ClaimState.BUSY
            return Claim(state, created_at=from_db(created))

        return await self._db.write(w)

    async def mark_sent(self, key: str, message: str, now: datetime, delivered_to: str | None = None) -> None:
        """`delivered_to`: that community's platform took a message, so the problem its admins were told
        about (if any) is over: cleared in the same write (one write per post, not two)."""

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """UPDATE outbox SET status = 'sent', message = ?, sent_at = ?, lease_until = NULL, owner = NULL
                   WHERE key = ?""",
                (message, to_db(now), key),
            )
            if delivered_to is not None:
                c.execute("UPDATE communities SET admin_notice = NULL WHERE key = ? AND admin_notice IS NOT NULL",
                          (delivered_to,))

        await self._db.write(w)

    async def mark_failed(self, key: str, error: str, retry_at: datetime) -> int:
        """Keep the row pending, unclaimed; nobody retries it before `retry_at`. Returns its attempts so far."""

        def w(c: sqlite3.Connection) -> int:
            c.execute(
                """UPDATE outbox SET lease_until = ?, last_error = ?, owner = NULL
                   WHERE key = ? AND status = 'pending'""",
                (to_db(retry_at), error[:500], key),
            )
            row = c.execute("SELECT attempts FROM outbox WHERE key = ?", (key,)).fetchone()
            return int(row[0]) if row else 0

        return await self._db.write(w)

    async def attempts(self, key: str) -> int:
        def q(c: sqlite3.Connection) -> int:
            row = c.execute("SELECT attempts FROM outbox WHERE key = ?", (key,)).fetchone()
            return int(row[0]) if row else 0

        return await self._db.read(q)

    async def is_claimed(self, key: str) -> bool:
        """A live claim holds the row (someone is sending it or checking whether it went out)."""

        def q(c: sqlite3.Connection) -> bool:
            row = c.execute("SELECT owner FROM outbox WHERE key = ? AND status = 'pending'", (key,)).fetchone()
            return bool(row and row[0])

        return await self._db.read(q)

    async def mark_abandoned(self, key: str, error: str) -> None:
        """A message that can never go out (the member left): stop retrying, keep the record."""

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """UPDATE outbox SET status = 'abandoned', last_error = ?, lease_until = NULL, owner = NULL
                   WHERE key = ?""",
                (error[:500], key),
            )

        await self._db.write(w)

    async def retry_waiting(self, community: str, now: datetime) -> int:
        """Make this community's rows that wait for a retry time due now (its admin fixed something)."""

        def w(c: sqlite3.Connection) -> int:
            cur = c.execute(
                """UPDATE outbox SET lease_until = ? WHERE community = ? AND status = 'pending'
                   AND owner IS NULL AND lease_until > ?""",
                (to_db(now), community, to_db(now)),
            )
            return cur.rowcount

        return await self._db.write(w)

    async def retry_after_outage(self, platform: str, now: datetime) -> list[str]:
        """The platform answers again: rows of its communities waiting because it was unavailable are due now.
        Returns those communities."""

        def w(c: sqlite3.Connection) -> list[str]:
            where = """community LIKE ? AND status = 'pending' AND owner IS NULL AND lease_until > ?
                       AND last_error LIKE 'unavailable%'"""
            args = (f"{platform}:%", to_db(now))
            found = [str(r[0]) for r in c.execute(f"SELECT DISTINCT community FROM outbox WHERE {where}", args)]
            if found:
                c.execute(f"UPDATE outbox SET lease_until = ? WHERE {where}", (to_db(now), *args))
            return found

        return await self._db.write(w)

    async def next_retry(self, community: str, after: datetime) -> datetime | None:
        """When the earliest pending row of this community waits for, after `after` (rows already due were
        just tried, or belong to nothing that is still running: they never make a wake-up due at once)."""

        def q(c: sqlite3.Connection) -> datetime | None:
            row = c.execute(
                """SELECT MIN(lease_until) FROM outbox WHERE community = ? AND status = 'pending'
                   AND lease_until > ?""", (community, to_db(after))
            ).fetchone()
            return from_db(row[0]) if row and row[0] else None

        return await self._db.read(q)

    async def sent_messages(self, keys: list[str]) -> dict[str, str]:
        """The messages sent under these keys (key -> message ref key); keys not sent are left out."""

        def q(c: sqlite3.Connection) -> dict[str, str]:
            out: dict[str, str] = {}
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                rows = c.execute(f"SELECT key, message FROM outbox WHERE status = 'sent' AND message IS NOT NULL "
                                 f"AND key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
                out.update({str(k): str(m) for k, m in rows})
            return out

        return await self._db.read(q)

    async def forget(self, keys: list[str]) -> int:
        """Delete the rows of these keys (a forgotten member's messages); how many went."""

        def w(c: sqlite3.Connection) -> int:
            gone = 0
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                gone += c.execute(f"DELETE FROM outbox WHERE key IN ({','.join('?' * len(chunk))})", chunk).rowcount
            return gone

        return await self._db.write(w)

    async def erase_member(self, community: str, member: str) -> int:
        """Delete the rows of direct messages to the member (destination `dm:<member>`); how many went."""

        def w(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM outbox WHERE community = ? AND destination = ?",
                             (community, f"dm:{member}")).rowcount

        return await self._db.write(w)

    async def claim_owners(self) -> list[str]:
        """The owners of live claims (rows being sent right now, or by a process that died while sending)."""

        def q(c: sqlite3.Connection) -> list[str]:
            rows = c.execute(
                "SELECT DISTINCT owner FROM outbox WHERE status = 'pending' AND owner IS NOT NULL"
            ).fetchall()
            return [str(r[0]) for r in rows]

        return await self._db.read(q)

    async def release(self, owners: list[str], now: datetime) -> int:
        """End the leases of owners known to be dead, so their rows are reconciled now, not in minutes."""

        def w(c: sqlite3.Connection) -> int:
            total = 0
            for owner in owners:
                cur = c.execute(
                    """UPDATE outbox SET lease_until = ?, owner = NULL
                       WHERE status = 'pending' AND owner = ?""",
                    (to_db(now), owner),
                )
                total += cur.rowcount
            return total

        return await self._db.write(w)
