"""Set-up helpers behind `studybot discord invite-url` and `studybot discord sync`."""

from __future__ import annotations

import base64
import binascii

import discord

from adapters.discord.client import INTENTS, quiet_voice_warnings
from adapters.discord.commands import command_payloads
from adapters.discord.endpoints import apply_endpoints
from bot.config import Config

SCOPES = ("bot", "applications.commands")
#: exactly what studybot does: post, post in and open threads (public ones for answers, private ones for a
#: group such as a mock-interview pair), embed, attach files (charts, exports, invites), and read back its
#: own recent posts. Manage Threads is for the private ones: they are opened with `invitable` off, so that
#: their members cannot pull anyone else in, and then only a thread moderator (Manage Threads) may add
#: members (Discord's `invitable`: "whether non-moderators can add other non-moderators"; discord.py's
#: Thread.add_user says the same), which studybot does for each member of the group.
PERMISSIONS = discord.Permissions(
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    manage_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)


def application_id_from_token(token: str) -> str:
    """A bot token's first part is its user id in base64; for every current application that is the
    application (client) id too."""
    head = token.strip().split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise ValueError("cannot read the application id from DISCORD_TOKEN; pass the application id "
                         "(Developer Portal > General Information > Application ID)")
    return decoded


def invite_url(config: Config, client_id: str | None = None) -> str:
    """The OAuth2 URL that adds the bot to a server, asking for the two scopes and eight permissions
    studybot needs and nothing more (no privileged intents: it never reads message content)."""
    app_id = client_id or application_id_from_token(config.discord_token or "")
    return discord.utils.oauth_url(app_id, permissions=PERMISSIONS, scopes=SCOPES)


async def sync_commands(config: Config, guild_id: str | None = None) -> int:
    """Register the catalogue's app commands (a bulk overwrite): in one server when `guild_id` is given
    (instant, for development), else globally. Returns the number of commands Discord now has."""
    if not config.discord_token:
        raise ValueError("DISCORD_TOKEN is not set")
    apply_endpoints(config)
    quiet_voice_warnings()
    client = discord.Client(intents=INTENTS)  # REST only: it never connects to the gateway
    async with client:
        await client.login(config.discord_token)
        app_id = client.application_id
        assert app_id is not None  # login reads the application
        payload = command_payloads()
        if guild_id:
            registered = await client.http.bulk_upsert_guild_commands(app_id, int(guild_id), payload)
        else:
            registered = await client.http.bulk_upsert_global_commands(app_id, payload)
    return len(registered)
