"""The "Show it to me" button: a private message that could not be sent by DM is shown to its member
alone, as an only-you reply, and to nobody else (bot.features.delivery posts the button)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.actions import Action
from bot.events import ChoiceSelected
from bot.features.delivery import INBOX
from bot.messages import Response
from bot.messages_json import reply_from_json
from bot.registry import FeatureSpec
from bot.store.drops import DropRepo

if TYPE_CHECKING:
    from bot.ids import MemberRef
    from bot.services import Services

NAME = INBOX
COMMANDS = ()


def build(services: Services) -> FeatureSpec:
    drops = DropRepo(services.db)

    async def on_choice(event: ChoiceSelected, action: Action) -> Response:
        drop = await drops.get(action.int_arg(0)) if action.verb == "show" else None
        if drop is None or drop.community != event.actor.community.key:
            return Response.private("That message is no longer here.")
        if drop.member != event.actor.member.id:
            return Response.private("That message is for someone else; only they can open it.")
        return Response(reply=reply_from_json(drop.reply_json))

    async def erase(member: MemberRef) -> int:
        return await drops.erase_member(member.community.key, member.id)

    return FeatureSpec(name=NAME, on_choice=on_choice, erase_member=erase)
