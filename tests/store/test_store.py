from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store.db import FIRST_BATCH, Database, migrate_to
from bot.store.ledger import LedgerRepo
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import ClaimState, OutboxRepo

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


async def _db() -> Database:
    db = Database(":memory:")
    await db.open()
    return db


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
        first, second = await asyncio.gather(outbox.claim("k", "c", "ch", NOW, "p1"),
                                             outbox.claim("k", "c", "ch", NOW, "p2"))
        assert {first.state, second.state} == {ClaimState.NEW, ClaimState.BUSY}
        forced = await outbox.claim("k", "c", "ch", NOW, "p2", force=True)
        assert forced.state is ClaimState.BUSY  # force never takes a live claim
        later = await outbox.claim("k", "c", "ch", NOW + timedelta(minutes=3), "p2")
        assert later.state is ClaimState.RECLAIMED
        await outbox.mark_sent("k", "msg-1", NOW)
        done = await outbox.claim("k", "c", "ch", NOW + timedelta(hours=1), "p1")
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
        assert version == len(MIGRATIONS) and mode == "wal"


async def test_a_burst_of_writes_is_grouped_into_few_transactions() -> None:
    db = await _db()
    try:
        ledger = LedgerRepo(db)
        results = await asyncio.gather(*(ledger.award("c", f"m{i}", 1, "r", "1", NOW) for i in range(1000)))
        assert all(results)
        assert len(await ledger.top("c", None, 2000)) == 1000
        # the first write goes alone (nothing to wait for), the rest in batches of at least FIRST_BATCH
        assert 2 <= db.batches_committed <= 1000 // FIRST_BATCH + 2, db.batches_committed
    finally:
        await db.close()


async def test_a_caller_that_stops_waiting_does_not_lose_the_write_or_stall_others() -> None:
    db = await _db()
    try:
        ledger = LedgerRepo(db)
        first = asyncio.ensure_future(ledger.award("c", "gone", 1, "r", "1", NOW))
        others = [asyncio.ensure_future(ledger.award("c", f"m{i}", 1, "r", "1", NOW)) for i in range(5)]
        await asyncio.sleep(0)
        first.cancel()
        assert all(await asyncio.gather(*others))
        assert {m for m, _ in await ledger.top("c", None)} == {"gone", "m0", "m1", "m2", "m3", "m4"}
    finally:
        await db.close()


async def test_closing_fails_queued_writes_instead_of_hanging() -> None:
    db = await _db()
    ledger = LedgerRepo(db)
    writes = [asyncio.ensure_future(ledger.award("c", f"m{i}", 1, "r", "1", NOW)) for i in range(3)]
    await asyncio.sleep(0)  # the first is on the worker thread; the other two wait for it
    await db.close()
    results = await asyncio.wait_for(asyncio.gather(*writes, return_exceptions=True), 5)
    assert results[0] is True
    assert all(isinstance(r, RuntimeError) for r in results[1:]), results


async def test_the_topic_migration_keeps_existing_ledger_rows_with_no_topic(tmp_path: object) -> None:
    import sqlite3
    from pathlib import Path

    path = str(Path(str(tmp_path)) / "old.db")
    topic_migration = next(i for i, m in enumerate(MIGRATIONS) if "ADD COLUMN topic" in m)
    raw = sqlite3.connect(path)
    migrate_to(raw, topic_migration)
    raw.execute("INSERT INTO ledger (community, member, points, reason, ref, created_at) "
                "VALUES ('c', 'm', 10, 'daily_answer', '1', '2025-06-01T09:00:00.000000Z')")
    raw.commit()
    raw.close()
    db = Database(path)
    await db.open()
    try:
        rows = await db.read(lambda c: c.execute("SELECT member, points, topic FROM ledger").fetchall())
        assert rows == [("m", 10, None)]
        ledger = LedgerRepo(db)
        assert not await ledger.award("c", "m", 10, "daily_answer", "1", NOW, topic="mlops")  # still idempotent
        assert await ledger.award("c", "m", 5, "kudos", "1", NOW, topic="mlops")
        assert await ledger.top("c", None) == [("m", 15)]
        assert await ledger.top("c", None, topic="mlops") == [("m", 5)]
    finally:
        await db.close()
