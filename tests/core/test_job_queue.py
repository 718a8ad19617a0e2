"""The job queue's promises, end to end through the composition root on SQLite files: a job survives a
crash between claim and run, two processes run a due job once, grace and backoff are kept, a handler
rescheduling itself keeps its new due time, a process runs only the platforms it serves, a removed
community's jobs stop, and (one real-time test) the real APScheduler wakes a job on time."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
import toy_feature
from fakes import FakeChat, FakeScheduler, Harness, small_bank

from bot.bootstrap import DAILY_JOB, FEATURES, Core, build_core, start_core
from bot.chat import ChatRouter
from bot.clock import ManualClock, SystemClock
from bot.config import Config
from bot.ids import Platform
from bot.jobs import LEASE
from bot.ports import Clock, Scheduler
from bot.process import ProcessId
from bot.registry import FeatureSpec, JobSpec
from bot.scheduler import ApScheduler
from bot.services import Services
from bot.store.jobs import Job

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
DUE = datetime(2025, 6, 2, 8, 30, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
GUILD = "console:guild1"
TOY = "toy.ring"
PROBE = "probe.run"


@pytest.fixture(autouse=True)
def _fresh_rings() -> Iterator[None]:
    toy_feature.RINGS.clear()
    yield
    toy_feature.RINGS.clear()


def ring(who: str, at: datetime) -> str:
    return f"{who}@{at.isoformat()}"


# a probe feature: a job kind whose handler the test writes ----------------------------------------------
ProbeHandler = Callable[[Services, Job], Awaitable[None]]


def probe_feature(handler: ProbeHandler, grace: timedelta = timedelta(minutes=10),
                  timeout: timedelta = timedelta(minutes=2)) -> Callable[[Services], FeatureSpec]:
    def build(services: Services) -> FeatureSpec:
        async def run(job: Job) -> None:
            await handler(services, job)

        return FeatureSpec(name="probe", jobs=(JobSpec(PROBE, run, grace=grace, timeout=timeout),))

    return build


@dataclass
class Node:
    """One process: a core on the shared database file, its own scheduler, the shared clock."""

    core: Core
    clock: ManualClock
    chat: FakeChat = field(default_factory=FakeChat)

    @property
    def scheduler(self) -> FakeScheduler:
        return cast(FakeScheduler, self.core.scheduler)

    async def fire(self, when: datetime) -> int:
        """The clock reaches `when` and this process's scheduler fires what is due (its wake-up)."""
        self.clock.set(when)
        return await self.scheduler.fire_due(when)

    async def close(self) -> None:
        await self.core.close()


async def make_core(db: str, clock: Clock, *, process: ProcessId | None = None, scheduler: Scheduler | None = None,
                    chat: FakeChat | None = None,
                    extra: tuple[Callable[[Services], FeatureSpec], ...] = (toy_feature.build,)) -> Core:
    router = ChatRouter()
    router.register(Platform.CONSOLE, chat or FakeChat())
    return await build_core(Config(db=db), clock=clock, scheduler=scheduler or FakeScheduler(), bank=small_bank(),
                            chat=router, process=process, features=[*(m.build for m in FEATURES), *extra])


async def node(db: str, clock: ManualClock, process: ProcessId | None = None,
               extra: tuple[Callable[[Services], FeatureSpec], ...] = (toy_feature.build,)) -> Node:
    chat = FakeChat()
    return Node(await make_core(db, clock, process=process, chat=chat, extra=extra), clock, chat)


async def schedule_toy(core: Core, who: str, due: datetime, community: str = GUILD) -> None:
    await core.jobs.schedule(TOY, who, community, due, {"who": who})


# 1. a kill between claim and run ---------------------------------------------------------------------------
PATIENT: list[str] = []  # what the patient probe kind ran (grace 10 min, longer than a lease)


async def patient_ring(services: Services, job: Job) -> None:
    PATIENT.append(ring(job.key, services.clock.now()))


PATIENT_FEATURE = (toy_feature.build, probe_feature(patient_ring, grace=timedelta(minutes=10)))


