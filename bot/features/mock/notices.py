"""What a member's action or a job sets off on its own: telling the others (a booking, a reschedule, a
cancellation, what was recorded), a scorecard, activity for streaks.

Each is a durable job whose key is the message's outbox key. The ones that must never be lost are
planned in the same transaction as the change they report (`plan`, planned.py), then run at once after
the commit (`flush`); a crash between the two leaves the job, which the start-up sweep runs. Either way
the delivery goes through the outbox under that one key, so it goes out exactly once. A job rebuilds its
message from the database (never from a copy kept in the job), so it shows the state as it is when it
goes out, or nothing when it no longer applies.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.features.mock.context import DeliveryPending, MockContext
from bot.features.mock.model import Session
from bot.features.mock.planned import PlannedJob
from bot.messages import Reply
from bot.signals import MemberActive
from bot.store.jobs import Job

log = logging.getLogger(__name__)
NOTICE_JOB = "mock.notice"  # key: the message's outbox key
ACTIVE_JOB = "mock.active"  # key: "<session>:<member>"; a session that counts as study activity (streaks)
#: a planned job is due this long after its change: the change's own request runs it first (flush)
RETRY = timedelta(minutes=1)
Builder = Callable[[dict[str, Any]], Awaitable[Reply | None]]


class Notices:
    def __init__(self, ctx: MockContext) -> None:
        self.ctx = ctx
        self._builders: dict[str, Builder] = {}

    def register(self, what: str, builder: Builder) -> None:
        self._builders[what] = builder

    # planned with the change ------------------------------------------------------------------------
    def plan(self, key: str, community: str, what: str, to: str, **payload: Any) -> PlannedJob:
        """A notice to write with a change: `to` is "space" (needs `session=`) or "dm" (needs `member=`)."""
        return PlannedJob(NOTICE_JOB, key, community, self.ctx.now() + RETRY, {"what": what, "to": to, **payload})

    def plan_active(self, community: str, session_id: int, member: str, at: datetime) -> PlannedJob:
        return PlannedJob(ACTIVE_JOB, f"{session_id}:{member}", community, self.ctx.now() + RETRY,
                          {"member": member, "at": int(at.timestamp())})

    async def flush(self, planned: Sequence[PlannedJob]) -> None:
        """Run what a committed change planned, now, in order. Done: its row goes. Not yet (the platform
        refused just then): the queue retries it. Any other failure leaves the row for the queue as it is."""
        for p in planned:
            handler = {NOTICE_JOB: self.job, ACTIVE_JOB: self.active_job}.get(p.kind)
            if handler is None:  # another kind (a deadline): put on the queue, which wakes for it
                await self.ctx.jobs.schedule(p.kind, p.key, p.community, p.due_at, dict(p.payload))
                continue
            try:
                await handler(Job(p.kind, p.key, p.community, p.due_at, dict(p.payload)))
            except DeliveryPending as exc:
                log.info("mock: %s waits for a retry (%s)", p.key, exc)
                await self.ctx.jobs.schedule(p.kind, p.key, p.community, p.due_at, dict(p.payload))
            else:
                await self.ctx.jobs.cancel(p.kind, p.key)

    # sent now, retried by a job (messages a job can make again on its own if lost) ---------------------
    async def post(self, key: str, session: Session, reply: Reply, what: str, **payload: Any) -> None:
        """In the group's private space; retried by a job if it cannot go now."""
        try:
            await self.ctx.post(key, session, reply)
        except DeliveryPending as exc:
            log.info("mock: %s waits for a retry (%s)", key, exc)
            await self._later(key, session.community, {"what": what, "to": "space", "session": session.id, **payload})

    async def expect_dm(self, key: str, community: str, member: str, what: str, **payload: Any) -> None:
        """Plan the DM's job before the write it reports: if the process stops between that write and
        the DM, the job sends it (rebuilt from the database: nothing when the write did not happen)."""
        await self._later(key, community, {"what": what, "to": "dm", "member": member, **payload})

    async def dm(self, key: str, community: str, member: str, reply: Reply, what: str, **payload: Any) -> None:
        """To one member, privately; retried by a job if it cannot go now. Never a public fallback."""
        if await self.ctx.dm(key, community, member, reply):
            await self.ctx.jobs.cancel(NOTICE_JOB, key)  # an expected DM (expect_dm) needs no job now
        else:
            await self._later(key, community, {"what": what, "to": "dm", "member": member, **payload})

    async def _later(self, key: str, community: str, payload: dict[str, Any]) -> None:
        await self.ctx.jobs.schedule(NOTICE_JOB, key, community, self.ctx.now() + RETRY, payload)

    # the jobs ---------------------------------------------------------------------------------------
    async def job(self, job: Job) -> None:
        p = job.payload
        builder = self._builders.get(str(p.get("what")))
        if builder is None:
            return
        reply = await builder(p)
        if reply is None:  # it no longer applies (rebooked, cancelled, the member left)
            return
        if p.get("to") == "space":
            session = await self.ctx.store.session(int(p["session"]))
            if session is not None:
                await self.ctx.post(job.key, session, reply)  # raises while it cannot go: the job retries
        elif not await self.ctx.dm(job.key, job.community, str(p["member"]), reply):
            raise DeliveryPending(f"{job.key}: the DM is not settled yet")

    async def active_job(self, job: Job) -> None:
        """A session that happened counts as study activity for the member (streaks listen); not for a
        member forgotten meanwhile (their seat in the session holds a placeholder now)."""
        who = str(job.payload["member"])
        s = await self.ctx.store.session(int(job.key.partition(":")[0]))
        if s is None or who not in s.members:
            return
        at = datetime.fromtimestamp(int(job.payload["at"]), UTC)
        await self.ctx.services.registry.publish(MemberActive(self.ctx.member(job.community, who), at, "mock"))
