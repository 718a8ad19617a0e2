"""Editing an only-you reply later (Response.private_key -> ChatPort.edit_private), through the real
composition root with FakeChat: a feature that edits while the platform allows it, and falls back to a DM
(never to anything public) when edit_private answers False."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fakes import COMMUNITY, FakeChat, Harness

from bot.bootstrap import FEATURES
from bot.chat import ChatRouter
from bot.commands import CommandSpec
from bot.events import CommandInvoked
from bot.ids import CommunityRef, MemberRef, Platform
from bot.messages import Reply, Response
from bot.registry import FeatureSpec, JobSpec
from bot.store.jobs import Job

if TYPE_CHECKING:
    from bot.services import Services

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
SLACK = CommunityRef(Platform.SLACK, "T0NOTHERE")


def countdown(services: Services) -> FeatureSpec:
    """/countdown answers "counting down" to you alone; 20 s later the same reply says the time is up,
    or, where that reply can no longer be edited, a DM does."""

    async def start(event: CommandInvoked) -> Response:
        who = event.actor.member.id
        await services.jobs.schedule("countdown.done", who, event.actor.community.key,
                                     services.clock.now() + timedelta(seconds=20), {"who": who})
        return Response(reply=Reply(text="Counting down: 20 s."), private_key=f"countdown:{who}")

    async def done(job: Job) -> None:
        community = CommunityRef.from_key(job.community)
        who = str(job.payload["who"])
        reply = Reply(text="Time is up!")
        if not await services.chat.edit_private(community, f"countdown:{who}", reply):
            await services.delivery.direct(f"countdown:{who}:{job.due_at.isoformat()}", MemberRef(community, who),
                                           reply, fallback=None)

    return FeatureSpec(name="countdown", catalogue=(CommandSpec("countdown", "Count down 20 seconds"),),
                       commands={"countdown": start},
                       jobs=(JobSpec("countdown.done", done, grace=timedelta(minutes=1)),))


async def harness() -> Harness:
    return await Harness.create(START, features=[*(m.build for m in FEATURES), countdown])


async def test_the_reply_is_edited_while_the_platform_allows_it() -> None:
    h = await harness()
    try:
        resp = await h.command("ann", "countdown")
        assert resp.private_key == "countdown:ann" and resp.reply is not None
        assert h.chat.private_replies == {"console:guild1/countdown:ann": resp.reply}  # delivered, remembered
        await h.run_until(START + timedelta(seconds=20))
        assert h.chat.private_edits == [("console:guild1/countdown:ann", Reply(text="Time is up!"))]
        assert h.chat.sent == []  # no DM, nothing in the channel
    finally:
        await h.close()


async def test_when_the_platform_no_longer_allows_it_a_dm_says_it_instead() -> None:
    h = await harness()
    try:
        await h.command("ann", "countdown")
        h.chat.forget_private("countdown:ann")  # the interaction expired, or the process restarted
        await h.run_until(START + timedelta(seconds=20))
        assert h.chat.private_edits == []
        (dm,) = h.chat.dms("ann")
        assert dm.reply.text == "Time is up!"
        assert h.chat.channel_posts() == []  # never in public
    finally:
        await h.close()


async def test_the_contract_of_edit_private() -> None:
    chat = FakeChat()
    router = ChatRouter()
    router.register(Platform.CONSOLE, chat)
    reply = Reply(text="new")
    assert await router.edit_private(COMMUNITY, "unknown", reply) is False  # never delivered: nothing changes
    assert chat.private_edits == [] and chat.sent == []
    chat.remember_private(COMMUNITY, "k", Reply(text="old"))
    assert await router.edit_private(COMMUNITY, "k", reply) is True
    assert chat.private_replies[f"{COMMUNITY.key}/k"] == reply
    other = CommunityRef(Platform.CONSOLE, "guild2")
    assert await router.edit_private(other, "k", reply) is False  # keys are per community
    assert await router.edit_private(SLACK, "k", reply) is False  # a platform not connected here knows no key
    chat.forget_private()
    assert await router.edit_private(COMMUNITY, "k", reply) is False
    assert chat.private_edits == [(f"{COMMUNITY.key}/k", reply)]

