"""The leaderboard feature, built: board, streaks, recap, stats, audit and member data, wired into a
FeatureSpec."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import Action
from bot.audit import AdminAction
from bot.events import ChoiceSelected, CommandInvoked
from bot.features.leaderboard import COMMANDS, NAME
from bot.features.leaderboard.audit import PAGE as AUDIT_PAGE
from bot.features.leaderboard.audit import AuditRepo, admin_action, audit_page
from bot.features.leaderboard.board import ENDED, Board
from bot.features.leaderboard.drawing import ChartDrawer, ProcessDrawer
from bot.features.leaderboard.member_data import MemberData
from bot.features.leaderboard.migrations import MIGRATIONS
from bot.features.leaderboard.recap import JOB as RECAP_JOB
from bot.features.leaderboard.recap import RECAP, Recap
from bot.features.leaderboard.stats import Stats
from bot.features.leaderboard.store import BoardRepo, empty_member_data
from bot.features.leaderboard.streaks import CHECK_JOB, Streaks
from bot.ids import CommunityRef, MemberRef
from bot.messages import Response
from bot.registry import FeatureSpec, JobSpec
from bot.signals import ItemAttempted, MemberActive
from bot.store.jobs import Job

if TYPE_CHECKING:
    from bot.services import Services


def streak_reader(services: Services) -> Callable[[MemberRef], Awaitable[int]]:
    """A member's current streak in days, for other read-only views (the member's home)."""
    return _streaks(services).days


def _streaks(services: Services) -> Streaks:
    return Streaks(BoardRepo(services.db), services.rounds, services.members, services.communities,
                   services.jobs, services.delivery, services.clock)


def build_feature(services: Services, *, charts: ChartDrawer | None = None) -> FeatureSpec:
    """`charts` draws the /stats chart (default: in a worker process; tests may pass an in-process one). It is
    the part "charts", which the composition root closes with the core."""
    charts = charts if charts is not None else ProcessDrawer()
    store = BoardRepo(services.db)
    audit = AuditRepo(services.db)
    board = Board(services.ledger, store, services.communities, services.members, services.clock, services.chat)
    streaks = _streaks(services)
    recap = Recap(board, services.ledger, store, streaks, services.communities, services.settings,
                  services.delivery, services.jobs, services.clock)
    stats = Stats(services.ledger, store, board, streaks, services.members, services.chat, services.clock,
                  services.registry.member_stats, charts)
    data = MemberData(services.ledger, store, audit, board, services.communities, services.members,
                      services.delivery, services.clock, services.registry.export_member,
                      services.registry.export_community, services.registry.erase_member, services.settings,
                      lambda: services.registry.settings)

    async def audit_log(event: CommandInvoked) -> Response:
        return await _audit_page(event.actor.member, 1, None, replace=False)

    async def _audit_page(member: MemberRef, page: int, newest: int | None, *, replace: bool) -> Response:
        rows = await audit.page(member.community.key, AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE, newest)
        top = newest if newest is not None else (rows[0].id if rows else 0)
        return audit_page(member.community, rows[:AUDIT_PAGE], page, len(rows) > AUDIT_PAGE, top, replace)

    async def on_choice(event: ChoiceSelected, action: Action) -> Response:
        match action.verb:
            case "page":
                return await board.on_page(event, action)
            case "mine":
                return await stats.on_points_page(event, action)
            case "audit":
                if not event.actor.is_admin:
                    return Response.private("Only admins can read the audit log.")
                page, newest = action.int_arg(0), action.int_arg(1)
                if not 1 <= page <= 100_000:
                    return Response.private(ENDED)
                return await _audit_page(event.actor.member, page, newest, replace=True)
            case "forget" | "keep":
                return await data.on_choice(event, action)
        return Response.private(ENDED)

    async def settings_changed(community: str) -> None:
        settings = await services.communities.get(community)
        if settings is None:
            return
        await board.zone_changed(community, settings.timezone)
        await recap.plan(settings)

    async def export(member: MemberRef) -> dict[str, Any]:
        key = member.community.key
        return {"points": await services.ledger.member_rows(key, member.id),
                **await store.member_data(key, member.id),
                "admin_actions": [admin_action(e) for e in await audit.by_actor(key, member.id)]}

    async def export_all(community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export` of many members in three reads (the community's ledger, this feature's rows, the audit
        log), whatever their number."""
        key = community.key
        points: dict[str, list[dict[str, Any]]] = {}
        for member, amount, reason, ref, topic, at in await services.ledger.community_rows(key):
            points.setdefault(member, []).append(
                {"points": amount, "reason": reason, "ref": ref, "topic": topic, "at": at})
        held = await store.community_data(key)
        actions: dict[str, list[dict[str, Any]]] = {}
        for entry in await audit.community_rows(key):
            actions.setdefault(entry.actor, []).append(admin_action(entry))
        return {m: {"points": points.get(m, []), **held.get(m, empty_member_data()),
                    "admin_actions": actions.get(m, [])} for m in members}

    async def erase(member: MemberRef) -> int:
        key = member.community.key
        await streaks.erase(member)
        gone = await services.ledger.erase_member(key, member.id)
        gone += await store.erase_member(key, member.id)
        return gone + await audit.erase_member(key, member.id)

    async def recorded(record: AdminAction) -> None:
        await audit.add(record)

    async def run_recap(job: Job) -> None:
        await recap.run(job)

    return FeatureSpec(
        name=NAME, catalogue=COMMANDS,
        commands={"leaderboard": board.command, "stats": stats.command, "studybot points": board.adjust_points,
                  "studybot exclude": board.exclude, "studybot include": board.include,
                  "studybot audit": audit_log, "studybot export": data.export,
                  "studybot my-points": stats.my_points, "studybot my-data": data.my_data,
                  "studybot forget-me": data.forget_me},
        on_choice=on_choice, settings=(RECAP,), settings_changed=settings_changed,
        jobs=(JobSpec(RECAP_JOB, run_recap, grace=timedelta(days=3650)),  # the run decides what is too late
              JobSpec(CHECK_JOB, streaks.run_check, grace=timedelta(days=3650))),
        listens={MemberActive: streaks.on_active, ItemAttempted: streaks.on_attempt},
        export_member=export, export_community=export_all, erase_member=erase, on_admin_action=recorded,
        migrations=MIGRATIONS,
        parts={"board": board, "streaks": streaks, "recap": recap, "stats": stats, "member_data": data,
               "charts": charts},
    )
