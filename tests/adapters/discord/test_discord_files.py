"""Files on Discord: a Reply's files are uploaded (multipart `files[n]`) wherever the reply goes: channel
and thread posts, DMs, edits, interaction responses (public and ephemeral, first or deferred), the
message a button was on, follow-ups. The fake records each upload's name and bytes."""

from __future__ import annotations

from typing import Any

import pytest
from discord_fake import EPHEMERAL, Call, FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, Canned

from bot.ids import MemberRef
from bot.messages import ChannelPost, Choice, DirectMessage, FileOut, Reply, Response, Visibility

WEBHOOK = r"/webhooks/\d+/[^/]+"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # binary, with every byte value
CHART = FileOut("chart.png", PNG, "image/png", "Points per week")
EXPORT = FileOut("export.csv", b"member,points\n1100000000000000012,10\n", "text/csv")


def uploaded(call: Call) -> list[tuple[str, bytes]]:
    return [(u.filename, u.data) for u in call.files]


def payload_attachments(call: Call) -> list[dict[str, Any]]:
    body = call.body.get("data", call.body) if call.path.endswith("/callback") else call.body
    return list(body.get("attachments") or [])


def stored(fake: FakeDiscord, message: dict[str, Any]) -> list[tuple[str, bytes, str | None]]:
    """A message's attachments as Discord keeps them, downloaded back from the (fake) CDN."""
    out = []
    for a in message["attachments"]:
        path = a["url"].split(str(fake.port), 1)[1]
        out.append((a["filename"], fake.files[path], a.get("description")))
    return out


