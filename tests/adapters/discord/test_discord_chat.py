"""The ChatPort over discord.py's real HTTP client against the fake: posts, threads, DMs, edits, outbox
reconciliation, and every Discord failure mapped onto a DeliveryProblem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from discord_fake import FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, NINE, set_up

from adapters.discord.chat import nonce_for
from bot.ids import ChannelRef, MemberRef, MessageRef
from bot.messages import Choice, Reply
from bot.ports import DeliveryError, DeliveryProblem

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def test_a_429_is_waited_out_and_retried(bot, fake: FakeDiscord) -> None:
    fake.fail("POST", CHANNEL_POSTS, 429, "error_429_rate_limited", retry_after=0.05)
    ref = await bot.adapter.chat.send(bot.channel, Reply(text="hello"))
    posts = fake.calls_matching("POST", CHANNEL_POSTS)
    assert [c.status for c in posts] == [429, 200]
    assert ref.id == posts[-1].response["id"]


async def test_a_long_rate_limit_is_handed_back_to_the_outbox(bot, fake: FakeDiscord) -> None:
    fake.fail("POST", CHANNEL_POSTS, 429, "error_429_rate_limited", retry_after=3600)
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.send(bot.channel, Reply(text="hello"))
    assert caught.value.problem is DeliveryProblem.RATE_LIMITED and caught.value.retryable


async def test_a_403_is_reported_as_missing_permission(bot, fake: FakeDiscord, caplog) -> None:
    fake.fail("POST", CHANNEL_POSTS, 403, "error_50013_missing_permissions")
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.send(bot.channel, Reply(text="hello", idempotency_key="daily-post:7"))
    assert caught.value.problem is DeliveryProblem.MISSING_PERMISSION and caught.value.needs_admin
    assert f"channel {bot.channel.key}" in caplog.text and "50013" in caplog.text


async def test_a_refused_daily_post_tells_the_admin_once_and_is_sent_later(bot, fake: FakeDiscord,
                                                                            payloads: Payloads) -> None:
    await set_up(bot, payloads)
    ada = payloads.member_id("ada")
    fake.fail("POST", rf"/channels/{fake.channel_id}/messages", 403, "error_50013_missing_permissions", times=2)
    mark = fake.mark()
    await bot.run_until(NINE)
    refused, told = fake.calls_matching("POST", CHANNEL_POSTS, after=mark)
    assert refused.status == 403
    assert told.response["channel_id"] == fake.dms[ada]["id"]
    assert told.response["embeds"][0]["title"] == "Action needed"
    assert "Send Messages" in told.response["embeds"][0]["description"]
    await bot.run_until(NINE + timedelta(minutes=3))  # the outbox retries after 1 min; still refused, admin not told again
    in_channel = rf"/channels/{fake.channel_id}/messages"
    assert [c.status for c in fake.calls_matching("POST", in_channel, after=mark)] == [403, 403]
    assert len([c for c in fake.calls_matching("POST", CHANNEL_POSTS, after=mark)
                if c.response.get("channel_id") == fake.dms[ada]["id"]]) == 1
    await bot.run_until(NINE + timedelta(minutes=40))  # permission fixed: the next try (5 min on) goes out, once
    posted = [c for c in fake.calls_matching("POST", CHANNEL_POSTS, after=mark) if c.status == 200
              and c.response["channel_id"] == fake.channel_id]
    assert len(posted) == 1 and posted[0].body["nonce"] == "daily-post:1"


@pytest.mark.parametrize(("status", "error", "problem"), [
    (403, "error_50013_missing_permissions", DeliveryProblem.MISSING_PERMISSION),
    (403, "error_50001_missing_access", DeliveryProblem.MISSING_PERMISSION),
    (404, "error_10003_unknown_channel", DeliveryProblem.CHANNEL_GONE),
    (401, "error_401_unauthorized", DeliveryProblem.AUTH),
    (503, "error_503_unavailable", DeliveryProblem.UNAVAILABLE),
])
async def test_channel_errors_map_to_delivery_problems(bot, fake: FakeDiscord, status: int, error: str,
                                                        problem: DeliveryProblem) -> None:
    fake.fail("POST", CHANNEL_POSTS, status, error)
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.send(bot.channel, Reply(text="hello"))
    assert caught.value.problem is problem


async def test_a_deleted_channel(bot, fake: FakeDiscord) -> None:
    gone = ChannelRef(bot.community, "1100000000000000999")
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.send(gone, Reply(text="hello"))
    assert caught.value.problem is DeliveryProblem.CHANNEL_GONE


async def test_direct_messages_and_their_failures(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    bo = MemberRef(bot.community, payloads.member_id("bo"))
    ref = await bot.adapter.chat.send_direct(bo, Reply(text="Your checklist", choices=(
        Choice("Done", "daily:done:1"),)))
    dm = fake.dms[bo.id]
    assert ref.channel.id == dm["id"] and fake.messages[dm["id"]][0]["id"] == ref.id
    fake.closed_dms.add(bo.id)
    with pytest.raises(DeliveryError) as closed:
        await bot.adapter.chat.send_direct(bo, Reply(text="again"))
    assert closed.value.problem is DeliveryProblem.DM_CLOSED
    fake.fail("POST", "/users/@me/channels", 404, "error_10007_unknown_member")
    with pytest.raises(DeliveryError) as left:
        await bot.adapter.chat.send_direct(MemberRef(bot.community, "1100000000000000444"), Reply(text="hi"))
    assert left.value.problem is DeliveryProblem.MEMBER_GONE


async def test_a_private_notice_is_a_public_mention(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    cy = MemberRef(bot.community, payloads.member_id("cy"))
    await bot.adapter.chat.send_private_notice(bot.channel, cy, Reply(text="Tick your key points",
                                                                      title="Your checklist"))
    call = fake.calls_matching("POST", CHANNEL_POSTS)[-1]
    assert call.body["content"].startswith(f"<@{cy.id}> ")
    assert call.body["allowed_mentions"] == {"parse": [], "users": [int(cy.id)]}
    assert call.body["embeds"][0]["title"] == "Your checklist"


async def test_threads_are_started_once_and_posted_in(bot, fake: FakeDiscord) -> None:
    ref = await bot.adapter.chat.send(bot.channel, Reply(text="Reveal", title="Reveal · 2025-06-02"))
    thread = await bot.adapter.chat.start_thread(ref, "Answers · 2025-06-02")
    assert thread == bot.channel.in_thread(ref.id)
    again = await bot.adapter.chat.start_thread(ref, "Answers · 2025-06-02")  # 160004: reuse it
    assert again == thread
    posted = await bot.adapter.chat.send(thread, Reply(text="an answer"))
    assert posted.channel == thread and fake.messages[thread.thread_id or ""][0]["id"] == posted.id


async def test_thread_needs_permission(bot, fake: FakeDiscord) -> None:
    ref = await bot.adapter.chat.send(bot.channel, Reply(text="Reveal"))
    fake.fail("POST", r"/channels/\d+/messages/\d+/threads", 403, "error_50013_missing_permissions")
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.start_thread(ref, "Answers")
    assert caught.value.problem is DeliveryProblem.MISSING_PERMISSION


async def test_edit_replaces_text_embeds_and_buttons(bot, fake: FakeDiscord) -> None:
    ref = await bot.adapter.chat.send(bot.channel, Reply(text="before", title="T", choices=(Choice("A", "daily:hint:1"),)))
    await bot.adapter.chat.edit(ref, Reply(text="after"))
    stored = fake.messages[fake.channel_id][-1]
    assert stored["content"] == "after" and stored["embeds"] == [] and stored["components"] == []
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.edit(MessageRef(bot.channel, "1100000000000000888"), Reply(text="x"))
    assert caught.value.problem is DeliveryProblem.CHANNEL_GONE


async def test_find_posted_reads_the_key_back_from_history(bot, fake: FakeDiscord) -> None:
    key = "daily-reveal:12"
    assert await bot.adapter.chat.find_posted(bot.channel, key, LONG_AGO) is None
    await bot.adapter.chat.send(bot.channel, Reply(text="something else", idempotency_key="daily-post:12"))
    ref = await bot.adapter.chat.send(bot.channel, Reply(text="x" * 9000, idempotency_key=key))  # two messages
    await bot.adapter.chat.send(bot.channel, Reply(text="later"))
    found = await bot.adapter.chat.find_posted(bot.channel, key, LONG_AGO)
    assert found == ref  # the first of the split reply; history carries no nonce, the footer has the key
    assert await bot.adapter.chat.find_posted(bot.channel, key, datetime.now(UTC) + timedelta(hours=1)) is None


async def test_a_resend_with_the_same_key_is_deduplicated_by_the_nonce(bot, fake: FakeDiscord) -> None:
    reply = Reply(text="the daily question", idempotency_key="daily-post:3")
    first = await bot.adapter.chat.send(bot.channel, reply)
    second = await bot.adapter.chat.send(bot.channel, reply)
    assert first == second and len(fake.messages[fake.channel_id]) == 1
    assert [c.body["nonce"] for c in fake.calls_matching("POST", CHANNEL_POSTS)] == ["daily-post:3"] * 2


def test_nonces_fit_discord() -> None:
    assert nonce_for("daily-post:1") == "daily-post:1"
    long = nonce_for("daily-checklist:123456789012")
    assert len(long) <= 25 and long == nonce_for("daily-checklist:123456789012")
    assert nonce_for("daily-post:1", 1) != nonce_for("daily-post:1")
