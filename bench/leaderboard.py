"""Leaderboard benchmarks: boards and "my rank" over 1,000,000 ledger rows in one community, a streak with a
year of history, and the /stats chart.

1. A database from before the per-period totals gets 1,000,000 ledger rows in one community (5,000 members,
   a long tail of activity over a year, 8 topics); opening it runs the migration (all-time totals, the
   member index), and `sync_zone` builds the recent weeks and months (the first read, or a timezone change).
2. Week, month and all-time top-10 and "my rank" (random members of that board, the last one included),
   with and without a topic: through `LedgerRepo` (the database thread and back, what a command waits for)
   and the same SQL on a plain connection; beside them the plain figure, the same answer aggregated from
   the raw ledger rows (the window indexes, as the board did before these totals), and for "my rank" the
   way it was counted before the bucket counts (everyone ahead, one by one over the rank index), through
   the same database thread, alternating with ours.
3. The write side: one award with its totals and buckets, beside the previous award (totals only, one
   multi-row upsert) and the bare ledger insert on the same schema, alternating; CPU time per award, on two
   workloads: one busy week (small totals: every award moves buckets) and a year of a long-tailed community.
4. A member's streak with a year of study days (`Streaks.state`: reads and the freeze rule), and the rule.
5. The chart: the first one in a fresh process (the fork server's start and matplotlib's import included),
   later ones, and how late the event loop's turns ran while it drew: in a worker process (`ProcessDrawer`,
   what /stats does) against a worker thread (what it did before), alternating.

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
from zoneinfo import ZoneInfo

from bench.plain import ThreadReader
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.content.vocabulary import Domain
from bot.features.daily.store import DailyRepo
from bot.features.delivery import Delivery
from bot.features.leaderboard.chart import ChartData, render
from bot.features.leaderboard.drawing import ProcessDrawer
from bot.features.leaderboard.migrations import MIGRATIONS as BOARD_MIGRATIONS
from bot.features.leaderboard.store import BoardRepo
from bot.features.leaderboard.streaks import Streaks, walk_bits
from bot.heap import release_startup_heap, set_aside_startup_heap
from bot.ids import CommunityRef, MemberRef, Platform
from bot.jobs import JobQueue
from bot.scheduler import ClockScheduler
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.db import Database, migrate_to, to_db
from bot.store.jobs import JobRepo
from bot.store.ledger import (
    BOARD_SQL,
    MINE_SQL,
    NO_LIMIT,
    STANDING_SQL,
    TOP_SQL_TOPIC_ALL,
    TOP_SQL_TOPIC_WINDOW,
    TOP_SQL_WINDOW,
    LedgerRepo,
    Window,
    _labels,
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
#: "my rank" before the bucket counts: everyone ahead, counted one by one over the rank index
PREVIOUS_AHEAD = """SELECT COUNT(*) FROM ledger_periods WHERE community = ? AND period = ? AND topic = ?
    AND points > ?"""


def previous_standing(conn: sqlite3.Connection, w: Window, topic: str, member: str) -> tuple[int, int] | None:
    """(points, rank) as `LedgerRepo.standing` found them before the buckets: the zone, the key, the count."""
    conn.execute("SELECT zone FROM ledger_zones WHERE community = ?", (C,)).fetchone()
    row = conn.execute(MINE_SQL, (C, w.label, topic, member)).fetchone()
    if row is None:
        return None
    return int(row[0]), 1 + int(conn.execute(PREVIOUS_AHEAD, (C, w.label, topic, row[0])).fetchone()[0])


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
    migrate_to(conn, TOTALS)
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
    hop = ThreadReader(path)
    rng = random.Random(11)
    out: dict[str, dict[str, float]] = {}
    set_aside_startup_heap()  # as the bot's entry point does once started (bot.heap); undone below
    try:
        for kind in ("week", "month", "all"):
            w = window(kind, NOW, ZONE)
            for topic in (None, TOPIC):
                name = f"{kind}{' · ' + topic if topic else ''}"
                board_members = members_of(conn, w, topic or "")
                ours: list[float] = []
                top_hop: list[float] = []
                board_args = (C, w.label, topic or "", 11, 0)
                for _ in range(samples):  # ours and the same query through a plain thread, alternating
                    t0 = time.perf_counter()
                    await ledger.standings(C, w, topic=topic, now=NOW)
                    t1 = time.perf_counter()
                    await hop.read(BOARD_SQL.format(exclude=""), board_args)
                    ours.append((t1 - t0) * 1000)
                    top_hop.append((time.perf_counter() - t1) * 1000)
                sql_only = timed_sql(conn, lambda w=w, topic=topic: (BOARD_SQL.format(exclude=""),
                                                                     (C, w.label, topic or "", 11, 0)), samples)
                picks = [board_members[-1]] + [rng.choice(board_members) for _ in range(samples - 1)]
                mine: list[float] = []
                before: list[float] = []
                rank_hop: list[float] = []

                def previously(member: str, w: Window = w, topic: str | None = topic
                               ) -> Callable[[sqlite3.Connection], tuple[int, int] | None]:
                    def read(c: sqlite3.Connection) -> tuple[int, int] | None:
                        return previous_standing(c, w, topic or "", member)

                    return read

                for member in picks:  # ours and the previous count, alternating, the same members
                    t0 = time.perf_counter()
                    await ledger.standing(C, member, w, topic=topic, now=NOW)
                    t1 = time.perf_counter()
                    await db.read(previously(member))
                    t2 = time.perf_counter()
                    await hop.read(STANDING_SQL, (C, w.label, topic or "", member, NO_LIMIT))
                    mine.append((t1 - t0) * 1000)
                    before.append((t2 - t1) * 1000)
                    rank_hop.append((time.perf_counter() - t2) * 1000)
                last = await ledger.standing(C, board_members[-1], w, topic=topic, now=NOW)
                assert last is not None and (last.points, last.rank) == await db.read(previously(board_members[-1]))

                def rank_sql(w: Window = w, topic: str | None = topic,
                             board_members: list[str] = board_members) -> tuple[str, tuple[object, ...]]:
                    return STANDING_SQL, (C, w.label, topic or "", rng.choice(board_members), NO_LIMIT)

                mine_sql = timed_sql(conn, rank_sql, samples)
                plain = timed_sql(conn, lambda w=w, topic=topic: plain_for(w, topic), plain_samples)
                worst = conn.execute(MINE_SQL, (C, w.label, topic or "", board_members[-1])).fetchone()[0]
                plain_rank = timed_sql(conn, lambda w=w, topic=topic, worst=worst: plain_rank_for(w, topic, worst),
                                       plain_samples)
                out[name] = {"members": len(board_members),
                             "top_p50": pct(ours, 0.5), "top_p99": pct(ours, 0.99), "top_sql_p99": pct(sql_only, 0.99),
                             "rank_p50": pct(mine, 0.5), "rank_p99": pct(mine, 0.99),
                             "rank_sql_p99": pct(mine_sql, 0.99),
                             "top_hop_p99": pct(top_hop, 0.99), "rank_hop_p99": pct(rank_hop, 0.99),
                             "before_p50": pct(before, 0.5), "before_p99": pct(before, 0.99),
                             "plain_p50": pct(plain, 0.5), "plain_p99": pct(plain, 0.99),
                             "plain_rank_p50": pct(plain_rank, 0.5), "plain_rank_p99": pct(plain_rank, 0.99)}
    finally:
        release_startup_heap()
        hop.close()
        conn.close()
        await db.close()
    return out


# 3. writes ---------------------------------------------------------------------------------------------
_PREVIOUS_UPSERT = """
    INSERT INTO ledger_periods (community, period, topic, member, points, reached_at) VALUES {rows}
    ON CONFLICT (community, period, topic, member) DO UPDATE SET
        points = ledger_periods.points + excluded.points,
        reached_at = CASE WHEN excluded.reached_at > ledger_periods.reached_at
                          THEN excluded.reached_at ELSE ledger_periods.reached_at END
