"""Query plans of the queries that must stay cheap as the ledger grows (SQLite's EXPLAIN QUERY PLAN).

Each plan is checked on an empty database and again after ANALYZE over a realistic spread of rows, since
statistics can change the planner's mind; an index added or dropped later cannot silently flip one.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.store.db import Database, to_db
from bot.store.jobs import CLAIM_DUE_SQL, CLAIM_SQL
from bot.store.ledger import (
    MEMBER_WINDOW_SQL,
    TOP_SQL_ALL,
    TOP_SQL_TOPIC_ALL,
    TOP_SQL_TOPIC_WINDOW,
    TOP_SQL_WINDOW,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
WEEK_START = to_db(NOW - timedelta(days=7))


def _fill(c: sqlite3.Connection) -> None:
    rnd = random.Random(7)
    rows = []
    for i in range(6_000):
        when = NOW - timedelta(minutes=rnd.randrange(60 * 24 * 365))
        rows.append((f"discord:g{rnd.randrange(5)}", f"m{rnd.randrange(400)}", rnd.choice((1, 3, 10)),
                     rnd.choice(("daily_answer", "kudos", "key_point")), str(i), to_db(when),
                     rnd.choice((None, "mlops", "coding", "math-stats", "deep-learning"))))
    c.executemany("INSERT INTO ledger (community, member, points, reason, ref, created_at, topic) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    c.executemany("INSERT INTO jobs (kind, key, community, platform, due_at, status, created_at) "
                  "VALUES ('daily', ?, ?, 'discord', ?, ?, ?)",
                  [(f"k{i}", f"discord:g{i}", to_db(NOW + timedelta(minutes=i)),
                    ("pending", "done", "done", "running")[i % 4], to_db(NOW)) for i in range(600)])
    c.execute("ANALYZE")


@pytest.fixture(params=["empty", "analyzed"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    database = Database(":memory:")
    await database.open()
    try:
        if request.param == "analyzed":
            await database.write(_fill)
        yield database
    finally:
        await database.close()


async def _plan(db: Database, sql: str, args: tuple[object, ...]) -> str:
    rows = await db.read(lambda c: c.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall())
    return " | ".join(str(r[-1]) for r in rows)


def _no_full_scan(plan: str, table: str) -> None:
    # "SCAN ledger" reads every row; "SCAN ledger USING ... INDEX" still reads every index entry
    assert not re.search(rf"\bSCAN (TABLE )?{table}\b", plan), plan


async def test_week_top_ten_searches_the_ledger_window_index(db: Database) -> None:
    plan = await _plan(db, TOP_SQL_WINDOW, ("discord:g1", WEEK_START, 10))
    _no_full_scan(plan, "ledger")
    assert re.search(r"SEARCH (TABLE )?ledger USING COVERING INDEX ledger_window \(community=\? AND created_at>\?\)",
                     plan), plan


async def test_all_time_top_reads_the_ranked_totals_in_order(db: Database) -> None:
    plan = await _plan(db, TOP_SQL_ALL, ("discord:g1", 10))
    _no_full_scan(plan, "ledger_periods")  # points_total is a view of the all-time per-period totals
    assert "ledger_periods_rank" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize(("sql", "args"), [
    (TOP_SQL_TOPIC_WINDOW, ("discord:g1", "mlops", WEEK_START, 10)),
    (TOP_SQL_TOPIC_ALL, ("discord:g1", "mlops", 10)),
], ids=["window", "all-time"])
async def test_topic_top_searches_the_topic_index(db: Database, sql: str, args: tuple[object, ...]) -> None:
    plan = await _plan(db, sql, args)
    _no_full_scan(plan, "ledger")
    assert re.search(r"SEARCH (TABLE )?ledger USING COVERING INDEX ledger_topic_window \(community=\? AND topic=\?",
                     plan), plan


async def test_member_window_total_searches_the_member_index(db: Database) -> None:
    plan = await _plan(db, MEMBER_WINDOW_SQL, ("discord:g1", "m1", WEEK_START))
    _no_full_scan(plan, "ledger")
    # with statistics the member's own index; on an empty database the window index: both search, never scan
    assert re.search(r"INDEX (ledger_member \(community=\? AND member=\?|ledger_window \(community=\? AND created_at>\?)",
                     plan), plan


async def test_claiming_due_jobs_searches_the_due_index(db: Database) -> None:
    plan = await _plan(db, CLAIM_DUE_SQL.format(where_platform=""), (to_db(NOW), to_db(NOW), 50))
    _no_full_scan(plan, "jobs")
    assert "jobs_due" in plan, plan


async def test_a_claim_marks_the_due_jobs_it_found_by_their_key(db: Database) -> None:
    """The claim is one UPDATE over the due jobs' search: each row it changes is found by its primary key."""
    sql = CLAIM_SQL.format(due=CLAIM_DUE_SQL.format(where_platform=""))
    plan = await _plan(db, sql, ("p", to_db(NOW), to_db(NOW), to_db(NOW), 50))
    _no_full_scan(plan, "jobs")
    assert "jobs_due" in plan and "(kind=? AND key=?)" in plan, plan
