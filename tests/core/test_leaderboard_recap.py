"""The weekly recap: posted at the community's chosen time before the week resets, once (across a crash and
restart, and with two processes on one database file), with winners, most improved, longest streaks,
participation and the hardest topics; its time is a community setting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import COMMUNITY, FakeChat, Harness

from bot.ids import MemberRef
from bot.signals import ItemAttempted, MemberActive
from bot.store.ledger import LedgerRepo

BERLIN = "Europe/Berlin"
MONDAY = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # 08:00 in Berlin
SUNDAY_18 = datetime(2025, 6, 8, 16, 0, tzinfo=UTC)  # 18:00 in Berlin (CEST): the default recap time


async def fill_week(h: Harness) -> None:
    """Last week and this week's points, streaks and attempts, as the other features would leave them."""
    ledger = LedgerRepo(h.core.db)
    for member, last, this in (("ann", 30, 35), ("ben", 2, 20), ("cat", 0, 5)):
        if last:
            await ledger.award(COMMUNITY.key, member, last, "daily_answer", "last", MONDAY - timedelta(days=3))
        await ledger.award(COMMUNITY.key, member, this, "daily_answer", "this", MONDAY + timedelta(hours=1))
    for day in range(7):  # ben studies every day; cat on Monday and Tuesday only; ann from Friday
        at = MONDAY + timedelta(days=day, hours=2)
        await h.core.registry.publish(MemberActive(MemberRef(COMMUNITY, "ben"), at, "review"))
        for n in range(2):
            if day < 2:
                await h.core.registry.publish(ItemAttempted(MemberRef(COMMUNITY, "cat"), f"q{day}{n}", "math-stats",
                                                            "quiz", n == 0 and day == 0, at))
            if day >= 4:
                await h.core.registry.publish(ItemAttempted(MemberRef(COMMUNITY, "ann"), f"q{day}{n}", "mlops",
                                                            "quiz", n == 0, at))


async def test_the_recap_is_posted_at_the_chosen_time_with_the_weeks_story() -> None:
    h = await Harness.create(MONDAY)
    try:
        await h.setup(time="09:00", timezone=BERLIN, days="every day")
        await fill_week(h)
        await h.run_until(SUNDAY_18 - timedelta(minutes=1))
        assert not h.chat.titled("Weekly recap")
        await h.run_until(SUNDAY_18 + timedelta(minutes=1))
        (recap,) = h.chat.titled("Weekly recap")
        assert recap.where == "general"
        reply = recap.reply
        assert reply.text.startswith("**Winners**\n🥇 {@ann}: **35** pts\n🥈 {@ben}: **20** pts\n🥉 {@cat}: **5** pts")
        assert "3 members studied this week (last week: 0)" in reply.text
        fields = {f.name: f.value for f in reply.fields}
        assert fields["Most improved"] == "{@ben} (+18), {@ann} (+5), {@cat} (+5)"
        assert fields["Longest streaks"] == "{@ben} (7 days), {@ann} (3 days)"  # cat's ended on Wednesday
        assert fields["Hardest topics"] == "math-stats (25% right over 4), mlops (50% right over 6)"
        await h.run_until(SUNDAY_18 + timedelta(days=6, hours=23))  # nothing more this week; next Sunday next
        assert len(h.chat.titled("Weekly recap")) == 1
        await h.run_until(SUNDAY_18 + timedelta(days=7, minutes=1))
        assert len(h.chat.titled("Weekly recap")) == 2
    finally:
        await h.close()


async def test_a_third_place_tied_with_the_fourth_is_shown_as_a_tie() -> None:
    """The podium shows three; when the fourth has as many points as the third, the third says tied (as the
    board does across a page), and a clear third does not."""
    h = await Harness.create(MONDAY)
    try:
        await h.setup(time="09:00", timezone=BERLIN, days="every day")
        ledger = LedgerRepo(h.core.db)
        for member, points in (("ann", 30), ("ben", 20), ("cat", 9), ("dan", 9), ("eve", 0)):
            await ledger.award(COMMUNITY.key, member, points, "daily_answer", "this", MONDAY + timedelta(hours=1))
        await h.run_until(SUNDAY_18 + timedelta(minutes=1))
        (recap,) = h.chat.titled("Weekly recap")
        podium = recap.reply.text.split("\n\n")[0]
        assert podium.endswith("🥈 {@ben}: **20** pts\n🥉 {@cat}: **9** pts (tied)"), podium
        assert "dan" not in podium and "(tied)" not in podium.split("\n")[1]
    finally:
        await h.close()