"""
_BARE = ("INSERT INTO ledger (community, member, points, reason, ref, created_at, topic) VALUES (?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (ref, reason, community, member) DO NOTHING")


def previous_award(conn: sqlite3.Connection, community: str, member: str, points: int, reason: str, ref: str,
                   created_at: datetime, topic: str | None = None) -> bool:
    """The award before the bucket counts (the baseline of "before"): the row and its 3-6 totals in one
    multi-row upsert."""
    at = to_db(created_at)
    if conn.execute(_BARE, (community, member, points, reason, ref, at, topic)).rowcount <= 0:
        return False
    zone = str(conn.execute("SELECT zone FROM ledger_zones WHERE community = ?", (community,)).fetchone()[0])
    week, month = _labels(created_at, ZoneInfo(zone))
    keys = [(p, t) for p in ("all", week, month) for t in (("", topic) if topic else ("",))]
    conn.execute(_PREVIOUS_UPSERT.format(rows=", ".join(["(?, ?, ?, ?, ?, ?)"] * len(keys))),
                 [v for p, t in keys for v in (community, p, t, member, points, at)])
    return True


def bare_row(conn: sqlite3.Connection, community: str, member: str, points: int, reason: str, ref: str,
             created_at: datetime, topic: str | None = None) -> bool:
    return conn.execute(_BARE, (community, member, points, reason, ref, to_db(created_at), topic)).rowcount > 0


def award_rows(workload: str, n: int) -> list[tuple[str, int, str, datetime, str | None]]:
    rng = random.Random(5)
    if workload == "week":  # 2,000 members in the hours before NOW: small totals, exact buckets
        return [(f"m{rng.randrange(2000)}", rng.choice((2, 10)), str(i), NOW - timedelta(seconds=i),
                 rng.choice((None, TOPIC, "coding"))) for i in range(n)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(5000)]  # a year of the long-tailed community of `fill`
    topics: list[str | None] = [d.value for d in Domain] + [None, None]
    start = NOW - timedelta(days=365)
    times = sorted(rng.randrange(365 * 86400) for _ in range(n))
    return [(f"m{m}", rng.choice((2, 3, 4, 10)), str(i), start + timedelta(seconds=t), rng.choice(topics))
            for i, (m, t) in enumerate(zip(rng.choices(range(5000), weights, k=n), times, strict=True))]


def writes(folder: Path, workload: str, n: int) -> dict[str, float]:
    """CPU µs per award: ours (totals and buckets), the previous one (totals only) and the bare ledger row,
    each on a fresh database with every migration, in one transaction (the commit is not counted)."""
    rows = award_rows(workload, n)
    out = {}
    for name, insert in (("ours", ledger_insert), ("previous", previous_award), ("bare", bare_row)):
        path = folder / "writes.db"
        for stale in folder.glob("writes.db*"):  # an earlier run's
            stale.unlink()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        migrate_to(conn, len(MIGRATIONS))
        conn.execute("INSERT INTO ledger_zones (community, zone) VALUES (?, ?)", (C, ZONE))
        conn.execute("BEGIN")
        t0 = time.process_time()
        for member, points, ref, at, topic in rows:
            insert(conn, C, member, points, "daily_answer", ref, at, topic)
        elapsed = time.process_time() - t0
        conn.execute("COMMIT")
        conn.close()
        out[name] = elapsed / n * 1e6
    return out


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
    set_aside_startup_heap()  # as the bot's entry point does once started (bot.heap); undone below
    try:
        through = await timed(lambda: streaks.state(member), samples)
    finally:
        release_startup_heap()
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


def cold_chart() -> tuple[float, float]:
    """The first chart in a fresh process through ProcessDrawer (the fork server's start, matplotlib's import
    there, a worker, the render), and the longest the event loop's turns waited meanwhile (ms)."""
    code = ("import asyncio, time\n"
            "from bot.features.leaderboard.chart import ChartData\n"
            "from bot.features.leaderboard.drawing import ProcessDrawer\n"
            f"data = ChartData({DATA.title!r}, {DATA.accuracy!r}, {DATA.weeks!r})\n"
            "async def main():\n"
            "    drawer, gaps, done = ProcessDrawer(), [0.0], False\n"
            "    async def tick():\n"
            "        last = time.perf_counter()\n"
            "        while not done:\n"
            "            await asyncio.sleep(0.001)\n"
            "            now = time.perf_counter(); gaps.append((now - last) * 1000); last = now\n"
            "    task = asyncio.create_task(tick())\n"
            "    t0 = time.perf_counter(); assert await drawer.draw(data); took = (time.perf_counter() - t0) * 1000\n"
            "    done = True; await task; await drawer.close()\n"
            "    print(took, max(gaps))\n"
            "asyncio.run(main())\n")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    took, lag = done.stdout.strip().splitlines()[-1].split()
    return float(took), float(lag)


