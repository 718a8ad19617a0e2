"""The core's ChatPort on Discord: channel and thread posts, threads, DMs, edits, outbox reconciliation."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Literal

import discord

from adapters.discord.errors import (
    INVALID_WEBHOOK_TOKEN,
    THREAD_ALREADY_EXISTS,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    delivery,
)
from adapters.discord.private import PrivateReplies
from adapters.discord.render import Part, footer_key, render_edit, render_reply, url_key
from adapters.discord.translate import channel_link, guild_link
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Reply, clip
from bot.ports import DeliveryError, DeliveryProblem

log = logging.getLogger(__name__)
NONCE_LIMIT = 25
HISTORY_SCAN = 100
THREAD_NAME_LIMIT = 100
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # a day
PRIVATE_THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week
#: what Discord answers once an interaction's token can no longer edit its messages
NO_LONGER_EDITABLE = frozenset({INVALID_WEBHOOK_TOKEN, UNKNOWN_WEBHOOK, UNKNOWN_MESSAGE, UNKNOWN_INTERACTION})


def nonce_for(key: str, index: int = 0) -> str:
    """Discord's nonce holds 25 characters: the key itself when it fits, else a digest of it. With
    `enforce_nonce` Discord returns the earlier message instead of posting a second one (for minutes);
    part n > 0 of a split reply gets its own nonce so the parts are not taken for one another."""
    raw = key if index == 0 else f"{key}#{index}"
    if len(raw) <= NONCE_LIMIT and raw.isascii():
        return raw
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


class DiscordChat:
    """ChatPort. Every failure is raised as a DeliveryError (see errors.py) after it is logged."""

    def __init__(self, client: discord.Client, private: PrivateReplies | None = None) -> None:
        self.client = client
        #: only-you replies that can still be edited (filled by the interaction handler)
        self.private = private if private is not None else PrivateReplies()

    def _channel(self, ref: ChannelRef) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(int(ref.thread_id or ref.id))

    async def _post(self, target: discord.abc.Messageable, parts: list[Part], key: str | None) -> discord.Message:
        first: discord.Message | None = None
        for index, part in enumerate(parts):
            kwargs = part.send_kwargs()
            if key:
                kwargs["nonce"] = nonce_for(key, index)
            message = await target.send(**kwargs)
            first = first or message
        assert first is not None  # render_reply always yields at least one part
        return first

    def _is_dm(self, ref: ChannelRef) -> bool:
        """A DM channel we opened in this process (send_direct returns refs to them)."""
        return isinstance(self.client.get_channel(int(ref.thread_id or ref.id)), discord.DMChannel)

    def _link(self, ref: ChannelRef) -> str:
        """What an embed links to: the channel (or thread); in a DM the server, which also tells us which
        server a button clicked there belongs to (a DM interaction carries no guild id)."""
        return guild_link(ref.community) if self._is_dm(ref) else channel_link(ref)

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        key = reply.idempotency_key
        parts = render_reply(reply, key=key, link=channel_link(destination) if key else None)
        async with delivery("send", f"channel {destination.key}"):
            message = await self._post(self._channel(destination), parts, key)
        return MessageRef(destination, str(message.id))

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        key = reply.idempotency_key
        parts = render_reply(reply, key=key, link=guild_link(member.community))
        async with delivery("DM", f"member {member.id} of {member.community.key}"):
            dm = await self.client.create_dm(discord.Object(int(member.id)))
            message = await self._post(dm, parts, key)
        return MessageRef(ChannelRef(member.community, str(dm.id)), str(message.id))

    async def member_exists(self, member: MemberRef) -> bool | None:
        guild = self.client.get_guild(int(member.community.id))
        if guild is None or not member.id.isdigit():
            return None if guild is None else False
        if guild.get_member(int(member.id)) is not None:
            return True
        try:
            await guild.fetch_member(int(member.id))
        except discord.NotFound:
            return False
        except (discord.DiscordException, OSError, TimeoutError) as exc:
            log.warning("discord: could not look up member %s of %s: %s", member.id, member.community.key, exc)
            return None
        return True

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        """Discord shows a message to one member only in answer to their interaction (ephemeral), never
        on the bot's own: refused, and nothing is posted (the core offers a "show it to me" button)."""
        log.info("discord: no private notice for member %s in channel %s outside an interaction",
                 member.id, channel.key)
        raise DeliveryError(DeliveryProblem.NOT_PRIVATE,
                            f"member {member.id} in channel {channel.key}: Discord has no ephemeral message "
                            "outside an interaction")

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        key = reply.idempotency_key
        link = self._link(message.channel) if key or reply.choices or reply.selects else None
        part = render_edit(reply, key=key, link=link)  # an edit cannot add messages
        target = self._channel(message.channel).get_partial_message(int(message.id))
        async with delivery("edit", f"message {message.key}"):
            await target.edit(**part.edit_kwargs())

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """Edit the only-you reply kept under `key`, through the token of the interaction it answered.
        False, with nothing changed, once the token expired (15 minutes), the key is unknown (or from
        before a restart), or Discord refuses the edit for good; a rate limit or a network failure is
        raised as a retryable DeliveryError."""
        held = self.private.get(community, key)
        if held is None:
            log.info("discord: the only-you reply %s in %s can no longer be edited (expired or unknown)",
                     key, community.key)
            return False
        link = held.link if reply.choices or reply.selects else None
        part = render_edit(reply, link=link)  # one message: an edit cannot add any
        refused: discord.HTTPException | None = None
        try:
            async with delivery("edit only-you reply", f"{key} in {community.key}"):
                try:
                    if held.message_id is None:
                        await held.interaction.edit_original_response(**part.edit_kwargs())
                    else:
                        await held.interaction.followup.edit_message(held.message_id, **part.edit_kwargs())
                except discord.HTTPException as exc:
                    if exc.status == 429 or exc.status >= 500:
                        raise
                    refused = exc  # gone (expired token, unknown message) or refused for good
        except DeliveryError as exc:
            if exc.retryable:
                raise
            log.warning("discord: the only-you reply %s in %s was not edited: %s", key, community.key, exc)
            return False
        if refused is not None:
            self.private.forget(community, key)
            expired = refused.status == 401 or refused.code in NO_LONGER_EDITABLE
            log.info("discord: the only-you reply %s in %s %s (HTTP %s code %s)", key, community.key,
                     "can no longer be edited" if expired else "was refused", refused.status, refused.code)
            return False
        return True

    async def delete(self, message: MessageRef) -> None:
        target = self._channel(message.channel).get_partial_message(int(message.id))
        async with delivery("delete", f"message {message.key}"):
            try:
                await target.delete()
            except discord.NotFound:
                log.info("message %s was already gone", message.key)

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        """A private thread in the channel (needs Create Private Threads), with each member added."""
        parent = channel.without_thread()
        async with delivery("open private thread in", f"channel {parent.key}"):
            data = await self.client.http.start_thread_without_message(
                int(parent.id), name=clip(name, THREAD_NAME_LIMIT),
                auto_archive_duration=PRIVATE_THREAD_ARCHIVE_MINUTES, type=discord.ChannelType.private_thread.value,
                invitable=False)
            thread_id = int(data["id"])
            for member in members:
                await self.client.http.add_user_to_thread(thread_id, int(member.id))
        return parent.in_thread(str(thread_id))

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        """A private thread of exactly this name in the channel, among the guild's active threads (GET
        /guilds/{id}/threads/active); each member is added again, since a crash may have come between opening
        it and adding them (adding one already there changes nothing)."""
        parent = channel.without_thread()
        wanted = clip(name, THREAD_NAME_LIMIT)
        async with delivery("look for a private thread in", f"channel {parent.key}"):
            active = await self.client.http.get_active_threads(int(channel.community.id))
            found = next((t for t in active.get("threads", []) if str(t.get("parent_id")) == parent.id
                          and t.get("type") == discord.ChannelType.private_thread.value and t.get("name") == wanted),
                         None)
            if found is None:
                return None
            thread_id = int(found["id"])
            for member in members:
                await self.client.http.add_user_to_thread(thread_id, int(member.id))
        return parent.in_thread(str(thread_id))

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        parent = message.channel.without_thread()
        async with delivery("start thread on", f"message {message.key}"):
            try:
                data = await self.client.http.start_thread_with_message(
                    int(parent.id), int(message.id), name=clip(name, THREAD_NAME_LIMIT),
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES)
            except discord.HTTPException as exc:
                if exc.code != THREAD_ALREADY_EXISTS:
                    raise
                # a thread started on a message has the message's id: this is the one made before
                log.info("thread on %s already exists; reusing it", message.key)
                return parent.in_thread(message.id)
        return parent.in_thread(str(data["id"]))

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        """Our message carrying this key (nonce, or the key in an embed's url: history does not return
        nonces; or in its footer, where messages posted before the url carried it) among the channel's
        recent messages; the earliest one when a reply was split."""
        me = self.client.user
        nonce = nonce_for(idempotency_key)
        found: discord.Message | None = None
        async with delivery("search history of", f"channel {destination.key}"):
            async for message in self._channel(destination).history(limit=HISTORY_SCAN):
                if message.created_at < since:
                    break
                if me is not None and message.author.id != me.id:
                    continue
                if message.nonce == nonce or any(idempotency_key in (url_key(e), footer_key(e))
                                                 for e in message.embeds):
                    found = message
        return MessageRef(destination, str(found.id)) if found is not None else None
