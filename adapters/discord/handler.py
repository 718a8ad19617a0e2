"""Interactions in, Responses out: translate, ask the core, and answer within Discord's three seconds.

The core gets `defer_after` seconds. A quick answer goes out as the interaction's first response (the
only place a modal can go); a slow one is deferred first and delivered as an edit or a follow-up.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from adapters.discord.chat import DiscordChat
from adapters.discord.components import ACTION_TEMPLATE, FORM_BUTTON_PREFIX, form_modal, open_form_view
from adapters.discord.errors import UNKNOWN_INTERACTION
from adapters.discord.render import Part, render_reply
from adapters.discord.translate import (
    Origin,
    choice_event,
    command_event,
    form_event,
    guild_link,
    origin,
    payload_data,
)
from bot import markup as mk
from bot.commands import find
from bot.events import Event, HomeOpened
from bot.ids import CommunityRef
from bot.messages import ChannelPost, DirectMessage, Form, Reply, Response, Visibility
from bot.ports import DeliveryError
from bot.registry import Catalogue

log = logging.getLogger(__name__)
Handle = Callable[[Event], Awaitable[Response]]
DEFAULT_DEFER_AFTER = 1.5
OUTSIDE_SERVER = "Use studybot from the server: I can't tell which server this belongs to."
UNKNOWN_COMMAND = "I don't know that command any more. Try /studybot help."
FORM_TOO_SLOW = "Here is the form you asked for:"
FORM_BUTTON_TTL_S = 600.0
NOT_MINE = ("That button has expired or is not one I can answer (it may be from before I restarted). "
            "Run the command again.")


@dataclass(frozen=True, slots=True)
class Deferred:
    thinking: bool  # "studybot is thinking…" (a command) rather than a silent acknowledgement
    ephemeral: bool = True


def describe(interaction: discord.Interaction) -> str:
    data = payload_data(interaction)
    what = data.get("name") or data.get("custom_id") or "?"
    return (f"interaction {interaction.id} ({interaction.type.name} {what}) in guild {interaction.guild_id} "
            f"channel {interaction.channel_id} by {interaction.user.id}")


def errors_reply(errors: dict[str, str]) -> Reply:
    listing = "\n".join(f"- {mk.escape(field)}: {mk.escape(problem)}" for field, problem in errors.items())
    return Reply(text=f"Not saved:\n{listing}")


class InteractionHandler:
    def __init__(self, handle: Handle, chat: DiscordChat, admin_role: str | None,
                 defer_after: float = DEFAULT_DEFER_AFTER, catalogue: Catalogue | None = None) -> None:
        self._handle = handle
        self._catalogue = catalogue
        self._chat = chat
        self._admin_role = admin_role
        self.defer_after = defer_after
        self._forms: dict[str, tuple[float, Form]] = {}  # "Open the form" buttons, by custom id

    # entry points ---------------------------------------------------------------------------
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Every interaction; buttons and selects arrive through ActionItem (a DynamicItem) instead."""
        kind = interaction.type
        if kind is discord.InteractionType.application_command:
            await self._guarded(interaction, self._command(interaction))
        elif kind is discord.InteractionType.modal_submit:
            await self._guarded(interaction, self._form(interaction))
        elif kind is discord.InteractionType.autocomplete:
            await self._guarded(interaction, interaction.response.autocomplete([]))
        elif kind is discord.InteractionType.component:
            custom_id = str(payload_data(interaction).get("custom_id") or "")
            if not ACTION_TEMPLATE.fullmatch(custom_id):  # action ids are ActionItem's (a DynamicItem)
                await self._guarded(interaction, self._other_component(interaction, custom_id))

    async def on_action(self, interaction: discord.Interaction, action: str, values: tuple[str, ...] = ()) -> None:
        """A button clicked or a select picked (with what was picked)."""
        await self._guarded(interaction, self._action(interaction, action, values))

    async def _other_component(self, interaction: discord.Interaction, custom_id: str) -> None:
        """Every click gets an answer: an "Open the form" button still remembered opens its form;
        anything else (expired, from before a restart, not ours) is told so instead of failing."""
        now = time.monotonic()
        for key in [k for k, (until, _) in self._forms.items() if until < now]:
            del self._forms[key]
        held = self._forms.get(custom_id) if custom_id.startswith(FORM_BUTTON_PREFIX) else None
        if held is not None:
            await interaction.response.send_modal(form_modal(held[1]))
            return
        log.info("%s: not a button I can answer; telling the member", describe(interaction))
        await interaction.response.send_message(NOT_MINE, ephemeral=True)

    def _form_button(self, form: Form) -> str:
        custom_id = FORM_BUTTON_PREFIX + secrets.token_hex(8)
        self._forms[custom_id] = (time.monotonic() + FORM_BUTTON_TTL_S, form)
        return custom_id

    async def _command(self, interaction: discord.Interaction) -> None:
        at = self._origin(interaction)
        event = command_event(interaction, at, self._catalogue) if at is not None else None
        if at is None or event is None:
            await self._deliver(interaction, Response.private(OUTSIDE_SERVER if at is None else UNKNOWN_COMMAND))
            return
        # a command whose answer is normally public is deferred publicly
        spec = self._catalogue.find(event.name) if self._catalogue is not None else find(event.name)
        await self._run(interaction, event, public=spec is not None and spec.public)

    async def _action(self, interaction: discord.Interaction, action: str, values: tuple[str, ...]) -> None:
        at = self._origin(interaction)
        if at is None:
            await self._deliver(interaction, Response.private(OUTSIDE_SERVER))
            return
        await self._run(interaction, choice_event(interaction, at, action, values))

    async def _form(self, interaction: discord.Interaction) -> None:
        at = self._origin(interaction)
        if at is None:
            await self._deliver(interaction, Response.private(OUTSIDE_SERVER))
            return
        await self._run(interaction, form_event(interaction, at))

    def _origin(self, interaction: discord.Interaction) -> Origin | None:
        return origin(interaction, self._admin_role)

    async def _guarded(self, interaction: discord.Interaction, work: Awaitable[object]) -> None:
        """Nothing escapes into discord.py's logger without our context."""
        try:
            await work
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_INTERACTION:
                log.warning("%s expired before we answered (Discord allows 3 s)", describe(interaction))
            else:
                log.error("%s: answering failed: HTTP %s code %s %s", describe(interaction), exc.status,
                          exc.code, exc.text)
        except Exception:
            log.exception("%s: handling failed", describe(interaction))

    # the core, on time ----------------------------------------------------------------------
    async def _run(self, interaction: discord.Interaction, event: Event, public: bool = False) -> None:
        task = asyncio.ensure_future(self._handle(event))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        response: Response | None = None
        try:
            deferred = None if done else await self._defer(interaction, public)
            response = await task
            await self._deliver(interaction, response, deferred, self._link(interaction, event),
                                event.actor.community)
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_INTERACTION:
                raise
            response = await task
            await self._expired(interaction, event, response)
        finally:
            if response is not None:
                await self._follow_ups(response)

    async def _expired(self, interaction: discord.Interaction, event: Event, response: Response) -> None:
        """The core did its work, but the interaction can no longer be answered."""
        if (response.reply is not None and response.visibility is Visibility.PUBLIC and not response.replace_original
                and not isinstance(event, HomeOpened)):
            log.warning("%s expired; posting its public reply in the channel instead", describe(interaction))
            try:
                await self._chat.send(event.channel, response.reply)
            except DeliveryError:
                pass  # logged by the chat port
        else:
            log.warning("%s expired before we answered (Discord allows 3 s); the member saw no reply",
                        describe(interaction))

    async def _defer(self, interaction: discord.Interaction, public: bool) -> Deferred:
        log.info("%s: the core is slow; deferring", describe(interaction))
        if interaction.type is discord.InteractionType.application_command or interaction.message is None:
            await interaction.response.defer(thinking=True, ephemeral=not public)
            return Deferred(thinking=True, ephemeral=not public)
        await interaction.response.defer()  # a button, or a modal opened from one: edit or follow up later
        return Deferred(thinking=False)

    # delivery -------------------------------------------------------------------------------
    @staticmethod
    def _link(interaction: discord.Interaction, event: Event) -> str | None:
        """In a DM every message we send or edit keeps the link that names its server (see translate)."""
        return guild_link(event.actor.community) if interaction.guild_id is None else None

    async def _deliver(self, interaction: discord.Interaction, response: Response,
                       deferred: Deferred | None = None, link: str | None = None,
                       community: CommunityRef | None = None) -> None:
        if response.form is not None:
            # a modal must be the first response, and cannot answer a modal
            if deferred is None and interaction.type is not discord.InteractionType.modal_submit:
                await interaction.response.send_modal(form_modal(response.form))
            else:  # too late for a modal: a button that opens it
                view = open_form_view(self._form_button(response.form))
                await self._send(interaction, [Part(content=FORM_TOO_SLOW, view=view)], True, deferred)
            return
        reply = response.reply or (errors_reply(response.form_errors) if response.form_errors else None)
        if reply is None:
            await self._acknowledge(interaction, deferred)
            return
        # only components are used later; Response.refresh_home has no Discord counterpart (no App Home)
        parts = render_reply(reply, link=link if reply.choices or reply.selects else None)
        # an only-you reply the core may edit later (Response.private_key): keep the interaction's token
        key = response.private_key if response.visibility is Visibility.ONLY_YOU and response.reply else None
        if response.replace_original and interaction.message is not None:
            await self._replace(interaction, parts, deferred)
            # the message the button was on is the interaction's original; kept only if it is only-you
            if key and community is not None and interaction.message.flags.ephemeral:
                self._chat.private.remember(community, key, interaction, None, link)
        else:
            private = response.visibility is Visibility.ONLY_YOU or bool(response.form_errors)
            keep = bool(key) and private and community is not None
            message_id = await self._send(interaction, parts, private, deferred, want_id=keep)
            if keep and key and community is not None:
                self._chat.private.remember(community, key, interaction, message_id, link)

    async def _send(self, interaction: discord.Interaction, parts: list[Part], ephemeral: bool,
                    deferred: Deferred | None, want_id: bool = False) -> int | None:
        """Returns where the first part went: None for the interaction's original response, else the
        follow-up message's id (asked for, `wait`, only when `want_id`)."""
        first, rest = parts[0], parts[1:]
        where: int | None = None
        if deferred is None:
            await interaction.response.send_message(**first.send_kwargs(), ephemeral=ephemeral)
        elif deferred.thinking and deferred.ephemeral == ephemeral:
            await interaction.edit_original_response(**first.edit_kwargs())
        else:  # deferred the other way (or silently): the answer is a new message
            if deferred.thinking:
                await interaction.delete_original_response()
            if want_id:
                sent = await interaction.followup.send(**first.send_kwargs(), ephemeral=ephemeral, wait=True)
                where = sent.id
            else:
                await interaction.followup.send(**first.send_kwargs(), ephemeral=ephemeral)
        for part in rest:
            await interaction.followup.send(**part.send_kwargs(), ephemeral=ephemeral)
        return where

    async def _replace(self, interaction: discord.Interaction, parts: list[Part],
                       deferred: Deferred | None) -> None:
        """Update the message the button was on (a checklist ticked, a share toggled)."""
        first, rest = parts[0], parts[1:]
        if deferred is None:
            await interaction.response.edit_message(**first.edit_kwargs())
        else:  # deferred silently: the original response is the message the button was on
            await interaction.edit_original_response(**first.edit_kwargs())
        ephemeral = interaction.message is not None and interaction.message.flags.ephemeral
        for part in rest:
            await interaction.followup.send(**part.send_kwargs(), ephemeral=ephemeral)

    async def _acknowledge(self, interaction: discord.Interaction, deferred: Deferred | None) -> None:
        if deferred is not None:
            if deferred.thinking:
                await interaction.delete_original_response()
        elif interaction.type is discord.InteractionType.component:
            await interaction.response.defer()
        else:
            await interaction.response.send_message("Done.", ephemeral=True)

    async def _follow_ups(self, response: Response) -> None:
        for follow_up in response.follow_ups:
            try:
                if isinstance(follow_up, ChannelPost):
                    await self._chat.send(follow_up.destination, follow_up.reply)
                elif isinstance(follow_up, DirectMessage):
                    await self._chat.send_direct(follow_up.member, follow_up.reply)
            except DeliveryError:
                pass  # logged by the chat port; a follow-up is best effort
