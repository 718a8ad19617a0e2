"""A message and its files go out together or not at all (as far as anyone is told).

A post succeeds, then files_upload_v2 fails: the upload is tried once more when the failure may pass; if
it still fails, the message is withdrawn and the failure raised, so the outbox records it and later sends
the whole again, instead of counting a message without its file as sent. A message left behind by a crash
between the post and the upload names its files in its metadata; reconciliation does not take it for
posted. A private file is never uploaded anywhere public as a fallback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_fake import ALICE, BOB, CHANNEL, TEAM, command
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)

from bot.events import Event
from bot.features.delivery import Delivery, PostState
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.messages import FileOut, Reply, Response, Visibility
from bot.ports import DeliveryError, DeliveryProblem

COMMUNITY = CommunityRef(Platform.SLACK, TEAM)
DAILY = ChannelRef(COMMUNITY, CHANNEL)
PNG = FileOut("streak.png", b"\x89PNG\r\n\x1a\n" + bytes(range(200)), "image/png", "A streak chart")
CSV = FileOut("answers.csv", b"member,answer\nU0ALICE01,bias\n", "text/csv")


def kept(h: SlackHarness, channel: str = CHANNEL) -> list[str]:
    """The texts of the messages that are in the channel now (withdrawn ones are gone)."""
    return [m["text"] for m in h.fake.messages.get(channel, []) if not m.get("upload")]


def outbox(h: SlackHarness) -> Delivery:
    return Delivery(h.core.chat, h.core.outbox, h.core.communities, h.clock, "test-process")


async def test_an_upload_that_fails_once_is_tried_again(harness: SlackHarness) -> None:
    harness.fake.fail("files.completeUploadExternal", "internal_error")  # Slack trouble that passes
    ref = await harness.adapter.chat.send(DAILY, Reply(text="This week", files=(PNG,)))
    assert kept(harness) == ["This week"] and ref.id
    assert [f.name for f in harness.fake.files_in(CHANNEL)] == ["streak.png"]
    assert len(harness.fake.called("files.completeUploadExternal")) == 2
    assert harness.fake.called("chat.delete") == []


async def test_a_refused_upload_withdraws_the_message_and_the_outbox_sends_it_whole_later(
        harness: SlackHarness) -> None:
    harness.fake.fail("files.completeUploadExternal", "not_in_channel")
    delivery = outbox(harness)
    reply = Reply(text="This week's chart", files=(PNG, CSV))
    first = await delivery.post_outcome("chart:w23", DAILY, reply)
    assert first.state is PostState.FAILED and first.error is not None
    assert first.error.problem is DeliveryProblem.MISSING_PERMISSION and "withdrawn" in first.error.detail
    assert kept(harness) == [] and harness.fake.files_in(CHANNEL) == []  # nothing half-sent is left
    (deleted,) = harness.fake.called("chat.delete")
    assert deleted.params["channel"] == CHANNEL

    harness.clock.advance(timedelta(minutes=2))  # the admin invited the bot; the retry is due
    again = await delivery.post_outcome("chart:w23", DAILY, reply, force=True)
    assert again.state is PostState.SENT and again.ref is not None
    assert kept(harness) == ["This week's chart"]
    assert [f.name for f in harness.fake.files_in(CHANNEL)] == ["streak.png", "answers.csv"]
    assert (await delivery.post_outcome("chart:w23", DAILY, reply)).state is PostState.SENT  # once, for good
    assert len(harness.fake.posts(CHANNEL)) == 2  # the withdrawn try and the whole one


async def test_a_message_left_without_its_files_is_not_taken_for_posted(harness: SlackHarness) -> None:
    """As if the process died between the post and the upload: the message stays, its files never came."""
    harness.fake.fail("files.completeUploadExternal", "not_in_channel")
    harness.fake.fail("chat.delete", "internal_error")
    chat = harness.adapter.chat
    since = harness.clock.now() - timedelta(minutes=5)
    with pytest.raises(DeliveryError) as info:
        await chat.send(DAILY, Reply(text="Chart", files=(PNG,), idempotency_key="chart:w24"))
    assert "could not be withdrawn" in info.value.detail and kept(harness) == ["Chart"]
    (post,) = harness.fake.posts(CHANNEL)
    assert post["metadata"]["event_payload"] == {"key": "chart:w24", "files": ["streak.png"]}

    assert await chat.find_posted(DAILY, "chart:w24", since) is None  # not posted: it is withdrawn now
    assert kept(harness) == []

    whole = await chat.send(DAILY, Reply(text="Chart", files=(PNG,), idempotency_key="chart:w24"))
    assert await chat.find_posted(DAILY, "chart:w24", since) == whole  # its files follow it: posted
    assert kept(harness) == ["Chart"] and [f.name for f in harness.fake.files_in(CHANNEL)] == ["streak.png"]


async def test_a_message_without_files_is_found_as_before(harness: SlackHarness) -> None:
    since = harness.clock.now() - timedelta(minutes=5)
    ref = await harness.adapter.chat.send(DAILY, Reply(text="Daily", idempotency_key="daily:1"))
    (post,) = harness.fake.posts(CHANNEL)
    assert post["metadata"]["event_payload"] == {"key": "daily:1"}
    assert await harness.adapter.chat.find_posted(DAILY, "daily:1", since) == ref


async def test_a_private_file_that_cannot_be_uploaded_goes_nowhere_else(harness: SlackHarness) -> None:
    harness.fake.fail("files.completeUploadExternal", "not_in_channel", times=2)
    with pytest.raises(DeliveryError):
        await harness.adapter.chat.send_direct(MemberRef(COMMUNITY, BOB), Reply(text="Your export", files=(CSV,)))
    assert kept(harness, "D0BOB0001") == []  # the DM is withdrawn too: it promised a file
    assert harness.fake.shared_files == [] and harness.fake.posts(CHANNEL) == []


async def test_a_public_reply_whose_files_reach_no_one_tells_the_member(harness: SlackHarness) -> None:
    harness.fake.fail("files.completeUploadExternal", "not_in_channel")  # the channel
    harness.fake.fail("conversations.open", "cannot_dm_bot")  # and the DM

    def answer(event: Event) -> Response:
        return Response(Reply(text="The leaderboard", files=(PNG,)), Visibility.PUBLIC)

    harness.script(answer)
    await harness.send(command(harness.fake, ALICE, "/leaderboard", "", name="board"))
    public, note = harness.fake.responses()
    assert public["response_type"] == "in_channel" and public["text"] == "The leaderboard"
    assert note["response_type"] == "ephemeral" and "could not attach the file (streak.png)" in note["text"]
    assert harness.fake.shared_files == []
