"""Benchmarks: answer throughput through the core, leaderboard latency over a million ledger rows, and the
scheduler (bench/scheduler.py: idle tick over 10,000 communities, the 09:00 herd, answers during it).

Prints tables: our figure, the target, and plain sqlite3 (or another plain limit) in the same run.
Run with `make bench` (or `python -m bench [core|scheduler] [--quick]`; no section runs both).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes import FakeChat, small_bank

from bot.bootstrap import build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.events import Actor, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.scheduler import ClockScheduler
from bot.store.db import Database, to_db
from bot.store.ledger import TOP_SQL_ALL, TOP_SQL_WINDOW, LedgerRepo

COMMUNITY = CommunityRef(Platform.CONSOLE, "bench")
CHANNEL = ChannelRef(COMMUNITY, "general")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench_answers(folder: Path, members: int, rounds: int, steady_rate: float) -> dict[str, float]:
    clock = ManualClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    router = ChatRouter()
    router.register(Platform.CONSOLE, FakeChat())
    core = await build_core(Config(db=str(folder / "answers.db")), clock=clock, scheduler=ClockScheduler(clock),
                            bank=small_bank(), chat=router)
    admin = Actor(MemberRef(COMMUNITY, "admin"), "Admin", is_admin=True)
    await core.bot.handle(FormSubmitted(admin, CHANNEL, "admin:setup", {"time": "09:00", "timezone": "UTC",
                                                                        "days": "every day", "reveal": "next"}))
    latencies: list[float] = []
    steady: list[float] = []
    total = 0
    elapsed = 0.0
    for day in range(rounds):
        clock.set(datetime(2026, 1, 5 + day, 9, 0, tzinfo=UTC))
        await core.sweep()
        rnd = await core.rounds.latest_round(COMMUNITY.key)
        assert rnd is not None
        actors = [Actor(MemberRef(COMMUNITY, f"m{i}"), f"M{i}") for i in range(members)]

        async def one(actor: Actor, form_id: str = f"daily:submit:{rnd.id}") -> None:
            t0 = time.perf_counter()
            resp = await core.bot.handle(FormSubmitted(actor, CHANNEL, form_id,
                                                       {"answer": f"answer of {actor.member.id} " * 8}))
            latencies.append((time.perf_counter() - t0) * 1000)
            assert resp.reply is not None and "Saved" in resp.reply.text, resp

        if day == 0:  # open loop: the same members arriving at a steady rate instead of all at once
            async def paced(i: int, actor: Actor) -> None:
                await asyncio.sleep(i / steady_rate)
                await one(actor)

            await asyncio.gather(*(paced(i, a) for i, a in enumerate(actors)))
            steady.extend(latencies)
            latencies.clear()
            continue
        t0 = time.perf_counter()
        await asyncio.gather(*(one(a) for a in actors))
        elapsed += time.perf_counter() - t0
        total += members
    await core.close()
    return {"rate": total / elapsed, "p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99), "n": total,
            "steady_p50": pct(steady, 0.5), "steady_p99": pct(steady, 0.99), "steady_rate": steady_rate}


def bench_answers_sqlite(folder: Path, members: int, rounds: int) -> float:
    """The same three writes per answer in plain sqlite3, one transaction per answer."""
    conn = sqlite3.connect(folder / "plain.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript("""
        CREATE TABLE members (community TEXT, id TEXT, display_name TEXT, last_seen TEXT,
                              PRIMARY KEY (community, id));
        CREATE TABLE answers (round_id INTEGER, member TEXT, text TEXT, at TEXT, UNIQUE (round_id, member));
        CREATE TABLE ledger (community TEXT, member TEXT, points INTEGER, reason TEXT, ref TEXT, at TEXT,
                             UNIQUE (community, member, reason, ref));
    """)
    now = to_db(datetime.now(UTC))
    t0 = time.perf_counter()
    for r in range(rounds):
        for i in range(members):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO members VALUES ('c', ?, ?, ?) ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen",
                         (f"m{i}", f"M{i}", now))
            conn.execute("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?)", (r, f"m{i}", "answer " * 8, now))
            conn.execute("INSERT OR IGNORE INTO ledger VALUES ('c', ?, 10, 'daily_answer', ?, ?)", (f"m{i}", str(r), now))
            conn.execute("COMMIT")
    rate = members * rounds / (time.perf_counter() - t0)
    conn.close()
    return rate


async def bench_leaderboard(folder: Path, rows: int, communities: int, members: int,
                            samples: int) -> dict[str, float]:
    path = folder / "ledger.db"
    db = Database(str(path))
    await db.open()
    await db.close()
    rng = random.Random(7)
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    # community sizes follow a long tail: community 0 is the largest (about 10% of all rows)
    weights = [1.0 / (i + 1) ** 0.9 for i in range(communities)]
    per_member = members // communities
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    batch = []
    for n in range(rows):
        c = rng.choices(range(communities), weights)[0] if n % 1000 else 0
        member = rng.randrange(per_member * 4 if c == 0 else per_member)
        at = now - timedelta(minutes=rng.randrange(60 * 24 * 365))
        batch.append((f"c{c}", f"m{member}", rng.choice((2, 3, 4, 10)), "daily_answer", str(n), to_db(at)))
        if len(batch) == 50_000:
            conn.executemany("INSERT INTO ledger (community, member, points, reason, ref, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", batch)
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO ledger (community, member, points, reason, ref, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", batch)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    largest_rows = conn.execute("SELECT COUNT(*) FROM ledger WHERE community = 'c0'").fetchone()[0]
    week = to_db(now - timedelta(days=7))
    plain: dict[str, list[float]] = {"week": [], "all": []}
    for _ in range(samples):
        for name, sql, params in (("week", TOP_SQL_WINDOW, ("c0", week, 10)), ("all", TOP_SQL_ALL, ("c0", 10))):
            t0 = time.perf_counter()
            conn.execute(sql, params).fetchall()
            plain[name].append((time.perf_counter() - t0) * 1000)
    conn.close()
    db = Database(str(path))
    await db.open()
    ledger = LedgerRepo(db)
    ours: dict[str, list[float]] = {"week": [], "all": []}
    for _ in range(samples):
        for name, since in (("week", now - timedelta(days=7)), ("all", None)):
            t0 = time.perf_counter()
            top = await ledger.top("c0", since, 10)
            ours[name].append((time.perf_counter() - t0) * 1000)
            assert len(top) == 10
    await db.close()
    return {"largest_rows": largest_rows,
            **{f"{k}_p99": pct(v, 0.99) for k, v in ours.items()},
            **{f"{k}_p50": pct(v, 0.5) for k, v in ours.items()},
            **{f"plain_{k}_p99": pct(v, 0.99) for k, v in plain.items()}}


def main() -> None:
    quick = "--quick" in sys.argv
    sections = [a for a in sys.argv[1:] if not a.startswith("-")] or ["core", "scheduler"]
    unknown = sorted(set(sections) - {"core", "scheduler"})
    if unknown:
        sys.exit(f"unknown benchmark section(s): {', '.join(unknown)}; choose core or scheduler")
    if "core" in sections:
        bench_core(quick)
    if "scheduler" in sections:
        if "core" in sections:
            print()
        from bench import scheduler

        scheduler.main(quick)


def bench_core(quick: bool) -> None:
    members, rounds = (1000, 3) if quick else (1000, 6)
    rows = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ans = asyncio.run(bench_answers(folder, members, rounds, steady_rate=10000.0))
        plain_rate = bench_answers_sqlite(folder, members, rounds - 1)
        lb = asyncio.run(bench_leaderboard(folder, rows, 1000, 100_000, 300))
    table = [
        ("answers/s, 1,000 members submitting at the same instant (disk)", f"{ans['rate']:,.0f}", ">= 10,000",
         f"{plain_rate:,.0f}", f"{ans['rate'] / plain_rate:.2f}x"),
        ("answer latency p50 / p99, all 1,000 at once (ms)", f"{ans['p50']:.1f} / {ans['p99']:.1f}", "p99 < 20",
         "-", "-"),
        (f"answer latency p50 / p99, 1,000 members at {ans['steady_rate']:,.0f}/s (ms)",
         f"{ans['steady_p50']:.1f} / {ans['steady_p99']:.1f}", "p99 < 20", "-", "-"),
        (f"leaderboard week top-10 p99 (ms), {lb['largest_rows']:,} rows in largest", f"{lb['week_p99']:.2f}",
         "< 5", f"{lb['plain_week_p99']:.2f}", f"{lb['week_p99'] / max(lb['plain_week_p99'], 1e-9):.2f}x"),
        ("leaderboard all-time top-10 p99 (ms)", f"{lb['all_p99']:.2f}", "< 5", f"{lb['plain_all_p99']:.2f}",
         f"{lb['all_p99'] / max(lb['plain_all_p99'], 1e-9):.2f}x"),
    ]
    print(f"{rows:,} ledger rows over 1,000 communities; {ans['n']:,} answers through StudyBot.handle")
    header = ("benchmark", "studybot", "target", "plain sqlite3", "ratio")
    widths = [max(len(str(r[i])) for r in (*table, header)) for i in range(5)]
    for row in (header, tuple("-" * w for w in widths), *table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
