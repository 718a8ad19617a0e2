"""Streaks in each member's own local days, from any studybot activity, with freezes.

The rule (`walk`, a pure function of the study days): a streak is the run of days studied, where a missed
day covered by a freeze neither counts nor breaks it. Every 7th study day of a streak earns a freeze; at
most 2 are held; a missed day uses one automatically, and a gap longer than the freezes held ends the
streak (and the freezes with it). Today not yet studied is not missed: the streak stands until today ends.

Days are stored as the member's local date with the zone used then (bot.features.leaderboard.store), so
travel never re-buckets history and a DST change is just a shorter or longer day.

The member is told when a freeze covered a day: each new study day schedules a durable check for the end of
the following local day; if that day passed without study and a freeze covered it, the member gets a DM
(through the outbox, keyed by the day: once), and the check moves to the end of the next day.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.features.daily.store import DailyStore
from bot.features.delivery import Delivery
from bot.features.leaderboard.store import BoardStore, Recorded
from bot.features.schedule import occurrence_on
from bot.ids import ChannelRef, CommunityRef, MemberRef
from bot.jobs import JobQueue
from bot.messages import Reply
from bot.ports import Clock
from bot.signals import ItemAttempted, MemberActive
from bot.store.jobs import Job
from bot.store.protocols import CommunityStore, MemberStore

log = logging.getLogger(__name__)
FREEZE_EVERY = 7
MAX_FREEZES = 2
CHECK_JOB = "board.streak"


@dataclass(frozen=True, slots=True)
class StreakState:
    days: int  # study days in the current streak
    freezes: int  # held now
    frozen: tuple[date, ...]  # missed days of the current streak a freeze covered
    longest: int
    studied_today: bool
    last_day: date | None


def walk(days: Sequence[date], today: date) -> StreakState:
    """The streak as of `today` from the study days (see the module's rule)."""
    if not days:
        return StreakState(0, 0, (), 0, False, None)
    base = min(d.toordinal() for d in days)
    bits = 0
    for d in days:
        bits |= 1 << (d.toordinal() - base)
    return walk_bits(base, bits, today.toordinal())


def walk_bits(base: int, bits: int, today: int) -> StreakState:
    """`walk` over a bitmap of study days (bit i: day number `base + i`, `date.toordinal`), one step per
    run of consecutive days rather than per day: a year of history in a few microseconds."""
    streak = toward = freezes = longest = 0
    frozen: list[int] = []
    last = -1  # the last day studied
    pos = 0
    while bits:
        zeros = (bits & -bits).bit_length() - 1
        bits >>= zeros
        ones = (~bits & (bits + 1)).bit_length() - 1  # the length of the run of 1s now at the bottom
        bits >>= ones
        first = base + pos + zeros
        pos += zeros + ones
        if last >= 0:
            missed = first - last - 1
            if missed <= freezes:
                freezes -= missed
                frozen.extend(range(last + 1, first))
            else:
                streak = toward = freezes = 0
                frozen = []
        streak += ones
        toward += ones
        freezes = min(MAX_FREEZES, freezes + toward // FREEZE_EVERY)  # every 7th day of the streak earns one
        toward %= FREEZE_EVERY
        longest = max(longest, streak)
        last = first + ones - 1
    if last >= 0:
        today = max(today, last)  # a day counted in a zone ahead of the member's current one (travel west)
        missed = today - last - 1  # the days missed since (today is not missed yet)
        if missed > 0:
            if missed <= freezes:
                freezes -= missed
                frozen.extend(range(last + 1, today))
            else:
                streak = freezes = 0
                frozen = []
    return StreakState(streak, freezes, tuple(date.fromordinal(d) for d in frozen), longest, last == today,
                       date.fromordinal(last) if last >= 0 else None)


class Streaks:
    """Records study days from signals, answers a member's streak, and tells them about used freezes."""

    def __init__(self, store: BoardStore, rounds: DailyStore, members: MemberStore, communities: CommunityStore,
                 jobs: JobQueue, delivery: Delivery, clock: Clock) -> None:
        self._store = store
        self._rounds = rounds
        self._members = members
        self._communities = communities
        self._jobs = jobs
        self._delivery = delivery
        self._clock = clock
        self._backfilled: set[tuple[str, str]] = set()  # this process checked these members already

    async def zone_of(self, member: MemberRef) -> ZoneInfo:
        """The member's own zone, else the community's, else UTC."""
        row = await self._members.get(member.community.key, member.id)
        if row is not None and row.timezone:
            return ZoneInfo(row.timezone)
        settings = await self._communities.get(member.community.key)
        return settings.zone if settings is not None else ZoneInfo("UTC")

    async def _backfill(self, member: MemberRef) -> None:
        """Days from before these tables: the member's daily answers, counted in their zone now (once)."""
        key = (member.community.key, member.id)
        if key in self._backfilled:
            return
        if not await self._store.backfilled(*key):
            zone = await self.zone_of(member)
            answered = await self._rounds.answer_times(*key)
            days: dict[date, datetime] = {}
            for at in answered:
                days.setdefault(at.astimezone(zone).date(), at)
            await self._store.backfill(*key, [(d, zone.key, at) for d, at in days.items()], self._clock.now())
        if len(self._backfilled) > 100_000:
            self._backfilled.clear()
        self._backfilled.add(key)

    # signals ------------------------------------------------------------------------------------------
    async def on_active(self, signal: MemberActive) -> None:
        await self._record(signal.member, signal.at, signal.source, signal.topic, None)

    async def on_attempt(self, signal: ItemAttempted) -> None:
        await self._record(signal.member, signal.at, signal.source, signal.topic, signal.correct)

    async def _record(self, member: MemberRef, at: datetime, source: str, topic: str | None,
                      correct: bool | None) -> None:
        await self._backfill(member)
        done = await self._store.record(member.community.key, member.id, at, source, topic, correct)
        if done.new_day and await self._may_tell(member):
            await self._check_after(member, done)

    async def _may_tell(self, member: MemberRef) -> bool:
        """Not where studybot was paused or removed: nothing more is sent there."""
        settings = await self._communities.get(member.community.key)
        return settings is None or settings.enabled

    async def _check_after(self, member: MemberRef, done: Recorded) -> None:
        """Look again when the day after this study day has ended (its local midnight)."""
        due = occurrence_on(done.day + timedelta(days=2), time(0), ZoneInfo(done.zone))
        await self._jobs.schedule(CHECK_JOB, job_key(member), member.community.key, due)

    # reading ------------------------------------------------------------------------------------------
    async def state(self, member: MemberRef) -> StreakState:
        await self._backfill(member)
        base, bits, zone = await self._store.history(member.community.key, member.id)
        today = self._clock.now().astimezone(ZoneInfo(zone)).date()
        return walk_bits(base, bits, today.toordinal())

    async def days(self, member: MemberRef) -> int:
        return (await self.state(member)).days

    # the freeze check ---------------------------------------------------------------------------------
    async def run_check(self, job: Job) -> None:
        member = member_of(job.key)
        if not await self._may_tell(member):
            return
        zone = await self.zone_of(member)
        today = self._clock.now().astimezone(zone).date()
        state = await self.state(member)
        yesterday = today - timedelta(days=1)
        if state.days == 0 or state.studied_today:
            return  # ended, or studied today (that day's own check is scheduled)
        if yesterday in state.frozen:
            await self._tell(member, yesterday, state)
        # today may be missed too: look again when it ends
        await self._jobs.schedule(CHECK_JOB, job.key, job.community, occurrence_on(today + timedelta(days=1), time(0), zone))

    async def _tell(self, member: MemberRef, day: date, state: StreakState) -> None:
        left = (f"You have {state.freezes} freeze{'s' * (state.freezes != 1)} left."
                if state.freezes else "That was your last freeze.")
        # a neutral title: where DMs are closed on Discord, only the title shows, in a pointer in the channel
        reply = Reply(title="A note about your streak",
                      text=f"You didn't study on {day:%A} {day.day} {day:%B}, so a streak freeze kept your "
                           f"{mk.bold(str(state.days) + '-day')} streak going. {left} "
                           f"Study today to keep it: any daily answer, quiz, review or mock counts.")
        settings = await self._communities.get(member.community.key)
        fallback = (ChannelRef(member.community, settings.channel) if settings is not None and settings.channel
                    else None)
        await self._delivery.direct(f"board-freeze:{member.community.key}:{member.id}:{day.isoformat()}",
                                    member, reply, fallback)

    async def erase(self, member: MemberRef) -> None:
        await self._jobs.cancel(CHECK_JOB, job_key(member))
        self._backfilled.discard((member.community.key, member.id))


def job_key(member: MemberRef) -> str:
    return f"{member.community.key}/{member.id}"


def member_of(key: str) -> MemberRef:
    community, _, member = key.partition("/")
    return MemberRef(CommunityRef.from_key(community), member)
