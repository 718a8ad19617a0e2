"""The opt-in review DM: settings through the form (selects) or typed options, a durable per-member job at
the member's local time across DST changes, days off, no DM without opt-in or with nothing due, at most
one a day, after a restart too, and gone with the member's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import CHANNEL, COMMUNITY, Harness, small_bank

from bot.events import FormSubmitted
from bot.ids import MemberRef
from bot.messages import InputKind, Response
from bot.signals import ItemAttempted

JOB = "review.remind"
ITEMS = ("t-ml-algorithms-000", "t-deep-learning-001", "t-math-stats-002")


def key(who: str) -> str:
    return f"{COMMUNITY.key}/{who}"


async def miss(h: Harness, who: str, item_id: str = ITEMS[0]) -> None:
    await h.core.registry.publish(ItemAttempted(MemberRef(COMMUNITY, who), item_id, None, "quiz", False,
                                                h.clock.now()))


async def settings(h: Harness, who: str, remind: str = "on", time: str = "08:00", timezone: str = "UTC",
                   days_off: tuple[str, ...] = ()) -> Response:
    """Open /review settings and submit its form, selects as a member picks them."""
    opened = await h.command(who, "review", show="settings")
    assert opened.form is not None
    return await h.core.bot.handle(FormSubmitted(h.actor(who), CHANNEL, opened.form.form_id,
                                                 {"time": time, "timezone": timezone},
                                                 {"remind": (remind,), "days_off": days_off}))


def reminders(h: Harness, who: str) -> list[Any]:
    return [s for s in h.chat.dms(who) if s.reply.title == "Review reminder"]


async def at(h: Harness, when: datetime) -> int:
    """Run everything due up to `when`; how many review DMs were sent in all so far."""
    await h.run_until(when)
    return len([s for s in h.chat.sent if s.kind == "dm" and s.reply.title == "Review reminder"])


@pytest.fixture
async def h() -> Any:
    harness = await Harness.create(datetime(2025, 6, 2, 6, 0, tzinfo=UTC), bank=small_bank())
    yield harness
    await harness.close()


async def test_the_settings_form_uses_selects_and_shows_back_what_was_saved(h: Harness) -> None:
    opened = await h.command("alice", "review", show="settings")
    form = opened.form
    assert form is not None and len(form.fields) <= 5  # fits a Discord modal
    fields = {f.id: f for f in form.fields}
    assert fields["remind"].kind is InputKind.SELECT and fields["remind"].defaults == ("off",)  # off by default
    assert fields["days_off"].kind is InputKind.MULTI_SELECT and not fields["days_off"].required
    assert fields["timezone"].default == "UTC"  # no zone of their own: the community's (UTC when unset)
    assert form.intro and "none on days when nothing is due" in form.intro
    saved = await settings(h, "alice", time="18:30", timezone="Europe/Berlin", days_off=("5", "6"))
    assert saved.reply is not None and saved.visibility.value == "only_you"
    text = saved.reply.text
    assert text.startswith("Saved.") and "**on**" in text and "**18:30** (Europe/Berlin)" in text
    assert "except on weekends (sat, sun)" in text and "no DM on days with nothing due" in text
    first = datetime(2025, 6, 2, 16, 30, tzinfo=UTC)  # 18:30 in Berlin (UTC+2) this Monday
    assert f"{{t:{int(first.timestamp())}:f}}" in text
    member = await h.core.members.get(COMMUNITY.key, "alice")
    assert member is not None and member.timezone == "Europe/Berlin"  # their own zone now
    again = (await h.command("alice", "review", show="settings")).form
    assert again is not None
    shown = {f.id: f for f in again.fields}
    assert shown["remind"].defaults == ("on",) and shown["time"].default == "18:30"
    assert shown["timezone"].default == "Europe/Berlin" and shown["days_off"].defaults == ("5", "6")
    off = await settings(h, "alice", remind="off", timezone="Europe/Berlin")
    assert off.reply and "**off**" in off.reply.text
    assert await h.core.job_rows.get(JOB, key("alice")) is None


async def test_bad_settings_are_refused_whole_with_reasons(h: Harness) -> None:
    bad = await settings(h, "alice", time="25:99", timezone="Mars/Olympus")
    assert set(bad.form_errors) == {"time", "timezone"}
    assert bad.reply and bad.reply.text.startswith("Nothing was saved")
    every = await settings(h, "alice", days_off=tuple(str(d) for d in range(7)))
    assert "days_off" in every.form_errors
    typed = await h.command("alice", "review", days_off="sat,funday")
    assert typed.reply and "Nothing was saved" in typed.reply.text and "funday" in typed.reply.text
    exported = (await h.core.registry.export_member(MemberRef(COMMUNITY, "alice")))["review"]
    assert exported["reminder"] is None and await h.core.job_rows.get(JOB, key("alice")) is None


async def test_typed_options_work_where_no_form_can_open(h: Harness) -> None:
    shown = await h.command("alice", "review", show="settings", can_open_form=False)
    assert shown.form is None and shown.reply and "**off**" in shown.reply.text
    assert "/review settings remind:on" in shown.reply.text
    saved = await h.command("alice", "review", remind="on", time="7:15", days_off="weekends")
    assert saved.reply and "**07:15** (UTC), except on weekends (sat, sun)" in saved.reply.text
    cleared = await h.command("alice", "review", days_off="none")
    assert cleared.reply and "**07:15** (UTC), every day" in cleared.reply.text


async def test_nothing_is_sent_to_a_member_who_has_not_opted_in(h: Harness) -> None:
    await miss(h, "bob")
    await settings(h, "bob", remind="off")
    assert await at(h, datetime(2025, 6, 9, 12, 0, tzinfo=UTC)) == 0
    assert await h.core.job_rows.get(JOB, key("bob")) is None


async def test_the_dm_comes_at_the_members_local_time_across_dst_in_spring() -> None:
    # New York springs forward on Sunday 9 March 2025: 08:00 is 13:00 UTC before, 12:00 UTC after
    h = await Harness.create(datetime(2025, 3, 7, 6, 0, tzinfo=UTC), bank=small_bank())
    try:
        await miss(h, "alice")
        await settings(h, "alice", time="08:00", timezone="America/New_York")
        for day, hour in ((7, 13), (8, 13), (9, 12), (10, 12)):
            sent = await at(h, datetime(2025, 3, day, hour, 0, tzinfo=UTC) - timedelta(minutes=1))
            assert await at(h, datetime(2025, 3, day, hour, 0, tzinfo=UTC)) == sent + 1, (day, hour)
        assert len(reminders(h, "alice")) == 4
        assert "1 review card due" in reminders(h, "alice")[-1].reply.text
    finally:
        await h.close()


async def test_the_dm_comes_at_the_members_local_time_across_dst_in_autumn() -> None:
    # New York falls back on Sunday 2 November 2025: 08:00 is 12:00 UTC before, 13:00 UTC after
    h = await Harness.create(datetime(2025, 10, 31, 6, 0, tzinfo=UTC), bank=small_bank())
    try:
        await miss(h, "alice")
        await h.command("alice", "studybot", "timezone", zone="America/New_York")  # their zone, set before
        opened = (await h.command("alice", "review", show="settings")).form
        assert opened is not None and {f.id: f.default for f in opened.fields}["timezone"] == "America/New_York"
        await settings(h, "alice", time="08:00", timezone="America/New_York")
        for day, hour in ((31, 12), (1, 12), (2, 13), (3, 13)):
            month = 10 if day == 31 else 11
            when = datetime(2025, month, day, hour, 0, tzinfo=UTC)
            sent = await at(h, when - timedelta(minutes=1))
            assert await at(h, when) == sent + 1, (day, hour)
        assert await h.core.job_rows.get(JOB, key("alice")) is not None
    finally:
        await h.close()


async def test_no_dm_on_days_off(h: Harness) -> None:
    await miss(h, "alice")
    await settings(h, "alice", time="08:00", days_off=("5", "6"))  # Monday 2 June 2025 to the next Monday
    await at(h, datetime(2025, 6, 9, 9, 0, tzinfo=UTC))
    days = [s.ref.id for s in reminders(h, "alice") if s.ref is not None]
    assert len(days) == 6  # Mon-Fri, then Monday again: not Saturday or Sunday
    assert await at(h, datetime(2025, 6, 14, 12, 0, tzinfo=UTC)) == 6 + 4  # Tue-Fri of the next week


async def test_no_dm_when_nothing_is_due_and_the_plan_goes_on(h: Harness) -> None:
    await settings(h, "alice", time="08:00")
    assert await at(h, datetime(2025, 6, 4, 9, 0, tzinfo=UTC)) == 0  # nothing due: no DM
    assert await h.core.job_rows.get(JOB, key("alice")) is not None  # still planned for tomorrow
    await miss(h, "alice")
    assert await at(h, datetime(2025, 6, 5, 8, 0, tzinfo=UTC)) == 1
    (dm,) = reminders(h, "alice")
    start = await h.click("alice", dm.reply.choices[0].action)  # "Start reviewing" from the DM
    assert start.replace_original and start.reply and "Show answer" in [c.label for c in start.reply.choices]
    assert dm.reply.idempotency_key == f"review-remind:{COMMUNITY.key}:alice:2025-06-05"


async def test_at_most_one_dm_a_day_even_when_the_time_moves_later(h: Harness) -> None:
    await miss(h, "alice")
    await settings(h, "alice", time="08:00")
    assert await at(h, datetime(2025, 6, 2, 8, 30, tzinfo=UTC)) == 1
    await settings(h, "alice", time="10:00")  # later the same day: today's DM was sent already
    assert await at(h, datetime(2025, 6, 2, 23, 0, tzinfo=UTC)) == 1
    assert await at(h, datetime(2025, 6, 3, 10, 0, tzinfo=UTC)) == 2


async def test_a_reminder_missed_by_hours_is_not_sent_late_and_the_next_is_planned(h: Harness) -> None:
    await miss(h, "alice")
    await settings(h, "alice", time="08:00")
    h.clock.set(datetime(2025, 6, 2, 15, 0, tzinfo=UTC))  # the bot was down from before 08:00 until 15:00
    assert await at(h, datetime(2025, 6, 2, 15, 0, tzinfo=UTC)) == 0
    assert await at(h, datetime(2025, 6, 3, 8, 0, tzinfo=UTC)) == 1


async def test_the_reminder_survives_a_restart_and_ends_with_the_members_data(tmp_path: Path) -> None:
    db = str(tmp_path / "studybot.db")
    first = await Harness.create(datetime(2025, 6, 2, 6, 0, tzinfo=UTC), db=db, bank=small_bank())
    try:
        await miss(first, "alice")
        await miss(first, "bob")
        await settings(first, "alice", time="08:00")
        await settings(first, "bob", time="08:00")
    finally:
        await first.close()
    second = await Harness.create(datetime(2025, 6, 2, 7, 0, tzinfo=UTC), db=db, bank=small_bank())
    try:
        await second.core.sweep()  # what a start does: the due work is found in the database
        assert await at(second, datetime(2025, 6, 2, 8, 0, tzinfo=UTC)) == 2
        await second.core.registry.erase_member(MemberRef(COMMUNITY, "alice"))
        assert await at(second, datetime(2025, 6, 3, 8, 0, tzinfo=UTC)) == 3  # bob's only
        assert len(reminders(second, "alice")) == 1 and len(reminders(second, "bob")) == 2
    finally:
        await second.close()


async def test_the_dm_wording_follows_the_number_of_cards(h: Harness) -> None:
    """Regression: one due card was told "a few minutes now keeps them fresh"."""
    await miss(h, "alice")
    await settings(h, "alice", time="08:00")
    assert await at(h, datetime(2025, 6, 2, 8, 0, tzinfo=UTC)) == 1
    await miss(h, "alice", ITEMS[1])
    assert await at(h, datetime(2025, 6, 3, 8, 0, tzinfo=UTC)) == 2
    one, two = (dm.reply.text for dm in reminders(h, "alice"))
    assert "You have 1 review card due" in one and "keeps it fresh" in one
    assert "You have 2 review cards due" in two and "keeps them fresh" in two