async def crashed_after_claim(db: str, clock: ManualClock, process: ProcessId, kind: str) -> None:
    """Process A schedules a job, claims it when due (as its tick would), and dies before running it."""
    PATIENT.clear()
    a = await node(db, clock, process, extra=PATIENT_FEATURE)
    await a.core.jobs.schedule(kind, "ann", GUILD, DUE, {"who": "ann"})
    clock.set(DUE)
    [job] = await a.core.job_rows.claim_due(DUE, process.owner, DUE + LEASE, None, 500)
    assert job.kind == kind and job.attempts == 1
    await a.close()  # no finish, no retry: as if killed
    assert toy_feature.RINGS == [] and PATIENT == []


async def test_a_job_claimed_by_a_dead_process_on_another_host_runs_once_when_its_lease_ends(
        tmp_path: Path) -> None:
    db = str(tmp_path / "crash.db")
    clock = ManualClock(START)
    await crashed_after_claim(db, clock, ProcessId("host-a", os.getpid(), "first-life"), PROBE)
    clock.set(DUE + timedelta(minutes=1))
    b = await node(db, clock, ProcessId("host-b", 4242, "other"), extra=PATIENT_FEATURE)
    try:
        await start_core(b.core, Config(db=db))  # release_dead_claims (nothing: not this host) and sweep
        assert PATIENT == []
        status = await b.core.job_rows.get(PROBE, "ann")
        assert status is not None and status[0] == "running"
        # B wakes exactly when A's lease ends, not before
        assert b.scheduler.next_run() == DUE + LEASE
        await b.fire(DUE + LEASE - timedelta(seconds=1))
        await b.core.jobs.tick()
        assert PATIENT == []
        await b.fire(DUE + LEASE)
        assert PATIENT == [ring("ann", DUE + LEASE)]
        for minutes in (6, 11, 30, 24 * 60):
            await b.fire(DUE + timedelta(minutes=minutes))
            await b.core.sweep()
        assert PATIENT == [ring("ann", DUE + LEASE)]
        assert await b.core.job_rows.get(PROBE, "ann") == ("done", DUE, 2, None)
    finally:
        await b.close()


async def test_a_restarted_process_takes_back_its_own_dead_claim_and_runs_it_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "restart.db")
    clock = ManualClock(START)
    await crashed_after_claim(db, clock, ProcessId("host-a", os.getpid(), "first-life"), TOY)
    clock.set(DUE + timedelta(seconds=10))
    # same host and pid, new token; 10 s late, inside the toy kind's 30 s grace
    b = await node(db, clock, ProcessId("host-a", os.getpid(), "second-life"), extra=PATIENT_FEATURE)
    try:
        assert await b.core.release_dead_claims() == 1
        await b.core.sweep()
        assert toy_feature.RINGS == [ring("ann", DUE + timedelta(seconds=10))]
        await b.fire(DUE + LEASE + timedelta(minutes=1))
        await b.core.sweep()
        assert len(toy_feature.RINGS) == 1
        assert await b.core.job_rows.get(TOY, "ann") == ("done", DUE, 2, None)
    finally:
        await b.close()


# 2. two processes, one run -------------------------------------------------------------------------------
async def test_two_processes_ticking_at_the_same_moment_run_each_due_job_once(tmp_path: Path) -> None:
    db = str(tmp_path / "two.db")
    clock = ManualClock(START)
    a = await node(db, clock, ProcessId("host-a", 1001, "a"))
    b = await node(db, clock, ProcessId("host-b", 1002, "b"))
    try:
        rounds = 25
        for n in range(rounds):
            due = START + timedelta(minutes=n + 1)
            await schedule_toy((a if n % 2 else b).core, f"m{n}", due)
            clock.set(due)
            counts = await asyncio.gather(a.core.jobs.tick(), b.core.jobs.tick(), b.core.jobs.tick(),
                                          a.core.jobs.tick())
            assert sum(counts) == 1, (n, counts)
            assert toy_feature.RINGS.count(ring(f"m{n}", due)) == 1
        assert len(toy_feature.RINGS) == rounds
        assert a.core.jobs.ran + b.core.jobs.ran == rounds
    finally:
        await a.close()
        await b.close()


