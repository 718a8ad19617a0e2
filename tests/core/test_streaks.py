"""Streaks: the rule (a pure function, property-tested), and through the core: any activity counts, days are
the member's own local days (across DST and travel), a freeze is earned per 7 study days and covers a
missed day automatically, the member is told once, and days from before (daily answers) are backfilled."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fakes import COMMUNITY, Harness
from hypothesis import given
from hypothesis import strategies as st

from bot.features.leaderboard.streaks import MAX_FREEZES, walk
from bot.ids import MemberRef
from bot.messages import Response
from bot.signals import ItemAttempted, MemberActive

D0 = date(2025, 3, 1)


def run(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=o) for o in offsets]


# the rule ---------------------------------------------------------------------------------------------
def test_a_freeze_is_earned_every_seventh_day_and_covers_one_missed_day() -> None:
    s = walk(run(*range(7), 8), D0 + timedelta(days=8))  # 7 days, day 7 missed, day 8 studied
    assert (s.days, s.freezes, s.frozen, s.studied_today) == (8, 0, (D0 + timedelta(days=7),), True)
    broken = walk(run(*range(6), 7 + 1), D0 + timedelta(days=8))  # only 6 days: no freeze yet
    assert (broken.days, broken.freezes, broken.frozen, broken.longest) == (1, 0, (), 6)


def test_today_not_studied_yet_keeps_the_streak_and_yesterday_missed_uses_a_freeze() -> None:
    days = run(*range(14))  # two freezes held
    today = walk(days, D0 + timedelta(days=14))
    assert (today.days, today.freezes, today.studied_today) == (14, 2, False)
    later = walk(days, D0 + timedelta(days=16))  # days 14 and 15 missed: both freezes
    assert (later.days, later.freezes, len(later.frozen)) == (14, 0, 2)
    gone = walk(days, D0 + timedelta(days=17))  # a third missed day: the streak ends
    assert (gone.days, gone.freezes, gone.longest) == (0, 0, 14)


@given(st.sets(st.integers(0, 120), min_size=1), st.integers(0, 5))
def test_the_rule_holds_for_any_history(offsets: set[int], after: int) -> None:
    days = sorted(run(*offsets))
    today = days[-1] + timedelta(days=after)
    s = walk(days, today)
    assert 0 <= s.freezes <= MAX_FREEZES and s.days <= s.longest <= len(days)
    assert all(d not in days and days[0] < d < today for d in s.frozen)
    if s.days:  # the streak is the last s.days study days, every day since its first studied or frozen
        first = days[-s.days]
        covered = set(days) | set(s.frozen)
        assert all(first + timedelta(days=i) in covered for i in range((today - first).days))
        assert len([d for d in s.frozen if d > first]) == len(s.frozen)
    else:  # ended: more days missed at the end than freezes could cover
        assert after >= 2
    no_gaps = walk(run(*range(len(days))), D0 + timedelta(days=len(days) - 1))
    assert no_gaps.days == len(days) and no_gaps.freezes == min(MAX_FREEZES, len(days) // 7)


# through the core -------------------------------------------------------------------------------------
def private(resp: Response) -> str:
    assert resp.reply is not None, resp
    return resp.reply.text


def field(resp: Response, name: str) -> str:
    assert resp.reply is not None
    return next(f.value for f in resp.reply.fields if f.name == name)


async def active(h: Harness, who: str, at: datetime, source: str = "quiz") -> None:
    h.clock.set(at)
    await h.core.registry.publish(MemberActive(MemberRef(COMMUNITY, who), at, source))


async def test_a_freeze_covers_the_day_clocks_went_forward_and_the_member_is_told_once(tmp_path: Path) -> None:
    # Berlin springs forward on Sunday 30 March 2025 (a 23-hour day). Study at 00:30 local, which is the day
    # before in UTC: a streak counted in UTC days would see other days entirely.
    h = await Harness.create(datetime(2025, 3, 20, 12, 0, tzinfo=UTC), db=str(tmp_path / "s.db"))
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        await h.command("ana", "studybot", "timezone", zone="Europe/Berlin")
        for day in range(23, 30):  # Sunday 23 .. Saturday 29 March, 00:30 CET = 23:30 UTC the day before
            await active(h, "ana", datetime(2025, 3, day - 1, 23, 30, tzinfo=UTC))
        assert field(await h.command("ana", "stats"), "Freezes").startswith("1 of 2 held")
        # Sunday 30 March passes without study; at Monday 00:00 CEST (Sunday 22:00 UTC) the check runs
        await h.run_until(datetime(2025, 3, 30, 22, 1, tzinfo=UTC))
        told = h.chat.dms("ana")
        assert len(told) == 1 and "Sunday 30 March" in told[0].reply.text
        assert "7-day" in told[0].reply.text and "last freeze" in told[0].reply.text
        await active(h, "ana", datetime(2025, 3, 30, 22, 30, tzinfo=UTC))  # Monday 00:30 CEST
        stats = await h.command("ana", "stats")
        assert field(stats, "Streak") == "8 days"
        assert field(stats, "Freezes") == "0 of 2 held; used on Sun 30 Mar"
        await h.close()
        h = await Harness.create(datetime(2025, 3, 31, 12, 0, tzinfo=UTC), db=str(tmp_path / "s.db"))
        await h.core.sweep()
        await h.run_until(datetime(2025, 4, 2, 12, 0, tzinfo=UTC))  # Tuesday missed: no freeze left, no DM
        assert h.chat.dms("ana") == []
        assert field(await h.command("ana", "stats"), "Streak") == "0 days"
    finally:
        await h.close()


async def test_a_freeze_across_the_autumn_change_and_any_activity_counts() -> None:
    h = await Harness.create(datetime(2025, 10, 15, 12, 0, tzinfo=UTC))
    try:
        await h.setup(time="09:00", timezone="America/New_York", days="every day")
        member = MemberRef(COMMUNITY, "bo")
        sources = ["daily", "quiz", "race", "review", "mock", "quiz", "review"]
        for n, day in enumerate(range(25, 32)):  # 25 .. 31 October, 23:30 in New York (03:30 UTC next day)
            at = datetime(2025, 10, day + 1, 3, 30, tzinfo=UTC) if day < 31 else datetime(2025, 11, 1, 3, 30,
                                                                                           tzinfo=UTC)
            h.clock.set(at)
            if sources[n] in ("quiz", "race", "review"):
                await h.core.registry.publish(ItemAttempted(member, f"i{n}", "mlops", sources[n], n % 2 == 0, at))
            else:
                await h.core.registry.publish(MemberActive(member, at, sources[n]))
        # Saturday 1 November studied; Sunday 2 November (25 hours: clocks go back) missed; Monday studied
        await active(h, "bo", datetime(2025, 11, 2, 3, 0, tzinfo=UTC))  # Saturday 23:00 EDT
        await h.run_until(datetime(2025, 11, 3, 5, 1, tzinfo=UTC))  # Monday 00:01 EST
        assert len(h.chat.dms("bo")) == 1 and "Sunday 2 November" in h.chat.dms("bo")[0].reply.text
        await active(h, "bo", datetime(2025, 11, 3, 14, 0, tzinfo=UTC))
        stats = await h.command("bo", "stats")
        assert field(stats, "Streak") == "9 days" and "used on Sun 2 Nov" in field(stats, "Freezes")
        assert "mlops: 40% (2/5)" in private(stats)  # the attempts counted too (2 of the 5 right)
    finally:
        await h.close()


async def test_days_already_counted_keep_their_zone_when_the_member_travels() -> None:
    h = await Harness.create(datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        await h.command("cy", "studybot", "timezone", zone="Asia/Tokyo")
        # Tokyo days 2, 3 and 4 June (23:00, 23:00 and 08:00 there)
        for at in (datetime(2025, 6, 2, 14, 0, tzinfo=UTC), datetime(2025, 6, 3, 14, 0, tzinfo=UTC),
                   datetime(2025, 6, 3, 23, 0, tzinfo=UTC)):
            await active(h, "cy", at)
        await h.command("cy", "studybot", "timezone", zone="America/Los_Angeles")
        await active(h, "cy", datetime(2025, 6, 5, 17, 0, tzinfo=UTC))  # 10:00 on 5 June in Los Angeles
        # counted again in Los Angeles time, the three Tokyo days would be 2, 3 and 3 June: a gap on the 4th
        assert field(await h.command("cy", "stats"), "Streak") == "4 days"
    finally:
        await h.close()


async def test_days_from_before_are_backfilled_from_daily_answers(tmp_path: Path) -> None:
    db = str(tmp_path / "old.db")
    nine = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    h = await Harness.create(nine - timedelta(hours=1), db=db)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        for day in range(3):
            await h.run_until(nine + timedelta(days=day, minutes=5))
            await h.answer("dee", f"answer {day}")
        await h.close()
        raw = sqlite3.connect(db)  # as a database from before study days were recorded
        raw.execute("DELETE FROM board_days")
        raw.execute("DELETE FROM board_backfilled")
        raw.commit()
        raw.close()
        h = await Harness.create(nine + timedelta(days=2, hours=3), db=db)
        assert field(await h.command("dee", "stats"), "Streak") == "3 days"
    finally:
        await h.close()