# the ChatPort ---------------------------------------------------------------------------------------
async def test_channel_thread_and_dm_posts_upload_their_files(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    reply = Reply(text="This week's chart", title="Leaderboard", files=(CHART, EXPORT), idempotency_key="board:1")
    ref = await bot.adapter.chat.send(bot.channel, reply)
    (post,) = fake.calls_matching("POST", CHANNEL_POSTS)
    assert uploaded(post) == [("chart.png", PNG), ("export.csv", EXPORT.data)]
    assert post.body["nonce"] == "board:1" and post.body["embeds"][0]["title"] == "Leaderboard"  # payload_json
    assert payload_attachments(post) == [{"id": 0, "filename": "chart.png", "description": "Points per week"},
                                         {"id": 1, "filename": "export.csv"}]
    message = fake.messages[fake.channel_id][0]
    assert message["id"] == ref.id
    assert stored(fake, message) == [("chart.png", PNG, "Points per week"), ("export.csv", EXPORT.data, None)]

    thread = await bot.adapter.chat.start_thread(ref, "Discussion")
    await bot.adapter.chat.send(thread, Reply(text="in the thread", files=(EXPORT,)))
    assert stored(fake, fake.messages[ref.id][0]) == [("export.csv", EXPORT.data, None)]

    bo = MemberRef(bot.community, payloads.member_id("bo"))
    dm = await bot.adapter.chat.send_direct(bo, Reply(text="Your export", files=(EXPORT,)))
    assert stored(fake, fake.messages[dm.channel.id][0]) == [("export.csv", EXPORT.data, None)]


async def test_a_split_reply_uploads_its_files_once_with_the_last_message(bot, fake: FakeDiscord) -> None:
    await bot.adapter.chat.send(bot.channel, Reply(text="word " * 700, files=(CHART,)))
    posts = fake.calls_matching("POST", CHANNEL_POSTS)
    assert len(posts) == 2 and [uploaded(c) for c in posts] == [[], [("chart.png", PNG)]]


async def test_an_edit_uploads_the_files_again_and_one_without_files_clears_them(bot, fake: FakeDiscord) -> None:
    reply = Reply(text="Week 1", title="Leaderboard", files=(CHART,), choices=(Choice("Next", "board:next:1"),))
    ref = await bot.adapter.chat.send(bot.channel, reply)
    await bot.adapter.chat.edit(ref, Reply(text="Week 2", title="Leaderboard", files=(CHART, EXPORT),
                                           choices=reply.choices))
    (edit,) = fake.calls_matching("PATCH", rf"/channels/{fake.channel_id}/messages/{ref.id}")
    assert uploaded(edit) == [("chart.png", PNG), ("export.csv", EXPORT.data)]
    message = fake.messages[fake.channel_id][0]
    assert message["embeds"][0]["description"] == "Week 2"
    assert [name for name, _, _ in stored(fake, message)] == ["chart.png", "export.csv"]
    assert message["components"][0]["components"][0]["custom_id"] == "board:next:1"
    await bot.adapter.chat.edit(ref, Reply(text="Week 2, no chart"))
    assert fake.messages[fake.channel_id][0]["attachments"] == []  # an edit replaces the whole message


# interaction responses --------------------------------------------------------------------------------
@pytest.mark.parametrize(("visibility", "flags"), [(Visibility.PUBLIC, 0), (Visibility.ONLY_YOU, EPHEMERAL)])
async def test_an_interaction_response_uploads_the_files(answering, canned: Canned, fake: FakeDiscord,
                                                         payloads: Payloads, visibility: Visibility,
                                                         flags: int) -> None:
    canned.responses["stats"] = Response(Reply(text="Your chart", files=(CHART,)), visibility)
    call = await answering.interact(payloads.slash("stats"))
    assert call.body["type"] == 4 and (call.body["data"].get("flags") or 0) == flags
    assert uploaded(call) == [("chart.png", PNG)]
    assert payload_attachments(call) == [{"id": 0, "filename": "chart.png", "description": "Points per week"}]
    message = fake.originals[call.path.split("/")[3]]
    assert stored(fake, message) == [("chart.png", PNG, "Points per week")]


async def test_a_button_that_replaces_its_message_uploads_the_files(answering, canned: Canned, fake: FakeDiscord,
                                                                   payloads: Payloads) -> None:
    ref = await answering.adapter.chat.send(answering.channel, Reply(text="Week 1", choices=(
        Choice("Next", "board:next:1"),)))
    canned.responses["board:next:1"] = Response(Reply(text="Week 2", files=(CHART,)), replace_original=True)
    call = await answering.interact(payloads.button(fake.messages[fake.channel_id][0], "board:next:1"))
    assert call.body["type"] == 7 and uploaded(call) == [("chart.png", PNG)]
    assert stored(fake, fake.find_message(ref.id) or {}) == [("chart.png", PNG, "Points per week")]


async def test_a_deferred_answer_uploads_the_files_in_the_edit(answering, canned: Canned, fake: FakeDiscord,
                                                               payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Your chart", files=(CHART,)))
    canned.open.clear()
    mark = fake.mark()
    deferred = await answering.interact(payloads.slash("stats"))
    assert deferred.body["type"] == 5 and uploaded(deferred) == []
    canned.open.set()
    edit = await fake.wait_call("PATCH", rf"{WEBHOOK}/messages/@original", after=mark)
    assert uploaded(edit) == [("chart.png", PNG)] and edit.body["content"] == "Your chart"


async def test_follow_up_messages_upload_their_files(answering, canned: Canned, fake: FakeDiscord,
                                                     payloads: Payloads) -> None:
    bo = MemberRef(answering.community, payloads.member_id("bo"))
    canned.responses["stats"] = Response(
        Reply(text="long " * 500 + "and the chart", files=(CHART,)),  # two messages: the file on the second
        follow_ups=(ChannelPost(answering.channel, Reply(text="for all", files=(EXPORT,))),
                    DirectMessage(bo, Reply(text="for you", files=(CHART,)))))
    mark = fake.mark()
    first = await answering.interact(payloads.slash("stats"))
    assert uploaded(first) == []
    followup = await fake.wait_call("POST", WEBHOOK, after=mark)
    assert followup.body["flags"] == EPHEMERAL and uploaded(followup) == [("chart.png", PNG)]
    channel = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and bool(c.files)
                                  and c.response["channel_id"] == fake.channel_id, after=mark)
    assert uploaded(channel) == [("export.csv", EXPORT.data)]
    dm = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and bool(c.files)
                             and c.response["channel_id"] == fake.dms.get(bo.id, {}).get("id"), after=mark)
    assert uploaded(dm) == [("chart.png", PNG)]