# 3. grace -----------------------------------------------------------------------------------------------
async def test_a_job_missed_beyond_its_grace_is_skipped_and_one_within_grace_runs_late_once(
        tmp_path: Path) -> None:
    db = str(tmp_path / "grace.db")
    clock = ManualClock(START)
    a = await node(db, clock)
    await schedule_toy(a.core, "late", DUE)  # the toy kind's grace is 30 s
    await schedule_toy(a.core, "edge", DUE + timedelta(seconds=1))
    await schedule_toy(a.core, "ontime", DUE + timedelta(seconds=20))
    await a.close()  # the process is down over the due times
    back = DUE + timedelta(seconds=31)
    clock.set(back)
    b = await node(db, clock)
    try:
        await b.core.sweep()  # the catch-up a start does
        # "late" was missed by 31 s (> 30 s): skipped; "edge" by exactly 30 s and "ontime" by 11 s: run late
        assert sorted(toy_feature.RINGS) == [ring("edge", back), ring("ontime", back)]
        late = await b.core.job_rows.get(TOY, "late")
        assert late is not None and late[0] == "skipped" and late[3] is not None and "missed by" in late[3]
        for key in ("edge", "ontime"):
            row = await b.core.job_rows.get(TOY, key)
            assert row is not None and row[0] == "done"
        for hours in (1, 2, 48):
            await b.fire(DUE + timedelta(hours=hours))
            await b.core.sweep()
        assert sorted(toy_feature.RINGS) == [ring("edge", back), ring("ontime", back)]
        late = await b.core.job_rows.get(TOY, "late")
        assert late is not None and late[0] == "skipped"
    finally:
        await b.close()


# 4. retries with backoff ---------------------------------------------------------------------------------
async def test_a_failing_handler_is_retried_with_backoff_and_never_runs_twice_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "retry.db")
    clock = ManualClock(START)
    calls: list[datetime] = []
    running = 0
    most = 0
    gate = asyncio.Event()
    entered = asyncio.Event()

    async def flaky(services: Services, job: Job) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        calls.append(services.clock.now())
        try:
            if len(calls) == 1:  # the first run hangs a while before failing
                entered.set()
                await gate.wait()
            if len(calls) <= 3:
                raise RuntimeError(f"boom {len(calls)}")
        finally:
            running -= 1

    extra = (probe_feature(flaky),)
    a = await node(db, clock, ProcessId("host-a", 2001, "a"), extra=extra)
    b = await node(db, clock, ProcessId("host-b", 2002, "b"), extra=extra)
    try:
        await a.core.jobs.schedule(PROBE, "p", GUILD, DUE)
        assert a.scheduler.next_run() == DUE
        clock.set(DUE)
        first = asyncio.ensure_future(a.scheduler.fire_due(DUE))
        await asyncio.wait_for(entered.wait(), 5)
        # while it runs, no process (nor this one) starts it again, however often they tick
        assert await b.core.jobs.tick() == 0
        assert await a.core.jobs.tick() == 0
        clock.set(DUE + timedelta(minutes=4))  # it fails after hanging 4 minutes (inside its lease)
        assert list(await asyncio.gather(a.core.jobs.tick(), b.core.jobs.tick())) == [0, 0]
        gate.set()
        await first
        assert len(calls) == 1
        row = await a.core.job_rows.get(PROBE, "p")
        assert row is not None and row[0] == "pending" and row[3] == "RuntimeError: boom 1"
        waits = []
        for _ in range(3):
            nxt = a.scheduler.next_run()
            assert nxt is not None
            waits.append(nxt - clock.now())
            await b.fire(nxt - timedelta(seconds=1))  # the other process, a second early: nothing
            assert await b.core.jobs.tick() == 0
            await a.fire(nxt)
        assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
        failed = DUE + timedelta(minutes=4)
        assert calls == [DUE, failed + timedelta(minutes=1), failed + timedelta(minutes=6),
                         failed + timedelta(minutes=21)]
        assert most == 1
        assert await a.core.job_rows.get(PROBE, "p") == ("done", failed + timedelta(minutes=21), 4, None)
        await a.fire(DUE + timedelta(hours=3))
        await b.core.sweep()
        assert len(calls) == 4
    finally:
        await a.close()
        await b.close()


