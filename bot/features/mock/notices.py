"""Messages a member's action causes (a booking, a reschedule, a cancellation, a scorecard) go out at once,
and when the platform refuses just then, again later as a durable job: the job rebuilds the message from
the database (never from a copy of it kept in the job), so it shows the state as it is when it goes out,
or nothing when it no longer applies. The outbox key is the job's key: it still goes out at most once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.features.mock.context import DeliveryPending, MockContext
from bot.features.mock.model import Session
from bot.messages import Reply
from bot.store.jobs import Job

log = logging.getLogger(__name__)
NOTICE_JOB = "mock.notice"  # key: the message's outbox key
RETRY = timedelta(minutes=1)
Builder = Callable[[dict[str, Any]], Awaitable[Reply | None]]


class Notices:
    def __init__(self, ctx: MockContext) -> None:
        self.ctx = ctx
        self._builders: dict[str, Builder] = {}

    def register(self, what: str, builder: Builder) -> None:
        self._builders[what] = builder

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
