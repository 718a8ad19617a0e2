"""Catching up the jobs open sessions need: for sessions an earlier build left (or a row lost anyhow).

A booking plans its jobs when it is booked (booking.booking_plan). When a build adds a job to that plan,
sessions booked by the older build lack it: the close of the report window (mock.expire) came with the
two-sided "did it happen?", so a session whose question had already gone out, or whose time had passed,
and that nobody answers would stay open for ever. `reconcile` gives each open session of a community
every job its state needs that has no row for its current booking (a row in any state counts: pending,
running, done or skipped), each session in one write; a second run adds nothing.

When it runs: as a job of its own (mock.reconcile, key: the community), which migration 3 plants for
every community with an open session, so the start-up sweep runs it on the first start of this build;
and after each community's pairing round (a lost row is found within a round).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.features.mock.booking import booking_plan
from bot.features.mock.context import MockContext
from bot.features.mock.model import Session, SessionStatus
from bot.features.mock.planned import PlannedJob
from bot.features.mock.rounds import DEADLINE_JOB, OPEN_JOB
from bot.store.jobs import Job

log = logging.getLogger(__name__)
RECONCILE_JOB = "mock.reconcile"  # key: community
#: catch-up work is never too late (the migration plants it due long ago, so any start runs it at once)
RECONCILE_GRACE = timedelta(days=36500)


def needed_jobs(s: Session, now: datetime) -> Sequence[PlannedJob]:
    """What an open session needs on the queue as it stands: its space opened, its deadline, or (booked)
    what its booking plans."""
    if s.status is SessionStatus.OPENING:
        return [PlannedJob(OPEN_JOB, str(s.id), s.community, now)]
    if s.status is SessionStatus.PROPOSED:
        if s.deadline_at is None:
            return []  # its space is not open yet (the open job plans the deadline)
        return [PlannedJob(DEADLINE_JOB, str(s.id), s.community, max(s.deadline_at, now), {"version": s.version})]
    return booking_plan(s, now)


class Upkeep:
    def __init__(self, ctx: MockContext) -> None:
        self.ctx = ctx

    async def reconcile(self, community: str) -> list[PlannedJob]:
        """Add the missing jobs of the community's open sessions; which were added. Nothing for a community
        that removed studybot (its jobs were cancelled on purpose).

        It runs within a job (the queue plans its next wake-up from the database after every tick, so the
        rows written here are woken for without a schedule call of their own)."""
        settings = await self.ctx.services.communities.get(community)
        if settings is None or not settings.enabled:
            return []
        now = self.ctx.now()
        added: list[PlannedJob] = []
        for session_id in await self.ctx.store.open_sessions(community):
            added += await self.ctx.store.add_missing_jobs(session_id, lambda s: needed_jobs(s, now), now)
        if added:
            log.info("mock: %s: planned %d missing jobs of open sessions (%s)", community, len(added),
                     ", ".join(f"{j.kind}/{j.key}" for j in added))
        return added

    async def job(self, job: Job) -> None:
        await self.reconcile(job.key)
