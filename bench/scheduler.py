"""Scheduler benchmarks: the durable job queue (bot.jobs) with 10,000 communities and the 09:00 herd.

1. An idle tick with 10,000 communities' daily jobs waiting (nothing due), beside the SQL that tick runs,
   replayed in plain sqlite3 on the same file (the statements are captured from the core's own connection).
2. 1,000 communities due in the same minute, every platform call taking 50 ms: time from the wake-up
   until the last daily post is sent, at job concurrency 8, 32 (the default) and 64.
3. Answers submitted at a steady rate to an open round while that herd is worked, beside the same
   answers with nothing running.

Every core is built through `build_core` with the test fakes, on SQLite files in a fresh temporary
directory. Run alone with `python -m bench scheduler [--quick]`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes import FakeChat, FakeScheduler, small_bank

from bot.bootstrap import Core, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.events import Actor, FormSubmitted
from bot.heap import release_startup_heap, set_aside_startup_heap
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Reply

PLATFORM_CALL_S = 0.05
DAY = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
OLD_SWEEP = "12 s per sweep"
OLD_ANSWER_P99 = "251 ms"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class SlowChat(FakeChat):
    """FakeChat where every platform call (send, thread, DM, notice, edit) takes `delay` seconds."""

    delay: float = PLATFORM_CALL_S
    #: perf_counter() of each channel post, when the platform accepted it
    post_times: list[float] = field(default_factory=list)

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        await asyncio.sleep(self.delay)
        ref = await super().send(destination, reply)
        self.post_times.append(time.perf_counter())
        return ref

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        await asyncio.sleep(self.delay)
        return await super().send_direct(member, reply)

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        await asyncio.sleep(self.delay)
        await super().send_private_notice(channel, member, reply)

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        await asyncio.sleep(self.delay)
        await super().edit(message, reply)

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        await asyncio.sleep(self.delay)
        return await super().start_thread(message, name)


async def make_core(path: Path, clock: ManualClock, chat: FakeChat, concurrency: int = 32
                    ) -> tuple[Core, FakeScheduler]:
    router = ChatRouter()
    router.register(Platform.CONSOLE, chat)
    scheduler = FakeScheduler()
    core = await build_core(Config(db=str(path), job_concurrency=concurrency), clock=clock, scheduler=scheduler,
                            bank=small_bank(), chat=router)
    set_aside_startup_heap()  # as the bot's entry point does once started (bot.heap); undone at the end
    return core, scheduler


def channel_of(name: str) -> ChannelRef:
    return ChannelRef(CommunityRef(Platform.CONSOLE, name), "general")


async def set_up(core: Core, names: list[str], post_time: Callable[[int], str], chunk: int = 250) -> None:
    """Each community set up as an admin would, through the setup form (which schedules its daily job)."""

    async def one(i: int, name: str) -> None:
        channel = channel_of(name)
        admin = Actor(MemberRef(channel.community, "admin"), "Admin", is_admin=True)
        resp = await core.bot.handle(FormSubmitted(admin, channel, "admin:setup", {
            "time": post_time(i), "timezone": "UTC", "days": "every day", "reveal": "next"}))
        assert resp.reply is not None and resp.reply.title == "studybot is set up", resp

    for start in range(0, len(names), chunk):
        await asyncio.gather(*(one(i, names[i]) for i in range(start, min(len(names), start + chunk))))


def spread(n: int) -> Callable[[int], str]:
    """Post times spread evenly over the day's 1,440 minutes."""

    def at(i: int) -> str:
        minute = i * 1440 // n
        return f"{minute // 60:02d}:{minute % 60:02d}"

    return at


