from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fakes import Harness

from bot.features.schedule import next_occurrence, occurrence_on, streak

ALL_DAYS = frozenset(range(7))


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Europe/Berlin", date(2025, 3, 30)), ("Europe/Berlin", date(2025, 10, 26)),
     ("America/New_York", date(2025, 3, 9)), ("America/New_York", date(2025, 11, 2))],
)
async def test_dst_day_posts_once_at_nine_local(zone: str, day: date) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day - timedelta(days=1), time(10, 0), tz).astimezone(UTC)
    h = await Harness.create(start)
    try:
        await h.setup(time="09:00", timezone=zone, days="every day", reveal="8h")
        await h.run_until(datetime.combine(day + timedelta(days=1), time(8, 0), tz).astimezone(UTC))
        posts = h.chat.titled("Daily question")
        assert len(posts) == 1, [p.reply.title for p in posts]
        assert posts[0].reply.title == f"Daily question · {day.isoformat()}"
        rnd = await h.core.rounds.round_on("console:guild1", day)
        assert rnd is not None and rnd.posted_at is not None
        assert rnd.posted_at.astimezone(tz).time() == time(9, 0)
        assert len(h.chat.titled("Reveal")) == 1
    finally:
        await h.close()


def test_nonexistent_local_time_lands_after_the_gap() -> None:
    tz = ZoneInfo("Europe/Berlin")
    at = occurrence_on(date(2025, 3, 30), time(2, 30), tz)
    assert at.astimezone(tz).time() == time(3, 30)


def test_ambiguous_local_time_uses_the_first() -> None:
    tz = ZoneInfo("Europe/Berlin")
    at = occurrence_on(date(2025, 10, 26), time(2, 30), tz)
    assert at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_next_occurrence_respects_days() -> None:
    tz = ZoneInfo("UTC")
    friday_evening = datetime(2025, 6, 6, 20, 0, tzinfo=UTC)
    occ = next_occurrence(friday_evening, time(9, 0), tz, frozenset(range(5)))
    assert occ is not None and occ.local_date == date(2025, 6, 9)  # Monday


def test_streak_across_members_local_midnight() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    # 23:30 and 00:30 Tokyo time on consecutive local days, although the same UTC day
    answers = [datetime(2025, 6, 1, 14, 30, tzinfo=UTC), datetime(2025, 6, 1, 15, 30, tzinfo=UTC)]
    now = datetime(2025, 6, 1, 16, 0, tzinfo=UTC)
    assert streak(answers, answers, tokyo, now) == 2
    assert streak(answers, answers, ZoneInfo("UTC"), now) == 1


def test_streak_survives_days_without_a_question_but_not_missed_ones() -> None:
    utc = ZoneInfo("UTC")
    fri, mon, tue = (datetime(2025, 6, d, 9, tzinfo=UTC) for d in (6, 9, 10))
    posted = [fri, mon, tue]
    assert streak([fri, mon, tue], posted, utc, tue + timedelta(hours=1)) == 3
    assert streak([fri, tue], posted, utc, tue + timedelta(hours=1)) == 1
    # today not answered yet: yesterday's streak still stands
    assert streak([fri, mon], posted, utc, tue + timedelta(hours=1)) == 2
