"""The job queue under a herd: due jobs are claimed a slotful at a time (not hundreds in one write, not
all leased at once), a run whose job was rescheduled and claimed again never closes the newer claim, and
everything a job does reaches the database as background work, behind members' requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import FakeChat, FakeScheduler, small_bank

from bot.bootstrap import FEATURES, Core, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.events import Actor, CommandInvoked
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.precedence import in_background
from bot.registry import FeatureSpec, JobSpec
from bot.services import Services
from bot.store.jobs import Job

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
KIND = "probe.herd"
GUILD = "console:guild1"


async def core_with(tmp_path: Path, handler: Callable[[Services, Job], Awaitable[None]], concurrency: int,
                    clock: ManualClock) -> Core:
    def build(services: Services) -> FeatureSpec:
        async def run(job: Job) -> None:
            await handler(services, job)

        return FeatureSpec(name="probe", jobs=(JobSpec(KIND, run, grace=timedelta(minutes=10)),))

    router = ChatRouter()
    router.register(Platform.CONSOLE, FakeChat())
    return await build_core(Config(db=str(tmp_path / "herd.db"), job_concurrency=concurrency), clock=clock,
                            scheduler=FakeScheduler(), bank=small_bank(), chat=router,
                            features=[*(m.build for m in FEATURES), build])


async def statuses(core: Core, keys: list[str]) -> list[str]:
    rows = [await core.job_rows.get(KIND, key) for key in keys]
    return [row[0] if row else "missing" for row in rows]


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_a_herd_is_claimed_a_slotful_at_a_time_and_each_job_runs_once(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    gate = asyncio.Event()
    ran: list[str] = []
    background: list[bool] = []

    async def slow(services: Services, job: Job) -> None:
        ran.append(job.key)
        background.append(in_background())
        await gate.wait()

    core = await core_with(tmp_path, slow, 2, clock)
    keys = [f"c{i}" for i in range(7)]
    try:
        for key in keys:
            await core.jobs.schedule(KIND, key, GUILD, NOW)
        tick = asyncio.ensure_future(core.jobs.tick())
        await until(lambda: len(ran) == 2)
        await asyncio.sleep(0.05)
        now = await statuses(core, keys)
        # two run, at most a slotful more is claimed to follow them; the rest is not even leased yet
        assert now.count("running") <= 4 and now.count("pending") >= 3, now
        assert len(ran) == 2
        gate.set()
        assert await asyncio.wait_for(tick, 10) == 7
        assert sorted(ran) == keys
        assert await statuses(core, keys) == ["done"] * 7
        assert background == [True] * 7
        assert not in_background()  # the mark ends with the tick
    finally:
        gate.set()
        await core.close()


async def test_a_run_rescheduled_and_claimed_again_does_not_close_the_newer_claim(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    gates = [asyncio.Event(), asyncio.Event()]
    calls: list[int] = []

    async def again_now(services: Services, job: Job) -> None:
        calls.append(job.attempts)
        n = len(calls)
        if n == 1:  # the first run asks to run again at once, then is slow to end
            await services.jobs.schedule(KIND, job.key, job.community, services.clock.now())
        await gates[n - 1].wait()

    core = await core_with(tmp_path, again_now, 4, clock)
    try:
        await core.jobs.schedule(KIND, "k", GUILD, NOW)
        first = asyncio.ensure_future(core.jobs.tick())
        await until(lambda: len(calls) == 1)
        second = asyncio.ensure_future(core.jobs.tick())  # another wake-up claims the rescheduled row
        await until(lambda: len(calls) == 2)
        gates[0].set()
        assert await asyncio.wait_for(first, 5) == 1
        row = await core.job_rows.get(KIND, "k")
        assert row is not None and row[0] == "running", row  # still the second run's, not closed by the first
        gates[1].set()
        assert await asyncio.wait_for(second, 5) == 1
        assert await core.job_rows.get(KIND, "k") == ("done", NOW, 1, None)
        assert calls == [1, 1]
    finally:
        for gate in gates:
            gate.set()
        await core.close()


async def test_a_job_waiting_behind_a_slow_herd_is_not_counted_late(tmp_path: Path) -> None:
    """Lateness (against the kind's grace, 10 minutes here) counts to when the tick began: a job that
    waits its turn behind slow ones is run, however long they take, not recorded as missed."""
    clock = ManualClock(NOW)
    ran: list[tuple[str, datetime]] = []

    async def slow(services: Services, job: Job) -> None:
        ran.append((job.key, clock.now()))
        clock.set(clock.now() + timedelta(minutes=4))  # each run takes four minutes (inside its lease)

    core = await core_with(tmp_path, slow, 1, clock)
    keys = [f"c{i}" for i in range(5)]
    try:
        for key in keys:
            await core.jobs.schedule(KIND, key, GUILD, NOW)
        assert await asyncio.wait_for(core.jobs.tick(), 10) == 5
        assert [key for key, _ in ran] == keys
        assert ran[-1][1] == NOW + timedelta(minutes=16)  # the last is claimed 12 minutes after it was due
        assert await statuses(core, keys) == ["done"] * 5
    finally:
        await core.close()


async def test_a_jobs_steps_wait_while_a_members_request_is_handled(tmp_path: Path) -> None:
    """Through the composition root: a job's database read returns, and its next step is held while a
    member's request is still being handled (bot.precedence); it goes on once the request is answered."""
    clock = ManualClock(NOW)
    steps: list[str] = []

    async def reads(services: Services, job: Job) -> None:
        await services.db.read(lambda c: c.execute("SELECT 1").fetchone())
        steps.append("read")
        await services.db.read(lambda c: c.execute("SELECT 2").fetchone())
        steps.append("done")

    core = await core_with(tmp_path, reads, 4, clock)
    assert core.precedence is not None
    try:
        with core.precedence.member():  # what StudyBot.handle does around a member's request
            await core.jobs.schedule(KIND, "c1", GUILD, NOW)
            tick = asyncio.ensure_future(core.jobs.tick())
            await until(lambda: core.precedence is not None and core.precedence.held >= 1)
            assert steps == []  # its first step waits for its turn
        assert await asyncio.wait_for(tick, 10) == 1
        assert steps == ["read", "done"]
        reply = await core.bot.handle(CommandInvoked(Actor(MemberRef(CommunityRef(Platform.CONSOLE, "guild1"), "m"),
                                                           "M"), ChannelRef(CommunityRef(Platform.CONSOLE, "guild1"),
                                                                            "general"), "studybot", {}))
        assert reply.reply is not None and not core.precedence.members_busy  # handle() counts and uncounts
    finally:
        await core.close()
