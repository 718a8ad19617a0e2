"""A pair's private thread is opened once on Discord: the ChatPort finds a thread opened before by its exact
name among the guild's active threads (adding the members again), and a round whose first try died
between creating the thread and finishing with it carries on in that thread instead of opening another."""

from __future__ import annotations

from datetime import timedelta

from discord_fake import FakeDiscord, Payloads
from discord_harness import Studybot, custom_ids
from test_discord_mock import ROUND, join, studybot  # noqa: F401 (studybot: the pytest fixture)

from bot.ids import MemberRef

NAME = "Mock interview · Bo & Cy · #7-a1b2c3"


def private_threads(fake: FakeDiscord) -> list[str]:
    return [tid for tid, t in fake.threads.items() if t["type"] == 12]


async def test_a_thread_opened_before_is_found_by_its_exact_name_and_gets_its_members(bot: Studybot,
                                                                                    fake: FakeDiscord,
                                                                                    payloads: Payloads) -> None:
    chat = bot.adapter.chat
    pair = (MemberRef(bot.community, payloads.member_id("bo")), MemberRef(bot.community, payloads.member_id("cy")))
    assert await chat.find_private_space(bot.channel, NAME, pair) is None  # nothing opened yet
    space = await chat.open_private_space(bot.channel, pair, NAME)
    tid = space.thread_id or ""
    fake.thread_members[tid].clear()  # the process died between creating the thread and adding them
    fake.threads[tid]["member_count"] = 1
    found = await chat.find_private_space(bot.channel.in_thread("1100000000000000555"), NAME, pair)
    assert found == space
    assert sorted(fake.thread_members[tid]) == sorted(m.id for m in pair)
    # another session's thread (the same names, another marker) is never taken for this one
    assert await chat.find_private_space(bot.channel, "Mock interview · Bo & Cy · #8-ffffff", pair) is None
    # an archived thread is not an active one: not found (a retry comes within hours, the archive after a week)
    fake.threads[tid]["thread_metadata"]["archived"] = True
    assert await chat.find_private_space(bot.channel, NAME, pair) is None
    assert private_threads(fake) == [tid]
    (listed, *_) = fake.calls_matching("GET", rf"/guilds/{fake.guild_id}/threads/active")
    assert listed.status == 200


async def test_a_round_whose_first_try_died_after_creating_the_thread_opens_no_second_one(
        studybot: Studybot, fake: FakeDiscord, payloads: Payloads) -> None:  # noqa: F811 (the fixture)
    bo, cy = payloads.member_id("bo"), payloads.member_id("cy")
    here = await studybot.interact(payloads.slash("studybot", [{"name": "key", "type": 3, "value": "channel"},
                                                             {"name": "value", "type": 3, "value": "here"}],
                                                  who="ada", subcommand="config"))
    assert "channel is now" in here.body["data"]["content"]
    await join(studybot, payloads, "bo")
    await join(studybot, payloads, "cy")
    # the thread is created, then Discord fails adding a member: the open job fails after the thread exists
    fake.fail("PUT", r"/channels/\d+/thread-members/\d+", 503, "error_503_unavailable")
    await studybot.run_until(ROUND)
    (thread_id,) = private_threads(fake)
    assert not fake.messages.get(thread_id)
    await studybot.run_until(ROUND + timedelta(minutes=5))  # the retry finds that thread by its name
    assert private_threads(fake) == [thread_id]
    assert sorted(fake.thread_members[thread_id]) == sorted([bo, cy])
    assert fake.threads[thread_id]["name"].startswith("Mock interview · ") and " · #1-" in fake.threads[thread_id][
        "name"]
    (proposal,) = fake.messages[thread_id]
    assert len([c for c in custom_ids(proposal) if c.startswith("mock:pick:")]) == 3
