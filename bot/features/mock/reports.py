"""After a session: "did it happen?", answered by each member for themselves, and the close.

A little after the planned end the space gets the answers board. Each member answers once: "Yes, we
met", "My partner didn't show" (in a trio: "<name> didn't show") or "Neither of us could make it". The
answer, the session points it earns (a "we met" not contradicted so far) and, when it is the last answer,
the session's close are one write; so is the close when the report window ends (`REPORT_WINDOW` after
the planned end, a durable job). attendance.py decides what each answer means. What the close must set
off (what was recorded, told in the space; the pause of a member at their second counted no-show, told
privately; activity for streaks) is planned in that same write and goes out once (notices.py).
"""

from __future__ import annotations

from typing import Any

from bot.actions import Action
from bot.events import ChoiceSelected
from bot.features.mock.attendance_rows import Closing, Planner, ReportState
from bot.features.mock.booking import EXPIRE_JOB
from bot.features.mock.context import MockContext
from bot.features.mock.model import CLOSED_STATUSES, MISSES_TO_PAUSE, Answer, Session, SessionStatus
from bot.features.mock.notices import Notices
from bot.features.mock.planned import PlannedJob
from bot.features.mock.report_views import already_text, board_reply, closed_reply, late_text, nobody_could
from bot.features.mock.views import NOT_YOURS
from bot.messages import Reply, Response
from bot.store.jobs import Job

GONE = "That mock interview is no longer here."


def paused_reply() -> Reply:
    return Reply(title="Mock interviews paused",
                 text=f"You missed {MISSES_TO_PAUSE} mock interviews in a row (your partner reported it and you did "
                      "not say it happened), so I paused you: no new partners until you come back. When you're "
                      "ready, run /mock resume (and /mock availability if your times changed). Nobody else sees "
                      "this.")


class Reports:
    def __init__(self, ctx: MockContext, notices: Notices) -> None:
        self.ctx = ctx
        self.notices = notices
        notices.register("closed", self._rebuild_closed)
        notices.register("paused", self._rebuild_paused)

    # the jobs -------------------------------------------------------------------------------------
    async def after_job(self, job: Job) -> None:
        s = await self.ctx.store.session(int(job.key))
        if s is None or s.status is not SessionStatus.BOOKED or s.version != int(job.payload.get("version", 0)):
            return
        if s.closes_at is not None:  # (sessions booked before the window existed get their close here)
            await self.ctx.jobs.schedule(EXPIRE_JOB, str(s.id), s.community, s.closes_at, {"version": s.version})
        names = await self.ctx.names(s.community, s.members)
        await self.ctx.post(f"mock:after:{s.id}:{s.version}", s, board_reply(s, names))

    async def expire_job(self, job: Job) -> None:
        """The report window has passed: close the session with the answers given (none: unconfirmed)."""
        s = await self.ctx.store.session(int(job.key))
        version = int(job.payload.get("version", 0))
        if s is None or s.status is not SessionStatus.BOOKED or s.version != version or s.closes_at is None:
            return
        if self.ctx.now() < s.closes_at:  # woken early: wait for the window's end
            await self.ctx.jobs.schedule(EXPIRE_JOB, job.key, s.community, s.closes_at, {"version": version})
            return
        result = await self.ctx.store.close(s.id, version, self.ctx.now(), self._planner(None))
        await self.notices.flush(result.planned)

    # a member answers -------------------------------------------------------------------------------
    async def met(self, event: ChoiceSelected, action: Action) -> Response:
        return await self._answer(event, action, Answer.MET)

    async def no_show(self, event: ChoiceSelected, action: Action) -> Response:
        return await self._answer(event, action, Answer.ABSENT)

    async def none(self, event: ChoiceSelected, action: Action) -> Response:
        return await self._answer(event, action, Answer.NONE)

    async def _answer(self, event: ChoiceSelected, action: Action, answer: Answer) -> Response:
        s = await self.ctx.store.session(action.int_arg(0))
        if s is None or s.community != event.actor.community.key:
            return Response.private(GONE)
        me = event.actor.member.id
        if me not in s.members:
            return Response.private(NOT_YOURS)
        if s.status in CLOSED_STATUSES:
            return Response.private(late_text(s, me))
        now = self.ctx.now()
        if s.status is not SessionStatus.BOOKED or s.start_at is None or s.start_at > now:
            return Response.private("Answer this once the session has taken place.")
        about: str | None = None
        if answer is Answer.ABSENT:
            about = self._absent(s, me, action)
            if about is None or about == me:
                return Response.private(
                    "That's you. If you couldn't make it, press \"" + nobody_could(s) + "\"." if about == me else
                    "Press the button with the name of the member who didn't show.")
        result = await self.ctx.store.report(s.id, me, answer, about, now, self._planner(me))
        if result.state is ReportState.ALREADY:
            assert result.session is not None
            return Response.private(already_text(result.session, me))
        if result.state is ReportState.CLOSED:
            assert result.session is not None
            return Response.private(late_text(result.session, me))
        if result.state is not ReportState.RECORDED or result.session is None:
            return Response.private("Answer this once the session has taken place.")
        await self.notices.flush(result.planned)
        fresh = result.session
        if fresh.status is SessionStatus.BOOKED and fresh.closes_at is not None:
            # its close, again (the same job): a session booked before the report window existed has none yet
            await self.ctx.jobs.schedule(EXPIRE_JOB, str(fresh.id), fresh.community, fresh.closes_at,
                                         {"version": fresh.version})
        names = await self.ctx.names(s.community, s.members)
        return Response(reply=board_reply(fresh, names), replace_original=True)

    @staticmethod
    def _absent(s: Session, me: str, action: Action) -> str | None:
        """Who the member says didn't show: the button's member (a trio), or the partner (a pair)."""
        if len(action.args) > 1:
            position = action.int_arg(1)
            return s.members[position] if 0 <= position < len(s.members) else None
        others = s.others(me)
        return others[0] if len(others) == 1 else None

    def _planner(self, answering: str | None) -> Planner:
        """What an answer or a close sets off, written in the same transaction (see the module docstring)."""
        notices = self.notices
        now = self.ctx.now()

        def plan(s: Session, credited: bool, closing: Closing | None) -> list[PlannedJob]:
            jobs = [notices.plan_active(s.community, s.id, answering, now)] if credited and answering else []
            if closing is not None:
                jobs.append(notices.plan(f"mock:closed:{s.id}", s.community, "closed", "space", session=s.id))
                jobs += [notices.plan(f"mock:paused:{s.id}:{m}", s.community, "paused", "dm", member=m,
                                      where=s.community) for m in closing.paused]
                jobs += [notices.plan_active(s.community, s.id, m, now) for m in closing.credited]
            return jobs

        return plan

    # the notices, rebuilt from the database -----------------------------------------------------------
    async def _rebuild_closed(self, p: dict[str, Any]) -> Reply | None:
        s = await self.ctx.store.session(int(p["session"]))
        return closed_reply(s) if s is not None and s.status in CLOSED_STATUSES else None

    async def _rebuild_paused(self, p: dict[str, Any]) -> Reply | None:
        """Only while the member is still paused (they may have come back since)."""
        profile = await self.ctx.store.profile(str(p.get("where", "")), str(p.get("member", "")))
        return paused_reply() if profile is not None and profile.paused else None
