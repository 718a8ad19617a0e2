"""`studybot discord invite-url` and `studybot discord sync`, and the configurable endpoints."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import discord
import pytest
from discord_fake import FakeDiscord
from discord_harness import APP_ID, TOKEN, discord_config

from adapters.discord.cli import application_id_from_token, invite_url, sync_commands
from adapters.discord.endpoints import DEFAULT_API_BASE, DEFAULT_GATEWAY, api_base, apply_endpoints
from bot.commands import default_catalogue
from bot.config import Config, load_config


def test_the_invite_url_asks_for_exactly_what_studybot_needs() -> None:
    url = urlparse(invite_url(Config(discord_token=TOKEN)))
    query = parse_qs(url.query)
    assert url.netloc == "discord.com" and url.path == "/oauth2/authorize"
    assert query["client_id"] == [APP_ID]
    assert query["scope"] == ["bot applications.commands"]
    perms = discord.Permissions(int(query["permissions"][0]))
    granted = {name for name, on in perms if on}
    assert granted == {"send_messages", "send_messages_in_threads", "create_public_threads",
                       "create_private_threads", "manage_threads", "embed_links", "attach_files",
                       "read_message_history"}


def test_the_invite_url_with_an_explicit_application_id() -> None:
    assert "client_id=123456789012345678" in invite_url(Config(discord_token="x.y.z"), "123456789012345678")


def test_a_token_that_does_not_name_an_application() -> None:
    with pytest.raises(ValueError, match="application id"):
        application_id_from_token("not-a-token")


@pytest.mark.parametrize("guild", [None, "1100000000000000001"])
async def test_sync_registers_the_catalogue(fake: FakeDiscord, guild: str | None) -> None:
    count = await sync_commands(discord_config(fake, ":memory:"), guild)
    assert count == len(default_catalogue())
    path = f"/applications/{APP_ID}" + (f"/guilds/{guild}" if guild else "") + "/commands"
    (put,) = fake.calls_matching("PUT", path)
    assert [c["name"] for c in put.body] == [c.name for c in default_catalogue()]
    assert fake.commands[guild or "global"][0]["application_id"] == APP_ID


async def test_sync_with_a_revoked_token(fake: FakeDiscord) -> None:
    fake.fail("GET", "/users/@me", 401, "error_401_unauthorized")
    with pytest.raises(discord.LoginFailure):
        await sync_commands(discord_config(fake, ":memory:"), None)


def test_endpoints_come_from_the_environment() -> None:
    config = load_config({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE_URL": "http://proxy.internal:8080",
                          "DISCORD_GATEWAY_URL": "ws://gateway-proxy.internal:7878"})
    try:
        apply_endpoints(config)
        assert discord.http.Route.BASE == "http://proxy.internal:8080/api/v10"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://gateway-proxy.internal:7878"
    finally:
        apply_endpoints(Config())
    assert discord.http.Route.BASE == DEFAULT_API_BASE
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == DEFAULT_GATEWAY
    assert api_base("http://127.0.0.1:9/api/v10/") == "http://127.0.0.1:9/api/v10"
