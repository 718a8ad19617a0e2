"""The /stats chart on Discord: the core's PNG goes up as an attachment of the (ephemeral) interaction
response, through discord.py against the fake Discord, beside the text summary in the embed."""

from __future__ import annotations

from datetime import UTC, datetime

from discord_fake import EPHEMERAL, FakeDiscord, Payloads
from discord_harness import Studybot

from bot.features.leaderboard.chart import PNG_MAGIC
from bot.ids import CommunityRef, MemberRef, Platform
from bot.signals import ItemAttempted

WEBHOOK = r"/webhooks/\d+/[^/]+"


async def test_stats_upload_the_chart_as_a_png(bot: Studybot, fake: FakeDiscord, payloads: Payloads) -> None:
    bo = MemberRef(CommunityRef(Platform.DISCORD, fake.guild_id), payloads.member_id("bo"))
    at = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    for n in range(4):
        await bot.core.registry.publish(ItemAttempted(bo, f"t-{n}", "deep-learning", "quiz", n % 2 == 0, at))
    mark = fake.mark()
    call = await bot.interact(payloads.slash("stats", who="bo"))
    if call.body["type"] == 5:  # the first chart also imports matplotlib: the answer may come deferred
        call = await fake.wait_call("PATCH", rf"{WEBHOOK}/messages/@original", after=mark, within=30)
        data = call.body
    else:
        assert call.body["type"] == 4 and call.body["data"]["flags"] == EPHEMERAL
        data = call.body["data"]
    (upload,) = call.files
    assert upload.filename == "stats.png" and upload.data.startswith(PNG_MAGIC)
    assert "deep-learning: 50% (2/4)" in data["embeds"][0]["description"]  # the text beside the picture
    assert [a["filename"] for a in data["attachments"]] == ["stats.png"]
