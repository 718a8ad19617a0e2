"""Leaderboard benchmarks: boards and "my rank" over 1,000,000 ledger rows in one community, a streak with a
year of history, and the /stats chart.

1. A database from before the per-period totals gets 1,000,000 ledger rows in one community (5,000 members,
   a long tail of activity over a year, 8 topics); opening it runs the migration (all-time totals, the
   member index), and `sync_zone` builds the recent weeks and months (the first read, or a timezone change).
2. Week, month and all-time top-10 and "my rank" (random members of that board, the last one included),
   with and without a topic: through `LedgerRepo` (the database thread and back, what a command waits for)
   and the same SQL on a plain connection; beside them the plain figure, the same answer aggregated from
   the raw ledger rows (the window indexes, as the board did before these totals).
3. The write side: one award with its totals, beside the bare ledger insert on the same schema.
4. A member's streak with a year of study days (`Streaks.state`: reads and the freeze rule), and the rule.
5. The chart: the first render in a fresh process (matplotlib's import included), later ones, and how long
   the event loop went without running while it rendered (it runs in a worker thread).

Figures are medians over trials (the range beside them); targets are printed beside them.
Run with `python -m bench leaderboard [--quick]` (quick: 100,000 rows, fewer samples).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.content.schema import Domain
from bot.features.daily.store import DailyRepo
from bot.features.delivery import Delivery
from bot.features.leaderboard.chart import ChartData, render
from bot.features.leaderboard.migrations import MIGRATIONS as BOARD_MIGRATIONS
from bot.features.leaderboard.store import BoardRepo
from bot.features.leaderboard.streaks import Streaks, walk_bits
from bot.ids import CommunityRef, MemberRef, Platform
from bot.jobs import JobQueue
from bot.scheduler import ClockScheduler
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.db import Database, _statements, to_db
from bot.store.jobs import JobRepo
from bot.store.ledger import (
    AHEAD_SQL,
    BOARD_SQL,
    MINE_SQL,
    TOP_SQL_TOPIC_ALL,
    TOP_SQL_TOPIC_WINDOW,
    TOP_SQL_WINDOW,
    LedgerRepo,
    Window,
    ledger_insert,
    window,
)
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import OutboxRepo

COMMUNITY = CommunityRef(Platform.CONSOLE, "bench")
C = COMMUNITY.key
ZONE = "Europe/Berlin"
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)  # a Wednesday
TOPIC = Domain.MLOPS.value
TOTALS = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE ledger_periods" in m)
PLAIN_ALL = "SELECT member, SUM(points) AS total FROM ledger WHERE community = ? GROUP BY member ORDER BY total DESC, member LIMIT ?"
PLAIN_RANK_WINDOW = """SELECT COUNT(*) FROM (SELECT member, SUM(points) AS s FROM ledger WHERE community = ?
    AND created_at >= ? AND created_at < ? GROUP BY member) WHERE s > ?"""
PLAIN_RANK_TOPIC = """SELECT COUNT(*) FROM (SELECT member, SUM(points) AS s FROM ledger WHERE community = ?
    AND topic = ? AND created_at >= ? AND created_at < ? GROUP BY member) WHERE s > ?"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def median_range(values: list[float], digits: int = 3) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


