"""The console edits an only-you reply by printing it again under its label, marked as edited; a key it
never showed answers False (and the feature then falls back to a DM)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fakes import small_bank

from adapters.console.adapter import COMMUNITY, ConsoleAdapter, list_lines
from bot.bootstrap import FEATURES, build_core
from bot.clock import ManualClock
from bot.commands import CommandSpec
from bot.config import Config
from bot.events import CommandInvoked
from bot.ids import CommunityRef, MemberRef
from bot.messages import Reply, Response
from bot.registry import FeatureSpec, JobSpec
from bot.scheduler import ClockScheduler
from bot.store.jobs import Job

if TYPE_CHECKING:
    from bot.services import Services

START = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)


def countdown(services: Services) -> FeatureSpec:
    async def start(event: CommandInvoked) -> Response:
        who = event.actor.member.id
        await services.jobs.schedule("countdown.done", who, event.actor.community.key,
                                     services.clock.now() + timedelta(seconds=20), {"who": who})
        # /countdown-lost answers under no key: its edit later finds nothing to edit
        key = f"countdown:{who}" if event.name == "countdown" else None
        return Response(reply=Reply(text="Counting down: 20 s."), private_key=key)

    async def done(job: Job) -> None:
        community = CommunityRef.from_key(job.community)
        who = str(job.payload["who"])
        reply = Reply(text=f"Time is up, {who}!")
        if not await services.chat.edit_private(community, f"countdown:{who}", reply):
            await services.chat.send_direct(MemberRef(community, who), reply)

    return FeatureSpec(name="countdown", catalogue=(CommandSpec("countdown", "Count down"),
                                                    CommandSpec("countdown-lost", "Count down, unkept")),
                       commands={"countdown": start, "countdown-lost": start},
                       jobs=(JobSpec("countdown.done", done, grace=timedelta(minutes=1)),))


async def run(lines: list[str]) -> str:
    out: list[str] = []
    clock = ManualClock(START)
    scheduler = ClockScheduler(clock)
    core = await build_core(Config(db=":memory:"), clock=clock, scheduler=scheduler, bank=small_bank(),
                            features=[*(m.build for m in FEATURES), countdown])
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(lines), out.append, user="you", echo=True)
    try:
        await adapter.run()
        assert await adapter.chat.edit_private(COMMUNITY, "never-shown", Reply(text="x")) is False
    finally:
        await core.close()
    return "\n".join(out)


async def test_the_only_you_block_is_printed_again_as_edited() -> None:
    text = await run(["/as ann", "/countdown", "/clock +1m"])
    assert "[only ann] Counting down: 20 s." in text
    assert "[only ann] (edited) Time is up, ann!" in text
    assert "[DM to ann]" not in text


async def test_a_reply_shown_under_no_key_cannot_be_edited() -> None:
    text = await run(["/as bob", "/countdown-lost", "/clock +1m"])
    assert "[only bob] Counting down: 20 s." in text
    assert "(edited)" not in text and "[DM to bob] Time is up, bob!" in text
