"""A discord.py Interaction as the core's neutral event: who, where, and what they did."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import discord

from adapters.discord.commands import parse_command
from adapters.discord.components import modal_selections, modal_values
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.registry import Catalogue

GUILD_LINK = "https://discord.com/channels/{guild}"
CHANNEL_LINK = "https://discord.com/channels/{guild}/{channel}"
_GUILD_LINK = re.compile(r"^https://(?:\w+\.)?discord(?:app)?\.com/channels/(\d+)")


def payload_data(interaction: discord.Interaction) -> Mapping[str, Any]:
    """The interaction's raw `data` object (command name and options, custom_id, modal components)."""
    return cast("Mapping[str, Any]", interaction.data or {})


def community(guild_id: int | str) -> CommunityRef:
    return CommunityRef(Platform.DISCORD, str(guild_id))


def guild_link(ref: CommunityRef) -> str:
    """Set as the url of every DM's embed: it links the reader to the server, and tells us which server
    a button clicked in that DM belongs to (a DM interaction carries no guild id)."""
    return GUILD_LINK.format(guild=ref.id)


def channel_link(ref: ChannelRef) -> str:
    """The channel's (or thread's) jump url; it names the server too, as `guild_link` does."""
    return CHANNEL_LINK.format(guild=ref.community.id, channel=ref.thread_id or ref.id)


def community_of(interaction: discord.Interaction) -> CommunityRef | None:
    if interaction.guild_id is not None:
        return community(interaction.guild_id)
    message = interaction.message
    for embed in message.embeds if message is not None else ():
        m = _GUILD_LINK.match(embed.url or "")
        if m:
            return community(m.group(1))
    return None


def is_admin(interaction: discord.Interaction, admin_role: str | None) -> bool:
    """Manage Server (or Administrator) in this channel, or the configured role (by id or name)."""
    user = interaction.user
    if not isinstance(user, discord.Member):
        return False  # in DMs nobody is an admin
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator:
        return True
    if admin_role:
        wanted = admin_role.strip().removeprefix("@").casefold()
        return any(str(role.id) == wanted or role.name.casefold() == wanted for role in user.roles)
    return False


def channel_of(interaction: discord.Interaction, where: CommunityRef) -> ChannelRef:
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        return ChannelRef(where, str(channel.parent_id), str(channel.id))
    return ChannelRef(where, str(interaction.channel_id))


@dataclass(frozen=True, slots=True)
class Origin:
    actor: Actor
    channel: ChannelRef


def origin(interaction: discord.Interaction, admin_role: str | None) -> Origin | None:
    """Who acted and where; None when the server cannot be told (a DM without our link)."""
    where = community_of(interaction)
    if where is None:
        return None
    user = interaction.user
    actor = Actor(MemberRef(where, str(user.id)), user.display_name, is_admin(interaction, admin_role))
    return Origin(actor, channel_of(interaction, where))


def command_event(interaction: discord.Interaction, at: Origin,
                  catalogue: Catalogue | None = None) -> CommandInvoked | None:
    parsed = parse_command(payload_data(interaction), interaction.client.http.get_from_cdn, catalogue)
    if parsed is None:
        return None
    name, subcommand, options = parsed
    return CommandInvoked(at.actor, at.channel, name, options, subcommand, can_open_form=True,
                          occurred_at=occurred_at(interaction), in_dm=interaction.guild_id is None)


def occurred_at(interaction: discord.Interaction) -> datetime:
    """When Discord says it happened: the time in the interaction's snowflake id (UTC, to the ms)."""
    return discord.utils.snowflake_time(interaction.id)


def choice_event(interaction: discord.Interaction, at: Origin, action: str,
                 values: tuple[str, ...] = ()) -> ChoiceSelected:
    message = interaction.message
    ref = MessageRef(at.channel, str(message.id)) if message is not None else None
    return ChoiceSelected(at.actor, at.channel, action, ref, can_open_form=True, values=values,
                          occurred_at=occurred_at(interaction))


def form_event(interaction: discord.Interaction, at: Origin) -> FormSubmitted:
    data = payload_data(interaction)
    components = data.get("components") or ()
    return FormSubmitted(at.actor, at.channel, str(data.get("custom_id", "")), modal_values(components),
                         modal_selections(components), occurred_at=occurred_at(interaction))
