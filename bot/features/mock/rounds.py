"""Pairing rounds: each community's round is a durable job on its day and time; a round pairs the pool
(bot.features.mock.pairing, off the event loop), stores the sessions in one write, and opens each group's
private space with its proposed times as a job of its own, so a failed open is retried alone.

A round pairs members for the UTC week (Monday to Sunday) that starts at least a booking deadline after
it runs, so every proposed time is still ahead when the deadline books one.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.mock import DAYS
from bot.features.mock.context import ROUND_DAY, ROUND_TIME, MockContext, week_slots
from bot.features.mock.model import MIN_LEAD, SESSION_SLOTS, Profile, Round, Session, SessionStatus
from bot.features.mock.notices import Notices
from bot.features.mock.pair_model import Candidate, Pairing
from bot.features.mock.pairing import pair
from bot.features.mock.store import NewGroup
from bot.features.mock.utc_week import week_start_of
from bot.features.mock.views import names_line, proposal_reply
from bot.features.mock.waiting import basis_of, reasons, waiting_reply
from bot.features.schedule import last_occurrence, next_occurrence
from bot.ids import ChannelRef
from bot.messages import Reply, clip
from bot.ports import DeliveryError
from bot.store.jobs import Job

log = logging.getLogger(__name__)
ROUND_JOB = "mock.round"  # key: community
OPEN_JOB = "mock.open"  # key: session id
DEADLINE_JOB = "mock.deadline"  # key: session id; payload: version
#: a round due this recently that has not run yet is still run when the pool changes (its wake-up may lag)
JUST_DUE = timedelta(minutes=10)
#: tries to open a group's private space (backing off 1 min .. 3 h: about four and a half hours) before giving up
OPEN_TRIES = 6
#: a round that could not run for this long (the bot was down) is not run late: the next one is planned
ROUND_GRACE = timedelta(days=2)
SPACE_NAME_LIMIT = 100  # Discord's thread name limit (Slack's group DMs have no name)


@dataclass(frozen=True, slots=True)
class RoundOutcome:
    round: Round | None
    sessions: list[Session]
    waiting: list[str]
    created: bool
    problem: str | None = None


def pair_pool(profiles: list[Profile], week: datetime, waited: set[str], history: dict[frozenset[str], int],
              seed: int) -> tuple[Pairing, dict[str, str]] | None:
    """The round's pairing of these members for that UTC week (None: nobody has a free hour in it), with
    why each member left waiting waits (waiting.reason_of).

    A member left waiting last round is first in line now (`waited`)."""
    candidates = []
    for p in profiles:
        slots = week_slots(p, week)
        if slots:
            candidates.append(Candidate(p.member, frozenset(p.tracks), p.level_index, slots,
                                        waited=int(p.member in waited)))
    if not candidates:
        return None
    result = pair(candidates, history, session_slots=SESSION_SLOTS, seed=seed)
    return result, reasons(result.waiting, candidates, SESSION_SLOTS)


def space_name(s: Session, names: Mapping[str, str], token: str) -> str:
    """"Mock interview · Ann & Bob · #12-a1b2c3": the marker (session id and a random token) is kept whole
    within Discord's 100 characters, so a search by this name finds this session's space and no other."""
    head, marker = "Mock interview · ", f" · #{s.id}-{token}"
    return head + clip(names_line(s.members, names), SPACE_NAME_LIMIT - len(head) - len(marker)) + marker


class Rounds:
    def __init__(self, ctx: MockContext, notices: Notices) -> None:
        self.ctx = ctx
        self.notices = notices
        notices.register("no-space", self._rebuild_no_space)

    # the cadence --------------------------------------------------------------------------------
    async def _when(self, community: str) -> tuple[time, ZoneInfo, frozenset[int]]:
        settings = self.ctx.services.settings
        day = str(await settings.get(ROUND_DAY, community))
        at = await settings.get(ROUND_TIME, community)
        communities = await self.ctx.services.communities.get(community)
        zone = communities.zone if communities is not None else ZoneInfo("UTC")
        return at, zone, frozenset({DAYS.index(day)})

    async def next_round(self, community: str, after: datetime) -> datetime | None:
        occ = next_occurrence(after, *await self._when(community))
        return occ.at if occ else None

    async def plan(self, community: str) -> datetime | None:
        """Put the community's next round on the job queue (nothing while its pool is empty). A round due a
        moment ago that has not run yet (its wake-up is on its way) keeps its time rather than being skipped."""
        if not await self.ctx.store.profiles(community):
            await self.ctx.jobs.cancel(ROUND_JOB, community)
            return None
        now = self.ctx.now()
        prev = last_occurrence(now, *await self._when(community))
        if prev is not None and now - prev.at <= JUST_DUE and await self.ctx.store.round_at(community, prev.at) is None:
            await self._schedule(community, prev.at)
            return prev.at
        when = await self.next_round(community, now)
        if when is not None:
            await self._schedule(community, when)
        return when

    async def _schedule(self, community: str, occurrence: datetime) -> None:
        """The round's occurrence rides in the payload: a retry moves the job's due time, not its round."""
        await self.ctx.jobs.schedule(ROUND_JOB, community, community, occurrence,
                                     {"occurrence": occurrence.isoformat()})

    @staticmethod
    def occurrence_of(job: Job) -> datetime:
        raw = job.payload.get("occurrence")
        return datetime.fromisoformat(raw) if isinstance(raw, str) else job.due_at

    async def run_job(self, job: Job) -> None:
        now, occurrence = self.ctx.now(), self.occurrence_of(job)  # a retried job keeps its round
        if now - occurrence <= ROUND_GRACE:
            outcome = await self.run(job.key, occurrence)
            if outcome.problem:
                log.warning("mock round of %s at %s: %s", job.key, occurrence, outcome.problem)
        else:
            log.warning("mock round of %s due %s was missed by more than %s; planning the next", job.key,
                        occurrence, ROUND_GRACE)
        if await self.ctx.store.profiles(job.key):
            nxt = await self.next_round(job.key, max(now, occurrence))
            if nxt is not None:
                await self._schedule(job.key, nxt)

    # one round -----------------------------------------------------------------------------------
    async def run(self, community: str, occurrence: datetime, manual: bool = False) -> RoundOutcome:
        """The round at this occurrence. `manual` (an admin's pair-now): a round that would pair nobody is
        not recorded, and nobody is messaged (an admin trying it twice must not send the pool the same
        "no partner this round" DM twice); the scheduled round still tells them."""
        store = self.ctx.store
        existing = await store.round_at(community, occurrence)
        if existing is not None:  # a rerun (crash, second process): carry on where it stopped
            sessions = await store.sessions_of_round(existing.id)
            await self._tell_waiting(existing)  # once each: the outbox key
            await self._open_all(sessions)
            return RoundOutcome(existing, sessions, [], False)
        if await self.ctx.channel(community) is None:
            return RoundOutcome(None, [], [], False, "studybot has no channel here yet: an admin runs /studybot "
                                                       "setup first (pairs get private threads in that channel)")
        now = self.ctx.now()
        lead = timedelta(hours=await self.ctx.deadline_hours(community)) + MIN_LEAD
        week = week_start_of(now + lead)
        if week < now + lead:
            week += timedelta(days=7)
        profiles = await self._eligible(community, now)
        waited = await self._waited_last_round(community)
        history = await self._history(community, occurrence)
        seed = zlib.crc32(f"{community}|{occurrence.isoformat()}".encode())
        # mapping every member's week onto UTC slots and the matching are CPU work: off the event loop
        paired = await asyncio.to_thread(pair_pool, profiles, week, waited, history, seed)
        if paired is None:
            return RoundOutcome(None, [], [], False)
        result, why = paired
        if manual and not result.groups:
            return RoundOutcome(None, [], list(result.waiting), False)
        by_id = {p.member: p for p in profiles}
        groups = [NewGroup(tuple(g.members), tuple(by_id[m].level for m in g.members), g.track, g.overlap, g.repeat)
                  for g in result.groups]
        waiting = list(result.waiting)
        bases = {m: basis_of(by_id[m].tracks, by_id[m].zone, by_id[m].availability) for m in waiting}
        rnd, created = await store.create_round(community, occurrence, week, groups, waiting, now, why, bases)
        sessions = await store.sessions_of_round(rnd.id)
        await self._tell_waiting(rnd)
        await self._open_all(sessions)
        return RoundOutcome(rnd, sessions, waiting if created else [], created)

    async def _tell_waiting(self, rnd: Round) -> None:
        """Who the round could not pair hears so and why, privately, once per stretch of waiting (the round's
        write decided who, waiting.py); keyed, so a rerun after a crash between the round's write and these
        messages still sends each one, and never twice."""
        decided = await self.ctx.store.waiting_of(rnd.id)
        for member in rnd.waiting:
            reason, tell = decided.get(member, ("", True))  # a round of an earlier build: told, as it was
            if tell:
                await self.ctx.dm(f"mock:waiting:{rnd.id}:{member}", rnd.community, member, waiting_reply(reason))

    async def _eligible(self, community: str, now: datetime) -> list[Profile]:
        store = self.ctx.store
        busy = await store.busy(community, now)
        last = await store.last_paired(community)
        out = []
        for p in await store.profiles(community):
            if p.paused and p.paused_until is not None and p.paused_until <= now:
                await store.set_paused(community, p.member, False, None, now)  # the pause ran out
            if not p.active_at(now) or p.member in busy:
                continue
            if p.cadence == "biweekly" and (seen := last.get(p.member)) is not None and now - seen < timedelta(days=13):
                continue
            out.append(p)
        return out

    async def _waited_last_round(self, community: str) -> set[str]:
        last = await self.ctx.store.last_round(community)
        return set(last.waiting) if last is not None else set()

    async def _history(self, community: str, occurrence: datetime) -> dict[frozenset[str], int]:
        """Every pair met before, with how many rounds ago they were last paired (trios count each pair)."""
        store = self.ctx.store
        rounds = await store.round_count(community, occurrence)
        history: dict[frozenset[str], int] = {}
        for number, members in await store.pair_history(community):
            ago = rounds + 1 - number
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    key = frozenset((a, b))
                    history[key] = min(history.get(key, ago), ago)
        return history

    async def _open_all(self, sessions: list[Session]) -> None:
        now = self.ctx.now()
        for s in sessions:
            if s.status is SessionStatus.OPENING:
                await self.ctx.jobs.schedule(OPEN_JOB, str(s.id), s.community, now)

    # opening a group's space ---------------------------------------------------------------------
    async def open_job(self, job: Job) -> None:
        s = await self.ctx.store.session(int(job.key))
        if s is None:
            return
        if s.status is SessionStatus.OPENING:
            channel = await self.ctx.channel(s.community)
            if channel is None:
                raise RuntimeError(f"community {s.community} has no channel for private threads")
            try:
                space = await self._space(s, channel)
            except DeliveryError as exc:
                log.warning("mock: no private space for session %s yet (try %d): %s", s.id, job.attempts, exc)
                if exc.needs_admin:  # e.g. no permission to create private threads: the admin is told, once
                    await self.ctx.services.delivery.tell_admin(channel.community, exc.problem)
                if job.attempts < OPEN_TRIES:
                    raise
                await self._give_up(s)
                return
            now = self.ctx.now()
            deadline = now + timedelta(hours=await self.ctx.deadline_hours(s.community))
            starts = await self.ctx.starts(s, now + MIN_LEAD, enough=1)
            if starts:
                deadline = min(deadline, max(now + MIN_LEAD, starts[0] - MIN_LEAD))
            await self.ctx.store.opened(s.id, space.key, deadline, now)
            s = await self.ctx.store.session(s.id)
            assert s is not None
        if s.status is SessionStatus.PROPOSED and s.version == 1:
            await self.propose(s, f"mock:proposal:{s.id}")

    async def _space(self, s: Session, channel: ChannelRef) -> ChannelRef:
        """The group's private space, opened once: its name (with a marker no other session's has) is
        stored before it is opened, so after a crash between opening it and recording it, the retry finds
        that space (Discord: a thread of that name in the channel) instead of opening a second one."""
        names = await self.ctx.names(s.community, s.members)
        name = await self.ctx.store.intend_space(s.id, space_name(s, names, secrets.token_hex(3)))
        members = tuple(self.ctx.member(s.community, m) for m in s.members)
        chat = self.ctx.services.chat
        found = await chat.find_private_space(channel, name, members)
        if found is not None:
            log.info("mock: the private space of session %s was opened before (%s); using it", s.id, found.key)
            return found
        return await chat.open_private_space(channel, members, name)

    async def _give_up(self, s: Session) -> None:
        """The platform kept refusing the space (hours of retries): the members are told, privately, by
        notices written with the cancellation."""
        plan = [self.notices.plan(f"mock:no-space:{s.id}:{m}", s.community, "no-space", "dm", member=m, session=s.id)
                for m in s.members]
        if await self.ctx.store.cancel(s.id, self.ctx.now(), plan):
            await self.notices.flush(plan)

    async def _rebuild_no_space(self, p: dict[str, Any]) -> Reply | None:
        s = await self.ctx.store.session(int(p["session"]))
        if s is None or s.status is not SessionStatus.CANCELLED or str(p.get("member")) not in s.members:
            return None  # (not to a member forgotten meanwhile)
        return Reply(title="Mock interviews: no session this round",
                     text="You were paired this round, but I could not open a private space for you and your "
                          "partner (the platform refused it; an admin has been told what to fix). Nothing is "
                          "recorded against you, and the next round pairs you again.")

    async def propose(self, s: Session, key: str) -> None:
        """Post the times in the space and plan the deadline that books the first one."""
        starts = await self.ctx.starts(s, self.ctx.now() + MIN_LEAD, enough=4)
        names = await self.ctx.names(s.community, s.members)
        if s.deadline_at is not None:
            await self.ctx.jobs.schedule(DEADLINE_JOB, str(s.id), s.community, s.deadline_at, {"version": s.version})
        await self.ctx.post(key, s, proposal_reply(s, names, starts[:3], 0, len(starts) > 3))