# 1. the idle tick ---------------------------------------------------------------------------------
async def bench_idle_tick(folder: Path, communities: int, ticks: int) -> dict[str, float | str]:
    path = folder / "idle.db"
    clock = ManualClock(DAY.replace(second=30))  # 00:00:30: every post time is still ahead
    core, _ = await make_core(path, clock, FakeChat())
    t0 = time.perf_counter()
    await set_up(core, [f"c{i}" for i in range(communities)], spread(communities))
    setup_s = time.perf_counter() - t0

    statements: list[str] = []
    for conn in (core.db.read, core.db.write):  # claims run on the writer, the next due time on the reader
        await conn(lambda c: c.set_trace_callback(statements.append))
    assert await core.jobs.tick() == 0
    for conn in (core.db.read, core.db.write):
        await conn(lambda c: c.set_trace_callback(None))
    ours = []
    for _ in range(ticks):
        t0 = time.perf_counter()
        ran = await core.jobs.tick()
        ours.append((time.perf_counter() - t0) * 1000)
        assert ran == 0
    t0 = time.perf_counter()
    await core.sweep()  # the startup catch-up: every enabled community checked for its job, then a tick
    sweep_ms = (time.perf_counter() - t0) * 1000
    await core.close()
    release_startup_heap()
    # the queries themselves: the transaction statements around them are each connection's own
    statements = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT",
                                                                                "RELEASE", "ROLLBACK"))]
    claim = next(s for s in statements if "FROM jobs" in s and "LIMIT" in s)
    conn = sqlite3.connect(path, isolation_level=None)
    pending = conn.execute("SELECT COUNT(*) FROM jobs WHERE kind = 'daily.run' AND status = 'pending'"
                           ).fetchone()[0]
    plan = {s: " / ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + s))
            for s in statements if s.lstrip().upper().startswith(("SELECT", "UPDATE"))}
    plain_claim, plain_tick = [], []
    for _ in range(ticks):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(claim).fetchall()
        conn.execute("COMMIT")
        plain_claim.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        for s in statements:
            conn.execute(s).fetchall()
        plain_tick.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return {"communities": communities, "pending": pending, "setup_s": setup_s, "sweep_ms": sweep_ms,
            "p50": pct(ours, 0.5), "p99": pct(ours, 0.99),
            "claim_p50": pct(plain_claim, 0.5), "claim_p99": pct(plain_claim, 0.99),
            "sql_p50": pct(plain_tick, 0.5), "sql_p99": pct(plain_tick, 0.99),
            "plans": "\n".join(f"    {' '.join(s.split())[:90]}...\n      -> {p}" for s, p in plan.items())}


# 2 and 3. the 09:00 herd, with and without answers arriving -----------------------------------
async def paced_answers(core: Core, channel: ChannelRef, round_id: int, prefix: str, rate: float,
                        seconds: float) -> list[tuple[float, float]]:
    """Open loop: answers started at a steady rate whatever the core's pace; (start, latency ms) each."""
    out: list[tuple[float, float]] = []
    begin = time.perf_counter()

    async def one(i: int) -> None:
        await asyncio.sleep(max(0.0, begin + i / rate - time.perf_counter()))
        actor = Actor(MemberRef(channel.community, f"{prefix}{i}"), f"{prefix.upper()}{i}")
        t0 = time.perf_counter()
        resp = await core.bot.handle(FormSubmitted(actor, channel, f"daily:submit:{round_id}",
                                                   {"answer": f"answer of {prefix}{i} " * 8}))
        out.append((t0, (time.perf_counter() - t0) * 1000))
        assert resp.reply is not None and "Saved" in resp.reply.text, resp

    await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
    return out


