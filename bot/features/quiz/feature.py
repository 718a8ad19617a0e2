"""The quiz feature, built: the solo quiz and the races, wired into a FeatureSpec."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import Action
from bot.events import ChoiceSelected, CommandInvoked
from bot.features.quiz import COMMANDS, JOB, NAME
from bot.features.quiz.migrations import MIGRATIONS
from bot.features.quiz.race import Races
from bot.features.quiz.race_run import RaceRunner
from bot.features.quiz.race_store import SqliteRaceStore
from bot.features.quiz.solo import SoloQuiz
from bot.features.quiz.solo_store import SqliteSoloStore
from bot.features.quiz.views import ENDED
from bot.ids import CommunityRef, MemberRef
from bot.messages import Field, Response
from bot.registry import FeatureSpec, JobSpec

if TYPE_CHECKING:
    from bot.services import Services

RACE_GRACE = timedelta(days=1)  # the race's own run decides what is too late (it ends a stale race)


def build_feature(services: Services) -> FeatureSpec:
    solo_store = SqliteSoloStore(services.db)
    race_store = SqliteRaceStore(services.db)

    def review_on() -> bool:
        return any(f.name == "review" for f in services.registry.features)

    solo = SoloQuiz(solo_store, services.packs, services.ledger, services.clock, services.registry.publish,
                    review_on)
    runner = RaceRunner(race_store, services.packs, services.ledger, services.clock, services.delivery,
                        services.chat, services.jobs, services.registry.publish)
    races = Races(race_store, services.packs, services.clock, runner)

    async def on_choice(event: ChoiceSelected, action: Action) -> Response:
        if action.verb in ("pick", "stop"):
            return await races.on_choice(event, action)
        if action.verb in ("ans", "next", "cont", "new", "again"):
            return await solo.on_choice(event, action)
        return Response.private(ENDED)

    async def solo_command(event: CommandInvoked) -> Response:
        return await solo.command(event)

    async def export(member: MemberRef) -> dict[str, Any]:
        key = member.community.key
        return {"quizzes": await solo_store.member_data(key, member.id),
                "race_picks": await race_store.member_data(key, member.id)}

    async def export_all(community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export` of many members in two reads (quizzes, race picks) of two queries each, whatever their
        number."""
        quizzes = await solo_store.community_data(community.key)
        picks = await race_store.community_data(community.key)
        return {m: {"quizzes": quizzes.get(m, []), "race_picks": picks.get(m, [])} for m in members}

    async def erase(member: MemberRef) -> int:
        key = member.community.key
        return await solo_store.erase_member(key, member.id) + await race_store.erase_member(key, member.id)

    async def stats(member: MemberRef, viewer: MemberRef) -> tuple[Field, ...]:
        answered, right = await solo.accuracy(member)
        if not answered:
            return ()
        return (Field("Quiz answers", f"{answered} ({round(100 * right / answered)}% right)"),)

    return FeatureSpec(
        name=NAME, catalogue=COMMANDS,
        commands={"quiz": solo_command, "quiz solo": solo_command, "quiz race": races.command,
                  "quiz stop": races.stop_command},
        on_choice=on_choice, jobs=(JobSpec(JOB, runner.run, grace=RACE_GRACE),),
        export_member=export, export_community=export_all, erase_member=erase, member_stats=stats,
        migrations=MIGRATIONS,
        parts={"quiz": solo, "races": races, "race_runner": runner, "quiz_store": solo_store, "race_store": race_store},
    )
