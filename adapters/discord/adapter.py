"""`DiscordAdapter(core, config)`: connects to Discord, registers the ChatPort, runs until cancelled."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import discord

from adapters.discord.chat import DiscordChat
from adapters.discord.client import IDENTIFY_INTERVAL, MAX_RATELIMIT_WAIT, make_client
from adapters.discord.endpoints import apply_endpoints
from adapters.discord.handler import DEFAULT_DEFER_AFTER, Handle, InteractionHandler
from adapters.discord.private import PrivateReplies
from bot.config import Config
from bot.front import Front
from bot.ids import Platform

log = logging.getLogger(__name__)
SHARDING_REQUIRED = 4011  # gateway close code


class DiscordAdapter:
    """The core behind a Discord bot.

    `handle` replaces the core's entry point (tests wrap it to observe or slow it down);
    `defer_after` is how long the core gets before an interaction is deferred; `monotonic` is the clock
    that times only-you replies' edit windows; the other options are discord.py's timings (tests shorten
    them).
    """

    def __init__(self, core: Front, config: Config, *, handle: Handle | None = None,
                 defer_after: float = DEFAULT_DEFER_AFTER, guild_ready_timeout: float = 2.0,
                 max_ratelimit_timeout: float = MAX_RATELIMIT_WAIT,
                 identify_interval: float = IDENTIFY_INTERVAL,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if not config.discord_token:
            raise ValueError("DISCORD_TOKEN is not set")
        apply_endpoints(config)
        self.core = core
        self.config = config
        self.client = make_client(config, guild_ready_timeout=guild_ready_timeout,
                                  max_ratelimit_timeout=max_ratelimit_timeout, identify_interval=identify_interval)
        self.chat = DiscordChat(self.client, PrivateReplies(clock=monotonic))
        self.handler = InteractionHandler(handle or core.handle, self.chat, config.discord_admin_role,
                                          defer_after, core.catalogue)
        self.client.studybot = self.handler
        self.client.studybot_removed = core.community_removed

    async def start(self) -> None:
        """Log in, connect to the gateway and serve until closed or cancelled."""
        apply_endpoints(self.config)
        self.core.chat.register(Platform.DISCORD, self.chat)
        token = self.config.discord_token or ""
        try:
            await self.client.start(token)
        except discord.LoginFailure:
            log.error("Discord refused the token: check DISCORD_TOKEN (Bot tab of the developer portal)")
            raise
        except discord.ConnectionClosed as exc:
            if exc.code == SHARDING_REQUIRED:
                log.error("Discord requires sharding for this many servers: set STUDYBOT_DISCORD_SHARDS=auto")
            raise
        finally:
            if not self.client.is_closed():
                await self.client.close()

    async def wait_ready(self) -> None:
        """Until the gateway said READY and the servers in it arrived (GUILD_CREATE)."""
        await self.client.wait_until_ready()

    async def close(self) -> None:
        await self.client.close()
