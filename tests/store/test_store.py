from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store.db import Database
from bot.store.ledger import TOP_SQL_ALL, TOP_SQL_WINDOW, LedgerRepo
from bot.store.outbox import ClaimState, OutboxRepo

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


async def _db() -> Database:
    db = Database(":memory:")
    await db.open()
    return db


async def test_leaderboard_queries_use_the_intended_indexes() -> None:
    db = await _db()
    try:
        window = await db.read(lambda c: c.execute("EXPLAIN QUERY PLAN " + TOP_SQL_WINDOW,
                                                   ("c", "2025", 10)).fetchall())
        alltime = await db.read(lambda c: c.execute("EXPLAIN QUERY PLAN " + TOP_SQL_ALL, ("c", 10)).fetchall())
        window_plan = " | ".join(str(r[-1]) for r in window)
        all_plan = " | ".join(str(r[-1]) for r in alltime)
        assert "COVERING INDEX ledger_window" in window_plan, window_plan
        assert "points_total_rank" in all_plan and "TEMP B-TREE" not in all_plan, all_plan
    finally:
        await db.close()


async def test_ledger_is_idempotent_and_totals_follow() -> None:
    db = await _db()
    try:
        ledger = LedgerRepo(db)
        assert await ledger.award("c", "m1", 10, "daily_answer", "1", NOW)
        assert not await ledger.award("c", "m1", 10, "daily_answer", "1", NOW)
        await ledger.award("c", "m2", 3, "kudos", "x", NOW - timedelta(days=10))
        assert await ledger.top("c", None) == [("m1", 10), ("m2", 3)]
        assert await ledger.top("c", NOW - timedelta(days=1)) == [("m1", 10)]
        assert await ledger.rank("c", "m2") == 2 and await ledger.rank("c", "nobody") is None
    finally:
        await db.close()


async def test_outbox_claims_are_exclusive_and_leases_expire() -> None:
    db = await _db()
    try:
        outbox = OutboxRepo(db)
        first, second = await asyncio.gather(outbox.claim("k", "c", "ch", NOW), outbox.claim("k", "c", "ch", NOW))
        assert {first.state, second.state} == {ClaimState.NEW, ClaimState.BUSY}
        later = await outbox.claim("k", "c", "ch", NOW + timedelta(minutes=3))
        assert later.state is ClaimState.RECLAIMED
        await outbox.mark_sent("k", "msg-1", NOW)
        done = await outbox.claim("k", "c", "ch", NOW + timedelta(hours=1))
        assert done.state is ClaimState.SENT and done.message == "msg-1"
    finally:
        await db.close()


async def test_one_failing_write_in_a_batch_does_not_undo_the_others() -> None:
    db = await _db()
    try:
        ledger = LedgerRepo(db)

        def boom(c: object) -> None:
            raise ValueError("bad write")

        results = await asyncio.gather(
            ledger.award("c", "a", 1, "r", "1", NOW), db.write(boom), ledger.award("c", "b", 1, "r", "1", NOW),
            return_exceptions=True)
        assert results[0] is True and isinstance(results[1], ValueError) and results[2] is True
        assert len(await ledger.top("c", None)) == 2
    finally:
        await db.close()


async def test_migrations_apply_once_to_a_file(tmp_path: object) -> None:
    from pathlib import Path

    path = str(Path(str(tmp_path)) / "m.db")
    for _ in range(2):
        db = Database(path)
        await db.open()
        version = await db.read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
        mode = await db.read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
        await db.close()
        assert version == 1 and mode == "wal"