async def test_backoff_keeps_growing_and_stops_at_its_longest_step(tmp_path: Path) -> None:
    clock = ManualClock(START)
    calls: list[datetime] = []

    async def broken(services: Services, job: Job) -> None:
        calls.append(services.clock.now())
        raise ValueError("always")

    a = await node(str(tmp_path / "b.db"), clock, extra=(probe_feature(broken, grace=timedelta(days=1)),))
    try:
        await a.core.jobs.schedule(PROBE, "p", GUILD, DUE)
        waits = []
        await a.fire(DUE)
        for _ in range(7):
            nxt = a.scheduler.next_run()
            assert nxt is not None
            waits.append(nxt - clock.now())
            await a.fire(nxt)
        assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 360)]
        assert len(calls) == 8
    finally:
        await a.close()


# 6. a handler rescheduling itself -------------------------------------------------------------------------
@pytest.mark.parametrize("then_fail", [False, True], ids=["then-finishes", "then-raises"])
async def test_a_job_rescheduled_while_it_runs_keeps_its_new_due_time(tmp_path: Path, then_fail: bool) -> None:
    clock = ManualClock(START)
    calls: list[datetime] = []

    async def again_tomorrow(services: Services, job: Job) -> None:
        now = services.clock.now()
        calls.append(now)
        await services.jobs.schedule(PROBE, job.key, job.community, now + timedelta(days=1), {"n": len(calls)})
        if then_fail:
            raise RuntimeError("after rescheduling")

    a = await node(str(tmp_path / "self.db"), clock, extra=(probe_feature(again_tomorrow),))
    try:
        await a.core.jobs.schedule(PROBE, "p", GUILD, DUE)
        await a.fire(DUE)
        row = await a.core.job_rows.get(PROBE, "p")
        assert row is not None and row[:2] == ("pending", DUE + timedelta(days=1))
        assert a.scheduler.next_run() == DUE + timedelta(days=1)
        await a.fire(DUE + timedelta(hours=23))
        await a.core.sweep()
        assert calls == [DUE]
        await a.fire(DUE + timedelta(days=1))
        assert calls == [DUE, DUE + timedelta(days=1)]
        row = await a.core.job_rows.get(PROBE, "p")
        assert row is not None and row[:2] == ("pending", DUE + timedelta(days=2))
    finally:
        await a.close()


# 7. platforms a process serves ----------------------------------------------------------------------------
async def test_a_process_serving_some_platforms_leaves_other_platforms_jobs_to_a_process_serving_them(
        tmp_path: Path) -> None:
    db = str(tmp_path / "platforms.db")
    clock = ManualClock(START)
    d = await node(db, clock, ProcessId("host-d", 3001, "d"))
    c = await node(db, clock, ProcessId("host-c", 3002, "c"))
    d.core.jobs.serve_only(("discord",))
    c.core.jobs.serve_only(("console",))
    try:
        await schedule_toy(d.core, "dan", DUE, community="discord:g1")
        await schedule_toy(d.core, "con", DUE, community=GUILD)
        await d.fire(DUE)
        await d.core.sweep()
        await d.fire(DUE + timedelta(seconds=5))
        await d.core.jobs.tick()
        assert toy_feature.RINGS == [ring("dan", DUE)]
        row = await d.core.job_rows.get(TOY, "con")
        assert row is not None and row[0] == "pending" and row[2] == 0  # never even claimed
        nxt = d.scheduler.next_run()  # nor does it count that job as due (it would wake again at once)
        assert nxt is None or nxt > clock.now()
        clock.set(DUE + timedelta(seconds=10))
        await c.core.sweep()
        assert toy_feature.RINGS == [ring("dan", DUE), ring("con", DUE + timedelta(seconds=10))]
        await c.fire(DUE + timedelta(hours=1))
        await c.core.sweep()
        await d.core.sweep()
        assert len(toy_feature.RINGS) == 2
        assert (d.core.jobs.ran, c.core.jobs.ran) == (1, 1)
    finally:
        await d.close()
        await c.close()


