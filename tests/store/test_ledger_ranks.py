""""My rank" from the bucket counts: whatever awards, erasures and zone changes happen, every board's buckets
are exactly its totals counted by `bucket_of`, and every member's rank is the competition rank (1 + how many
others, not left off the board, have strictly more points); the migration builds the same buckets in SQL."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.db import Database, migrate_to, to_db
from bot.store.ledger import AHEAD_SQL, NO_LIMIT, LedgerRepo, bucket_of, window
from bot.store.migrations import MIGRATIONS

NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
C = "discord:g1"
BUCKETS_MIGRATION = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE ledger_period_buckets" in m)
MEMBERS = ["a", "b", "c", "d", "e", "f"]
# small awards, and big ones that carry totals across the 100 / 1,000 / 10,000 / 1,000,000 bucket edges
POINTS = st.one_of(st.integers(-6, 12), st.sampled_from([-150, 45, 90, 95, 900, 990, 9_000, 990_000]))
AWARD = st.tuples(st.just("award"), st.sampled_from(MEMBERS), POINTS, st.integers(0, 60 * 24 * 70),
                  st.sampled_from([None, "mlops", "coding"]))
ERASE = st.tuples(st.just("erase"), st.sampled_from(MEMBERS), st.just(0), st.just(0), st.just(None))
ZONE = st.tuples(st.just("zone"), st.sampled_from(["UTC", "Asia/Kathmandu", "America/St_Johns"]), st.just(0),
                 st.just(0), st.just(None))


def test_buckets_are_two_significant_digits_exact_below_100() -> None:
    assert [bucket_of(p) for p in (-1_000, -7, 0, 7, 99)] == [-1_000, -7, 0, 7, 99]
    assert [bucket_of(p) for p in (100, 109, 110, 999, 1_000, 1_099, 1_100, 99_999)] == [
        100, 100, 110, 990, 1_000, 1_000, 1_100, 99_000]
    assert [bucket_of(p) for p in (1_000_000, 1_099_999, 123_456_789)] == [1_000_000, 1_000_000, 123_400_000]


async def _buckets(db: Database) -> tuple[dict[tuple[str, str, int], int], dict[tuple[str, str, int], int]]:
    """(the bucket counts stored, those the totals say), both without empty buckets."""

    def q(c: sqlite3.Connection) -> tuple[dict[tuple[str, str, int], int], dict[tuple[str, str, int], int]]:
        stored = {(str(p), str(t), int(low)): int(n) for p, t, low, n in c.execute(
            "SELECT period, topic, low, members FROM ledger_period_buckets WHERE community = ? AND members <> 0",
            (C,))}
        counted: dict[tuple[str, str, int], int] = {}
        for p, t, v in c.execute("SELECT period, topic, points FROM ledger_periods WHERE community = ?", (C,)):
            key = (str(p), str(t), bucket_of(int(v)))
            counted[key] = counted.get(key, 0) + 1
        return stored, counted

    return await db.read(q)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.one_of(AWARD, AWARD, AWARD, ERASE, ZONE), min_size=1, max_size=45),
       left_off=st.sets(st.sampled_from(MEMBERS), max_size=2))
def test_every_rank_is_a_competition_rank_over_the_buckets(
        steps: list[tuple[str, str, int, int, str | None]], left_off: set[str]) -> None:
    async def check() -> None:
        db = Database(":memory:")
        await db.open()
        try:
            await db.write(lambda c: c.execute(
                "INSERT INTO communities (key, timezone, created_at, updated_at) VALUES (?, 'UTC', ?, ?)",
                (C, to_db(NOW), to_db(NOW))))
            ledger = LedgerRepo(db)
            zone = "UTC"
            start = NOW - timedelta(days=70)
            for n, (kind, who, points, minute, topic) in enumerate(steps):
                if kind == "award":
                    await ledger.award(C, who, points, "r", str(n), start + timedelta(minutes=minute), topic=topic)
                elif kind == "erase":
                    await ledger.erase_member(C, who)
                else:
                    zone = who
                    await ledger.sync_zone(C, zone, NOW)
            stored, counted = await _buckets(db)
            assert stored == counted
            for kind in ("week", "month", "all"):
                w = window(kind, NOW, zone)
                for topic in (None, "mlops"):
                    board = await ledger.standings(C, w, topic=topic, limit=100, now=NOW)
                    totals = {r.member: r.points for r in board}
                    for member in MEMBERS:
                        mine = await ledger.standing(C, member, w, topic=topic, exclude=left_off, now=NOW)
                        if member not in totals or member in left_off:
                            assert mine is None
                            continue
                        assert mine is not None and mine.points == totals[member]
                        assert mine.rank == 1 + sum(1 for m, v in totals.items()
                                                    if v > totals[member] and m not in left_off)
        finally:
            await db.close()

    asyncio.run(check())


async def test_the_migration_counts_the_buckets_the_ledger_insert_keeps(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    raw = sqlite3.connect(path)
    migrate_to(raw, BUCKETS_MIGRATION)
    totals = [-3, 0, 7, 99, 100, 101, 109, 110, 555, 999, 1_000, 1_050, 1_099, 1_100, 54_321, 99_999, 100_000,
              999_999, 1_000_000, 1_234_567, 98_765_432, 7, 7, 1_050]
    raw.executemany("INSERT INTO ledger_periods (community, period, topic, member, points, reached_at) "
                    "VALUES (?, 'all', ?, ?, ?, ?)",
                    [(C, topic, f"m{n}", p, to_db(NOW)) for n, p in enumerate(totals) for topic in ("", "mlops")])
    raw.commit()
    raw.close()
    db = Database(path)
    await db.open()
    try:
        stored, counted = await _buckets(db)
        assert stored == counted and stored[("all", "", 7)] == 3 and stored[("all", "", 1_000)] == 4
        ledger = LedgerRepo(db)
        w = window("all", NOW, "UTC")
        for n, p in enumerate(totals):
            mine = await ledger.standing(C, f"m{n}", w, now=NOW)
            assert mine is not None and mine.rank == 1 + sum(1 for v in totals if v > p)
        # and on from there: an award moves a total to its next bucket
        assert await ledger.award(C, "m5", 9, "r", "1", NOW)  # 101 -> 110
        stored, counted = await _buckets(db)
        assert stored == counted and stored[("all", "", 100)] == 2 and stored[("all", "", 110)] == 2
    finally:
        await db.close()


async def test_the_members_ahead_are_read_past_empty_buckets() -> None:
    db = Database(":memory:")
    await db.open()
    try:
        ledger = LedgerRepo(db)
        await ledger.award(C, "a", 50, "r", "1", NOW)
        await ledger.award(C, "b", 20, "r", "2", NOW)
        await ledger.award(C, "a", 60, "r", "3", NOW)  # a leaves bucket 50 (empty now) for 110
        await ledger.award(C, "b", 41, "r", "4", NOW)  # b: 61, below the empty bucket 50's successor
        empty = await db.read(lambda c: c.execute(
            "SELECT low FROM ledger_period_buckets WHERE community = ? AND period = 'all' AND topic = '' "
            "AND members = 0 ORDER BY low", (C,)).fetchall())
        assert [r[0] for r in empty] == [20, 50]
        ahead = await db.read(lambda c: c.execute(AHEAD_SQL, (C, "all", "", 61, NO_LIMIT)).fetchone()[0])
        assert ahead == 1
        b = await ledger.standing(C, "b", window("all", NOW, "UTC"), now=NOW)
        assert b is not None and (b.points, b.rank) == (61, 2)
    finally:
        await db.close()
