"""Where discord.py sends REST calls and opens the gateway: Discord itself, a proxy, or a local fake.

discord.py reads both from class attributes (`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`), so they
are process-wide: one Discord connection per process, which is how studybot runs.
"""

from __future__ import annotations

import re

import discord.gateway
import discord.http
import yarl

from bot.config import Config

DEFAULT_API_BASE = discord.http.Route.BASE
DEFAULT_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
_VERSIONED = re.compile(r"/api/v\d+$")


def api_base(url: str | None) -> str:
    """`http://proxy:8080` or `http://proxy:8080/api/v10` -> the versioned base discord.py wants."""
    if not url:
        return DEFAULT_API_BASE
    url = url.rstrip("/")
    return url if _VERSIONED.search(url) else f"{url}/api/v{discord.http.INTERNAL_API_VERSION}"


def apply_endpoints(config: Config) -> None:
    """Point discord.py at the configured REST base and gateway (or back at Discord's defaults)."""
    discord.http.Route.BASE = api_base(config.discord_api_base_url)
    gateway = config.discord_gateway_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway) if gateway else DEFAULT_GATEWAY
