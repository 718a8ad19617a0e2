"""Booking a group's session: a member picks one of the proposed times (or asks for others); at the
deadline the first one is booked. A booking posts the invite (.ics) in the space and plans its durable
jobs: reminders 24 h and 15 min before, the packets (the first before the start, one per swap), and the
"did it happen?" question at the end, and the close of its report window. Either member can reschedule or
cancel; the others are told by a notice planned in the same write as the change (notices.py), so a crash
right after the change still tells them, once.

Each cycle of proposing and booking has a version: buttons and jobs carry it, so an old button or a job
of an earlier booking changes nothing. The deadline job is also the safety net of a booking: if the
process died between booking and planning, the deadline finds the session booked and plans it then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot import markup as mk
from bot.actions import Action, encode
from bot.events import ChoiceSelected
from bot.features.mock import NAME
from bot.features.mock.context import MockContext
from bot.features.mock.ics import invite
from bot.features.mock.model import MIN_LEAD, PACKET_LEAD, REMINDERS, Session, SessionStatus
from bot.features.mock.notices import Notices
from bot.features.mock.planned import PlannedJob
from bot.features.mock.rounds import DEADLINE_JOB, Rounds
from bot.features.mock.views import (
    NOT_YOURS,
    STALE,
    all_of_you,
    at,
    booked_reply,
    people,
    proposal_reply,
    reminder_reply,
    track_label,
)
from bot.messages import Choice, FileOut, Reply, Response, Style
from bot.store.jobs import Job

REMIND_JOB = "mock.remind"  # key: "<session>:24h" | "<session>:15m"
PACKET_JOB = "mock.packet"  # key: "<session>:<turn>"
AFTER_JOB = "mock.after"  # key: session id
EXPIRE_JOB = "mock.expire"  # key: session id; closes the session once its report window has passed
AFTER_DELAY = timedelta(minutes=5)  # "did it happen?" comes a little after the planned end


def session_jobs(s: Session) -> list[tuple[str, str]]:
    """Every job a booking of this session plans, as (kind, key)."""
    jobs = [(REMIND_JOB, f"{s.id}:{lead}") for lead in REMINDERS]
    jobs += [(PACKET_JOB, f"{s.id}:{turn}") for turn in range(s.turns)]
    return [*jobs, (AFTER_JOB, str(s.id)), (EXPIRE_JOB, str(s.id))]


class Booking:
    def __init__(self, ctx: MockContext, rounds: Rounds, notices: Notices) -> None:
        self.ctx = ctx
        self.rounds = rounds
        self.notices = notices
        notices.register("booked", self._rebuild_booked)
        notices.register("resched", self._rebuild_resched)
        notices.register("proposal", self._rebuild_proposal)
        notices.register("cancelled", self._rebuild_cancelled)

    async def _own(self, event: ChoiceSelected, action: Action) -> Session | Response:
        s = await self.ctx.store.session(action.int_arg(0))
        if s is None or s.community != event.actor.community.key:
            return Response.private("That mock interview is no longer here.")
        if event.actor.member.id not in s.members:
            return Response.private(NOT_YOURS)
        return s

    # a member picks, asks for others, reschedules, cancels ------------------------------------------
    async def pick(self, event: ChoiceSelected, action: Action) -> Response:
        s = await self._own(event, action)
        if isinstance(s, Response):
            return s
        version, unix = action.int_arg(1), action.int_arg(2)
        if s.status is SessionStatus.BOOKED and s.start_at is not None:
            return Response.private(f"This session is already booked for {mk.timestamp(s.start_at, 'f')}. "
                                    "Use Reschedule on the booking to change it.")
        if s.status is not SessionStatus.PROPOSED or s.version != version:
            return Response.private(STALE)
        start = datetime.fromtimestamp(unix, UTC)
        now = self.ctx.now()
        if start not in await self.ctx.starts(s, now + MIN_LEAD):
            return Response.private(f"That time is no longer free for {all_of_you(s)} (or is too soon). "
                                    "Pick another.")
        if not await self.ctx.store.book(s.id, version, start, event.actor.member.id, now):
            return Response.private("Someone booked a time just before you; see the booking in this space.")
        booked = await self.ctx.store.session(s.id)
        assert booked is not None
        await self.settle(booked)
        return Response(reply=Reply(text=f"Booked by {at(event.actor.member.id)}: {mk.timestamp(start, 'f')}. "
                                         "The invite and the buttons to change it are below."),
                        replace_original=True)

    async def more(self, event: ChoiceSelected, action: Action) -> Response:
        s = await self._own(event, action)
        if isinstance(s, Response):
            return s
        if s.status is not SessionStatus.PROPOSED or s.version != action.int_arg(1):
            return Response.private(STALE)
        page = max(0, action.int_arg(2))
        starts = await self.ctx.starts(s, self.ctx.now() + MIN_LEAD)
        names = await self.ctx.names(s.community, s.members)
        shown = starts[3 * page: 3 * page + 3]
        return Response(reply=proposal_reply(s, names, shown, page, len(starts) > 3 * page + 3,
                                             starts[0] if starts else None),
                        replace_original=True)

    async def reschedule(self, event: ChoiceSelected, action: Action) -> Response:
        s = await self._own(event, action)
        if isinstance(s, Response):
            return s
        if s.status is not SessionStatus.BOOKED or s.version != action.int_arg(1):
            return Response.private(STALE)
        now = self.ctx.now()
        if s.start_at is not None and s.start_at <= now:
            return Response.private("This session has started; it can no longer be rescheduled.")
        deadline = now + timedelta(hours=await self.ctx.deadline_hours(s.community))
        starts = [t for t in await self.ctx.starts(s, now + MIN_LEAD) if t != s.start_at]  # it is declined now
        if starts:
            deadline = min(deadline, max(now + MIN_LEAD, starts[0] - MIN_LEAD))
        by, old = event.actor.member.id, s.start_at
        assert old is not None
        version = s.version + 1
        # written with the change: the next version's deadline, and the notices that tell the others
        plan = [PlannedJob(DEADLINE_JOB, str(s.id), s.community, deadline, {"version": version}),
                self.notices.plan(f"mock:resched:{s.id}:{version}", s.community, "resched", "space", session=s.id,
                                  version=version, by=by, old=int(old.timestamp())),
                self.notices.plan(f"mock:proposal:{s.id}:{version}", s.community, "proposal", "space",
                                  session=s.id, version=version)]
        if not await self.ctx.store.reopen(s.id, s.version, deadline, now, plan):
            return Response.private(STALE)
        await self._cancel_jobs(s)
        await self.notices.flush(plan)
        who = at(by)
        return Response(reply=Reply(text=f"Rescheduling: {who} asked for a new time; {told(s)}."),
                        replace_original=True)

    async def _cancellable(self, event: ChoiceSelected, action: Action) -> Session | Response:
        s = await self._own(event, action)
        if isinstance(s, Response):
            return s
        if s.status is SessionStatus.CANCELLED:
            return Response.private("This session is already cancelled, so nothing changed.")
        if s.version != action.int_arg(1) or s.status not in (SessionStatus.PROPOSED, SessionStatus.BOOKED):
            return Response.private(STALE)
        if s.start_at is not None and s.start_at <= self.ctx.now():
            return Response.private("This session has started; answer \"Did it happen?\" afterwards instead.")
        return s

    async def cancel(self, event: ChoiceSelected, action: Action) -> Response:
        """The Cancel button only asks (privately): it cancels for everyone, so it takes a second click."""
        s = await self._cancellable(event, action)
        if isinstance(s, Response):
            return s
        others = people(s.others(event.actor.member.id))
        when = f" booked for {mk.timestamp(s.start_at, 'f')}" if s.start_at is not None else ""
        return Response(reply=Reply(
            text=f"Cancel the session with {others}{when}? It is cancelled for everyone in it; {told(s)}.",
            choices=(Choice("Yes, cancel", encode(NAME, "cancelyes", s.id, s.version), Style.DANGER),
                     Choice("Keep it", encode(NAME, "keep", s.id, s.version)))))

    async def cancel_confirmed(self, event: ChoiceSelected, action: Action) -> Response:
        s = await self._cancellable(event, action)
        if isinstance(s, Response):
            return s
        if not await self.cancel_session(s, f"{at(event.actor.member.id)} cancelled this mock interview."):
            return Response.private("This session changed just now (cancelled or closed), so nothing changed.")
        return Response(reply=Reply(text=f"Cancelled by {at(event.actor.member.id)}. {told(s).capitalize()}."),
                        replace_original=True)

    async def keep(self, event: ChoiceSelected, action: Action) -> Response:
        s = await self._own(event, action)
        if isinstance(s, Response):
            return s
        if s.status is SessionStatus.CANCELLED:
            return Response.private("This session was cancelled meanwhile (by someone else in it).")
        return Response(reply=Reply(text="Kept: nothing changed, the session stands."), replace_original=True)

    async def cancel_session(self, s: Session, why: str) -> bool:
        """End an open session (a member cancelled, left, or was erased); the space is told, by a notice
        written in the same transaction as the cancellation."""
        plan = []
        if s.space is not None:
            old = int(s.start_at.timestamp()) if s.start_at is not None else None
            plan.append(self.notices.plan(f"mock:cancelled:{s.id}", s.community, "cancelled", "space", session=s.id,
                                          why=why, old=old, version=s.version))
        if not await self.ctx.store.cancel(s.id, self.ctx.now(), plan):
            return False
        await self._cancel_jobs(s)
        await self.ctx.jobs.cancel(DEADLINE_JOB, str(s.id))
        await self.notices.flush(plan)
        return True

    # jobs ---------------------------------------------------------------------------------------
    async def deadline_job(self, job: Job) -> None:
        s = await self.ctx.store.session(int(job.key))
        if s is None or s.version != int(job.payload.get("version", 0)):
            return
        if s.status is SessionStatus.BOOKED:
            await self.settle(s)  # the safety net: a booking that was not planned (a crash) is planned now
            return
        if s.status is not SessionStatus.PROPOSED:
            return
        now = self.ctx.now()
        starts = await self.ctx.starts(s, now + MIN_LEAD)
        if not starts:
            await self.cancel_session(s, "Nobody picked a time and no shared free time is left.")
            return
        if await self.ctx.store.book(s.id, s.version, starts[0], None, now):
            booked = await self.ctx.store.session(s.id)
            assert booked is not None
            await self.settle(booked, auto=True)

    async def settle(self, s: Session, auto: bool = False) -> None:
        """What a booking brings: its message with the invite, and its jobs. Idempotent (keys, upserts)."""
        if s.status is not SessionStatus.BOOKED or s.start_at is None:
            return
        for job in booking_plan(s, self.ctx.now()):
            await self.ctx.jobs.schedule(job.kind, job.key, job.community, job.due_at, dict(job.payload))
        await self.notices.post(f"mock:booked:{s.id}:{s.version}", s, self._booked_reply(s, auto), "booked",
                                version=s.version, auto=auto)

    async def remind_job(self, job: Job) -> None:
        s = await self.ctx.store.session(int(job.key.partition(":")[0]))
        if s is None or s.status is not SessionStatus.BOOKED or s.version != int(job.payload.get("version", 0)):
            return
        now = self.ctx.now()
        if s.start_at is None or s.start_at <= now:
            return  # too late to remind
        lead = str(job.payload.get("lead", "24h"))
        if any(before < REMINDERS.get(lead, before) and s.start_at - before <= now for before in REMINDERS.values()):
            return  # late (the bot was down): a nearer reminder is due too, and one is enough
        await self.ctx.post(f"mock:remind:{s.id}:{s.version}:{lead}", s, reminder_reply(s, s.start_at))

    async def _cancel_jobs(self, s: Session) -> None:
        for kind, key in session_jobs(s):
            await self.ctx.jobs.cancel(kind, key)

    # the messages, built from the session (so a retry shows the state as it is) --------------------------
    def _invite(self, s: Session, start: datetime, version: int, cancelled: bool = False) -> FileOut:
        """The session's invite; its SEQUENCE grows with every booking and cancellation of it."""
        summary = f"Mock interview ({track_label(s.track)})"
        description = ("A studybot peer mock interview. Meet in your private space; each interviewer's packet "
                       "arrives by DM.")
        return invite(s.id, 2 * version + (1 if cancelled else 0), start, summary, description, self.ctx.now(),
                      cancelled)

    def _booked_reply(self, s: Session, auto: bool) -> Reply:
        assert s.start_at is not None
        return booked_reply(s, s.start_at, s.booked_by, self._invite(s, s.start_at, s.version),
                            auto or s.booked_by is None)

    def _resched_reply(self, s: Session, by: str, old: datetime, version: int) -> Reply:
        picking = s.status is SessionStatus.PROPOSED and s.version == version
        then = "Pick a new time below" if picking else "A new time has been arranged since (see the latest booking)"
        return Reply(title="Mock interview: new time needed",
                     text=f"{at(by)} can't make {mk.timestamp(old, 'f')}. {then}; the old invite no longer holds.",
                     files=(self._invite(s, old, version - 1, cancelled=True),))

    def _cancelled_reply(self, s: Session, why: str, old: datetime | None, version: int) -> Reply:
        files = (self._invite(s, old, version, cancelled=True),) if old is not None else ()
        return Reply(title="Mock interview cancelled",
                     text=f"{why} Nothing is recorded against anyone; whoever is still in the pool is in the next "
                          "round.", files=files)

    async def _proposal(self, s: Session) -> Reply:
        starts = await self.ctx.starts(s, self.ctx.now() + MIN_LEAD)
        names = await self.ctx.names(s.community, s.members)
        return proposal_reply(s, names, starts[:3], 0, len(starts) > 3)

    async def _current(self, p: dict[str, Any], status: SessionStatus) -> Session | None:
        s = await self.ctx.store.session(int(p["session"]))
        return s if s is not None and s.status is status and s.version == int(p.get("version", 0)) else None

    async def _rebuild_booked(self, p: dict[str, Any]) -> Reply | None:
        s = await self._current(p, SessionStatus.BOOKED)
        return None if s is None else self._booked_reply(s, bool(p.get("auto")))

    async def _rebuild_resched(self, p: dict[str, Any]) -> Reply | None:
        """Also when a new time was booked since (the others still learn the old one no longer holds)."""
        s = await self.ctx.store.session(int(p["session"]))
        if s is None or s.status is SessionStatus.CANCELLED or s.version < int(p.get("version", 0)):
            return None
        return self._resched_reply(s, str(p["by"]), datetime.fromtimestamp(int(p["old"]), UTC),
                                   int(p.get("version", s.version)))

    async def _rebuild_proposal(self, p: dict[str, Any]) -> Reply | None:
        s = await self._current(p, SessionStatus.PROPOSED)
        return None if s is None else await self._proposal(s)

    async def _rebuild_cancelled(self, p: dict[str, Any]) -> Reply | None:
        s = await self.ctx.store.session(int(p["session"]))
        if s is None or s.status is not SessionStatus.CANCELLED:
            return None
        old = datetime.fromtimestamp(int(p["old"]), UTC) if p.get("old") is not None else None
        return self._cancelled_reply(s, str(p["why"]), old, int(p.get("version", 0)))


