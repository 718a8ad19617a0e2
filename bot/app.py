"""`StudyBot.handle(event) -> Response`: the only way into the core."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace

from bot import markup as mk
from bot.actions import Action, ActionError, decode
from bot.audit import AdminAction, option_texts, outcome_text
from bot.commands import option_problems
from bot.events import ChoiceSelected, CommandInvoked, Event, FormSubmitted, HomeOpened, OptionValue
from bot.messages import Response, clip
from bot.ports import Clock
from bot.precedence import MembersFirst
from bot.registry import Registry, deferring
from bot.store.protocols import MemberStore

ENDED = "This has ended, or that button is no longer mine. Try /studybot help."

log = logging.getLogger(__name__)
SORRY = "Something went wrong on my side, so that did not go through. Please try again in a moment."


class StudyBot:
    """Routes every event to the feature the registry says owns it: commands by name and subcommand,
    buttons, selects and forms by the prefix of their action id, the member's home to the feature that
    draws it. Admin-only commands are refused here for everyone else, whichever feature declared them, and
    every admin action (an admin-only command, or a button or form a feature declared an admin action) is
    handed to the registry's audit hook with who did it, what, why and what they were told: in one place,
    so a new feature's admin commands are audited without doing anything."""

    def __init__(self, registry: Registry, members: MemberStore, clock: Clock,
                 precedence: MembersFirst | None = None) -> None:
        """`precedence`: counts the requests being handled, so background work gives way to them."""
        self._registry = registry
        self._precedence = precedence
        self._members = members
        self._clock = clock
        self._known_names: dict[tuple[str, str], str] = {}

    async def handle(self, event: Event) -> Response:
        with self._precedence.member() if self._precedence is not None else contextlib.nullcontext():
            return await self._handle(event)

    async def _handle(self, event: Event) -> Response:
        try:
            await self._remember(event)
            with deferring():
                return await self._route(event)
        except ActionError:
            return Response.private(ENDED)
        except Exception:
            log.exception("handling %s failed", type(event).__name__)
            return Response.private(SORRY + _typed_back(event))

    async def _remember(self, event: Event) -> None:
        """Keep display names current (for the console and logs); skip the write when nothing changed."""
        key = (event.actor.community.key, event.actor.member.id)
        if self._known_names.get(key) != event.actor.display_name:
            await self._members.touch(key[0], key[1], event.actor.display_name, self._clock.now())
            self._known_names[key] = event.actor.display_name

    async def _route(self, event: Event) -> Response:
        if isinstance(event, CommandInvoked):
            return await self._command(event)
        if isinstance(event, HomeOpened):
            home = self._registry.home_handler()
            return await home(event) if home is not None else Response.private("There is nothing here yet.")
        action = decode(event.action if isinstance(event, ChoiceSelected) else event.form_id)
        if event.actor.is_admin and self._registry.is_admin_action(action):
            kind = "button" if isinstance(event, ChoiceSelected) else "form"
            values: dict[str, str | tuple[str, ...]] = {}
            if isinstance(event, ChoiceSelected):
                values.update({"picked": event.values} if event.values else {})
            else:
                values.update(event.values)
                values.update(event.selections)
            return await self._audited(event, f"{kind} {action.feature}:{action.verb}", values,
                                       lambda: self._dispatch(event, action))
        return await self._dispatch(event, action)

    async def _dispatch(self, event: ChoiceSelected | FormSubmitted, action: Action) -> Response:
        feature = self._registry.owner_of(action.feature)
        if isinstance(event, ChoiceSelected) and feature is not None and feature.on_choice is not None:
            return await feature.on_choice(event, action)
        if isinstance(event, FormSubmitted) and feature is not None and feature.on_form is not None:
            return await feature.on_form(event, action)
        return Response.private(ENDED)

    async def _audited(self, event: Event, what: str, options: Mapping[str, OptionValue | str | tuple[str, ...]],
                       run: Callable[[], Awaitable[Response]]) -> Response:
        """Run an admin action and record it, also when it fails (then the member hears SORRY as usual)."""
        texts = option_texts(options)
        record = AdminAction(event.actor.member, event.actor.display_name, what, self._clock.now(), texts,
                             texts.get("reason") or None)
        try:
            response = await run()
        except Exception as exc:
            await self._registry.admin_action(replace(record, outcome=f"failed: {type(exc).__name__}"))
            raise
        await self._registry.admin_action(replace(record, outcome=outcome_text(response)))
        return response

    async def _command(self, event: CommandInvoked) -> Response:
        catalogue = self._registry.catalogue
        spec = catalogue.find(event.name)
        if spec is None:
            return Response.private(f"I don't know /{event.name}. Try /studybot help.")
        problems = option_problems(spec, event.subcommand, event.options)
        if problems:
            return Response.private("That command has a problem, so nothing was done: " + "; ".join(problems) + ".")
        sub = spec.subcommand(event.subcommand) if event.subcommand else None
        where = f"/{spec.name}" + (f" {sub.name}" if sub else "")
        admin_only = spec.admin_only or (sub is not None and sub.admin_only)
        if admin_only and not event.actor.is_admin:
            return Response.private(f"Only admins can use {where}.")
        handler = self._registry.command_handler(spec.name, event.subcommand)
        if handler is None:
            return Response.private(f"I don't know {where}. Try /studybot help.")
        if admin_only:
            return await self._audited(event, where, event.options, lambda: handler(event))
        return await handler(event)


def _typed_back(event: Event) -> str:
    """What the member typed into a form, handed back when it could not be handled: it is not lost."""
    if not isinstance(event, FormSubmitted):
        return ""
    typed = [v for v in event.values.values() if isinstance(v, str) and v.strip()]
    if not typed:
        return ""
    return "\n\nHere is what you typed, so you can keep it:\n" + mk.escape(clip("\n\n".join(typed), 3000))
