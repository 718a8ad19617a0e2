"""`StudyBot.handle(event) -> Response`: the only way into the core."""

from __future__ import annotations

import logging

from bot import markup as mk
from bot.actions import ActionError, decode
from bot.commands import option_problems
from bot.events import ChoiceSelected, CommandInvoked, Event, FormSubmitted
from bot.features.admin import Admin
from bot.features.daily import ENDED, DailyQuestions
from bot.features.leaderboard import Leaderboard
from bot.messages import Response, clip
from bot.ports import Clock
from bot.store.communities import MemberRepo

log = logging.getLogger(__name__)
SORRY = "Something went wrong on my side, so that did not go through. Please try again in a moment."


class StudyBot:
    def __init__(self, daily: DailyQuestions, board: Leaderboard, admin: Admin, members: MemberRepo,
                 clock: Clock) -> None:
        self.daily = daily
        self.board = board
        self.admin = admin
        self._members = members
        self._clock = clock
        self._known_names: dict[tuple[str, str], str] = {}

    async def handle(self, event: Event) -> Response:
        try:
            await self._remember(event)
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
            problems = option_problems(event.name, event.subcommand, event.options)
            if problems:
                return Response.private("That command has a problem, so nothing was done: "
                                        + "; ".join(problems) + ".")
            match event.name:
                case "daily":
                    return await self.daily.on_command(event)
                case "leaderboard":
                    return await self.board.leaderboard(event)
                case "stats":
                    return await self.board.stats(event)
                case "studybot":
                    return await self.admin.on_command(event)
            return Response.private(f"I don't know /{event.name}. Try /studybot help.")
        if isinstance(event, ChoiceSelected):
            action = decode(event.action)
            if action.feature == "daily":
                return await self.daily.on_choice(event, action)
            return Response.private(ENDED)
        if isinstance(event, FormSubmitted):
            action = decode(event.form_id)
            if action.feature == "daily" and action.verb == "submit":
                return await self.daily.on_form(event, action)
            if action.feature == "admin":
                return await self.admin.on_form(event, action)
            return Response.private(ENDED)
        return Response.private(ENDED)


def _typed_back(event: Event) -> str:
    """What the member typed into a form, handed back when it could not be handled: it is not lost."""
    if not isinstance(event, FormSubmitted):
        return ""
    typed = [v for v in event.values.values() if isinstance(v, str) and v.strip()]
    if not typed:
        return ""
    return "\n\nHere is what you typed, so you can keep it:\n" + mk.escape(clip("\n\n".join(typed), 3000))