async def bench_herd(folder: Path, communities: int, concurrency: int, answer_rate: float = 0.0,
                     answer_s: float = 0.0, trial: int = 0) -> dict[str, float]:
    path = folder / f"herd-{concurrency}-{'answers' if answer_rate else 'alone'}-{trial}.db"
    clock = ManualClock(DAY.replace(hour=8))
    chat = SlowChat()
    core, scheduler = await make_core(path, clock, chat, concurrency)
    await set_up(core, [f"h{i}" for i in range(communities)], lambda i: "09:00")
    result: dict[str, float] = {}
    answers_in = channel_of("answers")
    round_id = 0
    if answer_rate:
        await set_up(core, ["answers"], lambda i: "08:30")
        clock.set(DAY.replace(hour=8, minute=30))
        await scheduler.fire_due(clock.now())  # posts the answers community's question
        round_id = await core.db.read(lambda c: c.execute(
            "SELECT id FROM daily_rounds WHERE community = ? AND status = 'posted'",
            (answers_in.community.key,)).fetchone()[0])
    clock.set(DAY.replace(hour=9))
    if answer_rate:  # the same answers with nothing running (the herd's wake-up is not fired yet)
        quiet = [ms for _, ms in await paced_answers(core, answers_in, round_id, "q", answer_rate, answer_s)]
        result["quiet_p50"], result["quiet_p99"] = pct(quiet, 0.5), pct(quiet, 0.99)
    chat.post_times.clear()
    ran_before = core.jobs.ran
    t0, cpu0 = time.perf_counter(), time.process_time()
    herd = asyncio.ensure_future(scheduler.fire_due(clock.now()))  # the wake-up: the tick runs the herd
    loud: list[tuple[float, float]] = []
    if answer_rate:
        loud = await paced_answers(core, answers_in, round_id, "a", answer_rate, answer_s)
    await herd
    tick_s = time.perf_counter() - t0
    result["cpu_ms_per_job"] = (time.process_time() - cpu0) * 1000 / communities
    assert len(chat.post_times) == communities, (len(chat.post_times), communities)
    assert core.jobs.ran - ran_before == communities
    result["last_post_s"] = max(chat.post_times) - t0
    result["tick_s"] = tick_s
    result["floor_s"] = -(-communities // concurrency) * PLATFORM_CALL_S
    if answer_rate:
        end = t0 + result["last_post_s"]
        during = [ms for start, ms in loud if start < end]
        result["during_n"], result["answers_n"] = len(during), len(loud)
        result["during_p50"], result["during_p99"] = pct(during, 0.5), pct(during, 0.99)
    await core.close()
    release_startup_heap()
    return result


def print_table(title: str, table: list[tuple[str, ...]]) -> None:
    print(title)
    header = ("benchmark", "studybot", "target", "plain limit", "ratio")
    widths = [max(len(str(r[i])) for r in (*table, header)) for i in range(5)]
    for row in (header, tuple("-" * w for w in widths), *table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main(quick: bool = False) -> None:
    idle_n, herd_n, ticks, mixed_n = (2_000, 300, 50, 3) if quick else (10_000, 1_000, 50, 5)
    rate, seconds = 500.0, 2.0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        idle = asyncio.run(bench_idle_tick(folder, idle_n, ticks))
        herds = {c: asyncio.run(bench_herd(folder, herd_n, c)) for c in (8, 32, 64)}
        # quiet and during-the-herd answers are each one run apart in time: a trial pairs them, and the
        # ratio's median over trials is reported (one pair swings 0.4x-3.5x on a machine doing other work)
        trials = [asyncio.run(bench_herd(folder, herd_n, 32, rate, seconds, trial=n)) for n in range(mixed_n)]
    mixed = {key: statistics.median(t[key] for t in trials) for key in trials[0]}
    ratios = sorted(t["during_p99"] / max(t["quiet_p99"], 1e-9) for t in trials)
    total_s = time.perf_counter() - started

    def ratio(a: float, b: float) -> str:
        return f"{a / max(b, 1e-9):.2f}x"

    table = [
        (f"idle tick p50 / p99, {idle['pending']:,} daily jobs waiting (ms)",
         f"{idle['p50']:.2f} / {idle['p99']:.2f}", "p99 < 50",
         f"{idle['claim_p50']:.2f} / {idle['claim_p99']:.2f} claim", ratio(idle["p99"], idle["claim_p99"])),
        ("  the tick's whole SQL replayed in sqlite3 p50 / p99 (ms)", "-", "-",
         f"{idle['sql_p50']:.2f} / {idle['sql_p99']:.2f}", ratio(idle["p99"], idle["sql_p99"])),
        (f"  core.sweep() once, {idle_n:,} enabled, all jobs present (ms)", f"{idle['sweep_ms']:,.0f}", "-", "-",
         "-"),
    ]
    for c, h in herds.items():
        default = " (default)" if c == 32 else ""
        table.append((f"{herd_n:,} due at 09:00, 50 ms calls, concurrency {c}{default}: last post (s)",
                      f"{h['last_post_s']:.2f}", "< 5", f"{h['floor_s']:.2f} floor",
                      ratio(h["last_post_s"], h["floor_s"])))
    table.append(("  CPU per daily job in that herd, both threads, at 8 / 32 / 64 (ms)",
                  " / ".join(f"{h['cpu_ms_per_job']:.1f}" for h in herds.values()), "-", "-", "-"))
    table += [
        (f"answers at {rate:,.0f}/s, nothing running: p50 / p99 (ms)",
         f"{mixed['quiet_p50']:.1f} / {mixed['quiet_p99']:.1f}", "-", "-", "-"),
        (f"answers at {rate:,.0f}/s during the herd ({mixed['during_n']:.0f} of {mixed['answers_n']:.0f}): "
         "p50 / p99 (ms)", f"{mixed['during_p50']:.1f} / {mixed['during_p99']:.1f}", "p99 <= 1.2x quiet",
         f"{mixed['quiet_p99']:.1f} quiet",
         f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}, {len(ratios)} trials)"),
        ("  that herd's last post, with the answers arriving (s)", f"{mixed['last_post_s']:.2f}", "< 5",
         f"{mixed['floor_s']:.2f} floor", ratio(mixed["last_post_s"], mixed["floor_s"])),
        ("old: sweep of 10,000 communities one by one (earlier figure)", OLD_SWEEP, "-", "-", "-"),
        ("old: answers during that sweep p99 (earlier figure)", OLD_ANSWER_P99, "-", "-", "-"),
    ]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print_table(f"scheduler: SQLite files, {idle_n:,} communities set up in {idle['setup_s']:.1f} s; "
                f"floor = ceil(due / concurrency) x 50 ms; whole section {total_s:.0f} s; load average {load}",
                table)
    print("query plans of an idle tick's statements (its claim is one UPDATE ... RETURNING):")
    print(idle["plans"])


if __name__ == "__main__":
    main("--quick" in sys.argv)
