"""Each SQLite repository satisfies its protocol: the typed assignments in `bot/store/protocols.py` and
`bot/features/daily/store.py` are checked by the project's strict mypy run (which does not read tests/);
here, a runtime check of every method's name, parameters and defaults, both ways, so neither side can grow
a method the other lacks (mypy checks only one way)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from bot.features.daily.store import DailyRepo, DailyStore
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.db import Database
from bot.store.jobs import JobRepo
from bot.store.ledger import LedgerRepo
from bot.store.outbox import OutboxRepo
from bot.store.packs import PackRepo
from bot.store.protocols import (
    CommunityStore,
    JobStore,
    LedgerStore,
    MemberStore,
    OutboxStore,
    PackStore,
)

PAIRS: list[tuple[type[Any], type[Any]]] = [
    (CommunityStore, CommunityRepo),
    (MemberStore, MemberRepo),
    (DailyStore, DailyRepo),
    (LedgerStore, LedgerRepo),
    (OutboxStore, OutboxRepo),
    (PackStore, PackRepo),
    (JobStore, JobRepo),
]


def _methods(cls: type[Any]) -> dict[str, Any]:
    return {name: fn for name, fn in vars(cls).items()
            if not name.startswith("_") and inspect.iscoroutinefunction(fn)}


def _shape(fn: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize(("protocol", "impl"), PAIRS, ids=[impl.__name__ for _, impl in PAIRS])
def test_sqlite_repo_has_exactly_the_methods_of_its_protocol(protocol: type[Any], impl: type[Any]) -> None:
    wanted, have = _methods(protocol), _methods(impl)
    assert wanted, protocol
    assert set(have) == set(wanted), (set(wanted) ^ set(have))
    for name, fn in wanted.items():
        assert _shape(have[name]) == _shape(fn), f"{impl.__name__}.{name}"
    assert isinstance(impl(Database(":memory:")), protocol)


def test_every_repository_module_has_a_protocol() -> None:
    from bot.features.daily import store as daily
    from bot.store import communities, jobs, ledger, outbox, packs

    repos = {obj for mod in (communities, daily, jobs, ledger, outbox, packs) for obj in vars(mod).values()
             if isinstance(obj, type) and obj.__name__.endswith("Repo") and obj.__module__ == mod.__name__}
    assert repos == {impl for _, impl in PAIRS}
