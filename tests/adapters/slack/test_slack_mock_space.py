"""A pair's private space is opened once on Slack too: conversations.open "opens or resumes" the group DM of
exactly those members, so opening it again after a crash (between opening and recording it) gives the same
conversation; there is nothing for find_private_space to look up."""

from __future__ import annotations

from slack_fake import ALICE, BOB, CAROL, CHANNEL, TEAM
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)

from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform

COMMUNITY = CommunityRef(Platform.SLACK, TEAM)
DAILY = ChannelRef(COMMUNITY, CHANNEL)
NAME = "Mock interview · Alice & Bob · #3-0a1b2c"


async def test_opening_the_same_pairs_space_again_resumes_the_same_group_dm(harness: SlackHarness) -> None:
    chat = harness.adapter.chat
    pair = (MemberRef(COMMUNITY, ALICE), MemberRef(COMMUNITY, BOB))
    assert await chat.find_private_space(DAILY, NAME, pair) is None  # Slack needs no search: see below
    first = await chat.open_private_space(DAILY, pair, NAME)
    again = await chat.open_private_space(DAILY, pair, NAME)  # the retry after a crash
    assert again == first and len(harness.fake.called("conversations.open")) == 2
    assert [c for c, users in harness.fake.conversations.items() if len(users) > 1] == [first.id]
    other = await chat.open_private_space(DAILY, (MemberRef(COMMUNITY, ALICE), MemberRef(COMMUNITY, CAROL)), NAME)
    assert other != first  # another pair, another group DM: the name plays no part on Slack
    assert not harness.fake.called("conversations.list") and not harness.fake.called("users.conversations")
