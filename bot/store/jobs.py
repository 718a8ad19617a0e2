"""Durable jobs: rows of (kind, key, due_at, payload), claimed with a lease, finished, retried or skipped.

A claim moves due rows to `running` under an owner and a lease, in one write, so two processes on one
database never both run a job; a running row whose lease ran out (its owner died) is claimed again.
Rescheduling a job that is running (a handler planning its own next run) makes it pending again: the
run's `finish` then matches nothing and the new due time stands.

Portability: on SQLite a claim is exclusive because the write runs in one `BEGIN IMMEDIATE` transaction
(one writer per file); it is one `UPDATE ... WHERE (kind, key) IN (SELECT ... LIMIT ?) RETURNING ...`. A
PostgreSQL implementation adds `FOR UPDATE SKIP LOCKED` to that inner `SELECT` so processes take
disjoint rows without waiting on each other, changes `?` to `$n`, and may store `payload` as `jsonb`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.store.db import Database, from_db, to_db

#: the due jobs a claim takes, oldest first (a lapsed lease counts as due); `where_platform` is empty or
#: `AND platform IN (?, ...)`
CLAIM_DUE_SQL = """
    SELECT kind, key FROM jobs
    WHERE ((status = 'pending' AND due_at <= ?) OR (status = 'running' AND lease_until <= ?)){where_platform}
    ORDER BY due_at LIMIT ?
"""
#: a claim in one statement: those jobs marked running for the claimant
CLAIM_SQL = """
    UPDATE jobs SET status = 'running', owner = ?, lease_until = ?, attempts = attempts + 1
    WHERE (kind, key) IN ({due})
    RETURNING kind, key, community, due_at, payload, attempts
