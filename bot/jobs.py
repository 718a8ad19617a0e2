"""The job queue: features schedule durable jobs by kind; a tick runs what is due, once, on time.

Jobs are rows (bot.store.jobs), never closures: a restart, or a second process on the same database,
finds them there. The Scheduler port (APScheduler in production) only wakes the queue at the earliest
due time; each wake-up claims due rows under a lease and hands each to the handler its kind registered.
Handlers run with bounded concurrency and each under a time limit, so a community stuck in a slow call
or a rate limit holds one slot, not the queue. A job missed by more than its kind's grace is recorded
as skipped rather than run late; a handler that raises is retried with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.ports import Clock, Scheduler
from bot.precedence import MembersFirst, background
from bot.store.jobs import Job, JobRepo

log = logging.getLogger(__name__)
WAKE_JOB = "jobs:wake"
LEASE = timedelta(minutes=5)
CLAIM_BATCH = 500
RETRY_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                 timedelta(hours=3), timedelta(hours=6))
Handler = Callable[[Job], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobKind:
    handler: Handler
    #: how late a job of this kind may still run; later than that it is recorded as skipped
    grace: timedelta
    #: the longest one run may take before its slot is freed (it is then retried)
    timeout: timedelta = timedelta(minutes=2)


class _Run:
    __slots__ = ("replaced",)

    def __init__(self) -> None:
        self.replaced = False


class JobQueue:
    def __init__(self, repo: JobRepo, clock: Clock, scheduler: Scheduler, owner: str,
                 platforms: tuple[str, ...] | None = None, concurrency: int = 32, detach: bool = False,
                 precedence: MembersFirst | None = None) -> None:
        """`detach`: a wake-up starts its tick in the background and returns at once (APScheduler runs one
        instance of a job id at a time, so a tick that waited for a slow job would swallow the next wake).
        Without it (tests, the console) a wake-up returns when everything it started is done."""
        self._repo = repo
        self._precedence = precedence  # a job's first step waits for its turn there, as its later ones do
        self._clock = clock
        self._scheduler = scheduler
        self._owner = owner
        self._platforms = platforms
        self._slots = asyncio.Semaphore(concurrency)
        self._claim_size = max(1, min(CLAIM_BATCH, concurrency))
        self._waiting = 0  # jobs claimed by this process that do not hold a slot yet
        self._slot_taken = asyncio.Event()
        self._kinds: dict[str, JobKind] = {}
        self._wake_at: datetime | None = None
        self._claiming = asyncio.Lock()
        self._detach = detach
        self._background: set[asyncio.Task[int]] = set()
        #: the runs of each job (kind, key) going on in this process
        self._running: dict[tuple[str, str], list[_Run]] = {}
        self.ran = 0  # jobs handled by this process (observability, tests, benchmarks)

    def register(self, kind: str, handler: Handler, grace: timedelta,
                 timeout: timedelta = timedelta(minutes=2)) -> None:
        if kind in self._kinds:
            raise ValueError(f"job kind {kind!r} is registered twice")
        self._kinds[kind] = JobKind(handler, grace, timeout)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def serve_only(self, platforms: tuple[str, ...] | None) -> None:
        """Run only the jobs of communities on these platforms (the ones this process has adapters for)."""
        self._platforms = platforms

    async def schedule(self, kind: str, key: str, community: str, due_at: datetime,
                       payload: dict[str, Any] | None = None) -> None:
        if kind not in self._kinds:
            raise ValueError(f"no handler for job kind {kind!r}")
        await self._repo.schedule(kind, key, community, due_at, payload or {}, self._clock.now())
        self._replaced((kind, key))
        self._wake_no_later_than(due_at)

    async def cancel(self, kind: str, key: str) -> None:
        await self._repo.cancel(kind, key)
        self._replaced((kind, key))

    def _replaced(self, job: tuple[str, str]) -> None:
        """A running job's row was rescheduled (made pending) or deleted: its run's finish or retry would
        match nothing now (and must not touch a later claim of the same row), so it is not written."""
        for run in self._running.get(job, ()):
            run.replaced = True

    async def cancel_community(self, community: str) -> None:
        await self._repo.cancel_community(community)

    def _wake_no_later_than(self, when: datetime) -> None:
        if self._wake_at is None or when < self._wake_at or self._wake_at < self._clock.now():
            self._wake_at = when
            self._scheduler.schedule(WAKE_JOB, when, self._wake)

    async def _wake(self) -> None:
        if not self._detach:
            await self.tick()
            return
        task = asyncio.ensure_future(self.tick())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def idle(self) -> None:
        """Until every tick started in the background has finished (tests, benchmarks, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def tick(self) -> int:
        """Run every job due now, then arrange the next wake-up. Returns how many ran.

        Due jobs are claimed a slotful at a time, each claim once most of the last one has a slot, rather
        than hundreds at once: one claim never holds the writer long (answers wait behind it), and a job
        not yet claimed stays free for another process. The next wake-up is arranged at each claim, before
        the jobs run, so a slow job never delays one due later (a 20-second race reveal behind a slow
        daily post). All of it is background work for the database: members' requests go first."""
        with background():
            return await self._tick()

    async def _tick(self) -> int:
        ran = 0
        woke = self._clock.now()  # lateness counts to here: a job waiting for its claim behind others is not late
        started: list[asyncio.Future[None]] = []
        try:
            while True:
                async with self._claiming:
                    now = self._clock.now()
                    jobs = await self._repo.claim_due(now, self._owner, now + LEASE, self._platforms,
                                                      self._claim_size)
                    self._waiting += len(jobs)
                    more = len(jobs) == self._claim_size
                    await self._plan_wake(claiming=more)
                started += [asyncio.ensure_future(self._run(job, now, woke)) for job in jobs]
                ran += len(jobs)
                if not more:
                    break
                await self._room()
        except asyncio.CancelledError:
            for task in started:
                task.cancel()
            raise
        except Exception:
            await asyncio.gather(*started, return_exceptions=True)  # what was claimed still runs to its end
            raise
        await asyncio.gather(*started)
        self.ran += ran
        await self._plan_wake()
        return ran

    async def _room(self) -> None:
        """Until few enough jobs this process claimed still wait for a slot."""
        while self._waiting > self._claim_size // 4:
            self._slot_taken.clear()
            await self._slot_taken.wait()

    async def _plan_wake(self, claiming: bool = False) -> None:
        """Wake at the next due time. `claiming`: a tick still claiming will take what is due now itself."""
        self._wake_at = None
        nxt = await self._repo.next_due(self._platforms)
        if nxt is not None and not (claiming and nxt <= self._clock.now()):
            self._wake_no_later_than(max(nxt, self._clock.now()))

    async def _run(self, job: Job, now: datetime, woke: datetime) -> None:
        try:
            kind = await self._admit(job, now, woke)
        finally:
            self._waiting -= 1
            self._slot_taken.set()
        if kind is None:
            return
        ident, run = (job.kind, job.key), _Run()
        self._running.setdefault(ident, []).append(run)
        try:
            if self._precedence is not None:
                await self._precedence.turn()
            await asyncio.wait_for(kind.handler(job), kind.timeout.total_seconds())
        except Exception as exc:
            wait = RETRY_BACKOFF[min(job.attempts, len(RETRY_BACKOFF)) - 1]
            log.exception("job %s/%s failed (try %d); again in %s", job.kind, job.key, job.attempts, wait)
            if not self._ended(ident, run):
                await self._repo.retry(job, self._owner, self._clock.now() + wait, f"{type(exc).__name__}: {exc}")
            return
        except BaseException:
            self._ended(ident, run)
            raise
        finally:
            self._slots.release()
        if not self._ended(ident, run):
            await self._repo.finish(job, self._owner, self._clock.now())

    async def _admit(self, job: Job, now: datetime, woke: datetime) -> JobKind | None:
        """The job's kind once it holds a slot; None when it is settled without running (unknown kind, or
        missed by more than its grace when the tick that claimed it began)."""
        kind = self._kinds.get(job.kind)
        if kind is None:  # a kind this build does not know (an older or newer feature): leave it be
            log.error("job %s/%s has unknown kind; retrying in an hour", job.kind, job.key)
            await self._repo.retry(job, self._owner, now + timedelta(hours=1), "unknown kind")
            return None
        late = min(now, woke) - job.due_at
        if late > kind.grace:
            log.warning("job %s/%s was due %s ago, past its grace of %s: recorded as skipped", job.kind, job.key,
                        late, kind.grace)
            await self._repo.finish(job, self._owner, now, "skipped", f"missed by {late}")
            return None
        await self._slots.acquire()
        return kind

    def _ended(self, ident: tuple[str, str], run: _Run) -> bool:
        """Forget a run that ended; True when its row was rescheduled or deleted while it ran."""
        runs = self._running[ident]
        runs.remove(run)
        if not runs:
            del self._running[ident]
        return run.replaced