def told(s: Session) -> str:
    """Who hears of a member's change: "the other is told" (a pair) or "the others are told"."""
    return "the other is told" if len(s.members) == 2 else "the others are told"


def booking_plan(s: Session, now: datetime) -> list[PlannedJob]:
    """The jobs a booked session needs from `now` on (none if it is not booked): the reminders still ahead,
    the packets of turns not over yet, "did it happen?" while answers are still taken, and the close of its
    report window. Each is due at its time, or now if that has passed. Used by a booking (settle) and by
    the catch-up of sessions from an earlier build (upkeep.py)."""
    if s.status is not SessionStatus.BOOKED or s.start_at is None or s.closes_at is None:
        return []
    start, closes = s.start_at, s.closes_at
    v = s.version
    out = [PlannedJob(REMIND_JOB, f"{s.id}:{lead}", s.community, start - before, {"version": v, "lead": lead})
           for lead, before in REMINDERS.items() if start - before > now]
    for turn in range(s.turns):
        due = start - PACKET_LEAD if turn == 0 else start + turn * s.turn_length
        if due > now or turn_open(s, turn, now):
            out.append(PlannedJob(PACKET_JOB, f"{s.id}:{turn}", s.community, max(due, now),
                                  {"version": v, "turn": turn}))
    end = start + s.turn_length * s.turns
    if now < closes:
        out.append(PlannedJob(AFTER_JOB, str(s.id), s.community, max(end + AFTER_DELAY, now), {"version": v}))
    out.append(PlannedJob(EXPIRE_JOB, str(s.id), s.community, max(closes, now), {"version": v}))
    return out


def turn_open(s: Session, turn: int, now: datetime) -> bool:
    """Whether a turn of a booked session has not ended yet (its packet is still worth sending)."""
    if s.start_at is None:
        return False
    return now < s.start_at + (turn + 1) * s.turn_length

