"""The /stats chart on Slack: the core's PNG is private, so it goes to the member by DM through
files_upload_v2 against the fake Slack, and the ephemeral reply with the text summary says so."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_fake import ALICE, CHANNEL, TEAM, command
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)

from bot.features.leaderboard.chart import PNG_MAGIC
from bot.ids import CommunityRef, MemberRef, Platform
from bot.signals import ItemAttempted


async def test_stats_send_the_chart_by_dm_beside_the_private_summary(harness: SlackHarness) -> None:
    alice = MemberRef(CommunityRef(Platform.SLACK, TEAM), ALICE)
    at = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    for n in range(4):
        await harness.core.registry.publish(ItemAttempted(alice, f"t-{n}", "mlops", "review", n < 3, at))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="chart"))
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "ephemeral" and "mlops: 75% (3/4)" in resp["text"]
    assert "I sent the file to you in a DM" in resp["text"]
    (shared,) = harness.fake.files_in("D0ALICE01")
    assert shared.name == "stats.png" and shared.data.startswith(PNG_MAGIC)
    assert harness.fake.files_in(CHANNEL) == []  # a member's own chart is never shared in the channel
