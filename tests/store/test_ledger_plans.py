"""Query plans of the per-period boards and of a member's own ledger rows (EXPLAIN QUERY PLAN).

The planner trap this guards: an index that orders the ledger by member (here `ledger_member`, which a
member's own history needs) tempts SQLite into reading a whole community in member order to skip the GROUP
BY sort of a window top-10: 100x slower on a big community. The raw window queries materialize their window
first, so they keep searching the window index; the boards read `ledger_periods_rank` in order, no sort;
"my rank" reads the buckets above a total and a range of the rank index bounded at both ends.
Each plan is checked on an empty database and after ANALYZE of one big community (the case where
statistics say `community = ?` selects every row, which is what flipped the plan before).
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.store.db import Database, to_db
from bot.store.ledger import (
    AHEAD_SQL,
    BOARD_SQL,
    ERASE_TOTALS_SQL,
    MINE_SQL,
    NO_LIMIT,
    STANDING_SQL,
    TOP_SQL_TOPIC_ALL,
    TOP_SQL_TOPIC_WINDOW,
    TOP_SQL_WINDOW,
    TOTALS_BEFORE_SQL,
    ledger_insert,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
C = "discord:g1"


def _fill(c: sqlite3.Connection) -> None:
    rnd = random.Random(3)
    c.execute("INSERT INTO ledger_zones (community, zone) VALUES (?, 'UTC')", (C,))
    for i in range(8_000):
        when = NOW - timedelta(minutes=rnd.randrange(60 * 24 * 200))
        ledger_insert(c, C, f"m{rnd.randrange(600)}", rnd.choice((2, 3, 10)), rnd.choice(("daily_answer", "kudos")),
                      str(i), when, rnd.choice((None, "mlops", "coding", "math-stats")))
    c.execute("ANALYZE")


@pytest.fixture(params=["empty", "one-big-community"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    database = Database(":memory:")
    await database.open()
    try:
        if request.param != "empty":
            await database.write(_fill)
        yield database
    finally:
        await database.close()


async def _plan(db: Database, sql: str, args: tuple[object, ...]) -> str:
    rows = await db.read(lambda c: c.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall())
    return " | ".join(str(r[-1]) for r in rows)


def _no_scan(plan: str, table: str) -> None:
    assert not re.search(rf"\bSCAN (TABLE )?{table}\b", plan), plan


@pytest.mark.parametrize("exclude", ["", " AND member NOT IN (?, ?)"], ids=["all", "with-exclusions"])
async def test_a_board_page_reads_the_rank_index_in_order(db: Database, exclude: str) -> None:
    extra = ("m1", "m2") if exclude else ()
    plan = await _plan(db, BOARD_SQL.format(exclude=exclude), (C, "w2025-06-02", "", *extra, 11, 0))
    _no_scan(plan, "ledger_periods")
    assert "ledger_periods_rank (community=? AND period=? AND topic=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # read in order: no sort, whatever the board's size


@pytest.mark.parametrize("which", ["standing", "ahead"])
async def test_my_rank_is_a_key_lookup_the_buckets_above_and_a_range_of_its_own_bucket(
        db: Database, which: str) -> None:
    if which == "standing":  # the member's points and how many are ahead, in one statement
        plan = await _plan(db, STANDING_SQL, (C, "m2025-06", "mlops", "m1", NO_LIMIT))
        assert "SEARCH me USING INDEX sqlite_autoindex_ledger_periods_1 (community=? AND period=? AND topic=? AND " \
               "member=?)" in plan, plan
    else:  # a later page's first rank; an excluded member ahead is found by key
        plan = await _plan(db, AHEAD_SQL, (C, "m2025-06", "mlops", 10, NO_LIMIT))
        mine = await _plan(db, MINE_SQL, (C, "m2025-06", "mlops", "m1"))
        assert re.search(r"SEARCH ledger_periods USING (INDEX sqlite_autoindex_ledger_periods_1|PRIMARY KEY)",
                         mine), mine
    _no_scan(plan, "ledger_periods")
    _no_scan(plan, "ledger_period_buckets")
    assert "TEMP B-TREE" not in plan and "MATERIALIZE" not in plan, plan
    assert plan.count("ledger_period_buckets USING PRIMARY KEY (community=? AND period=? AND topic=? AND low>?)") == 2, plan
    # bounded at both ends: the members of the total's own bucket above it, never everyone ahead
    assert "ledger_periods_rank (community=? AND period=? AND topic=? AND points>? AND points<?)" in plan, plan


async def test_an_award_finds_the_totals_it_changes_by_their_keys(db: Database) -> None:
    keys = [(p, t) for p in ("all", "w2025-06-02", "m2025-06") for t in ("", "mlops")]
    plan = await _plan(db, TOTALS_BEFORE_SQL[len(keys)], tuple(v for p, t in keys for v in (C, p, t, "m1")))
    _no_scan(plan, "ledger_periods")
    assert plan.count("sqlite_autoindex_ledger_periods_1 (community=? AND period=? AND topic=? AND member=?)") == 6, plan
    assert "ledger_periods_rank" not in plan and "ledger_periods_member" not in plan, plan


@pytest.mark.parametrize(("sql", "args", "index"), [
    (TOP_SQL_WINDOW, (C, to_db(NOW - timedelta(days=7)), 10), "ledger_window (community=? AND created_at>?)"),
    (TOP_SQL_TOPIC_WINDOW, (C, "mlops", to_db(NOW - timedelta(days=7)), 10),
     "ledger_topic_window (community=? AND topic=? AND created_at>?)"),
    (TOP_SQL_TOPIC_ALL, (C, "mlops", 10), "ledger_topic_window (community=? AND topic=?)"),
], ids=["week", "topic-week", "topic-all"])
async def test_raw_window_queries_keep_their_window_index_beside_the_member_index(
        db: Database, sql: str, args: tuple[object, ...], index: str) -> None:
    plan = await _plan(db, sql, args)
    _no_scan(plan, "ledger")
    assert "ledger_member" not in plan, plan
    assert f"COVERING INDEX {index}" in plan, plan


@pytest.mark.parametrize("sql", [
    "SELECT reason, SUM(points) FROM ledger WHERE community = ? AND member = ? GROUP BY reason",
    "SELECT id FROM ledger WHERE community = ? AND member = ? ORDER BY created_at DESC, id DESC LIMIT 11",
    "DELETE FROM ledger WHERE community = ? AND member = ?",
], ids=["by-reason", "recent", "erase"])
async def test_a_members_own_rows_are_found_by_the_member_index(db: Database, sql: str) -> None:
    plan = await _plan(db, sql, (C, "m1"))
    _no_scan(plan, "ledger")
    assert "ledger_member (community=? AND member=?)" in plan, plan


async def test_erasing_a_members_totals_uses_the_member_index(db: Database) -> None:
    plan = await _plan(db, ERASE_TOTALS_SQL, (C, "m1"))
    _no_scan(plan, "ledger_periods")
    assert "ledger_periods_member (community=? AND member=?)" in plan, plan
