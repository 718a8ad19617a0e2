"""What the composition root hands every feature when it builds it: the shared infrastructure.

Features take what they need from here and nothing else; they never construct infrastructure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat import ChatRouter
from bot.config import Config
from bot.features.daily.store import DailyStore
from bot.features.delivery import Delivery
from bot.features.packs import Packs
from bot.jobs import JobQueue
from bot.ports import Clock
from bot.registry import Registry
from bot.settings import SettingsStore
from bot.store.db import Database
from bot.store.protocols import CommunityStore, LedgerStore, MemberStore


@dataclass(frozen=True)
class Services:
    config: Config
    db: Database
    clock: Clock
    chat: ChatRouter
    delivery: Delivery
    jobs: JobQueue
    packs: Packs
    communities: CommunityStore
    members: MemberStore
    ledger: LedgerStore
    rounds: DailyStore
    settings: SettingsStore
    registry: Registry
