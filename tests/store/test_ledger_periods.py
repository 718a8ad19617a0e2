"""Per-period totals: kept in the ledger row's own transaction, built from old rows by the migration (all
time) and at first use (weeks and months), and equal to the raw ledger's sums however rows arrive."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store.db import Database, migrate_to, to_db
from bot.store.ledger import LedgerRepo, ledger_insert, window
from bot.store.migrations import MIGRATIONS

NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
C = "discord:g1"
TOTALS_MIGRATION = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE ledger_periods" in m)


async def test_a_failed_transaction_leaves_no_total_behind() -> None:
    db = Database(":memory:")
    await db.open()
    try:
        def w(c: sqlite3.Connection) -> None:
            assert ledger_insert(c, C, "a", 10, "r", "1", NOW, "mlops")
            raise RuntimeError("the rest of the caller's write failed")

        with pytest.raises(RuntimeError):
            await db.write(w)
        ledger = LedgerRepo(db)
        assert await ledger.standings(C, window("week", NOW, "UTC"), now=NOW) == []
        assert await ledger.standings(C, window("all", NOW, "UTC"), topic="mlops", now=NOW) == []
        assert await ledger.award(C, "a", 10, "r", "1", NOW, topic="mlops")  # it was never written
    finally:
        await db.close()


async def test_the_migration_builds_all_time_totals_and_the_first_read_the_weeks(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    raw = sqlite3.connect(path)
    migrate_to(raw, TOTALS_MIGRATION)
    raw.execute("INSERT INTO communities (key, timezone, created_at, updated_at) VALUES (?, 'Asia/Kolkata', ?, ?)",
                (C, to_db(NOW), to_db(NOW)))
    rows = [("a", 10, NOW, "mlops"), ("a", 4, NOW - timedelta(days=1), None), ("b", 7, NOW, "coding"),
            ("b", 7, NOW - timedelta(days=40), "coding"),
            # Sunday 1 June 20:00 UTC is Monday 01:30 in Kolkata (+05:30): this week there, not in UTC
            ("c", 5, datetime(2025, 6, 1, 20, 0, tzinfo=UTC), None)]
    raw.executemany("INSERT INTO ledger (community, member, points, reason, ref, created_at, topic) "
                    "VALUES (?, ?, ?, 'r', ?, ?, ?)", [(C, m, p, str(n), to_db(at), t) for n, (m, p, at, t) in enumerate(rows)])
    raw.commit()
    raw.close()
    db = Database(path)
    await db.open()
    try:
        counted = await db.read(lambda c: c.execute(
            "SELECT period, topic, member, points FROM ledger_periods ORDER BY topic, member").fetchall())
        assert counted == [("all", "", "a", 14), ("all", "", "b", 14), ("all", "", "c", 5),
                           ("all", "coding", "b", 14), ("all", "mlops", "a", 10)]  # weeks wait for first use
        ledger = LedgerRepo(db)
        week = window("week", NOW, "Asia/Kolkata")
        board = await ledger.standings(C, week, now=NOW)
        assert [(r.member, r.points) for r in board] == [("a", 14), ("b", 7), ("c", 5)]
        assert [(r.member, r.points) for r in await ledger.standings(C, window("all", NOW, "UTC"), now=NOW)] == [
            ("a", 14), ("b", 14), ("c", 5)]
        assert await ledger.award(C, "c", 1, "r", "new", NOW)  # keyed by Kolkata from now on
        assert [r.points for r in await ledger.standings(C, week, now=NOW) if r.member == "c"] == [6]
    finally:
        await db.close()


ROW = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(-5, 20),
                st.integers(0, 60 * 24 * 70), st.sampled_from([None, "mlops", "coding"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=40), zone=st.sampled_from(["UTC", "Europe/Berlin",
                                                                          "America/St_Johns", "Asia/Kathmandu"]))
def test_every_board_equals_the_sum_of_its_rows(rows: list[tuple[str, int, int, str | None]], zone: str) -> None:
    """Whatever the order rows arrive in and whatever the zone: each board is the raw ledger summed over
    the window's bounds, ranked by competition rank."""
    import asyncio

    async def check() -> None:
        db = Database(":memory:")
        await db.open()
        try:
            await db.write(lambda c: c.execute(
                "INSERT INTO communities (key, timezone, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (C, zone, to_db(NOW), to_db(NOW))))
            ledger = LedgerRepo(db)
            start = NOW - timedelta(days=70)
            for n, (member, points, minute, topic) in enumerate(rows):
                await ledger.award(C, member, points, "r", str(n), start + timedelta(minutes=minute), topic=topic)
            for kind in ("week", "month", "all"):
                w = window(kind, NOW, zone)
                for topic in (None, "mlops"):
                    expected: dict[str, int] = {}
                    for member, points, minute, t in rows:
                        at = start + timedelta(minutes=minute)
                        if w.contains(at) and (topic is None or t == topic):
                            expected[member] = expected.get(member, 0) + points
                    board = await ledger.standings(C, w, topic=topic, limit=100, now=NOW)
                    assert {r.member: r.points for r in board} == expected
                    for r in board:
                        assert r.rank == 1 + sum(1 for v in expected.values() if v > r.points)
        finally:
            await db.close()

    asyncio.run(check())