# 1. the database ---------------------------------------------------------------------------------------
def fill(path: Path, rows: int, members: int) -> None:
    """A database at the schema before the per-period totals, with `rows` ledger rows in one community."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, script in enumerate(MIGRATIONS[:TOTALS], 1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO communities (key, timezone, enabled, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
                 (C, ZONE, to_db(NOW), to_db(NOW)))
    rng = random.Random(7)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(members)]  # a few very active members, a long tail
    topics: list[str | None] = [d.value for d in Domain] + [None, None]
    start = NOW - timedelta(days=365)
    conn.execute("BEGIN")
    batch: list[tuple[object, ...]] = []
    for n, member in enumerate(rng.choices(range(members), weights, k=rows)):
        at = start + timedelta(seconds=rng.randrange(365 * 86400))
        batch.append((C, f"m{member}", rng.choice((2, 3, 4, 10)), rng.choice(("daily_answer", "quiz_correct",
                      "kudos", "review_good")), str(n), to_db(at), rng.choice(topics)))
        if len(batch) == 50_000:
            conn.executemany("INSERT INTO ledger (community, member, points, reason, ref, created_at, topic) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO ledger (community, member, points, reason, ref, created_at, topic) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
    conn.execute("COMMIT")
    conn.close()


# 2. reads ----------------------------------------------------------------------------------------------
async def timed(fn: Callable[[], Awaitable[object]], samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def timed_sql(conn: sqlite3.Connection, make_args: Callable[[], tuple[str, tuple[object, ...]]],
              samples: int, budget_s: float = 8.0) -> list[float]:
    """Times of `samples` runs (at least 3; fewer than asked when they would take over `budget_s`)."""
    out: list[float] = []
    started = time.perf_counter()
    for _ in range(samples):
        if len(out) >= 3 and time.perf_counter() - started > budget_s:
            break
        sql, args = make_args()
        t0 = time.perf_counter()
        conn.execute(sql, args).fetchall()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def members_of(conn: sqlite3.Connection, w: Window, topic: str) -> list[str]:
    rows = conn.execute("SELECT member FROM ledger_periods WHERE community = ? AND period = ? AND topic = ? "
                        "ORDER BY points DESC", (C, w.label, topic)).fetchall()
    return [str(r[0]) for r in rows]


def plain_for(w: Window, topic: str | None) -> tuple[str, tuple[object, ...]]:
    if w.kind == "all":
        return (TOP_SQL_TOPIC_ALL, (C, topic, 10)) if topic else (PLAIN_ALL, (C, 10))
    assert w.start is not None
    if topic:
        return TOP_SQL_TOPIC_WINDOW, (C, topic, to_db(w.start), 10)
    return TOP_SQL_WINDOW, (C, to_db(w.start), 10)


def plain_rank_for(w: Window, topic: str | None, points: int) -> tuple[str, tuple[object, ...]]:
    start = to_db(w.start) if w.start else "0"
    end = to_db(w.end) if w.end else "9"
    if topic:
        return PLAIN_RANK_TOPIC, (C, topic, start, end, points)
    return PLAIN_RANK_WINDOW, (C, start, end, points)


async def reads(path: Path, samples: int, plain_samples: int) -> dict[str, dict[str, float]]:
    db = Database(str(path))
    await db.open()
    ledger = LedgerRepo(db)
    conn = sqlite3.connect(path)
    rng = random.Random(11)
    out: dict[str, dict[str, float]] = {}
    try:
        for kind in ("week", "month", "all"):
            w = window(kind, NOW, ZONE)
            for topic in (None, TOPIC):
                name = f"{kind}{' · ' + topic if topic else ''}"
                board_members = members_of(conn, w, topic or "")
                ours = await timed(lambda w=w, topic=topic: ledger.standings(C, w, topic=topic, now=NOW), samples)
                sql_only = timed_sql(conn, lambda w=w, topic=topic: (BOARD_SQL.format(exclude=""),
                                                                     (C, w.label, topic or "", 11, 0)), samples)
                picks = [board_members[-1]] + [rng.choice(board_members) for _ in range(samples - 1)]
                it = iter(picks)
                mine = await timed(lambda w=w, topic=topic, it=it: ledger.standing(C, next(it), w, topic=topic,
                                                                                   now=NOW), samples)

                def rank_sql(w: Window = w, topic: str | None = topic,
                             board_members: list[str] = board_members) -> tuple[str, tuple[object, ...]]:
                    member = rng.choice(board_members)
                    points = conn.execute(MINE_SQL, (C, w.label, topic or "", member)).fetchone()[0]
                    return AHEAD_SQL.format(exclude=""), (C, w.label, topic or "", points)

                mine_sql = timed_sql(conn, rank_sql, samples)
                plain = timed_sql(conn, lambda w=w, topic=topic: plain_for(w, topic), plain_samples)
                worst = conn.execute(MINE_SQL, (C, w.label, topic or "", board_members[-1])).fetchone()[0]
                plain_rank = timed_sql(conn, lambda w=w, topic=topic, worst=worst: plain_rank_for(w, topic, worst),
                                       plain_samples)
                out[name] = {"members": len(board_members),
                             "top_p50": pct(ours, 0.5), "top_p99": pct(ours, 0.99), "top_sql_p99": pct(sql_only, 0.99),
                             "rank_p50": pct(mine, 0.5), "rank_p99": pct(mine, 0.99),
                             "rank_sql_p99": pct(mine_sql, 0.99),
                             "plain_p50": pct(plain, 0.5), "plain_p99": pct(plain, 0.99),
                             "plain_rank_p50": pct(plain_rank, 0.5), "plain_rank_p99": pct(plain_rank, 0.99)}
    finally:
        conn.close()
        await db.close()
    return out


# 3. writes ---------------------------------------------------------------------------------------------
def writes(folder: Path, n: int) -> tuple[float, float]:
    """µs per award with its totals (ledger_insert) and for the bare ledger row, same schema, one transaction."""
    results = []
    for with_totals in (True, False):
        path = folder / f"writes-{with_totals}.db"
        for stale in folder.glob(f"writes-{with_totals}.db*"):  # an earlier trial's
            stale.unlink()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        for script in MIGRATIONS:
            for statement in _statements(script):
                conn.execute(statement)
        rng = random.Random(5)
        rows = [(f"m{rng.randrange(2000)}", rng.choice((2, 10)), str(i), NOW - timedelta(seconds=i),
                 rng.choice((None, TOPIC, "coding"))) for i in range(n)]
        conn.execute("BEGIN")
        t0 = time.perf_counter()
        for member, points, ref, at, topic in rows:
            if with_totals:
                ledger_insert(conn, C, member, points, "daily_answer", ref, at, topic)
            else:
                conn.execute("INSERT INTO ledger (community, member, points, reason, ref, created_at, topic) "
                             "VALUES (?, ?, ?, 'daily_answer', ?, ?, ?) ON CONFLICT (ref, reason, community, member) "
                             "DO NOTHING", (C, member, points, ref, to_db(at), topic))
        elapsed = time.perf_counter() - t0
        conn.execute("COMMIT")
        conn.close()
        results.append(elapsed / n * 1e6)
    return results[0], results[1]


# 4. streaks --------------------------------------------------------------------------------------------
async def streak(folder: Path, samples: int) -> tuple[list[float], list[float], int]:
    db = Database(str(folder / "streak.db"))
    await db.open()
    await db.migrate_feature("board", BOARD_MIGRATIONS)
    clock = ManualClock(NOW)
    communities, members = CommunityRepo(db), MemberRepo(db)
    store = BoardRepo(db)
    rng = random.Random(3)
    member = MemberRef(COMMUNITY, "yearlong")
    days: list[tuple[date, str, datetime]] = []
    for back in range(365):
        at = NOW - timedelta(days=back, hours=2)
        if back < 40 or rng.random() < 0.9:  # a year with some gaps; the last 40 days unbroken
            days.append((at.date(), ZONE, at))
    await store.backfill(C, member.id, days, NOW)
    await members.touch(C, member.id, "Yearlong", NOW)
    await members.set_timezone(C, member.id, ZONE)
    outbox = OutboxRepo(db)
    streaks = Streaks(store, DailyRepo(db), members, communities,
                      JobQueue(JobRepo(db), clock, ClockScheduler(clock), "bench"),
                      Delivery(ChatRouter(), outbox, communities, clock, "bench"), clock)
    state = await streaks.state(member)
    through = await timed(lambda: streaks.state(member), samples)
    base = min(d.toordinal() for d, _, _ in days)
    bits = sum(1 << (d.toordinal() - base) for d, _, _ in days)
    today = NOW.date().toordinal()
    rule = []
    for _ in range(samples):
        t0 = time.perf_counter()
        walk_bits(base, bits, today)
        rule.append((time.perf_counter() - t0) * 1000)
    await db.close()
    return through, rule, state.days


# 5. the chart -----------------------------------------------------------------------------------------
DATA = ChartData("Your progress", tuple((d.value, 20 + i, 10 + i) for i, d in enumerate(Domain)),
                 tuple((f"{i} Dec", 10 * i) for i in range(1, 9)))


def cold_chart() -> float:
    code = ("import time; from bot.features.leaderboard.chart import ChartData, render; "
            f"data = ChartData({DATA.title!r}, {DATA.accuracy!r}, {DATA.weeks!r}); "
            "t0 = time.perf_counter(); render(data); print((time.perf_counter() - t0) * 1000)")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    return float(done.stdout.strip().splitlines()[-1])


async def warm_chart(samples: int) -> tuple[list[float], list[float]]:
    """Render times through asyncio.to_thread, and how long each turn of the event loop waited meanwhile
    (a 1 ms ticker: the render holds the GIL in turns, so the loop runs, but later than it would)."""
    await asyncio.to_thread(render, DATA)  # imported and warmed
    gaps: list[float] = []
    running = True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append((now - last) * 1000)
            last = now

    task = asyncio.create_task(ticker())
    times = await timed(lambda: asyncio.to_thread(render, DATA), samples)
    running = False
    await task
    return times, gaps


def main(quick: bool) -> None:
    rows, members = (100_000, 5_000) if quick else (1_000_000, 5_000)
    trials = 1 if quick else 3
    samples, plain_samples = (300, 5) if quick else (2_000, 15)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "board.db"
        t0 = time.perf_counter()
        fill(path, rows, members)
        filled = time.perf_counter() - t0

        async def prepare() -> tuple[float, float]:
            db = Database(str(path))
            t0 = time.perf_counter()
            await db.open()  # the migration: all-time totals and the member index from the existing rows
            migrated = time.perf_counter() - t0
            t0 = time.perf_counter()
            await LedgerRepo(db).sync_zone(C, ZONE, NOW)  # the recent weeks and months, in the community zone
            synced = time.perf_counter() - t0
            await db.close()
            return migrated, synced

        migrated, synced = asyncio.run(prepare())
        trial_reads = [asyncio.run(reads(path, samples, plain_samples)) for _ in range(trials)]
        write_runs = [writes(folder, 5_000 if quick else 20_000) for _ in range(trials)]
        for i in range(trials):
            (folder / f"s{i}").mkdir()
        streak_runs = [asyncio.run(streak(folder / f"s{i}", samples)) for i in range(trials)]
        cold = [cold_chart() for _ in range(1 if quick else 2)]
        warm_runs = [asyncio.run(warm_chart(5 if quick else 15)) for _ in range(trials)]

    def agg(name: str, key: str) -> list[float]:
        return [r[name][key] for r in trial_reads]

    print(f"{rows:,} ledger rows in one community, {members:,} members, a year; {trials} trial(s), "
          f"{samples:,} samples each (plain: {plain_samples})")
    print(f"built in {filled:.1f} s; migration (all-time totals, member index) {migrated:.2f} s; "
          f"first sync of 12 weeks + 3 months in {ZONE}: {synced:.2f} s (also the cost of a timezone change)")
    header = ("figure (ms)", "studybot p50", "studybot p99", "SQL alone p99", "target", "plain p50", "plain p99",
              "plain/studybot p99")
    table = []
    for name in trial_reads[0]:
        n = int(trial_reads[0][name]["members"])
        for what, ours, plain in (("top-10", "top", "plain"), ("my rank", "rank", "plain_rank")):
            p99 = statistics.median(agg(name, f"{ours}_p99"))
            plain99 = statistics.median(agg(name, f"{plain}_p99"))
            table.append((f"{name} {what} ({n:,} on the board)", median_range(agg(name, f"{ours}_p50")),
                          median_range(agg(name, f"{ours}_p99")), median_range(agg(name, f"{ours}_sql_p99")),
                          "p99 < 1", median_range(agg(name, f"{plain}_p50"), 1),
                          median_range(agg(name, f"{plain}_p99"), 1), f"{plain99 / p99:,.0f}x"))
    through = [pct(r[0], 0.5) for r in streak_runs], [pct(r[0], 0.99) for r in streak_runs]
    rule = [pct(r[1], 0.99) for r in streak_runs]
    table.append((f"streak, a year of history ({streak_runs[0][2]} days now)", median_range(through[0]),
                  median_range(through[1]), f"rule alone {median_range(rule)}", "< 1", "-", "-", "-"))
    widths = [max(len(str(r[i])) for r in (*table, header)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    totals_us = [w[0] for w in write_runs]
    bare_us = [w[1] for w in write_runs]
    print(f"\nwrite: one award with its totals {median_range(totals_us, 1)} µs beside the bare ledger row "
          f"{median_range(bare_us, 1)} µs (same schema, one transaction; the totals are {len(['all', 'w', 'm'])} "
          "rows, 6 with a topic)")
    warm = [pct(w[0], 0.5) for w in warm_runs]
    lag99 = [pct(w[1], 0.99) for w in warm_runs]
    lag_max = [max(w[1]) for w in warm_runs]
    print(f"chart: first render in a fresh process {median_range(cold, 0)} ms (matplotlib's import included); "
          f"later renders p50 {median_range(warm, 0)} ms, in a worker thread (target: off the loop). Meanwhile "
          f"a 1 ms loop ticker waited p99 {median_range(lag99, 1)} ms, at most {median_range(lag_max, 1)} ms "
          "(the render takes the GIL in 5 ms turns)")