# 8. a community removed ---------------------------------------------------------------------------------
async def test_a_removed_community_has_its_jobs_cancelled_and_nothing_more_is_sent(tmp_path: Path) -> None:
    db = str(tmp_path / "removed.db")
    clock = ManualClock(START)
    n = await node(db, clock)
    h = Harness(n.core, n.chat, clock, n.scheduler)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        daily = await n.core.job_rows.get(DAILY_JOB, GUILD)
        assert daily is not None and daily[:2] == ("pending", NINE)
        await schedule_toy(n.core, "ann", DUE)
        await schedule_toy(n.core, "sam", DUE, community="console:other")
        sent_before, ran_before = len(n.chat.sent), n.core.jobs.ran
        await n.core.community_removed(GUILD)
        settings = await n.core.communities.get(GUILD)
        assert settings is not None and not settings.enabled
        assert await n.core.job_rows.get(DAILY_JOB, GUILD) is None
        assert await n.core.job_rows.get(TOY, "ann") is None
        await h.run_until(NINE + timedelta(days=3))
        await n.core.sweep()  # a sweep does not bring the daily job back for a disabled community
        await n.core.release_dead_claims()
        await n.core.sweep()
        assert await n.core.job_rows.get(DAILY_JOB, GUILD) is None
        assert toy_feature.RINGS == [ring("sam", DUE)]  # the other community's job is untouched
        assert n.core.jobs.ran == ran_before + 1  # its daily job never ran
        assert n.chat.sent[sent_before:] == []
        assert not n.chat.titled("Daily question")
    finally:
        await n.close()


@pytest.mark.parametrize("strict", [False, True], ids=["sends-nothing", "job-never-runs-again"])
async def test_a_community_removed_while_its_daily_job_runs_is_sent_nothing_more(tmp_path: Path,
                                                                                   strict: bool) -> None:
    db = str(tmp_path / "removed-running.db")
    clock = ManualClock(START)
    gate = asyncio.Event()
    entered = asyncio.Event()

    class SlowChat(FakeChat):
        async def send(self, destination, reply):  # type: ignore[no-untyped-def]
            entered.set()
            await gate.wait()
            return await super().send(destination, reply)

    chat = SlowChat()
    core = await make_core(db, clock, chat=chat)
    n = Node(core, clock, chat)
    h = Harness(core, chat, clock, n.scheduler)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        clock.set(NINE)
        running = asyncio.ensure_future(n.scheduler.fire_due(NINE))
        await asyncio.wait_for(entered.wait(), 5)  # the 09:00 post is on its way
        await core.community_removed(GUILD)
        gate.set()
        await running
        ran_then, sent_then = core.jobs.ran, len(chat.sent)
        if strict:
            assert await core.job_rows.get(DAILY_JOB, GUILD) is None
        await h.run_until(NINE + timedelta(days=3))
        await core.sweep()
        assert chat.sent[sent_then:] == []
        assert not chat.titled("Reveal")
        assert await core.job_rows.get(DAILY_JOB, GUILD) is None
        if strict:
            assert core.jobs.ran == ran_then
    finally:
        await n.close()


# 5. the real scheduler, on time (the one real-time test) -------------------------------------------------
async def test_with_the_real_scheduler_a_job_runs_within_a_second_of_its_due_time(tmp_path: Path) -> None:
    ran = asyncio.Event()
    seen: list[tuple[float, datetime]] = []

    async def mark(services: Services, job: Job) -> None:
        seen.append((time.monotonic(), services.clock.now()))
        ran.set()

    db = str(tmp_path / "real.db")
    scheduler = ApScheduler()
    core = await make_core(db, SystemClock(), scheduler=scheduler, extra=(probe_feature(mark),))
    try:
        await start_core(core, Config(db=db))
        t0 = time.monotonic()
        due = core.clock.now() + timedelta(seconds=1.0)
        await core.jobs.schedule(PROBE, "p", GUILD, due)
        await asyncio.wait_for(ran.wait(), 2.5)
        await core.jobs.idle()
        [(at, wall)] = seen
        assert wall >= due  # not before its due time
        assert 0.95 <= at - t0 <= 2.0  # and no later than a second after it
        assert await core.job_rows.get(PROBE, "p") == ("done", due, 1, None)
    finally:
        await core.close()
