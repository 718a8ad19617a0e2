"""The ChatPort over discord.py's real HTTP client against the fake: posts, threads, DMs, edits, outbox
reconciliation, and every Discord failure mapped onto a DeliveryProblem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from discord_fake import FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, NINE, set_up

from adapters.discord.chat import nonce_for
from bot.ids import ChannelRef, MemberRef, MessageRef
from bot.messages import Choice, FileOut, Reply
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


async def test_a_private_notice_is_refused_and_nothing_is_posted(bot, fake: FakeDiscord,
                                                                 payloads: Payloads) -> None:
    cy = MemberRef(bot.community, payloads.member_id("cy"))
    secret = Reply(text="Tick your key points: watermark", title="Your checklist",
                   files=(FileOut("notes.txt", b"only for cy"),), choices=(Choice("Done", "daily:done:1"),))
    mark = fake.mark()
    for where in (bot.channel, bot.channel.in_thread("1100000000000000555")):
        with pytest.raises(DeliveryError) as caught:
            await bot.adapter.chat.send_private_notice(where, cy, secret)
        assert caught.value.problem is DeliveryProblem.NOT_PRIVATE and not caught.value.retryable
    assert fake.calls[mark:] == []  # not a single request: nothing of it reached any channel
    assert all(not messages for messages in fake.messages.values())


async def test_a_private_space_is_a_private_thread_with_exactly_those_members(bot, fake: FakeDiscord,
                                                                              payloads: Payloads) -> None:
    pair = (MemberRef(bot.community, payloads.member_id("bo")), MemberRef(bot.community, payloads.member_id("cy")))
    space = await bot.adapter.chat.open_private_space(bot.channel.in_thread("1100000000000000555"), pair,
                                                      "Mock interview · " + "x" * 200)
    (created,) = fake.calls_matching("POST", rf"/channels/{fake.channel_id}/threads")  # in the parent channel
    assert created.body["type"] == 12 and created.body["invitable"] is False
    assert len(created.body["name"]) <= 100 and created.body["name"].startswith("Mock interview")
    tid = created.response["id"]
    assert space == bot.channel.in_thread(tid)
    added = fake.calls_matching("PUT", rf"/channels/{tid}/thread-members/\d+")
    assert [c.path.rsplit("/", 1)[1] for c in added] == [m.id for m in pair]
    assert fake.thread_members[tid] == [m.id for m in pair]
    posted = await bot.adapter.chat.send(space, Reply(text="Your mock starts now"))
    assert fake.messages[tid][0]["id"] == posted.id


async def test_a_private_space_without_permission(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    bo = MemberRef(bot.community, payloads.member_id("bo"))
    fake.fail("POST", rf"/channels/{fake.channel_id}/threads", 403, "error_50013_missing_permissions")
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.open_private_space(bot.channel, (bo,), "Mock")
    assert caught.value.problem is DeliveryProblem.MISSING_PERMISSION
    assert not fake.threads and not fake.calls_matching("PUT", r"/channels/\d+/thread-members/\d+")
    fake.fail("PUT", r"/channels/\d+/thread-members/\d+", 403, "error_50001_missing_access")
    with pytest.raises(DeliveryError) as adding:
        await bot.adapter.chat.open_private_space(bot.channel, (bo,), "Mock")
    assert adding.value.problem is DeliveryProblem.MISSING_PERMISSION


async def test_delete_removes_the_message_and_a_gone_one_counts_as_deleted(bot, fake: FakeDiscord) -> None:
    ref = await bot.adapter.chat.send(bot.channel, Reply(text="a pointer"))
    kept = await bot.adapter.chat.send(bot.channel, Reply(text="another"))
    await bot.adapter.chat.delete(ref)
    assert [m["id"] for m in fake.messages[fake.channel_id]] == [kept.id]
    await bot.adapter.chat.delete(ref)  # already gone (10008): fine
    assert [c.status for c in fake.calls_matching("DELETE", rf"/channels/{fake.channel_id}/messages/\d+")] == [
        204, 404]
    fake.fail("DELETE", r"/channels/\d+/messages/\d+", 403, "error_50013_missing_permissions")
    with pytest.raises(DeliveryError) as caught:
        await bot.adapter.chat.delete(kept)
    assert caught.value.problem is DeliveryProblem.MISSING_PERMISSION


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
    assert found == ref  # the first of the split reply; history carries no nonce, the embed url has the key
    assert await bot.adapter.chat.find_posted(bot.channel, key, datetime.now(UTC) + timedelta(hours=1)) is None
    stored = fake.messages[fake.channel_id]
    assert [m["embeds"][0]["url"] for m in stored[1:3]] == [
        f"https://discord.com/channels/{fake.guild_id}/{fake.channel_id}?studybot_key=daily-reveal%3A12"] * 2
    assert all("footer" not in e for m in stored for e in m["embeds"])  # members never read a key


async def test_find_posted_still_reads_the_key_from_an_old_footer(bot, fake: FakeDiscord) -> None:
    """Messages posted before the key moved to the embed url carry it as the footer's last piece."""
    old = fake._message(fake.channel_id, {"embeds": [{"title": "Daily question · 2025-06-01", "description": "Q?",
                                                      "footer": {"text": "easy · daily-post:9"}}]})
    fake.messages[fake.channel_id].append(old)
    await bot.adapter.chat.send(bot.channel, Reply(text="later", title="Other", footer="daily-post:10 is not a key"))
    found = await bot.adapter.chat.find_posted(bot.channel, "daily-post:9", LONG_AGO)
    assert found == MessageRef(bot.channel, old["id"])
    assert await bot.adapter.chat.find_posted(bot.channel, "daily-post:10", LONG_AGO) is None
    someone = fake._message(fake.channel_id, {"embeds": [{"footer": {"text": "daily-post:11"}}]})
    someone["author"] = fake.user(fake.members["bo"]["user"]["id"])  # not our message: ignored
    fake.messages[fake.channel_id].append(someone)
    assert await bot.adapter.chat.find_posted(bot.channel, "daily-post:11", LONG_AGO) is None


async def test_an_edit_in_a_dm_keeps_the_link_that_names_the_server(bot, fake: FakeDiscord,
                                                                    payloads: Payloads) -> None:
    bo = MemberRef(bot.community, payloads.member_id("bo"))
    ref = await bot.adapter.chat.send_direct(bo, Reply(text="Your checklist", choices=(Choice("☐ a", "daily:tick:1:0"),),
                                                       idempotency_key="daily-checklist:1"))
    await bot.adapter.chat.edit(ref, Reply(text="Your checklist", choices=(Choice("☑ a", "daily:tick:1:0"),)))
    (edited,) = fake.messages[ref.channel.id]
    assert edited["embeds"][0]["url"] == f"https://discord.com/channels/{fake.guild_id}"  # a click there still works
    await bot.adapter.chat.edit(ref, Reply(text="Saved", idempotency_key="daily-checklist:1"))
    assert fake.messages[ref.channel.id][0]["embeds"][0]["url"] == (
        f"https://discord.com/channels/{fake.guild_id}?studybot_key=daily-checklist%3A1")


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
