"""The composition root: builds the store, bank, features and core; nothing else constructs them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import StudyBot
from bot.chat import ChatRouter
from bot.clock import SystemClock
from bot.config import Config
from bot.content.bank import Bank
from bot.content.loader import default_content_dir, load_bank
from bot.features.admin import Admin
from bot.features.daily import DailyQuestions
from bot.features.delivery import Delivery
from bot.features.home import MemberHome
from bot.features.leaderboard import Leaderboard
from bot.features.pack_admin import PackAdmin
from bot.features.packs import Packs
from bot.jobs import JobQueue
from bot.ports import Clock, Scheduler
from bot.process import ProcessId, dead_owners
from bot.scheduler import ApScheduler
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.daily import DailyRepo
from bot.store.db import Database
from bot.store.jobs import Job, JobRepo
from bot.store.ledger import LedgerRepo
from bot.store.outbox import OutboxRepo
from bot.store.packs import PackRepo

log = logging.getLogger(__name__)
SWEEP_JOB = "sweep"
DAILY_JOB = "daily.run"


@dataclass
class Core:
    bot: StudyBot
    db: Database
    chat: ChatRouter
    clock: Clock
    scheduler: Scheduler
    communities: CommunityRepo
    members: MemberRepo
    daily: DailyQuestions
    home: MemberHome
    packs: Packs
    outbox: OutboxRepo
    process: ProcessId
    jobs: JobQueue
    job_rows: JobRepo

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

    async def close(self) -> None:
        if isinstance(self.scheduler, ApScheduler):
            self.scheduler.shutdown()
        await self.jobs.idle()
        await self.db.close()


def load_default_bank(config: Config) -> Bank:
    folder = Path(config.content_dir) if config.content_dir else default_content_dir()
    return load_bank([folder], root=folder)


async def build_core(config: Config, *, clock: Clock | None = None, scheduler: Scheduler | None = None,
                     bank: Bank | None = None, chat: ChatRouter | None = None,
                     process: ProcessId | None = None) -> Core:
    clock = clock or SystemClock()
    process = process or ProcessId.current()
    scheduler = scheduler or ApScheduler()
    bank = bank if bank is not None else load_default_bank(config)
    chat = chat or ChatRouter()
    db = Database(config.db, busy_timeout_ms=config.db_busy_timeout_ms,
                  retry_delay_s=config.db_retry_delay_ms / 1000)
    await db.open()
    communities = CommunityRepo(db)
    members = MemberRepo(db)
    rounds = DailyRepo(db)
    ledger = LedgerRepo(db)
    outbox = OutboxRepo(db)
    delivery = Delivery(chat, outbox, communities, clock, process.owner)

    job_rows = JobRepo(db)
    jobs = JobQueue(job_rows, clock, scheduler, process.owner, concurrency=config.job_concurrency,
                    detach=isinstance(scheduler, ApScheduler))

    async def wake(community: str, when: datetime | None) -> None:
        if when is None:
            await jobs.cancel(DAILY_JOB, community)
        else:
            await jobs.schedule(DAILY_JOB, community, community, when)

    async def run_daily(job: Job) -> None:
        await daily.run_due(job.key)

    packs = Packs(bank, PackRepo(db))
    daily = DailyQuestions(packs, communities, rounds, ledger, delivery, clock, wake)
    jobs.register(DAILY_JOB, run_daily, grace=timedelta(days=30))  # run_due itself decides what is too late
    board = Leaderboard(ledger, communities, members, rounds, clock, chat)
    admin = Admin(communities, members, ledger, daily, PackAdmin(packs, communities, clock), clock,
                  daily.settings_changed, chat)
    bot = StudyBot(daily, board, admin, members, clock)
    home = MemberHome(communities, rounds, ledger, board, packs, clock)
    return Core(bot, db, chat, clock, scheduler, communities, members, daily, home, packs, outbox, process, jobs,
                job_rows)


async def start_core(core: Core, config: Config) -> None:
    """Start the scheduler, catch up what was missed, and keep a periodic sweep as a safety net."""
    if isinstance(core.scheduler, ApScheduler):
        core.scheduler.start()
        async def safety_net() -> None:  # a wake-up lost anyhow is found within minutes
            await core.jobs.tick()

        core.scheduler.every(SWEEP_JOB, timedelta(minutes=config.sweep_minutes), safety_net)
    await core.release_dead_claims()
    await core.sweep()
