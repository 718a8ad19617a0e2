from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import FakeChat, Harness

from bot.ports import DeliveryError, DeliveryProblem

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


async def test_a_week_of_daily_cycles_posts_each_day_once_with_fresh_questions() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        for day in range(7):
            await h.run_until(NINE + timedelta(days=day, minutes=5))
            await h.answer("alice", f"answer {day}")
            await h.core.sweep()  # an extra sweep changes nothing
        posts = h.chat.titled("Daily question")
        assert len(posts) == 7
        assert len({p.reply.text for p in posts}) == 7
        assert len(h.chat.titled("Reveal")) == 6
        stats = await h.command("alice", "stats")
        assert stats.reply is not None
        assert any(f.name == "Streak" and f.value == "7 days" for f in stats.reply.fields)
    finally:
        await h.close()


async def test_crash_between_recorded_and_sent_posts_exactly_once(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    chat = FakeChat()
    h = await Harness.create(START, db=db, chat=chat)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    chat.crash_after_send = True  # the platform took the message; the process died before recording it
    h.clock.set(NINE)
    try:
        await h.core.sweep()
    except RuntimeError:
        pass
    await h.close()
    assert len(chat.titled("Daily question")) == 1
    # restarted process, same platform: the lease must expire, then reconciliation finds the message
    h2 = await Harness.create(NINE + timedelta(seconds=30), db=db, chat=chat)
    try:
        await h2.core.sweep()
        assert len(chat.titled("Daily question")) == 1  # lease still held: nothing sent
        h2.clock.set(NINE + timedelta(minutes=5))
        await h2.core.sweep()
        assert len(chat.titled("Daily question")) == 1  # reconciled, not resent
        rnd = await h2.core.rounds.latest_round("console:guild1")
        assert rnd is not None and rnd.status.value == "posted" and rnd.message is not None
        answered = await h2.answer("bob", "after the restart")
        assert answered.reply and "Saved" in answered.reply.text
    finally:
        await h2.close()


async def test_crash_before_sending_sends_after_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    chat = FakeChat()
    h = await Harness.create(START, db=db, chat=chat)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    chat.fail_next.append(DeliveryError(DeliveryProblem.UNAVAILABLE, "connection reset"))
    h.clock.set(NINE)
    await h.core.sweep()
    await h.close()
    assert not chat.titled("Daily question")
    h2 = await Harness.create(NINE + timedelta(minutes=3), db=db, chat=chat)
    try:
        await h2.core.sweep()
        assert len(chat.titled("Daily question")) == 1
    finally:
        await h2.close()


async def test_two_cores_on_one_database_post_once(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    chat = FakeChat()
    a = await Harness.create(START, db=db, chat=chat)
    b = await Harness.create(START, db=db, chat=chat)
    try:
        await a.setup(time="09:00", timezone="UTC", days="every day")
        a.clock.set(NINE)
        b.clock.set(NINE)
        import asyncio

        await asyncio.gather(a.core.sweep(), b.core.sweep(), a.core.sweep(), b.core.sweep())
        assert len(chat.titled("Daily question")) == 1
        a.clock.set(NINE + timedelta(days=1))
        b.clock.set(NINE + timedelta(days=1))
        await asyncio.gather(a.core.sweep(), b.core.sweep())
        assert len(chat.titled("Reveal")) == 1
        assert len(chat.titled("Daily question")) == 2
    finally:
        await a.close()
        await b.close()


async def test_missed_post_caught_up_inside_grace_and_skipped_beyond(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    h = await Harness.create(START, db=db)
    await h.setup(time="09:00", timezone="UTC", days="every day", )
    await h.close()
    # down over 09:00; back at 12:00 (inside the 6h grace): caught up once
    h2 = await Harness.create(datetime(2025, 6, 2, 12, 0, tzinfo=UTC), db=db)
    await h2.core.sweep()
    await h2.core.sweep()
    assert len(h2.chat.titled("Daily question")) == 1
    await h2.close()
    # down from before the next day's 09:00 until 16:00: beyond grace, recorded as skipped
    h3 = await Harness.create(datetime(2025, 6, 3, 16, 0, tzinfo=UTC), db=db)
    try:
        await h3.core.sweep()
        assert not h3.chat.titled("Daily question")
        assert len(h3.chat.titled("Reveal")) == 1  # yesterday's reveal still happens
        from datetime import date

        rnd = await h3.core.rounds.round_on("console:guild1", date(2025, 6, 3))
        assert rnd is not None and rnd.status.value == "skipped"
    finally:
        await h3.close()


async def test_missing_permission_keeps_post_pending_and_tells_admin_once() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        for _ in range(3):
            h.chat.fail_next.append(DeliveryError(DeliveryProblem.MISSING_PERMISSION, "50013"))
        await h.run_until(NINE)
        assert not h.chat.titled("Daily question")
        notices = h.chat.dms("admin")
        assert len(notices) == 1 and "permission" in notices[0].reply.text
        await h.run_until(NINE + timedelta(minutes=20))  # retried after the admin back-off, fails again
        await h.run_until(NINE + timedelta(minutes=40))
        assert len(h.chat.dms("admin")) == 1  # told once
        await h.run_until(NINE + timedelta(minutes=60))
        assert len(h.chat.titled("Daily question")) == 1  # permission fixed: posted, nothing lost
    finally:
        await h.close()


async def test_a_post_that_never_got_out_is_closed_at_its_reveal_time() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        h.chat.fail_next.extend(DeliveryError(DeliveryProblem.MISSING_PERMISSION, "50013") for _ in range(20))
        await h.run_until(NINE + timedelta(hours=3))
        assert not h.chat.titled("Daily question")
        rounds = await h.core.rounds.unfinished_rounds("console:guild1")
        assert rounds == []  # recorded as skipped, so nothing keeps waking for it
        nxt = h.scheduler.next_run()
        assert nxt is not None and nxt >= datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
    finally:
        await h.close()
