"""The composition root: builds the store, bank, features and core; nothing else constructs them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
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
from bot.ports import Clock, Scheduler
from bot.scheduler import ApScheduler
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.daily import DailyRepo
from bot.store.db import Database
from bot.store.ledger import LedgerRepo
from bot.store.outbox import OutboxRepo
from bot.store.packs import PackRepo

log = logging.getLogger(__name__)
SWEEP_JOB = "sweep"


@dataclass
class Core:
    bot: StudyBot
    db: Database
    chat: ChatRouter
    clock: Clock
    scheduler: Scheduler
    communities: CommunityRepo
    daily: DailyQuestions
    home: MemberHome
    packs: Packs

    async def sweep(self) -> None:
        """Do whatever is due in every community: at start (catch-up) and as a safety net."""
        for settings in await self.communities.enabled():
            try:
                await self.daily.run_due(settings.community)
            except Exception:
                log.exception("sweep of %s failed", settings.community)

    async def close(self) -> None:
        if isinstance(self.scheduler, ApScheduler):
            self.scheduler.shutdown()
        await self.db.close()


def load_default_bank(config: Config) -> Bank:
    folder = Path(config.content_dir) if config.content_dir else default_content_dir()
    return load_bank([folder], root=folder)


async def build_core(config: Config, *, clock: Clock | None = None, scheduler: Scheduler | None = None,
                     bank: Bank | None = None, chat: ChatRouter | None = None) -> Core:
    clock = clock or SystemClock()
    scheduler = scheduler or ApScheduler()
    bank = bank if bank is not None else load_default_bank(config)
    chat = chat or ChatRouter()
    db = Database(config.db)
    await db.open()
    communities = CommunityRepo(db)
    members = MemberRepo(db)
    rounds = DailyRepo(db)
    ledger = LedgerRepo(db)
    delivery = Delivery(chat, OutboxRepo(db), communities, clock)

    async def wake(community: str, when: datetime | None) -> None:
        job = f"daily:{community}"
        if when is None:
            scheduler.cancel(job)
        else:
            scheduler.schedule(job, when, lambda: daily.run_due(community))

    packs = Packs(bank, PackRepo(db))
    daily = DailyQuestions(packs, communities, rounds, ledger, delivery, clock, wake)
    board = Leaderboard(ledger, communities, members, rounds, clock)
    admin = Admin(communities, members, ledger, daily, PackAdmin(packs, communities, clock), clock, daily.run_due)
    bot = StudyBot(daily, board, admin, members, clock)
    home = MemberHome(communities, rounds, ledger, board, packs, clock)
    return Core(bot, db, chat, clock, scheduler, communities, daily, home, packs)


async def start_core(core: Core, config: Config) -> None:
    """Start the scheduler, catch up what was missed, and keep a periodic sweep as a safety net."""
    if isinstance(core.scheduler, ApScheduler):
        core.scheduler.start()
        core.scheduler.every(SWEEP_JOB, timedelta(minutes=config.sweep_minutes), core.sweep)
    await core.sweep()
