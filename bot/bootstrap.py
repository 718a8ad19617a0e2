"""The composition root: builds the store, bank, infrastructure and every feature; nothing else does.

Features are listed once, in `bot.catalogue.FEATURES`: each is a light module with `COMMANDS` (its
catalogue entries, data) and `build(services) -> FeatureSpec`, which imports the feature's machinery. Adding a
feature is its own package plus one line there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Protocol, TypeVar

from bot.app import StudyBot
from bot.catalogue import FEATURES, default_catalogue
from bot.chat import ChatRouter
from bot.clock import SystemClock
from bot.commands import CommandSpec
from bot.config import Config
from bot.content.bank import Bank
from bot.content.files import default_content_dir
from bot.events import Event
from bot.features import daily
from bot.features.daily.cycle import DailyCycle
from bot.features.daily.store import DailyRepo, DailyStore
from bot.features.delivery import Delivery
from bot.features.leaderboard.drawing import ChartDrawer
from bot.features.packs import Packs
from bot.jobs import JobQueue
from bot.messages import Response
from bot.ports import Clock, Scheduler
from bot.precedence import MembersFirst
from bot.process import ProcessId, dead_owners
from bot.registry import Catalogue, FeatureSpec, Registry
from bot.scheduler import ApScheduler
from bot.services import Services
from bot.settings import SettingsStore
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.db import Database
from bot.store.drops import DropRepo
from bot.store.jobs import JobRepo
from bot.store.ledger import LedgerRepo
from bot.store.outbox import OutboxRepo
from bot.store.packs import PackRepo

__all__ = ["FEATURES", "Core", "build_core", "default_catalogue", "load_default_bank", "start_core"]
log = logging.getLogger(__name__)
T = TypeVar("T")
SWEEP_JOB = "sweep"
DAILY_JOB = daily.JOB


class FeatureModule(Protocol):
    """What a feature package provides: its commands as data, and how to build it."""

    COMMANDS: tuple[CommandSpec, ...]

    def build(self, services: Services) -> FeatureSpec: ...


@dataclass
class Core:
    bot: StudyBot
    db: Database
    chat: ChatRouter
    clock: Clock
    scheduler: Scheduler
    communities: CommunityRepo
    members: MemberRepo
    daily: DailyCycle
    packs: Packs
    registry: Registry
    #: the daily rounds and answers, for reading (tests, benchmarks, status): features own the writes
    rounds: DailyStore
    outbox: OutboxRepo
    process: ProcessId
    jobs: JobQueue
    job_rows: JobRepo
    #: what draws the /stats chart (a worker process, made on first use): shut down with the core
    charts: ChartDrawer | None = None
    #: members' requests before background work (bot.precedence), for observing it (tests, benchmarks)
    precedence: MembersFirst | None = None

    async def handle(self, event: Event) -> Response:
        """A member's event, answered (the adapters' entry point; see bot.front.Front)."""
        return await self.bot.handle(event)

    async def community_removed(self, community_key: str) -> None:
        """The platform says the bot was removed (Discord guild remove, Slack app_uninstalled or
        tokens_revoked): stop everything for that community and tell nobody anything further."""
        settings = await self.communities.get(community_key)
        if settings is not None and settings.enabled:
            await self.communities.save(replace(settings, enabled=False), self.clock.now())
        await self.jobs.cancel_community(community_key)
        log.info("%s removed studybot: disabled, nothing more will be sent there", community_key)

    async def release_dead_claims(self) -> int:
        """End the outbox and job leases that an earlier life of this process left when it died."""
        now = self.clock.now()
        dead = dead_owners(self.process, [*await self.outbox.claim_owners(), *await self.job_rows.owners()])
        if not dead:
            return 0
        released = await self.outbox.release(dead, now) + await self.job_rows.release(dead, now)
        log.info("took back %d claims of dead processes (%s)", released, ", ".join(dead))
        return released

    async def sweep(self) -> None:
        """Catch up: every enabled community has its daily job (one is added, due now, where it is
        missing: a database from before jobs, or a lost row), then whatever is due runs."""
        enabled = [s.community for s in await self.communities.enabled()]
        for community in await self.job_rows.missing(DAILY_JOB, enabled):
            await self.jobs.schedule(DAILY_JOB, community, community, self.clock.now())
        await self.jobs.tick()

    @property
    def catalogue(self) -> Catalogue:
        """This core's commands, from its registry: what adapters register, parse against and route."""
        return self.registry.catalogue

    async def close(self) -> None:
        if isinstance(self.scheduler, ApScheduler):
            self.scheduler.shutdown()
        await self.registry.settle()
        await self.jobs.idle()
        if self.charts is not None:
            await self.charts.close()
        await self.db.close()


