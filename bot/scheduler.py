"""The Scheduler port on APScheduler 3.x: one date job per wake-up, in memory (the database is the truth)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ports import Clock, JobCallback

log = logging.getLogger(__name__)
MISFIRE_GRACE_S = 6 * 3600


def _awaiting(callback: JobCallback) -> Callable[[], Coroutine[Any, Any, None]]:
    """APScheduler awaits a job only when the function itself is a coroutine function; any other callable
    (a lambda returning a coroutine) runs in a thread pool and its coroutine is never awaited."""

    async def job() -> None:
        await callback()

    return job


class ApScheduler:
    def __init__(self) -> None:
        self._sched = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S},
        )

    def start(self) -> None:
        self._sched.start()

    def shutdown(self) -> None:
        if self._sched.running:
            self._sched.shutdown(wait=False)

    def schedule(self, job_id: str, run_at: datetime, callback: JobCallback) -> None:
        self._sched.add_job(_awaiting(callback), "date", run_date=run_at, id=job_id, replace_existing=True)

    def every(self, job_id: str, interval: timedelta, callback: JobCallback) -> None:
        self._sched.add_job(_awaiting(callback), "interval", seconds=interval.total_seconds(), id=job_id,
                            replace_existing=True)

    def cancel(self, job_id: str) -> None:
        job = self._sched.get_job(job_id)
        if job is not None:
            job.remove()


class ClockScheduler:
    """Jobs kept in memory and fired against an injected clock, for clocks that jump (the console's
    `/clock +1d`): `run_pending()` fires everything due, oldest first."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._jobs: dict[str, tuple[datetime, JobCallback]] = {}

    def schedule(self, job_id: str, run_at: datetime, callback: JobCallback) -> None:
        self._jobs[job_id] = (run_at, callback)

    def cancel(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)

    def next_run(self) -> datetime | None:
        """When the earliest job is due, if any."""
        return min((at for at, _ in self._jobs.values()), default=None)

    async def run_pending(self) -> int:
        fired = 0
        while True:
            now = self._clock.now()
            due = sorted(((at, jid) for jid, (at, _) in self._jobs.items() if at <= now))
            if not due:
                return fired
            _, job_id = due[0]
            _, callback = self._jobs.pop(job_id)
            try:
                await callback()
            except Exception:
                log.exception("job %s failed", job_id)
            fired += 1