"""


@dataclass(frozen=True, slots=True)
class Job:
    kind: str
    key: str
    community: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0


def job_upsert(c: sqlite3.Connection, kind: str, key: str, community: str, due_at: datetime,
               payload: Mapping[str, Any], now: datetime) -> None:
    """Schedule (or re-schedule) a job inside the caller's transaction: a feature that must set something
    off with a state change writes the job with it, committed together or not at all. The queue finds
    the row at its next wake-up (`JobQueue.schedule` also wakes it; see bot.features.mock.planned)."""
    c.execute(
        """INSERT INTO jobs (kind, key, community, platform, due_at, payload, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)
           ON CONFLICT (kind, key) DO UPDATE SET
               due_at = excluded.due_at, payload = excluded.payload, status = 'pending',
               owner = NULL, lease_until = NULL, attempts = 0, finished_at = NULL""",
        (kind, key, community, community.partition(":")[0], to_db(due_at), json.dumps(dict(payload), sort_keys=True),
         to_db(now)),
    )


class JobRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def schedule(self, kind: str, key: str, community: str, due_at: datetime,
                       payload: dict[str, Any], now: datetime) -> None:
        await self._db.write(lambda c: job_upsert(c, kind, key, community, due_at, payload, now))

    async def cancel(self, kind: str, key: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM jobs WHERE kind = ? AND key = ?", (kind, key))

        await self._db.write(w)

    async def cancel_community(self, community: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM jobs WHERE community = ? AND status IN ('pending', 'running')",
                             (community,)).rowcount

        return await self._db.write(w)

    async def claim_due(self, now: datetime, owner: str, lease_until: datetime, platforms: tuple[str, ...] | None,
                        limit: int) -> list[Job]:
        """Take up to `limit` due jobs (oldest first) for `owner`; a lapsed lease counts as due."""
        where_platform = "" if platforms is None else f" AND platform IN ({','.join('?' * len(platforms))})"
        args: tuple[Any, ...] = () if platforms is None else tuple(platforms)
        sql = CLAIM_SQL.format(due=CLAIM_DUE_SQL.format(where_platform=where_platform))

        def w(c: sqlite3.Connection) -> list[Job]:
            # one statement, not a SELECT and an UPDATE per row: a claim of hundreds held the writer (and
            # every answer waiting behind it) for tens of milliseconds
            rows = c.execute(sql, (owner, to_db(lease_until), to_db(now), to_db(now), *args, limit)).fetchall()
            rows.sort(key=lambda r: str(r[3]))  # RETURNING comes in no particular order; text order is time order
            return [Job(kind, key, community, from_db(due), json.loads(payload), int(attempts))
                    for kind, key, community, due, payload, attempts in rows]

        return await self._db.write(w)

    async def finish(self, job: Job, owner: str, now: datetime, status: str = "done",
                     error: str | None = None) -> None:
        """Close a run (done, or skipped with why), unless the job was rescheduled while it ran."""

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """UPDATE jobs SET status = ?, owner = NULL, lease_until = NULL, finished_at = ?, last_error = ?
                   WHERE kind = ? AND key = ? AND status = 'running' AND owner = ?""",
                (status, to_db(now), error, job.kind, job.key, owner),
            )

        await self._db.write(w)

    async def retry(self, job: Job, owner: str, at: datetime, error: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """UPDATE jobs SET status = 'pending', owner = NULL, lease_until = NULL, due_at = ?,
                       last_error = ?
                   WHERE kind = ? AND key = ? AND status = 'running' AND owner = ?""",
                (to_db(at), error[:500], job.kind, job.key, owner),
            )

        await self._db.write(w)

    async def next_due(self, platforms: tuple[str, ...] | None) -> datetime | None:
        """The earliest time a job becomes due (a pending due time, or a running job's lease end)."""
        where_platform = "" if platforms is None else f" AND platform IN ({','.join('?' * len(platforms))})"
        args: tuple[Any, ...] = () if platforms is None else tuple(platforms)

        def q(c: sqlite3.Connection) -> datetime | None:
            pending = c.execute(f"SELECT MIN(due_at) FROM jobs WHERE status = 'pending'{where_platform}",
                                args).fetchone()[0]
            running = c.execute(f"SELECT MIN(lease_until) FROM jobs WHERE status = 'running'{where_platform}",
                                args).fetchone()[0]
            times = [from_db(t) for t in (pending, running) if t]
            return min(times, default=None)

        return await self._db.read(q)

    async def get(self, kind: str, key: str) -> tuple[str, datetime, int, str | None] | None:
        """(status, due_at, attempts, last_error) of one job, for status pages and tests."""

        def q(c: sqlite3.Connection) -> tuple[str, datetime, int, str | None] | None:
            row = c.execute("SELECT status, due_at, attempts, last_error FROM jobs WHERE kind = ? AND key = ?",
                            (kind, key)).fetchone()
            return None if row is None else (str(row[0]), from_db(row[1]), int(row[2]), row[3])

        return await self._db.read(q)

    async def missing(self, kind: str, communities: list[str]) -> list[str]:
        """Of these communities (keys), the ones with no pending or running job of this kind keyed by them."""

        def q(c: sqlite3.Connection) -> list[str]:
            have = {str(r[0]) for r in c.execute(
                "SELECT key FROM jobs WHERE kind = ? AND status IN ('pending', 'running')", (kind,))}
            return [k for k in communities if k not in have]

        return await self._db.read(q)

    async def release(self, owners: list[str], now: datetime) -> int:
        """End the leases of dead owners' running jobs, so they are claimed again now."""

        def w(c: sqlite3.Connection) -> int:
            total = 0
            for owner in owners:
                total += c.execute("UPDATE jobs SET lease_until = ? WHERE status = 'running' AND owner = ?",
                                   (to_db(now), owner)).rowcount
            return total

        return await self._db.write(w)

    async def owners(self) -> list[str]:
        def q(c: sqlite3.Connection) -> list[str]:
            return [str(r[0]) for r in c.execute(
                "SELECT DISTINCT owner FROM jobs WHERE status = 'running' AND owner IS NOT NULL")]

        return await self._db.read(q)