def load_default_bank(config: Config) -> Bank:
    """The bank the bot serves, through the start-up cache (bot.content.cache)."""
    from bot.content.cache import load_cached_bank

    folder = Path(config.content_dir) if config.content_dir else default_content_dir()
    return load_cached_bank(folder)


async def build_core(config: Config, *, clock: Clock | None = None, scheduler: Scheduler | None = None,
                     bank: Bank | None = None, chat: ChatRouter | None = None,
                     process: ProcessId | None = None,
                     features: Iterable[Callable[[Services], FeatureSpec]] | None = None) -> Core:
    """Build everything. `features` are the feature builders (default: each FEATURES module's `build`)."""
    clock = clock or SystemClock()
    process = process or ProcessId.current()
    scheduler = scheduler or ApScheduler()
    bank = bank if bank is not None else load_default_bank(config)
    chat = chat or ChatRouter()
    precedence = MembersFirst()  # members' requests before background work, on the loop and in the database
    chat.give_way(precedence)
    db = Database(config.db, busy_timeout_ms=config.db_busy_timeout_ms,
                  retry_delay_s=config.db_retry_delay_ms / 1000, precedence=precedence)
    await db.open()
    communities = CommunityRepo(db)
    members = MemberRepo(db)
    outbox = OutboxRepo(db)
    job_rows = JobRepo(db)
    jobs = JobQueue(job_rows, clock, scheduler, process.owner, concurrency=config.job_concurrency,
                    detach=isinstance(scheduler, ApScheduler), precedence=precedence)
    registry = Registry()
    services = Services(
        config=config, db=db, clock=clock, chat=chat,
        delivery=Delivery(chat, outbox, communities, clock, process.owner, DropRepo(db)), jobs=jobs,
        packs=Packs(bank, PackRepo(db)), communities=communities, members=members, ledger=LedgerRepo(db),
        rounds=DailyRepo(db), settings=SettingsStore(db), registry=registry,
    )
    builders = list(features) if features is not None else [m.build for m in FEATURES]
    for build in builders:
        registry.add(build(services))
    for feature in registry.features:
        if feature.migrations:
            await db.migrate_feature(feature.name, feature.migrations)
    for job in registry.jobs():
        jobs.register(job.kind, job.handler, job.grace, job.timeout)

    async def recovered(community: str) -> None:  # the platform is back: the community's daily work, now
        await jobs.schedule(DAILY_JOB, community, community, clock.now())

    services.delivery.on_recovered = recovered
    parts = {name: part for f in registry.features for name, part in f.parts.items()}
    bot = StudyBot(registry, members, clock, precedence)
    charts = parts.get("charts")
    return Core(bot, db, chat, clock, scheduler, communities, members, _part(parts, "cycle", DailyCycle),
                services.packs, registry, services.rounds, outbox, process, jobs, job_rows,
                charts if isinstance(charts, ChartDrawer) else None, precedence)


def _part(parts: dict[str, object], name: str, kind: type[T]) -> T:
    part = parts.get(name)
    if not isinstance(part, kind):
        raise RuntimeError(f"no feature provides {name!r} ({kind.__name__})")
    return part


async def start_core(core: Core, config: Config) -> None:
    """Start the scheduler, catch up what was missed, and keep a periodic sweep as a safety net."""
    if isinstance(core.scheduler, ApScheduler):
        core.scheduler.start()
        async def safety_net() -> None:  # a wake-up lost anyhow is found within minutes
            await core.jobs.tick()

        core.scheduler.every(SWEEP_JOB, timedelta(minutes=config.sweep_minutes), safety_net)
    await core.release_dead_claims()
    await core.sweep()
