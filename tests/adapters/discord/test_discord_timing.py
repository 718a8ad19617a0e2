"""Discord wants an answer within three seconds: a slow core is deferred, then edited or followed up;
an interaction that expired anyway loses nothing public."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from discord_fake import EPHEMERAL, FakeDiscord, Payloads
from discord_harness import NINE, SETUP, Handle, Studybot, custom_ids, make_studybot, set_up

from bot.events import Event
from bot.messages import Response
from bot.registry import Catalogue

WEBHOOK = r"/webhooks/\d+/[^/]+"


class Gate:
    """Holds every core call until the test has seen the defer."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()

    def wrap(self, handle: Handle) -> Handle:
        async def held(event: Event) -> Response:
            await self.open.wait()
            return await handle(event)

        return held


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
async def slow(fake: FakeDiscord, tmp_path: Path, gate: Gate) -> AsyncIterator[Studybot]:
    studybot = await make_studybot(fake, str(tmp_path / "studybot.db"), wrap=gate.wrap, defer_after=0.02)
    await studybot.login_only()
    try:
        yield studybot
    finally:
        await studybot.stop()


async def quick_set_up(studybot: Studybot, payloads: Payloads) -> None:
    """The setup modal must be the first answer: give the core the platform's whole budget for it, so a busy
    machine cannot turn it into a defer (the tests below are about what comes after)."""
    handler = studybot.adapter.handler
    short, handler.defer_after = handler.defer_after, 2.5
    try:
        await set_up(studybot, payloads)
    finally:
        handler.defer_after = short


async def held(slow: Studybot, gate: Gate, payload: dict) -> dict:
    """Deliver while the core is held; return the defer's body, then let the core answer."""
    gate.open.clear()
    deferred = await slow.interact(payload)
    gate.open.set()
    return deferred.body


async def test_a_slow_public_command_is_deferred_publicly_then_edited(slow, gate, fake: FakeDiscord,
                                                                       payloads: Payloads) -> None:
    mark = fake.mark()
    deferred = await held(slow, gate, payloads.command("leaderboard"))
    assert deferred["type"] == 5 and not (deferred.get("data") or {}).get("flags")
    edit = await fake.wait_call("PATCH", rf"{WEBHOOK}/messages/@original", after=mark)
    assert edit.body["embeds"][0]["title"] == "Leaderboard · All time"


async def test_a_slow_private_command_is_deferred_privately_then_edited(slow, gate, fake: FakeDiscord,
                                                                         payloads: Payloads) -> None:
    mark = fake.mark()
    deferred = await held(slow, gate, payloads.command("studybot_help"))
    assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL
    edit = await fake.wait_call("PATCH", rf"{WEBHOOK}/messages/@original", after=mark)
    assert edit.body["embeds"][0]["title"] == "studybot help"


async def test_deferred_the_wrong_way_the_answer_becomes_a_new_message(slow, gate, fake: FakeDiscord,
                                                                        payloads: Payloads) -> None:
    await quick_set_up(slow, payloads)
    mark = fake.mark()
    deferred = await held(slow, gate, payloads.modal_submit("admin:setup", SETUP, who="ada"))
    assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL  # guessed private
    await fake.wait_call("DELETE", rf"{WEBHOOK}/messages/@original", after=mark)
    follow = await fake.wait_call("POST", WEBHOOK, after=mark)  # the public "set up" message
    assert not follow.body.get("flags") and follow.body["embeds"][0]["title"] == "studybot is set up"


async def test_a_form_too_late_for_a_modal_comes_with_a_button_that_opens_it(slow, gate, fake: FakeDiscord,
                                                                            payloads: Payloads) -> None:
    await quick_set_up(slow, payloads)
    await slow.run_until(NINE)
    post = fake.messages[fake.channel_id][-1]
    mark = fake.mark()
    deferred = await held(slow, gate, payloads.button(post, "daily:answer:1"))
    assert deferred["type"] == 6  # a silent acknowledgement: the modal can no longer be the first response
    follow = await fake.wait_call("POST", WEBHOOK, after=mark)
    assert follow.body["flags"] == EPHEMERAL and follow.body["content"] == "Here is the form you asked for:"
    opened = await slow.interact(payloads.button(follow.response, custom_ids(follow.response)[0]))
    assert opened.body["type"] == 9 and opened.body["data"]["custom_id"] == "daily:submit:1"


