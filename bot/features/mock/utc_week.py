"""A member's local week on the slots of one concrete UTC week, with the real offsets of that week.

Slot i of a UTC week is the half hour starting `week_start + i * SLOT`, the week starting on a Monday
00:00 UTC. Converting slot by slot with the offset the zone has at that instant keeps a DST change inside
the week right (see `utc_slots`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features.mock.availability import Availability
from bot.features.mock.grid import SLOT, SLOTS_PER_WEEK


def check_week_start(week_start_utc: datetime) -> None:
    if (week_start_utc.tzinfo is None or week_start_utc.utcoffset() != timedelta(0)
            or week_start_utc.weekday() != 0 or week_start_utc.time() != time(0)):
        raise ValueError(f"{week_start_utc!r} is not a Monday 00:00 UTC")


def week_start_of(at: datetime) -> datetime:
    """The Monday 00:00 UTC that starts the UTC week containing `at` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError("need an aware datetime")
    day = at.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), UTC)


def slot_start(week_start_utc: datetime, index: int) -> datetime:
    check_week_start(week_start_utc)
    if not 0 <= index < SLOTS_PER_WEEK:
        raise ValueError(f"slot {index} is not in 0..{SLOTS_PER_WEEK - 1}")
    return week_start_utc + index * SLOT


def slot_index(week_start_utc: datetime, at: datetime) -> int:
    """The slot of that week containing `at` (may be outside 0..335 when `at` is in another week)."""
    check_week_start(week_start_utc)
    return int((at - week_start_utc) // SLOT)


def utc_slots(availability: Availability, zone: ZoneInfo, week_start_utc: datetime) -> frozenset[int]:
    """The half-hours of the UTC week starting at `week_start_utc` that the member is free, all of each one.

    Each UTC slot is converted with the offset the zone really has at that instant, so a DST change inside
    the week moves the later slots. Going from UTC to local, every instant has one wall time: a wall time
    skipped by a spring-forward gap is simply never reached (the member loses it), and an hour repeated by a
    fall-back is free both times it occurs. The local week wraps: the first UTC slots of the week answer from
    the previous local Sunday night, so a "Sun 22:00-01:00" range shows its Monday spill at the start of the
    same UTC week (nothing is dropped, nothing is counted twice). With an offset off the half-hour grid
    (Asia/Kathmandu +05:45) a UTC slot counts only if both local half-hours it touches are free.
    For many members, build one `WeekGrid` per zone and call its `slots`.
    """
    return WeekGrid(zone, week_start_utc).slots(availability)


class WeekGrid:
    """One UTC week in one zone: for each UTC slot, the local half-hours (a bitmask) it needs free.

    Offsets are read every six hours, and slot by slot (then minute by minute) only inside a six-hour span
    where the offset changes; no zone changes its offset twice within six hours.
    """

    def __init__(self, zone: ZoneInfo, week_start_utc: datetime) -> None:
        check_week_start(week_start_utc)
        span = 12  # slots in six hours
        probes = [_offset_minutes(week_start_utc + k * span * SLOT, zone)
                  for k in range(SLOTS_PER_WEEK // span + 1)]
        offsets: list[int] = []  # offset at the start of every slot, and at the end of the week
        for k in range(SLOTS_PER_WEEK // span):
            if probes[k] == probes[k + 1]:
                offsets.extend([probes[k]] * span)
            else:
                offsets.extend(_offset_minutes(week_start_utc + (k * span + i) * SLOT, zone) for i in range(span))
        offsets.append(probes[-1])
        needs: list[int] = []
        for i in range(SLOTS_PER_WEEK):
            begin = 30 * i + offsets[i]
            if offsets[i] == offsets[i + 1]:  # no offset change inside the slot
                needs.append(_mask(begin, begin + 30))
            else:  # an offset change inside the slot: collect it minute by minute
                mask = 0
                for k in range(30):
                    m = 30 * i + k + _offset_minutes(week_start_utc + i * SLOT + timedelta(minutes=k), zone)
                    mask |= _mask(m, m + 1)
                needs.append(mask)
        self.zone, self.week_start = zone, week_start_utc
        self.needs = tuple(needs)

    def slots(self, availability: Availability) -> frozenset[int]:
        have = sum(1 << s for s in availability.local_slots())
        return frozenset(i for i, need in enumerate(self.needs) if have & need == need)


def _offset_minutes(t: datetime, zone: ZoneInfo) -> int:
    """The zone's UTC offset at the instant `t`, in whole minutes (the week starts on a Monday 00:00 UTC, so
    UTC minute m of the week is local minute m + offset of the local week, modulo the week)."""
    offset = t.astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def _mask(begin: int, end: int) -> int:
    """Bitmask of the local half-hours touching the wall-minute interval [begin, end) of the week."""
    first, stop = begin // 30, -(-end // 30)
    if stop == first + 1:
        return 1 << (first % SLOTS_PER_WEEK)
    return sum(1 << (s % SLOTS_PER_WEEK) for s in range(first, stop))
