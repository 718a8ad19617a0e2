"""What every part of the mock feature shares: the services, its store, settings, and small helpers for
the pair's private space, names and the times a group can meet."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.community import SettingError, parse_time, parse_timezone
from bot.features.delivery import PostState
from bot.features.mock import DAYS
from bot.features.mock.availability import AvailabilityError
from bot.features.mock.availability_parser import parse_availability
from bot.features.mock.grid import SLOT, SLOTS_PER_DAY
from bot.features.mock.model import SESSION_SLOTS, Profile, Session
from bot.features.mock.session_times import session_starts
from bot.features.mock.store import MockStore
from bot.features.mock.utc_week import slot_start, utc_slots
from bot.ids import ChannelRef, CommunityRef, MemberRef
from bot.messages import Reply
from bot.settings import Scope, SettingSpec, SettingValueError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
#: how many starts a week's overlap offers at most (three are shown at a time)
STARTS_PER_WEEK = 30


def _day(raw: str) -> str:
    day = raw.strip().casefold()[:3]
    if day not in DAYS:
        raise SettingValueError(f"'{raw}' is not a weekday; use one of {', '.join(DAYS)}")
    return day


def _time(raw: str) -> time:
    try:
        return parse_time(raw)
    except SettingError as exc:
        raise SettingValueError(str(exc)) from None


def _hours(raw: str) -> int:
    if not raw.strip().isdigit() or not 2 <= int(raw) <= 96:
        raise SettingValueError("the booking deadline is a whole number of hours from 2 to 96")
    return int(raw)


ROUND_DAY = SettingSpec("mock-day", Scope.COMMUNITY, "thu", "Weekday of the mock interview pairing round",
                        parse=_day)
ROUND_TIME = SettingSpec("mock-time", Scope.COMMUNITY, time(12, 0),
                         "Time of the mock pairing round (the community's timezone, HH:MM)", parse=_time,
                         show=lambda t: t.strftime("%H:%M"))
DEADLINE = SettingSpec("mock-deadline", Scope.COMMUNITY, 24,
                       "Hours a pair has to pick a time before the first one is booked", parse=_hours)
SETTINGS = (ROUND_DAY, ROUND_TIME, DEADLINE)


class DeliveryPending(RuntimeError):
    """A post the job must make did not go out yet: the job is retried (the outbox key keeps it once)."""


def zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(parse_timezone(name))
    except (SettingError, ValueError):
        return ZoneInfo("UTC")


def week_slots(profile: Profile, week_start: datetime) -> frozenset[int]:
    """The member's free half-hours of that UTC week; none if their text no longer parses."""
    try:
        availability = parse_availability(profile.availability)
    except AvailabilityError:
        return frozenset()
    return utc_slots(availability, zone_or_utc(profile.zone), week_start)


class MockContext:
    def __init__(self, services: Services, store: MockStore) -> None:
        self.services = services
        self.store = store
        self.clock = services.clock
        self.jobs = services.jobs

    def now(self) -> datetime:
        return self.clock.now()

    async def names(self, community: str, ids: tuple[str, ...] | list[str]) -> dict[str, str]:
        known = await self.services.members.names(community, list(ids))
        return {m: known.get(m) or "A member" for m in ids}

    async def channel(self, community: str) -> ChannelRef | None:
        """The community's studybot channel, where private threads are opened (Discord)."""
        settings = await self.services.communities.get(community)
        if settings is None or not settings.channel:
            return None
        return ChannelRef(CommunityRef.from_key(community), settings.channel)

    def member(self, community: str, member: str) -> MemberRef:
        return MemberRef(CommunityRef.from_key(community), member)

    def space(self, session: Session) -> ChannelRef | None:
        if session.space is None:
            return None
        return ChannelRef.from_key(CommunityRef.from_key(session.community), session.space)

    async def post(self, key: str, session: Session, reply: Reply) -> None:
        """A message in the group's private space, once under `key`; raises DeliveryPending until it is out."""
        space = self.space(session)
        if space is None:
            raise DeliveryPending(f"session {session.id} has no private space yet")
        posted = await self.services.delivery.post_outcome(key, space, reply)
        if posted.state not in (PostState.SENT, PostState.ABANDONED):
            raise DeliveryPending(f"{key}: {posted.state.value} {posted.error or ''}".strip())

    async def dm(self, key: str, community: str, member: str, reply: Reply) -> bool:
        """A private message, once under `key`. Never a fallback where others could read it."""
        return await self.services.delivery.direct(key, self.member(community, member), reply, None)

    async def deadline_hours(self, community: str) -> int:
        return int(await self.services.settings.get(DEADLINE, community))

    async def starts(self, session: Session, after: datetime, enough: int | None = None) -> list[datetime]:
        """Start times that suit every member from `after` on: first three spread over different days of
        the round's week (in time order; where one was declined, another day's time takes its place),
        then its other times in order, then the same for the week after; never a time a member rescheduled
        away from. With `enough`, the week after is only looked at when the round's week has fewer (it
        costs each member's availability mapped onto that week, off the event loop)."""
        out: list[datetime] = []
        for n in range(2):
            week = session.week_start + timedelta(days=7 * n)
            if week + timedelta(days=7) <= after or (enough is not None and len(out) >= enough):
                continue
            overlap = session.overlap if n == 0 else await self._overlap(session, week)
            first = max(0, -(-(after - week) // SLOT))

            def open_(i: int, week: datetime = week) -> bool:
                return slot_start(week, i) not in session.declined

            spread = [i for i in session_starts(overlap, SESSION_SLOTS, 3, not_before=first) if open_(i)]
            rest = sorted(i for i in session_starts(overlap, SESSION_SLOTS, STARTS_PER_WEEK, not_before=first)
                          if i not in spread and open_(i))
            # a declined time's place goes to another day first (not the day a member just could not make)
            used = {i // SLOTS_PER_DAY for i in spread} | {(t - week).days for t in session.declined
                                                          if week <= t < week + timedelta(days=7)}
            head = sorted(spread + sorted(rest, key=lambda i: (i // SLOTS_PER_DAY in used, i))[:3 - len(spread)])
            out += [slot_start(week, i) for i in (*head, *(i for i in rest if i not in head))]
        return out

    async def _overlap(self, session: Session, week: datetime) -> frozenset[int]:
        profiles = [await self.store.profile(session.community, member) for member in session.members]
        if any(p is None for p in profiles):
            return frozenset()
        return await asyncio.to_thread(common_slots, [p for p in profiles if p is not None], week)


def common_slots(profiles: list[Profile], week: datetime) -> frozenset[int]:
    """The half-hours of that UTC week when every one of them is free (CPU work: run it off the loop)."""
    overlap: frozenset[int] | None = None
    for profile in profiles:
        slots = week_slots(profile, week)
        overlap = slots if overlap is None else overlap & slots
    return overlap or frozenset()
