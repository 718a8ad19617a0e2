"""Files through files_upload_v2 against the fake's external upload (get URL, POST the bytes, complete).

Public replies and core posts share files in the same channel or thread; a private (ephemeral) reply
cannot carry a file, so it goes to the member by DM and the reply says so. Nothing private is shared
where others can see it, even when the DM is refused.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_fake import ALICE, BOB, CHANNEL, TEAM, click, command
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)

from bot.events import Event
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.messages import FileOut, Reply, Response, Visibility
from bot.ports import DeliveryError, DeliveryProblem

COMMUNITY = CommunityRef(Platform.SLACK, TEAM)
DAILY = ChannelRef(COMMUNITY, CHANNEL)
CSV = FileOut("answers.csv", b"member,answer\nU0ALICE01,bias\n", "text/csv", "Your answers")
PNG = FileOut("streak.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png", "A streak chart")
DM_NOTE = "I sent the file to you in a DM"


def methods(h: SlackHarness) -> list[str]:
    return [c.method for c in h.fake.calls if c.method != "auth.test"]


async def test_a_channel_post_a_thread_post_and_a_dm_carry_their_files(harness: SlackHarness) -> None:
    fake, chat = harness.fake, harness.adapter.chat
    ref = await chat.send(DAILY, Reply(text="This week's chart", files=(PNG, CSV)))
    post = fake.posts(CHANNEL)[-1]
    assert post["text"] == "This week's chart" and "files" not in post  # the message, then one share
    shared = fake.files_in(CHANNEL)
    assert [(f.name, f.data, f.thread_ts) for f in shared] == [("streak.png", PNG.data, None),
                                                              ("answers.csv", CSV.data, None)]
    assert [f.title for f in shared] == ["A streak chart", "Your answers"] and shared[0].alt_txt == "A streak chart"
    asked = fake.called("files.getUploadURLExternal")
    assert [(c.params["filename"], int(c.params["length"])) for c in asked] == [("streak.png", len(PNG.data)),
                                                                               ("answers.csv", len(CSV.data))]
    assert [c.params["size"] for c in fake.called("file_upload")] == [len(PNG.data), len(CSV.data)]
    (done,) = fake.called("files.completeUploadExternal")
    assert done.params["channel_id"] == CHANNEL and len(done.params["files"]) == 2
    assert methods(harness).index("chat.postMessage") < methods(harness).index("files.completeUploadExternal")

    await chat.send(DAILY.in_thread(ref.id), Reply(text="In the thread", files=(CSV,)))
    assert fake.files_in(CHANNEL)[-1].thread_ts == ref.id

    dm = await chat.send_direct(MemberRef(COMMUNITY, BOB), Reply(text="Your export", files=(CSV,)))
    (in_dm,) = fake.files_in("D0BOB0001")
    assert dm.channel.id == "D0BOB0001" and in_dm.data == CSV.data and in_dm.name == "answers.csv"


async def test_a_reply_of_files_only_names_them(harness: SlackHarness) -> None:
    await harness.adapter.chat.send(DAILY, Reply(text="", files=(CSV,)))
    post = harness.fake.posts(CHANNEL)[-1]
    assert "answers.csv" in post["text"] and post["text"] != "studybot"
    assert [f.name for f in harness.fake.files_in(CHANNEL)] == ["answers.csv"]


async def test_a_refused_upload_is_a_delivery_error(harness: SlackHarness) -> None:
    harness.fake.fail("files.completeUploadExternal", "not_in_channel")
    with pytest.raises(DeliveryError) as info:
        await harness.adapter.chat.send(DAILY, Reply(text="chart", files=(PNG,)))
    assert info.value.problem is DeliveryProblem.MISSING_PERMISSION
    assert harness.fake.files_in(CHANNEL) == []


def answering(reply: Reply, visibility: Visibility) -> Callable[[Event], Response]:
    return lambda event: Response(reply=reply, visibility=visibility)


async def test_a_public_reply_shares_its_files_in_the_channel(harness: SlackHarness) -> None:
    harness.script(answering(Reply(text="The leaderboard", files=(PNG,)), Visibility.PUBLIC))
    await harness.send(command(harness.fake, ALICE, "/leaderboard", "", name="board"))
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "in_channel" and resp["text"] == "The leaderboard"
    (shared,) = harness.fake.files_in(CHANNEL)
    assert shared.name == "streak.png" and shared.data == PNG.data
    assert harness.fake.files_in("D0ALICE01") == []


async def test_a_private_reply_sends_its_file_by_dm_and_says_so(harness: SlackHarness) -> None:
    harness.script(answering(Reply(title="Your export", text="Here are your answers.", files=(CSV,)),
                             Visibility.ONLY_YOU))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="export"))
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "ephemeral" and DM_NOTE in resp["text"]
    assert resp["text"].startswith("Your export\nHere are your answers.")
    (shared,) = harness.fake.files_in("D0ALICE01")
    assert shared.data == CSV.data and "Your export" in (shared.comment or "")
    assert harness.fake.files_in(CHANNEL) == []  # never where others can see it
    (opened,) = harness.fake.called("conversations.open")
    assert opened.params["users"] == ALICE
    order = methods(harness)
    assert order.index("files.completeUploadExternal") < order.index("response_url")  # the note tells the truth


async def test_an_ephemeral_post_sends_the_files_by_dm_once(harness: SlackHarness) -> None:
    """The response_url has expired: the private reply goes by chat.postEphemeral; files still by DM, once."""
    harness.script(answering(Reply(text="Two charts", files=(PNG, CSV)), Visibility.ONLY_YOU))
    payload = command(harness.fake, ALICE, "/stats", "")
    payload["response_url"] = f"http://127.0.0.1:{harness.fake.port}/expired/hook"
    await harness.send(payload)
    (eph,) = harness.fake.called("chat.postEphemeral")
    assert eph.params["user"] == ALICE and eph.params["channel"] == CHANNEL
    assert "I sent the files to you in a DM" in eph.params["text"]
    assert [f.name for f in harness.fake.files_in("D0ALICE01")] == ["streak.png", "answers.csv"]
    assert len(harness.fake.called("files.completeUploadExternal")) == 1
    assert harness.fake.files_in(CHANNEL) == [] and harness.fake.posts(CHANNEL) == []


async def test_replacing_an_ephemeral_message_keeps_its_file_private(harness: SlackHarness) -> None:
    harness.script(lambda e: Response(reply=Reply(text="Checked", files=(CSV,)), replace_original=True))
    await harness.send(click(harness.fake, ALICE, "daily:tick:1:0", ephemeral=True, name="tick"))
    (resp,) = harness.fake.responses()
    assert resp["replace_original"] is True and DM_NOTE in resp["text"]
    assert [f.name for f in harness.fake.files_in("D0ALICE01")] == ["answers.csv"]
    assert harness.fake.files_in(CHANNEL) == []


async def test_send_private_notice_with_a_file(harness: SlackHarness) -> None:
    bob = MemberRef(COMMUNITY, BOB)
    await harness.adapter.chat.send_private_notice(DAILY, bob, Reply(text="Your checklist", files=(CSV,)))
    (eph,) = harness.fake.called("chat.postEphemeral")
    assert eph.params["user"] == BOB and DM_NOTE in eph.params["text"]
    assert [f.channel for f in harness.fake.shared_files] == ["D0BOB0001"]
    assert harness.fake.posts() == []


async def test_when_the_dm_is_refused_the_file_is_not_shared_anywhere(harness: SlackHarness) -> None:
    harness.fake.fail("conversations.open", "cannot_dm_bot")
    harness.script(answering(Reply(text="Your export", files=(CSV,)), Visibility.ONLY_YOU))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="closed"))
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "ephemeral" and "could not send you the file" in resp["text"]
    assert DM_NOTE not in resp["text"]
    assert harness.fake.shared_files == [] and harness.fake.called("files.getUploadURLExternal") == []
    assert harness.fake.posts() == []


async def test_a_private_notice_is_never_posted_publicly(harness: SlackHarness) -> None:
    harness.fake.fail("chat.postEphemeral", "channel_not_found")
    with pytest.raises(DeliveryError) as info:
        await harness.adapter.chat.send_private_notice(DAILY, MemberRef(COMMUNITY, BOB), Reply(text="secret"))
    assert info.value.problem is DeliveryProblem.CHANNEL_GONE
    assert harness.fake.posts() == [] and harness.fake.shared_files == []


async def test_a_public_file_the_channel_refuses_goes_to_the_member(harness: SlackHarness) -> None:
    harness.fake.fail("files.completeUploadExternal", "not_in_channel")
    harness.script(answering(Reply(text="The leaderboard", files=(PNG,)), Visibility.PUBLIC))
    await harness.send(command(harness.fake, ALICE, "/leaderboard", "", name="board"))
    assert harness.fake.responses()[0]["response_type"] == "in_channel"
    assert harness.fake.files_in(CHANNEL) == []
    (shared,) = harness.fake.files_in("D0ALICE01")
    assert shared.data == PNG.data and "could not share the file in the channel" in (shared.comment or "")
