"""The discord.py client: intents, the persistent buttons, and sharding when asked for."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.components import ActionItem
from adapters.discord.handler import InteractionHandler
from bot.config import Config
from bot.ids import CommunityRef, Platform

log = logging.getLogger(__name__)

#: guilds only: interactions arrive without any intent, and no privileged intent is needed
INTENTS = discord.Intents(guilds=True)
#: the pause between two shards' IDENTIFY, as Discord requires (a gateway proxy may pace them itself)
IDENTIFY_INTERVAL = 5.0
#: a 429 asking us to wait longer than this is raised (RateLimited) for the outbox to retry later
MAX_RATELIMIT_WAIT = 60.0


#: told a community's key when the bot was removed from that server (Core.community_removed)
RemovedHook = Callable[[str], Awaitable[None]]


class _StudybotHooks:
    studybot: InteractionHandler
    studybot_removed: RemovedHook | None = None

    async def setup_hook(self) -> None:
        # every button and select ever posted is dispatched by its custom_id, also after a restart
        assert isinstance(self, discord.Client)
        self.add_dynamic_items(ActionItem)

    async def on_ready(self) -> None:
        assert isinstance(self, discord.Client)
        log.info("discord: ready as %s in %d servers", self.user, len(self.guilds))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.studybot.on_interaction(interaction)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Kicked, banned, or the server deleted (not an outage: discord.py reports that as
        guild_unavailable): nothing more is scheduled or sent there."""
        key = CommunityRef(Platform.DISCORD, str(guild.id)).key
        log.info("discord: removed from server %s (%s)", guild.id, key)
        if self.studybot_removed is not None:
            try:
                await self.studybot_removed(key)
            except Exception:
                log.exception("discord: could not stop studybot in %s after its removal", key)


class StudyClient(_StudybotHooks, discord.Client):
    pass


class ShardedStudyClient(_StudybotHooks, discord.AutoShardedClient):
    def __init__(self, *args: Any, fixed_gateway: bool = False, identify_interval: float = IDENTIFY_INTERVAL,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fixed_gateway = fixed_gateway
        self._identify_interval = identify_interval

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows one IDENTIFY per 5 s (per concurrency bucket); discord.py waits as much
        if not initial and self._identify_interval > 0:
            await asyncio.sleep(self._identify_interval)

    async def launch_shards(self) -> None:
        # discord.py connects to the gateway url GET /gateway/bot names unless the shard count is known;
        # with a configured gateway (a proxy), take only the count from Discord and keep our gateway
        if self._fixed_gateway and self.shard_count is None:
            self.shard_count, _, _ = await self.http.get_bot_gateway()
        await super().launch_shards()


def quiet_voice_warnings() -> None:
    """studybot has no voice: spare operators discord.py's warnings about missing voice libraries."""
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False


def sharding(config: Config) -> tuple[bool, int | None]:
    """(shard?, how many): `auto` -> as many as Discord recommends (None); a number -> exactly that."""
    raw = (config.discord_shards or "").strip().casefold()
    if not raw or raw in ("0", "no", "off", "false"):
        return False, None
    if raw == "auto":
        return True, None
    try:
        count = int(raw)
    except ValueError as exc:
        raise ValueError(f"STUDYBOT_DISCORD_SHARDS must be 'auto' or a number, got {raw!r}") from exc
    if count < 1:
        raise ValueError("STUDYBOT_DISCORD_SHARDS must be at least 1")
    return True, count


StudybotClient = StudyClient | ShardedStudyClient


def make_client(config: Config, *, guild_ready_timeout: float = 2.0, max_ratelimit_timeout: float = MAX_RATELIMIT_WAIT,
                identify_interval: float = IDENTIFY_INTERVAL) -> StudybotClient:
    quiet_voice_warnings()
    options: dict[str, Any] = {
        "intents": INTENTS,
        "allowed_mentions": discord.AllowedMentions.none(),
        "guild_ready_timeout": guild_ready_timeout,
        "max_ratelimit_timeout": max_ratelimit_timeout,
        "chunk_guilds_at_startup": False,
    }
    sharded, count = sharding(config)
    if not sharded:
        return StudyClient(**options)
    log.info("discord: sharding with %s shards", "the recommended number of" if count is None else count)
    return ShardedStudyClient(shard_count=count, fixed_gateway=bool(config.discord_gateway_url),
                              identify_interval=identify_interval, **options)
