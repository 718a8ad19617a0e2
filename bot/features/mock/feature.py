"""The mock-interview feature, built: its parts (pool, rounds, booking, packets, reports, scorecards,
notices, upkeep) wired into a FeatureSpec."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot import markup as mk
from bot.actions import Action
from bot.events import ChoiceSelected, CommandInvoked, FormSubmitted
from bot.features.mock import COMMANDS, DAY_NAMES, DAYS, HELP, NAME
from bot.features.mock.attendance import was_there
from bot.features.mock.booking import AFTER_JOB, EXPIRE_JOB, PACKET_JOB, REMIND_JOB, Booking
from bot.features.mock.context import ROUND_DAY, ROUND_TIME, SETTINGS, MockContext
from bot.features.mock.member_rows import empty_member_data
from bot.features.mock.migrations import MIGRATIONS
from bot.features.mock.model import COMPETENCIES, OPEN_STATUSES, Competency
from bot.features.mock.notices import ACTIVE_JOB, NOTICE_JOB, Notices
from bot.features.mock.packets import Packets
from bot.features.mock.pool import Pool
from bot.features.mock.repo import MockRepo
from bot.features.mock.reports import Reports
from bot.features.mock.rounds import DEADLINE_JOB, OPEN_JOB, ROUND_JOB, Rounds
from bot.features.mock.scorecards import Scorecards
from bot.features.mock.store import MockStore
from bot.features.mock.upkeep import RECONCILE_GRACE, RECONCILE_JOB, Upkeep
from bot.features.mock.views import at, averages
from bot.ids import CommunityRef, MemberRef
from bot.messages import Field, Reply, Response
from bot.registry import FeatureSpec, JobSpec
from bot.settings import SettingValueError
from bot.signals import ItemAttempted
from bot.store.jobs import Job

if TYPE_CHECKING:
    from bot.services import Services


def build_feature(services: Services) -> FeatureSpec:
    store: MockStore = MockRepo(services.db)
    ctx = MockContext(services, store)
    notices = Notices(ctx)
    rounds = Rounds(ctx, notices)
    booking = Booking(ctx, rounds, notices)
    packets = Packets(ctx)
    cards = Scorecards(ctx, notices)
    reports = Reports(ctx, notices)
    upkeep = Upkeep(ctx)

    async def leave_sessions(community: str, member: str, why: str | None = None) -> int:
        """Cancel the member's sessions still ahead; one that has started closes with its answers as usual."""
        cancelled = 0
        now = services.clock.now()
        for s in await store.sessions_of(community, member):
            if s.status not in OPEN_STATUSES or (s.start_at is not None and s.start_at <= now):
                continue
            if await booking.cancel_session(s, why or f"{at(member)} left the mock interview pool."):
                cancelled += 1
        return cancelled

    pool = Pool(ctx, rounds.plan, leave_sessions)

    async def schedule(event: CommandInvoked) -> Response:
        community = event.actor.community.key
        now = services.clock.now()
        try:
            for spec, key in ((ROUND_DAY, "day"), (ROUND_TIME, "time")):
                raw = event.options.get(key)
                if isinstance(raw, str) and raw.strip():
                    await services.settings.set(spec, community, raw, now)
        except SettingValueError as exc:
            return Response.private(f"Not changed: {exc}")
        day = str(await services.settings.get(ROUND_DAY, community))
        at = await services.settings.get(ROUND_TIME, community)
        settings = await services.communities.get(community)
        zone = settings.timezone if settings is not None else "UTC"
        nxt = await rounds.plan(community)
        when = (f" The next one is {mk.timestamp(nxt, 'f')}." if nxt else
                " The first one is planned once someone joins with /mock join.")
        return Response.private(f"Pairing rounds run every {DAY_NAMES[DAYS.index(day)]} at {ROUND_TIME.show(at)} "
                                f"({mk.escape(zone)}, the community's timezone).{when}")

    async def pair_now(event: CommandInvoked) -> Response:
        community = event.actor.community.key
        outcome = await rounds.run(community, services.clock.now(), manual=True)
        if outcome.problem:
            return Response.private(f"No round: {outcome.problem}.")
        if outcome.round is None and outcome.waiting:
            nxt = await rounds.next_round(community, services.clock.now())
            then = f" The scheduled round ({mk.timestamp(nxt, 'f')}) tries again." if nxt else ""
            n = len(outcome.waiting)
            why = ("only one member is free to pair" if n == 1 else
                   f"of the {n} members free to pair, no two share a track and a free hour in the week ahead")
            return Response.private(f"Nobody could be paired right now: {why}. Nothing was recorded and nobody was "
                                    f"messaged.{then}")
        if outcome.round is None:
            return Response.private("Nobody to pair right now: the pool is empty, paused, already paired, or has "
                                    "no free times this week.")
        paired = sum(len(s.members) for s in outcome.sessions)
        if not outcome.created:
            return Response.private(f"That round already ran: {paired} members in {len(outcome.sessions)} group"
                                    f"{'s' * (len(outcome.sessions) != 1)}. Nothing was paired twice.")
        waiting = (f" {len(outcome.waiting)} waiting (each told why and that they are first in line, unless told so "
                   "in a recent round).") if outcome.waiting else ""
        return Response.private(f"Round done: {paired} members in {len(outcome.sessions)} group"
                                f"{'s' * (len(outcome.sessions) != 1)}; their private spaces are opening now."
                                f"{waiting}")

    async def status(event: CommandInvoked) -> Response:
        return await pool.status(event)

    async def help_(event: CommandInvoked) -> Response:
        lines = [f"- `/mock {sub.name}`: {sub.description}{' (admins)' if sub.admin_only else ''}"
                 for sub in COMMANDS[0].subcommands if sub.name != "help"]
        return Response(reply=Reply(title="Peer mock interviews", text=HELP + "\n\n" + "\n".join(lines)))

    async def feedback(event: CommandInvoked) -> Response:
        return await cards.feedback(event.actor.community.key, event.actor.member.id)

    async def on_choice(event: ChoiceSelected, action: Action) -> Response:
        handlers = {"confirm": pool.on_choice, "edit": pool.on_choice, "pick": booking.pick, "more": booking.more,
                    "resched": booking.reschedule, "cancel": booking.cancel, "cancelyes": booking.cancel_confirmed,
                    "keep": booking.keep, "packet": packets.show, "met": reports.met, "noshow": reports.no_show,
                    "none": reports.none, "card": cards.open_card, "next": cards.next_step}
        handler = handlers.get(action.verb)
        if handler is None:
            return Response.private("That button is no longer mine. Try /mock status.")
        return await handler(event, action)

    async def on_form(event: FormSubmitted, action: Action) -> Response:
        match action.verb:
            case "join":
                return await pool.on_join_form(event)
            case "avail":
                return await pool.on_availability_form(event)
            case "rate":
                return await cards.rate(event, action)
            case "words":
                return await cards.words(event, action)
        return Response.private("That form has ended. Try /mock status.")

    async def settings_changed(community: str) -> None:
        await rounds.plan(community)

    async def round_job(job: Job) -> None:
        """The community's round, then the catch-up of its open sessions' jobs (upkeep.py)."""
        await rounds.run_job(job)
        await upkeep.reconcile(job.key)

    async def heard(signal: ItemAttempted) -> None:
        await store.add_seen(signal.member.community.key, signal.member.id, signal.item_id)

    async def export(member: MemberRef) -> dict[str, Any]:
        return await store.member_data(member.community.key, member.id)

    async def export_all(community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export` of many members in one read (three queries), whatever their number."""
        held = await store.community_data(community.key)
        return {m: held.get(m) or empty_member_data() for m in members}

    async def erase(member: MemberRef) -> int:
        await leave_sessions(member.community.key, member.id, "A member left studybot.")
        return await store.erase_member(member.community.key, member.id)

    async def stats(member: MemberRef, viewer: MemberRef) -> tuple[Field, ...]:
        """/stats lines: how many sessions happened. Scorecard averages only when the member reads their own
        stats (`viewer`): /stats @member also answers admins, and scorecards reach only their interviewee."""
        history = await store.sessions_of(member.community.key, member.id)
        happened = sum(1 for s in history if was_there(s, member.id))  # (an open one by the answers so far)
        if not history:
            return ()
        fields = [Field("Mock interviews", f"{happened} happened")]
        received = await store.received(member.community.key, member.id) if viewer == member else []
        if received:  # one field (a /stats reply holds ten): the four averages in a line
            avg = averages(received)
            fields.append(Field("Mock scorecard averages", ", ".join(
                f"{COMPETENCIES[c].label.split()[0].lower()} {avg[c]:.1f}" for c in Competency)
                + f" (of 4; {len(received)} scorecard{'s' * (len(received) != 1)})"))
        return tuple(fields)

    long = timedelta(days=30)
    return FeatureSpec(
        name=NAME,
        catalogue=COMMANDS,
        commands={"mock": help_, "mock help": help_, "mock join": pool.join, "mock availability": pool.availability,
                  "mock pause": pool.pause, "mock resume": pool.resume, "mock leave": pool.leave,
                  "mock status": status, "mock feedback": feedback, "mock schedule": schedule,
                  "mock pair-now": pair_now},
        on_choice=on_choice,
        on_form=on_form,
        jobs=(JobSpec(ROUND_JOB, round_job, grace=long), JobSpec(OPEN_JOB, rounds.open_job, grace=long),
              JobSpec(DEADLINE_JOB, booking.deadline_job, grace=long),
              JobSpec(REMIND_JOB, booking.remind_job, grace=timedelta(days=1)),
              JobSpec(PACKET_JOB, packets.job, grace=timedelta(days=1)),
              JobSpec(AFTER_JOB, reports.after_job, grace=long), JobSpec(EXPIRE_JOB, reports.expire_job, grace=long),
              JobSpec(NOTICE_JOB, notices.job, grace=long), JobSpec(ACTIVE_JOB, notices.active_job, grace=long),
              JobSpec(RECONCILE_JOB, upkeep.job, grace=RECONCILE_GRACE)),
        settings=SETTINGS,
        settings_changed=settings_changed,
        listens={ItemAttempted: heard},
        export_member=export,
        export_community=export_all,
        erase_member=erase,
        member_stats=stats,
        migrations=MIGRATIONS,
    )