async def test_the_recap_time_is_a_setting_and_off_stops_it() -> None:
    h = await Harness.create(MONDAY)
    try:
        await h.setup(time="09:00", timezone=BERLIN, days="every day")
        bad = await h.command("admin", "studybot", "config", admin=True, key="recap", value="someday")
        assert bad.reply is not None and "Not changed" in bad.reply.text and "sun 18:00" in bad.reply.text
        ok = await h.command("admin", "studybot", "config", admin=True, key="recap", value="fri 17:30")
        assert ok.reply is not None and "recap is now fri 17:30" in ok.reply.text
        await h.run_until(datetime(2025, 6, 6, 15, 29, tzinfo=UTC))  # Friday 17:29 in Berlin
        assert not h.chat.titled("Weekly recap")
        await h.run_until(datetime(2025, 6, 6, 15, 31, tzinfo=UTC))
        assert len(h.chat.titled("Weekly recap")) == 1
        await h.command("admin", "studybot", "config", admin=True, key="recap", value="off")
        await h.run_until(datetime(2025, 6, 21, 0, 0, tzinfo=UTC))
        assert len(h.chat.titled("Weekly recap")) == 1
    finally:
        await h.close()


async def test_a_crash_between_the_post_and_its_record_posts_once_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "recap.db")
    chat = FakeChat()
    h = await Harness.create(MONDAY, db=db, chat=chat)
    await h.setup(time="09:00", timezone=BERLIN, days="every day")
    await h.run_until(SUNDAY_18 - timedelta(minutes=1))
    chat.crash_after_send = True  # the platform took the recap; the process died before recording it
    try:
        await h.run_until(SUNDAY_18)
    except RuntimeError:
        pass
    await h.close()
    assert len(chat.titled("Weekly recap")) == 1
    h = await Harness.create(SUNDAY_18 + timedelta(minutes=10), db=db, chat=chat)
    try:
        await h.core.release_dead_claims()  # the restarted process takes back its dead claims
        await h.core.sweep()
        await h.run_until(SUNDAY_18 + timedelta(hours=2))
        assert len(chat.titled("Weekly recap")) == 1  # reconciled with the platform, not posted again
        await h.run_until(SUNDAY_18 + timedelta(days=7, minutes=1))  # and next week's is planned
        assert len(chat.titled("Weekly recap")) == 2
    finally:
        await h.close()


async def test_two_processes_on_one_database_post_one_recap(tmp_path: Path) -> None:
    db = str(tmp_path / "recap.db")
    chat = FakeChat()
    a = await Harness.create(MONDAY, db=db, chat=chat)
    b = await Harness.create(MONDAY, db=db, chat=chat)
    try:
        await a.setup(time="09:00", timezone=BERLIN, days="every day")
        for at in (SUNDAY_18, SUNDAY_18 + timedelta(minutes=1), SUNDAY_18 + timedelta(hours=3)):
            a.clock.set(at)
            b.clock.set(at)
            await asyncio.gather(a.core.jobs.tick(), b.core.jobs.tick(), a.core.jobs.tick(), b.core.jobs.tick())
        assert len(chat.titled("Weekly recap")) == 1
    finally:
        await a.close()
        await b.close()


async def test_a_recap_time_missed_until_the_week_reset_is_not_posted_late(tmp_path: Path) -> None:
    db = str(tmp_path / "recap.db")
    h = await Harness.create(MONDAY, db=db)
    await h.setup(time="09:00", timezone=BERLIN, days="every day")
    await h.close()
    h = await Harness.create(datetime(2025, 6, 9, 6, 0, tzinfo=UTC), db=db)  # down until Monday 08:00
    try:
        await h.core.sweep()
        assert not h.chat.titled("Weekly recap")
        await h.run_until(datetime(2025, 6, 15, 16, 1, tzinfo=UTC))  # the next Sunday's goes out
        assert len(h.chat.titled("Weekly recap")) == 1
    finally:
        await h.close()
