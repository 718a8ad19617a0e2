"""The review feature, built: the session and the reminders, wired into a FeatureSpec."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import Action
from bot.events import ChoiceSelected, CommandInvoked, FormSubmitted
from bot.features.review import COMMANDS, ENDED, JOB, NAME, SETTING_OPTIONS
from bot.features.review.reminders import Reminders
from bot.features.review.session import ReviewSession
from bot.features.review.store import MIGRATIONS, ReviewRepo, empty_member_data
from bot.ids import CommunityRef, MemberRef
from bot.messages import Response
from bot.registry import FeatureSpec, JobSpec
from bot.signals import ItemAttempted

if TYPE_CHECKING:
    from bot.services import Services


def build_feature(services: Services) -> FeatureSpec:
    store = ReviewRepo(services.db)
    session = ReviewSession(store, services.packs, services.ledger, services.members, services.communities,
                            services.clock, services.registry.publish)
    reminders = Reminders(store, session, services.jobs, services.delivery, services.members,
                          services.communities, services.clock)

    async def on_command(event: CommandInvoked) -> Response:
        if any(event.options.get(name) is not None for name in SETTING_OPTIONS):
            return await reminders.from_options(event)
        if event.options.get("show") == "settings":
            if event.can_open_form:
                return Response(form=await reminders.form(event.actor))
            return await reminders.current(event.actor)
        return await session.start(event.actor)

    async def on_choice(event: ChoiceSelected, action: Action) -> Response:
        match action.verb:
            case "show":
                return await session.show(event, action)
            case "rate":
                return await session.rate(event, action)
            case "next":
                return await session.start(event.actor, replace=True)
            case "settings":
                if event.can_open_form:
                    return Response(form=await reminders.form(event.actor))
                return await reminders.current(event.actor)
        return Response.private(ENDED)

    async def on_form(event: FormSubmitted, action: Action) -> Response:
        if action.verb != "remind":
            return Response.private(ENDED)
        return await reminders.on_form(event)

    async def export(member: MemberRef) -> dict[str, Any]:
        return await store.member_data(member.community.key, member.id)

    async def export_all(community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export` of many members in one read (three queries), whatever their number."""
        held = await store.community_data(community.key)
        return {m: held.get(m) or empty_member_data() for m in members}

    async def erase(member: MemberRef) -> int:
        await reminders.forget(member.community.key, member.id)
        return await store.erase_member(member.community.key, member.id)

    return FeatureSpec(
        name=NAME, catalogue=COMMANDS, commands={"review": on_command}, on_choice=on_choice, on_form=on_form,
        jobs=(JobSpec(JOB, reminders.run, grace=timedelta(days=3650)),),  # the handler judges lateness itself
        listens={ItemAttempted: session.on_attempt}, member_stats=session.stats,
        export_member=export, export_community=export_all, erase_member=erase, migrations=MIGRATIONS,
        parts={"review": session, "review_reminders": reminders},
    )
