"""The APScheduler-backed Scheduler really awaits the core's async callbacks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.scheduler import ApScheduler


async def test_apscheduler_awaits_an_async_callback_given_as_a_lambda() -> None:
    fired = asyncio.Event()
    ticks: list[int] = []

    async def work(n: int) -> None:
        ticks.append(n)
        fired.set()

    scheduler = ApScheduler()
    scheduler.start()
    try:
        scheduler.schedule("once", datetime.now(UTC) - timedelta(seconds=1), lambda: work(1))
        await asyncio.wait_for(fired.wait(), 5)
        assert ticks == [1]
    finally:
        scheduler.shutdown()
