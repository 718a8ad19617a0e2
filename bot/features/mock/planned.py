"""Durable jobs written inside a state change's own transaction, so what the change must set off (telling
the partner, publishing activity) is recorded with it: committed together, or not at all.

`insert_planned` writes through `bot.store.jobs.job_upsert`, the statement `JobRepo.schedule` runs, on
the caller's connection. The queue finds such a row at its next wake-up: after a
crash, the start-up sweep; in a running process the feature runs the work at once (Notices.flush) and
then deletes the row, or re-schedules it through the queue, which also wakes it for the retry.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.store.jobs import job_upsert


@dataclass(frozen=True, slots=True)
class PlannedJob:
    kind: str
    key: str
    community: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


def insert_planned(c: sqlite3.Connection, jobs: Iterable[PlannedJob], now: datetime) -> None:
    for job in jobs:
        job_upsert(c, job.kind, job.key, job.community, job.due_at, job.payload, now)


def insert_missing(c: sqlite3.Connection, jobs: Iterable[PlannedJob], now: datetime) -> list[PlannedJob]:
    """Write those of these jobs that have no row for the same booking, and say which. A row of the job's
    (kind, key) in any state (pending, running, done, skipped) counts as there when its payload carries
    the same version (or neither carries one); one left from an earlier version of the session is
    replaced. Run twice, the second adds nothing."""
    added: list[PlannedJob] = []
    for job in jobs:
        row = c.execute("SELECT payload FROM jobs WHERE kind = ? AND key = ?", (job.kind, job.key)).fetchone()
        if row is not None and _version(str(row[0])) == job.payload.get("version"):
            continue
        job_upsert(c, job.kind, job.key, job.community, job.due_at, job.payload, now)
        added.append(job)
    return added


def _version(payload: str) -> object:
    try:
        loaded = json.loads(payload)
    except ValueError:
        return None
    return loaded.get("version") if isinstance(loaded, dict) else None
