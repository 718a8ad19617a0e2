"""A file's type on Discord comes from its name. discord.py 2.7 uploads every file as
application/octet-stream (its multipart builder sets that; discord.File takes no content type), and Discord
types the attachment by its file name: so the name carries the FileOut's MIME type, in channel posts and in
interaction responses alike."""

from __future__ import annotations

from discord_fake import Call, FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, Canned

from bot.messages import FileOut, Reply, Response

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
CHART = FileOut("chart", PNG, "image/png", "Points per week")  # no extension: the adapter adds one
INVITE = FileOut("mock-interview.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
EXPORT = FileOut("export.txt", b'{"points": 3}', "application/json")  # the name says another type


def sent(call: Call) -> list[tuple[str, str]]:
    return [(u.filename, u.content_type) for u in call.files]


async def test_channel_posts_name_files_by_their_type(bot, fake: FakeDiscord) -> None:
    await bot.adapter.chat.send(bot.channel, Reply(text="files", files=(CHART, INVITE, EXPORT)))
    (post,) = fake.calls_matching("POST", CHANNEL_POSTS)
    # discord.py's fixed part type (if a release starts sending the real one, this line says so)
    assert sent(post) == [("chart.png", "application/octet-stream"),
                          ("mock-interview.ics", "application/octet-stream"),
                          ("export.txt.json", "application/octet-stream")]
    assert [a["filename"] for a in post.body["attachments"]] == ["chart.png", "mock-interview.ics",
                                                                 "export.txt.json"]
    stored = fake.messages[fake.channel_id][0]["attachments"]
    assert [a.get("content_type") for a in stored] == ["image/png", "text/calendar; charset=utf-8",
                                                       "application/json"]
    assert stored[0]["description"] == "Points per week"  # alt text, shown for images


async def test_an_interaction_response_names_its_files_the_same_way(answering, canned: Canned, fake: FakeDiscord,
                                                                    payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Your chart", files=(CHART,)))
    call = await answering.interact(payloads.slash("stats"))
    assert sent(call) == [("chart.png", "application/octet-stream")]
    original = fake.originals[call.path.split("/")[3]]
    assert original["attachments"][0]["content_type"] == "image/png"
