"""Outbound pacing: a FIFO queue per channel (~1 message per second, Slack's per-channel limit) and
429 handling that waits exactly what `Retry-After` says.

Only rate-limit answers are retried: a 429 means Slack did not process the call. Connection errors are
never retried here, because a post that timed out may have gone through; the outbox reconciles those
by looking for the message's metadata first (ChatPort.find_posted).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

Sleep = Callable[[float], Awaitable[None]]
MAX_RETRY_AFTER = 120.0


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's rate-limit retry handler, waiting `Retry-After` plus at most `jitter` seconds."""

    def __init__(self, max_retry_count: int = 2, jitter: float = 1.0, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.jitter = jitter
        self._sleep = sleep

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        retry_after = 1.0
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    retry_after = float(values[0])
                except ValueError:
                    retry_after = 1.0
        wait = min(max(retry_after, 0.0), MAX_RETRY_AFTER) + random.random() * self.jitter
        await self._sleep(wait)
        state.increment_current_attempt()


def retry_handlers(jitter: float = 1.0) -> list[AsyncRetryHandler]:
    """What every Web API client of the adapter uses: 429s only (see the module docstring)."""
    return [RetryAfterHandler(jitter=jitter)]


@dataclass
class _Lane:
    lock: asyncio.Lock
    next_at: float = 0.0


class ChannelPacer:
    """One FIFO lane per channel: a call waits its turn and at least `interval` after the last one."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lanes: dict[str, _Lane] = {}

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        lane = self._lanes.get(channel)
        if lane is None:
            lane = self._lanes[channel] = _Lane(asyncio.Lock())
        async with lane.lock:
            wait = lane.next_at - self._clock()
            if wait > 0:
                await self._sleep(wait)
            try:
                yield
            finally:
                lane.next_at = self._clock() + self.interval
        self._prune()

    def _prune(self) -> None:
        if len(self._lanes) < 1024:
            return
        now = self._clock()
        for key in [k for k, lane in self._lanes.items() if not lane.lock.locked() and lane.next_at <= now]:
            del self._lanes[key]