async def test_a_slow_button_edits_its_message_after_deferring(slow, gate, fake: FakeDiscord,
                                                               payloads: Payloads) -> None:
    await quick_set_up(slow, payloads)
    await slow.run_until(NINE)
    post = fake.messages[fake.channel_id][-1]
    saved = await slow.interact(payloads.modal_submit("daily:submit:1", {"answer": "An answer."}, message=post))
    mark = fake.mark()
    deferred = await held(slow, gate, payloads.button(saved.response["resource"]["message"], "daily:share:1"))
    assert deferred["type"] == 6
    edit = await fake.wait_call("PATCH", rf"{WEBHOOK}/messages/@original", after=mark)
    assert "daily:private:1" in custom_ids(edit.body)


async def test_an_expired_interaction_posts_its_public_reply_in_the_channel(bot, fake: FakeDiscord,
                                                                            payloads: Payloads, caplog) -> None:
    fake.fail("POST", r"/interactions/\d+/[^/]+/callback", 404, "error_10062_unknown_interaction")
    mark = fake.mark()
    payload = payloads.command("leaderboard")
    await bot.interact(payload)
    post = await fake.wait_call("POST", rf"/channels/{fake.channel_id}/messages", after=mark)
    assert post.body["embeds"][0]["title"] == "Leaderboard · All time"
    assert f"interaction {payload['id']}" in caplog.text and "expired" in caplog.text


class LogWaiter(logging.Handler):
    """Sets an event when a log record containing `text` arrives (the handler's only sign of life)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()


async def test_an_expired_private_reply_is_logged_not_posted(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    fake.fail("POST", r"/interactions/\d+/[^/]+/callback", 404, "error_10062_unknown_interaction")
    waiter = LogWaiter("the member saw no reply")
    logger = logging.getLogger("adapters.discord.handler")
    logger.addHandler(waiter)
    try:
        await bot.interact(payloads.command("studybot_help"))
        await asyncio.wait_for(waiter.seen.wait(), 5)
    finally:
        logger.removeHandler(waiter)
    assert not fake.calls_matching("POST", rf"/channels/{fake.channel_id}/messages")


async def test_a_form_button_from_before_a_restart_is_answered(slow, gate, fake: FakeDiscord, payloads: Payloads,
                                                              tmp_path: Path) -> None:
    await quick_set_up(slow, payloads)
    await slow.run_until(NINE)
    post = fake.messages[fake.channel_id][-1]
    mark = fake.mark()
    await held(slow, gate, payloads.button(post, "daily:answer:1"))
    follow = await fake.wait_call("POST", WEBHOOK, after=mark)
    await slow.stop()
    restarted = await make_studybot(fake, str(tmp_path / "studybot.db"))
    await restarted.login_only()
    try:  # the new process never saw that button: the member is told, not left with "interaction failed"
        answered = await restarted.interact(payloads.button(follow.response, custom_ids(follow.response)[0]))
        assert answered.body["type"] == 4 and answered.body["data"]["flags"] == EPHEMERAL
        assert "expired" in answered.body["data"]["content"]
    finally:
        await restarted.stop()


@pytest.mark.parametrize("custom_id", ["someone-elses-bot:vote:1", "not an action at all", "x" * 100])
async def test_a_button_that_is_not_ours_still_gets_an_answer(bot, payloads: Payloads, fake: FakeDiscord,
                                                              custom_id: str) -> None:
    await set_up(bot, payloads)
    await bot.run_until(NINE)
    post = fake.messages[fake.channel_id][-1]
    answered = await bot.interact(payloads.button(post, custom_id))
    assert answered.body["type"] == 4 and answered.body["data"]["flags"] == EPHEMERAL


@pytest.mark.parametrize("public", [True, False])
async def test_how_a_slow_command_is_deferred_comes_from_the_catalogue(slow, gate, payloads: Payloads,
                                                                      monkeypatch, public: bool) -> None:
    """CommandSpec.public, not a list in the adapter: flip it for /stats and the defer follows."""
    flipped = Catalogue(tuple(replace(c, public=public) if c.name == "stats" else c for c in slow.core.catalogue))
    monkeypatch.setattr(slow.adapter.handler, "_catalogue", flipped)
    deferred = await held(slow, gate, payloads.slash("stats"))
    assert deferred["type"] == 5
    assert (deferred.get("data") or {}).get("flags") == (None if public else EPHEMERAL)