async def warm_chart(samples: int) -> dict[str, tuple[list[float], list[float]]]:
    """Draw times, and how late each turn of the event loop ran meanwhile (a 1 ms ticker), for charts drawn in
    a worker process (ProcessDrawer) and in a worker thread (the render holds the GIL in turns, so the loop
    runs, but later than it would), alternating, both warmed first; and the ticker alone ("idle": how late
    this machine runs a turn anyway)."""
    drawer = ProcessDrawer()

    async def idle() -> object:  # the machine's own jitter: the ticker alone, as long as a draw takes
        await asyncio.sleep(statistics.median(out["process"][0]) / 1000 if out["process"][0] else 0.2)
        return True

    draws: dict[str, Callable[[], Awaitable[object]]] = {
        "process": lambda: drawer.draw(DATA), "thread": lambda: asyncio.to_thread(render, DATA), "idle": idle}
    out: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in draws}
    try:
        for draw in draws.values():
            assert await draw()
        for _ in range(samples):
            for name, draw in draws.items():
                times, gaps = out[name]
                stop = asyncio.Event()

                async def ticker(gaps: list[float] = gaps, stop: asyncio.Event = stop) -> None:
                    last = time.perf_counter()
                    while not stop.is_set():
                        await asyncio.sleep(0.001)
                        now = time.perf_counter()
                        gaps.append(max(0.0, (now - last) * 1000 - 1))  # how late the turn came
                        last = now

                task = asyncio.create_task(ticker())
                await asyncio.sleep(0.005)  # the ticker is running before the draw starts
                t0 = time.perf_counter()
                await draw()
                times.append((time.perf_counter() - t0) * 1000)
                stop.set()
                await task
    finally:
        await drawer.close()
    return out


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
        write_runs = {workload: [writes(folder, workload, 5_000 if quick else 20_000) for _ in range(trials)]
                      for workload in ("week", "year")}
        for i in range(trials):
            (folder / f"s{i}").mkdir()
        streak_runs = [asyncio.run(streak(folder / f"s{i}", samples)) for i in range(trials)]
        cold = [cold_chart() for _ in range(1 if quick else 2)]
        warm_runs = [asyncio.run(warm_chart(5 if quick else 15)) for _ in range(trials)]

    def agg(name: str, key: str) -> list[float]:
        return [r[name][key] for r in trial_reads]

    print(f"{rows:,} ledger rows in one community, {members:,} members, a year; {trials} trial(s), "
          f"{samples:,} samples each (plain: {plain_samples})")
    print(f"built in {filled:.1f} s; migrations (all-time totals, member index, buckets) {migrated:.2f} s; "
          f"first sync of 12 weeks + 3 months in {ZONE}: {synced:.2f} s (also the cost of a timezone change)")
    header = ("figure (ms)", "studybot p50", "studybot p99", "SQL alone p99", "SQL via a thread p99", "target",
              "before p50", "before p99", "plain p50", "plain p99", "plain/studybot p99")
    table = []
    for name in trial_reads[0]:
        n = int(trial_reads[0][name]["members"])
        for what, ours, plain in (("top-10", "top", "plain"), ("my rank", "rank", "plain_rank")):
            p99 = statistics.median(agg(name, f"{ours}_p99"))
            plain99 = statistics.median(agg(name, f"{plain}_p99"))
            before = ((median_range(agg(name, "before_p50")), median_range(agg(name, "before_p99")))
                      if ours == "rank" else ("-", "-"))
            table.append((f"{name} {what} ({n:,} on the board)", median_range(agg(name, f"{ours}_p50")),
                          median_range(agg(name, f"{ours}_p99")), median_range(agg(name, f"{ours}_sql_p99")),
                          median_range(agg(name, f"{ours}_hop_p99")), "p99 < 1", *before, median_range(agg(name, f"{plain}_p50"), 1),
                          median_range(agg(name, f"{plain}_p99"), 1), f"{plain99 / p99:,.0f}x"))
    through = [pct(r[0], 0.5) for r in streak_runs], [pct(r[0], 0.99) for r in streak_runs]
    rule = [pct(r[1], 0.99) for r in streak_runs]
    table.append((f"streak, a year of history ({streak_runs[0][2]} days now)", median_range(through[0]),
                  median_range(through[1]), f"rule alone {median_range(rule)}", "-", "< 1", "-", "-", "-", "-", "-"))
    widths = [max(len(str(r[i])) for r in (*table, header)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("(before: \"my rank\" as it was counted before the bucket counts, everyone ahead one by one over the "
          "rank index, through the same database thread, alternating with ours)")
    print("(SQL via a thread: the same statement on sqlite3 in a plain thread of its own, awaited through a queue "
          "and call_soon_threadsafe, alternating with ours: the limit of any read kept off the event loop)")
    print("\nwrite, CPU µs per award (one transaction, commit not counted; the totals are 3 rows, 6 with a topic):")
    for workload, words in (("week", "one busy week (2,000 members, small totals: nearly every award moves "
                                     "buckets)"), ("year", "a year of the long-tailed community above")):
        runs = write_runs[workload]
        now_us, previous_us, bare_us = ([r[k] for r in runs] for k in ("ours", "previous", "bare"))
        ratio = statistics.median(now_us) / statistics.median(previous_us)
        print(f"  {words}: ours {median_range(now_us, 1)}, before the buckets {median_range(previous_us, 1)} "
              f"({ratio:.2f}x), bare ledger row {median_range(bare_us, 1)}")
    print(f"\nchart: the first in a fresh process {median_range([c[0] for c in cold], 0)} ms (the fork server's "
          f"start and matplotlib's import included), the loop's turns at most "
          f"{median_range([c[1] for c in cold], 1)} ms apart meanwhile (1 ms on time)")
    for name, words in (("process", "in a worker process (ProcessDrawer, /stats now)"),
                        ("thread", "in a worker thread (/stats before)"), ("idle", "no chart (the ticker alone)")):
        draw = [pct(w[name][0], 0.5) for w in warm_runs]
        lag99 = [pct(w[name][1], 0.99) for w in warm_runs]
        lag_max = [max(w[name][1]) for w in warm_runs]
        print(f"  {words}: {'draw' if name != 'idle' else 'waited'} p50 {median_range(draw, 0)} ms; a 1 ms "
              f"loop ticker's turns came late by p99 {median_range(lag99, 1)} ms, at most "
              f"{median_range(lag_max, 1)} ms")
