"""What a member or admin is told is what happened: saved means saved, posted means posted."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import FakeChat, Harness

from bot.commands import UsageError, find, parse_text
from bot.config import Config
from bot.ports import DeliveryError, DeliveryProblem
from bot.process import ProcessId

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
REVEAL = NINE + timedelta(hours=2)


async def ready(h: Harness) -> Harness:
    await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
    await h.run_until(NINE)
    return h


@pytest.fixture
async def h() -> Harness:
    harness = await ready(await Harness.create(START))
    yield harness  # type: ignore[misc]
    await harness.close()


def text_of(resp: object) -> str:
    reply = getattr(resp, "reply", None)
    return reply.text if reply else ""


# late answers and edits after the reveal -------------------------------------------------------
async def test_an_edit_after_the_reveal_is_refused_and_the_new_text_handed_back(h: Harness) -> None:
    form = (await h.command("alice", "daily")).form
    assert form is not None
    await h.submit("alice", form.form_id, answer="my answer before the reveal")
    await h.run_until(REVEAL + timedelta(minutes=1))
    late_edit = await h.submit("alice", form.form_id, answer="a better answer written after the reveal")
    said = text_of(late_edit)
    assert "Saved" not in said and "can no longer be edited" in said
    assert "a better answer written after the reveal" in said  # handed back, not lost
    again = await h.command("alice", "daily")
    assert again.form is None  # no edit form is offered once the answer cannot change


async def test_the_button_the_command_and_the_form_agree_about_late_answers(h: Harness) -> None:
    await h.run_until(REVEAL + timedelta(minutes=1))
    by_command = await h.command("bob", "daily", answer="late but typed inline")
    assert "Late answer saved" == (by_command.reply.title if by_command.reply else None)
    assert "+4" in text_of(by_command)
    form = (await h.command("carol", "daily")).form
    assert form is not None
    assert "private until the reveal" not in form.fields[0].label
    assert "late" in (form.intro or "").casefold() + form.fields[0].label.casefold()
    by_form = await h.submit("carol", form.form_id, answer="late through the form")
    assert "+4" in text_of(by_form)


async def test_a_late_answer_after_the_late_window_is_refused_everywhere(h: Harness) -> None:
    await h.run_until(REVEAL + timedelta(minutes=1))
    await h.command("admin", "studybot", "config", admin=True, key="enabled", value="no")
    await h.run_until(REVEAL + timedelta(days=8))
    resp = await h.command("bob", "daily", answer="far too late")
    assert "nothing was saved" in text_of(resp) and "far too late" in text_of(resp)


# typed commands ---------------------------------------------------------------------------------------
def test_free_text_after_daily_is_never_taken_for_an_answer() -> None:
    daily = find("daily")
    assert daily is not None
    with pytest.raises(UsageError, match="answer"):
        parse_text(daily, "alice")
    assert parse_text(daily, "answer it depends").options == {"answer": "it depends"}
    assert parse_text(daily, "answer: it depends").options == {"answer": "it depends"}
    assert parse_text(daily, "").options == {}


# a store that stays busy ------------------------------------------------------------------------------
async def test_a_write_that_cannot_get_the_database_says_so_and_hands_the_text_back(tmp_path: Path) -> None:
    db = str(tmp_path / "busy.db")
    config = Config(db=db, db_busy_timeout_ms=20, db_retry_delay_ms=10)
    h = await ready(await Harness.create(START, db=db, config=config))
    try:
        form = (await h.command("alice", "daily")).form
        assert form is not None
        blocker = sqlite3.connect(db, timeout=0)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holds the file past every retry
        try:
            resp = await h.submit("alice", form.form_id, answer="an answer worth keeping")
        finally:
            blocker.rollback()
            blocker.close()
        said = text_of(resp)
        assert "lost" not in said and "Nothing was saved" in said and "an answer worth keeping" in said
        assert resp.form_errors  # a form stays open where the platform can keep it
        mine = await h.command("alice", "daily")
        assert mine.form is not None and mine.form.fields[0].default is None  # truly not saved
        resp = await h.submit("alice", form.form_id, answer="an answer worth keeping")
        assert "Saved" in text_of(resp)
    finally:
        await h.close()


# admin shortcuts say what happened --------------------------------------------------------------------
async def test_post_now_on_a_paused_community_says_it_is_paused() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        await h.command("admin", "studybot", "config", admin=True, key="enabled", value="no")
        resp = await h.command("admin", "studybot", "post-now", admin=True)
        assert "paused" in text_of(resp) and "setup" not in text_of(resp)
    finally:
        await h.close()


async def test_post_now_retries_a_refused_post_at_once_and_says_why_it_failed() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        h.chat.fail_next.append(DeliveryError(DeliveryProblem.MISSING_PERMISSION, "50013"))
        await h.run_until(NINE)
        assert not h.chat.titled("Daily question")
        h.chat.fail_next.append(DeliveryError(DeliveryProblem.MISSING_PERMISSION, "50013"))
        still = await h.command("admin", "studybot", "post-now", admin=True)
        assert "could not post" in text_of(still) and "permission" in text_of(still)
        h.clock.set(NINE + timedelta(seconds=10))  # the admin fixes the permission and asks again at once
        fixed = await h.command("admin", "studybot", "post-now", admin=True)
        assert text_of(fixed) == "Done: posted it."
        assert len(h.chat.titled("Daily question")) == 1
    finally:
        await h.close()


async def test_post_now_while_another_process_holds_the_post_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "two.db")
    chat = FakeChat()
    h = await Harness.create(START, db=db, chat=chat)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    chat.crash_after_send = True  # the other process posted it and is still (as far as we know) recording it
    h.clock.set(NINE)
    with pytest.raises(RuntimeError):
        await h.core.daily.run_due("console:guild1")
    other = await Harness.create(NINE + timedelta(seconds=20), db=db, chat=chat,
                                 process=ProcessId("another-host", 4242, "t"))
    try:
        resp = await other.command("admin", "studybot", "post-now", admin=True)
        assert "Another studybot process" in text_of(resp) and "could not" not in text_of(resp)
        assert len(chat.titled("Daily question")) == 1
    finally:
        await other.close()
        await h.close()


async def test_reveal_now_that_fails_does_not_say_revealed(h: Harness) -> None:
    await h.answer("alice", "an answer")
    h.chat.fail_next.append(DeliveryError(DeliveryProblem.UNAVAILABLE, "503"))
    resp = await h.command("admin", "studybot", "reveal-now", admin=True)
    assert "Revealed" not in text_of(resp) and "could not post the reveal" in text_of(resp)
    ok = await h.command("admin", "studybot", "reveal-now", admin=True)
    assert text_of(ok) == "Done: revealed." and len(h.chat.titled("Reveal")) == 1


async def test_a_reveal_with_no_answers_does_not_send_anyone_to_their_dms(h: Harness) -> None:
    await h.run_until(REVEAL + timedelta(minutes=1))
    (reveal,) = h.chat.titled("Reveal")
    assert "DM" not in reveal.reply.text and "Nobody answered" in reveal.reply.text


# retries ---------------------------------------------------------------------------------------------------
async def test_failures_back_off_instead_of_waiting_a_fixed_time() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="8h")
        h.chat.fail_next.extend(DeliveryError(DeliveryProblem.UNAVAILABLE, "503") for _ in range(3))
        await h.run_until(NINE)
        waits = []
        for _ in range(3):
            nxt = h.scheduler.next_run()
            assert nxt is not None
            waits.append(nxt - h.clock.now())
            await h.run_until(nxt)
        assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
        assert len(h.chat.titled("Daily question")) == 1
    finally:
        await h.close()


async def test_a_rate_limit_is_retried_when_the_platform_asked() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="8h")
        h.chat.fail_next.append(DeliveryError(DeliveryProblem.RATE_LIMITED, "429", retry_after=90))
        await h.run_until(NINE)
        assert h.scheduler.next_run() == NINE + timedelta(seconds=90)
        await h.run_until(NINE + timedelta(seconds=89))
        assert not h.chat.titled("Daily question")
        await h.run_until(NINE + timedelta(seconds=90))
        assert len(h.chat.titled("Daily question")) == 1
    finally:
        await h.close()


async def test_a_restarted_process_reconciles_its_own_dead_claim_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "crash.db")
    chat = FakeChat()
    before = ProcessId("host-a", os.getpid(), "first-life")
    h = await Harness.create(START, db=db, chat=chat, process=before)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    chat.crash_after_send = True
    h.clock.set(NINE)
    with pytest.raises(RuntimeError):
        await h.core.daily.run_due("console:guild1")
    await h.close()
    after = ProcessId("host-a", os.getpid(), "second-life")  # same host and pid (a container's PID 1)
    h2 = await Harness.create(NINE + timedelta(seconds=5), db=db, chat=chat, process=after)
    try:
        assert await h2.core.release_dead_claims() == 1
        await h2.core.sweep()
        shown = await h2.command("bob", "daily", can_open_form=False)
        assert shown.reply and (shown.reply.title or "").startswith("Daily question")
        assert len(chat.titled("Daily question")) == 1  # reconciled, not sent twice
    finally:
        await h2.close()


async def test_a_live_process_keeps_its_claim(tmp_path: Path) -> None:
    db = str(tmp_path / "live.db")
    chat = FakeChat()
    alive = ProcessId("host-a", os.getppid(), "parent")  # a process of this host that is certainly alive
    h = await Harness.create(START, db=db, chat=chat, process=alive)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    chat.crash_after_send = True
    h.clock.set(NINE)
    with pytest.raises(RuntimeError):
        await h.core.daily.run_due("console:guild1")
    h2 = await Harness.create(NINE + timedelta(seconds=5), db=db, chat=chat,
                              process=ProcessId("host-a", os.getpid(), "me"))
    try:
        assert await h2.core.release_dead_claims() == 0
    finally:
        await h2.close()
        await h.close()


# admin inputs are checked in the core -------------------------------------------------------------------
async def test_admin_inputs_are_checked_in_the_core(h: Harness) -> None:
    await h.answer("bob", "hello")
    huge = await h.command("admin", "studybot", "points", admin=True, member="bob", amount=10**12)
    assert "at most 1000" in text_of(huge)
    ghost = await h.command("admin", "studybot", "points", admin=True, member="nosuch-member", amount=5)
    assert "can't find" in text_of(ghost) and "Added" not in text_of(ghost)
    stats = await h.command("alice", "stats", member="nosuch-member")
    assert "can't find" in text_of(stats)
    ok = await h.command("admin", "studybot", "points", admin=True, member="bob", amount=5)
    assert "Added 5 points" in text_of(ok)
    wrong_type = await h.command("admin", "studybot", "points", admin=True, member="bob", amount="5")
    assert "whole number" in text_of(wrong_type)


async def test_the_longest_answer_round_trips_through_every_platforms_form(h: Harness) -> None:
    from adapters.discord.components import form_modal
    from adapters.slack import render as slack_render
    from bot.features.daily.views import MAX_ANSWER

    longest = "x" * (MAX_ANSWER - 1) + "é"
    saved = await h.answer("alice", longest)
    assert "Saved" in text_of(saved)
    form = (await h.command("alice", "daily")).form
    assert form is not None and form.fields[0].default == longest
    view = slack_render.modal(form, "{}")
    inputs = [b for b in view["blocks"] if b.get("type") == "input"]
    assert inputs[0]["element"]["initial_value"] == longest  # Slack holds 3,000: nothing is cut
    modal = form_modal(form)
    assert any(getattr(getattr(c, "component", None), "default", None) == longest for c in modal.children)
    over = await h.submit("alice", form.form_id, answer=longest + "y")
    assert "not saved" in text_of(over)


async def test_a_failing_community_resumes_at_once_when_its_admin_changes_a_setting() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="8h")
        h.chat.fail_next.extend(DeliveryError(DeliveryProblem.CHANNEL_GONE, "10003") for _ in range(3))
        await h.run_until(NINE + timedelta(minutes=7))  # 09:00, 09:01 and 09:06 refused: next try at 09:21
        assert not h.chat.titled("Daily question")
        assert h.scheduler.next_run() == NINE + timedelta(minutes=21)
        h.clock.set(NINE + timedelta(minutes=8))
        await h.command("admin", "studybot", "config", admin=True, key="channel", value="here")
        assert len(h.chat.titled("Daily question")) == 1  # tried again at once, not at 09:21
    finally:
        await h.close()


async def test_when_the_platform_answers_again_what_waited_for_it_goes_at_once() -> None:
    from bot.events import Actor, CommandInvoked, FormSubmitted
    from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform

    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="8h")
        other = CommunityRef(Platform.CONSOLE, "guild2")
        boss = Actor(MemberRef(other, "boss"), "Boss", is_admin=True)
        where = ChannelRef(other, "general")
        form = (await h.core.bot.handle(CommandInvoked(boss, where, "studybot", {}, "setup"))).form
        assert form is not None
        values = {f.id: f.default or "" for f in form.fields} | {"time": "10:00", "timezone": "UTC",
                                                                "days": "every day", "reveal": "8h"}
        await h.core.bot.handle(FormSubmitted(boss, where, form.form_id, values))
        h.chat.fail_next.extend(DeliveryError(DeliveryProblem.UNAVAILABLE, "503") for _ in range(4))
        await h.run_until(NINE + timedelta(minutes=25))  # 09:00, 09:01, 09:06, 09:21 refused: next try 10:21
        assert not h.chat.titled("Daily question")
        await h.run_until(NINE + timedelta(hours=1))  # guild2's 10:00 post goes out: the platform is back
        posted = {s.where for s in h.chat.titled("Daily question")}
        assert posted == {"general"} and len(h.chat.titled("Daily question")) == 2  # guild1's did not wait to 10:21
    finally:
        await h.close()
