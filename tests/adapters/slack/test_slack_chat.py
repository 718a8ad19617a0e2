"""The ChatPort against the fake Web API: posts, threads, DMs, metadata, errors, 429s, pacing."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from slack_fake import ADMIN, BOT_TOKEN, CHANNEL, TEAM, FakeSlack, command, submission
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import OUTBOX_EVENT
from adapters.slack.pacing import ChannelPacer, RetryAfterHandler
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.messages import Reply
from bot.ports import DeliveryError, DeliveryProblem

COMMUNITY = CommunityRef(Platform.SLACK, TEAM)
DAILY = ChannelRef(COMMUNITY, CHANNEL)


async def test_send_carries_blocks_fallback_and_the_idempotency_key(harness: SlackHarness) -> None:
    chat = harness.adapter.chat
    ref = await chat.send(DAILY, Reply(title="Daily", text="Hello **there**", idempotency_key="daily-post:7"))
    (call,) = harness.fake.called("chat.postMessage")
    p = call.params
    assert call.token == BOT_TOKEN and p["channel"] == CHANNEL and p["unfurl_links"] is False
    assert p["metadata"] == {"event_type": OUTBOX_EVENT, "event_payload": {"key": "daily-post:7"}}
    assert p["text"] == "Daily\nHello *there*" and p["blocks"][0]["type"] == "header"
    assert ref.channel == DAILY and ref.id == harness.fake.messages[CHANNEL][0]["ts"]
    found = await chat.find_posted(DAILY, "daily-post:7", harness.clock.now() - timedelta(minutes=5))
    assert found == ref
    assert harness.fake.called("conversations.history")[0].params["include_all_metadata"] in (True, "1", "true")
    assert await chat.find_posted(DAILY, "daily-post:8", harness.clock.now() - timedelta(minutes=5)) is None
    later = harness.clock.now() + timedelta(hours=1)
    assert await chat.find_posted(DAILY, "daily-post:7", later) is None  # older than `since`


async def test_threads_dms_ephemerals_and_edits(harness: SlackHarness) -> None:
    chat = harness.adapter.chat
    root = await chat.send(DAILY, Reply(text="Reveal"))
    thread = await chat.start_thread(root, "Answers · 2025-06-02")
    assert thread == DAILY.in_thread(root.id) and await chat.start_thread(
        await chat.send(thread, Reply(text="x")), "nested") == thread  # threads do not nest
    in_thread = await chat.send(thread, Reply(text="Alice answered", idempotency_key="daily-shared:1"))
    assert harness.fake.posts(CHANNEL)[-1]["thread_ts"] == root.id
    assert await chat.find_posted(thread, "daily-shared:1", harness.clock.now() - timedelta(minutes=1)) == in_thread
    bob = MemberRef(COMMUNITY, "U0BOB0001")
    dm1 = await chat.send_direct(bob, Reply(text="Checklist"))
    dm2 = await chat.send_direct(bob, Reply(text="Again"))
    assert len(harness.fake.called("conversations.open")) == 1  # the DM channel is remembered
    assert dm1.channel.id == dm2.channel.id == "D0BOB0001"
    await chat.send_private_notice(DAILY, bob, Reply(text="Only you"))
    (eph,) = harness.fake.called("chat.postEphemeral")
    assert eph.params["user"] == "U0BOB0001" and eph.params["channel"] == CHANNEL
    await chat.edit(root, Reply(text="Reveal (edited)"))
    (upd,) = harness.fake.called("chat.update")
    assert upd.params["ts"] == root.id and upd.params["text"] == "Reveal (edited)"


@pytest.mark.parametrize(("error", "problem"), [
    ("not_in_channel", DeliveryProblem.MISSING_PERMISSION),
    ("channel_not_found", DeliveryProblem.CHANNEL_GONE),
    ("invalid_auth", DeliveryProblem.AUTH),
    ("token_revoked", DeliveryProblem.AUTH),
    ("account_inactive", DeliveryProblem.AUTH),
    ("internal_error", DeliveryProblem.UNAVAILABLE),
])
async def test_web_api_errors_map_onto_delivery_problems(harness: SlackHarness, caplog: Any, error: str,
                                                         problem: DeliveryProblem) -> None:
    harness.fake.fail("chat.postMessage", error)
    with caplog.at_level(logging.WARNING, "adapters.slack"), pytest.raises(DeliveryError) as info:
        await harness.adapter.chat.send(DAILY, Reply(text="hi"))
    assert info.value.problem is problem
    line = next(r.getMessage() for r in caplog.records if "chat.postMessage" in r.getMessage())
    assert f"T0STUDY01/{CHANNEL}" in line and error in line and problem.value in line


async def test_a_429_is_retried_after_retry_after(fake: FakeSlack) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url,
                            retry_handlers=[RetryAfterHandler(jitter=0, sleep=sleep)])
    fake.rate_limit("chat.postMessage", retry_after=7)
    resp = await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert resp["ok"] and waits == [7.0]
    assert len(fake.called("chat.postMessage")) == 2 and len(fake.messages[CHANNEL]) == 1


async def test_rate_limited_through_the_port_then_given_up(harness: SlackHarness) -> None:
    harness.fake.rate_limit("chat.postMessage", retry_after=0)
    await harness.adapter.chat.send(DAILY, Reply(text="once"))  # one 429, retried
    assert len(harness.fake.called("chat.postMessage")) == 2 and len(harness.fake.messages[CHANNEL]) == 1
    harness.fake.rate_limit("chat.postMessage", retry_after=0, times=3)
    with pytest.raises(DeliveryError) as info:
        await harness.adapter.chat.send(DAILY, Reply(text="never"))
    assert info.value.problem is DeliveryProblem.RATE_LIMITED and info.value.retryable


async def test_a_lost_response_is_not_retried_and_the_outbox_finds_the_post(harness: SlackHarness) -> None:
    """The daily post reached Slack but the answer was lost: no blind retry, no second post."""
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup"))
    view = harness.fake.called("views.open")[0].params["view"]
    await harness.send(submission(view, ADMIN, {"time": "09:00"}))
    harness.fake.fail("chat.postMessage", drop=True)
    await harness.run_until(harness.clock.now().replace(hour=9))
    assert len(harness.fake.called("chat.postMessage")) == 1  # the connection error was not retried
    assert len(harness.fake.messages[CHANNEL]) == 1  # but Slack has the message
    await harness.run_until(harness.clock.now() + timedelta(minutes=3))  # the outbox tries again
    assert harness.fake.called("conversations.history")  # reconciliation read the history first
    assert len(harness.fake.called("chat.postMessage")) == 1 and len(harness.fake.messages[CHANNEL]) == 1
    rnd = await harness.core.rounds.latest_round(COMMUNITY.key)
    assert rnd is not None and rnd.status.value == "posted"
    assert rnd.message == f"{CHANNEL}#{harness.fake.messages[CHANNEL][0]['ts']}"


async def test_not_in_channel_tells_the_admin_once(harness: SlackHarness, caplog: Any) -> None:
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup"))
    view = harness.fake.called("views.open")[0].params["view"]
    await harness.send(submission(view, ADMIN, {"time": "09:00"}))
    harness.fake.fail("chat.postMessage", "not_in_channel", times=1)
    with caplog.at_level(logging.ERROR):
        await harness.run_until(harness.clock.now().replace(hour=9))
    assert any("invite the bot" in r.getMessage() for r in caplog.records)
    dm = harness.fake.posts("D0ADMIN01")
    assert len(dm) == 1 and "Invite me" in dm[0]["text"]
    await harness.run_until(harness.clock.now() + timedelta(minutes=20))  # retried after the admin window
    assert len(harness.fake.posts(CHANNEL)) == 2  # refused once, then retried
    assert len(harness.fake.messages[CHANNEL]) == 1  # posted now that the bot is in the channel
    assert len(harness.fake.posts("D0ADMIN01")) == 1  # told once


async def test_the_pacer_keeps_one_message_per_second_per_channel() -> None:
    now = [100.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=sleep)
    order: list[str] = []
    for tag in ("a1", "a2", "a3"):
        async with pacer.turn("T/C1"):
            order.append(tag)
    async with pacer.turn("T/C2"):
        order.append("b1")
    assert order == ["a1", "a2", "a3", "b1"] and sleeps == [1.0, 1.0]
