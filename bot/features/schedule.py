"""When a community's daily question is due, computed in its own zone (DST-safe), and member streaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEARCH_DAYS = 8


@dataclass(frozen=True, slots=True)
class Occurrence:
    local_date: date
    at: datetime  # UTC


def occurrence_on(day: date, post_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `post_time` on `day` in `zone`.

    An ambiguous wall time (the repeated hour in autumn) means its first occurrence; a wall time that
    does not exist (the skipped hour in spring) lands just after the gap, as clocks show it.
    """
    return datetime.combine(day, post_time).replace(tzinfo=zone, fold=0).astimezone(UTC)


def next_occurrence(after: datetime, post_time: time, zone: ZoneInfo, days: frozenset[int]) -> Occurrence | None:
    """The first post instant strictly after `after`."""
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(SEARCH_DAYS + 1):
        day = start + timedelta(days=offset)
        if day.weekday() in days:
            at = occurrence_on(day, post_time, zone)
            if at > after:
                return Occurrence(day, at)
    return None


def last_occurrence(at_or_before: datetime, post_time: time, zone: ZoneInfo,
                    days: frozenset[int]) -> Occurrence | None:
    """The latest post instant at or before the given one."""
    start = at_or_before.astimezone(zone).date() + timedelta(days=1)
    for offset in range(SEARCH_DAYS + 1):
        day = start - timedelta(days=offset)
        if day.weekday() in days:
            at = occurrence_on(day, post_time, zone)
            if at <= at_or_before:
                return Occurrence(day, at)
    return None


def local_day_start(when: datetime, zone: ZoneInfo) -> datetime:
    day = when.astimezone(zone).date()
    return datetime.combine(day, time()).replace(tzinfo=zone).astimezone(UTC)


def week_start(when: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of this local week, in UTC."""
    day = when.astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time()).replace(tzinfo=zone).astimezone(UTC)


def month_start(when: datetime, zone: ZoneInfo) -> datetime:
    day = when.astimezone(zone).date().replace(day=1)
    return datetime.combine(day, time()).replace(tzinfo=zone).astimezone(UTC)


def streak(answer_times: Iterable[datetime], posted_times: Iterable[datetime], zone: ZoneInfo,
           now: datetime) -> int:
    """Days in a row, in the member's own zone, on which they answered.

    Today counts if answered; an unanswered today does not break the streak yet. A day on which no
    question was posted (a community that posts on weekdays only) neither counts nor breaks it.
    """
    answered = {t.astimezone(zone).date() for t in answer_times}
    posted = {t.astimezone(zone).date() for t in posted_times}
    day = now.astimezone(zone).date()
    if day not in answered:
        day -= timedelta(days=1)
    count = 0
    earliest = min(answered | posted, default=day)
    while day >= earliest:
        if day in answered:
            count += 1
        elif day in posted:
            break
        day -= timedelta(days=1)
    return count
