"""studybot with the Discord adapter against the fake Discord, and helpers the test modules share."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from discord_fake import FakeDiscord, Payloads, inject
from fakes import FakeChat, FakeScheduler, Harness, small_bank

from adapters.discord.adapter import DiscordAdapter
from bot.bootstrap import Core, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.events import ChoiceSelected, CommandInvoked, Event, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, Platform
from bot.messages import Response

MONDAY_8 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
APP_ID = "1100000000000000009"
TOKEN = base64.b64encode(APP_ID.encode()).decode().rstrip("=") + ".GhIjKl.fake-token-for-tests-only"
Handle = Callable[[Event], Awaitable[Response]]


def discord_config(fake: FakeDiscord, db: str, **extra: Any) -> Config:
    return Config(db=db, discord_token=TOKEN, discord_api_base_url=fake.api_url,
                  discord_gateway_url=fake.gateway_url, **extra)


@dataclass
class Studybot:
    """studybot's core (fake clock and scheduler, small bank) with the Discord adapter on the fake."""

    fake: FakeDiscord
    core: Core
    adapter: DiscordAdapter
    clock: ManualClock
    scheduler: FakeScheduler
    events: list[Event] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    @property
    def community(self) -> CommunityRef:
        return CommunityRef(Platform.DISCORD, self.fake.guild_id)

    @property
    def channel(self) -> ChannelRef:
        return ChannelRef(self.community, self.fake.channel_id)

    async def run_until(self, when: datetime) -> None:
        """Move the clock and fire the scheduled jobs due on the way (FakeScheduler + ManualClock)."""
        await Harness(self.core, FakeChat(), self.clock, self.scheduler).run_until(when)

    async def connect(self) -> None:
        """Start for real; return once READY came and the fixture guild arrived (GUILD_CREATE)."""
        self.task = asyncio.create_task(self.adapter.start())
        client = self.adapter.client
        guild_id = int(self.fake.guild_id)
        try:
            await asyncio.wait_for(self.adapter.wait_ready(), 5)
            if client.get_guild(guild_id) is None:  # READY can come before the guild is parsed
                await client.wait_for("guild_available", check=lambda g: g.id == guild_id, timeout=5)
        except BaseException:
            await self.stop()  # never leave a client reconnecting to a fake that is going away
            raise

    async def login_only(self) -> None:
        """The fast path: REST login (and setup_hook), no gateway."""
        self.core.chat.register(Platform.DISCORD, self.adapter.chat)
        await self.adapter.client.login(TOKEN)

    async def interact(self, payload: dict[str, Any], *, via_gateway: bool | None = None) -> Any:
        """Deliver an interaction and return the bot's callback call."""
        if via_gateway if via_gateway is not None else self.task is not None:
            await self.fake.dispatch("INTERACTION_CREATE", payload)
        else:
            self.fake.register(payload)
            inject(self.adapter.client, payload)
        return await self.fake.callback(payload)

    async def stop(self) -> None:
        await self.adapter.close()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, 5)
        await self.core.close()


async def make_studybot(fake: FakeDiscord, db: str, *, clock: ManualClock | None = None,
                        wrap: Callable[[Handle], Handle] | None = None, settings: dict[str, Any] | None = None,
                        **adapter_options: Any) -> Studybot:
    config = discord_config(fake, db, **(settings or {}))
    clock = clock or ManualClock(MONDAY_8)
    scheduler = FakeScheduler()
    core = await build_core(config, clock=clock, scheduler=scheduler, bank=small_bank(), chat=ChatRouter())
    events: list[Event] = []

    inner = wrap(core.bot.handle) if wrap else core.bot.handle

    async def handle(event: Event) -> Response:  # every event the adapter hands over, recorded
        events.append(event)
        return await inner(event)

    adapter_options.setdefault("guild_ready_timeout", 0.01)
    adapter = DiscordAdapter(core, config, handle=handle, **adapter_options)
    return Studybot(fake, core, adapter, clock, scheduler, events)


# shared by the test modules ---------------------------------------------------------------------
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
SETUP = {"time": "09:00", "timezone": "UTC", "days": "every day", "topics": "all", "reveal": "next"}
CHANNEL_POSTS = r"/channels/\d+/messages"


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message["components"] for c in row["components"]]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for c in components(message)]


async def set_up(bot: Studybot, payloads: Payloads) -> None:
    """An admin runs /studybot setup and submits the modal (09:00 UTC, every day)."""
    modal = await bot.interact(payloads.command("studybot_setup", who="ada"))
    assert modal.body["type"] == 9
    done = await bot.interact(payloads.modal_submit("admin:setup", SETUP, who="ada"))
    assert done.body["type"] == 4


class Canned:
    """Answers chosen events with a prepared Response (the rest go to the core); can hold the core back
    so that the adapter defers first."""

    def __init__(self) -> None:
        self.responses: dict[str, Response] = {}
        self.open = asyncio.Event()
        self.open.set()

    @staticmethod
    def key(event: Event) -> str:
        if isinstance(event, CommandInvoked):
            return event.name
        if isinstance(event, ChoiceSelected):
            return event.action
        assert isinstance(event, FormSubmitted)
        return event.form_id

    def wrap(self, handle: Handle) -> Handle:
        async def answer(event: Event) -> Response:
            await self.open.wait()
            canned = self.responses.get(self.key(event))
            return canned if canned is not None else await handle(event)

        return answer
