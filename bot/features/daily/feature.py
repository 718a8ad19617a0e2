"""The daily question feature, built: its parts, handlers, jobs and settings, wired into a FeatureSpec."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import Action
from bot.events import CommandInvoked, FormSubmitted
from bot.features.daily import COMMANDS, JOB, NAME
from bot.features.daily.answers import DailyAnswers
from bot.features.daily.cycle import DailyCycle
from bot.features.daily.settings import SETTINGS, DailySettings
from bot.features.daily.store import empty_member_data
from bot.features.daily.views import ENDED, setup_summary
from bot.ids import CommunityRef, MemberRef
from bot.messages import Response
from bot.ports import DeliveryError
from bot.registry import FeatureSpec, JobSpec
from bot.store.jobs import Job

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def build_feature(services: Services) -> FeatureSpec:
    jobs = services.jobs

    async def wake(community: str, when: datetime | None) -> None:
        settings = await services.communities.get(community) if when is not None else None
        if when is None or settings is None or not settings.enabled:  # e.g. removed while this run went on
            await jobs.cancel(JOB, community)
        else:
            await jobs.schedule(JOB, community, community, when)

    schedules = DailySettings(services.communities, services.settings)
    answers = DailyAnswers(services.packs, schedules, services.rounds, services.ledger, services.clock,
                           services.registry.publish)
    cycle = DailyCycle(services.packs, schedules, services.rounds, services.delivery, services.clock,
                       wake, answers.remember_round)

    async def run(job: Job) -> None:
        await cycle.run_due(job.key)

    async def post_now(event: CommandInvoked) -> Response:
        settings = await schedules.get(event.actor.community.key)
        if settings is None or not settings.channel:
            return Response.private("studybot is not set up here yet: run /studybot setup first.")
        if not settings.enabled:
            return Response.private("studybot is paused here, so nothing was posted. Turn it back on "
                                    "with `/studybot config enabled yes`.")
        return Response.private(await cycle.post_now(settings))

    async def reveal_now(event: CommandInvoked) -> Response:
        settings = await schedules.get(event.actor.community.key)
        if settings is None:
            return Response.private("There is no open question to reveal.")
        return Response.private(await cycle.reveal_now(settings))

    async def set_up(community: str) -> str | None:
        settings = await schedules.get(community)
        return None if settings is None else setup_summary(settings, services.clock.now())

    async def on_form(event: FormSubmitted, action: Action) -> Response:
        if action.verb != "submit":
            return Response.private(ENDED)
        return await answers.on_form(event, action)

    async def export(member: MemberRef) -> dict[str, Any]:
        return await services.rounds.member_data(member.community.key, member.id)

    async def export_all(community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export` of many members in one read (three queries), whatever their number."""
        held = await services.rounds.community_data(community.key)
        return {m: held.get(m) or empty_member_data() for m in members}

    async def erase(member: MemberRef) -> int:
        """The member's answers, skips and kudos; the answers they shared, deleted where they were posted
        (and the pointers that named them); the outbox rows of all of it."""
        ids = await services.rounds.answer_ids(member.community.key, member.id)
        keys = [k for i in ids for k in (f"daily-shared:{i}", f"daily-checklist:{i}", f"daily-checklist:{i}:pointer")]
        deleted = 0
        for key, ref in (await services.delivery.sent(member.community, keys)).items():
            if key.startswith("daily-shared:") or key.endswith(":pointer"):
                try:
                    await services.chat.delete(ref)
                    deleted += 1
                except DeliveryError as exc:
                    log.warning("could not delete %s of a forgotten member: %s", ref.key, exc)
        gone = await services.rounds.erase_member(member.community.key, member.id)
        return gone + deleted + await services.delivery.forget(keys)

    return FeatureSpec(
        name=NAME,
        export_member=export,
        export_community=export_all,
        erase_member=erase,
        catalogue=COMMANDS,
        commands={"daily": answers.on_command, "studybot post-now": post_now, "studybot reveal-now": reveal_now},
        on_choice=answers.on_choice,
        on_form=on_form,
        jobs=(JobSpec(JOB, run, grace=timedelta(days=30)),),  # run_due itself decides what is too late
        settings=SETTINGS,
        settings_changed=cycle.settings_changed,
        setup_summary=set_up,
        parts={"cycle": cycle, "answers": answers},
    )
