"""`StudyBot.handle(event) -> Response`: the only way into the core."""

from __future__ import annotations

import logging

from bot.actions import ActionError, decode
from bot.events import ChoiceSelected, CommandInvoked, Event, FormSubmitted
from bot.features.admin import Admin
from bot.features.daily import ENDED, DailyQuestions
from bot.features.leaderboard import Leaderboard
from bot.messages import Response
from bot.ports import Clock
from bot.store.communities import MemberRepo

log = logging.getLogger(__name__)
SORRY = "Something went wrong on my side; nothing you sent was lost. Please try again in a moment."


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
            return Response.private(SORRY)

    async def _remember(self, event: Event) -> None:
        """Keep display names current (for the console and logs); skip the write when nothing changed."""
        key = (event.actor.community.key, event.actor.member.id)
        if self._known_names.get(key) != event.actor.display_name:
            await self._members.touch(key[0], key[1], event.actor.display_name, self._clock.now())
            self._known_names[key] = event.actor.display_name

    async def _route(self, event: Event) -> Response:
        if isinstance(event, CommandInvoked):
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
