"""Drawing the /stats chart off the event loop: in a separate process, so it never holds this one's GIL.

A thread is not enough: matplotlib's Agg renderer holds the GIL for most of a render, and the event loop's
turns waited up to 0.19 s while a chart drew. `ProcessDrawer` hands `chart.render` (a top-level function:
data in, PNG bytes out) to a one-worker `ProcessPoolExecutor`, made the first time a chart is drawn. Its
workers come from a fork server (a clean process that imported matplotlib once, so a new worker draws at
once; fork itself is not used: this process has threads) or, where there is none (Windows), are spawned.
Matplotlib is imported only there, never here.

Everything that can block is done on a thread: starting the fork server and a worker (`submit` waits for
both) and shutting the pool down. A pool whose worker died (killed, out of memory) is broken for good: it is
replaced and the chart tried once more. A chart that fails to draw, or takes longer than `timeout_s` (the
worker is then killed), is None: /stats sends its text and says the chart could not be drawn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.features.leaderboard.chart import ChartData, render

if TYPE_CHECKING:  # multiprocessing and the pool are imported with the first chart, not at start-up
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)
DRAW_TIMEOUT_S = 30.0
#: what the fork server imports before it forks any worker: the renderer and the parts of matplotlib it uses
PRELOAD = ["bot.features.leaderboard.chart", "matplotlib.figure", "matplotlib.backends.backend_agg"]


@runtime_checkable
class ChartDrawer(Protocol):
    async def draw(self, data: ChartData) -> bytes | None:
        """The chart as PNG bytes, or None when it could not be drawn (the caller says so)."""
        ...

    async def close(self) -> None:
        """Stop whatever draws (the composition root calls this in `Core.close`)."""
        ...


def _context() -> Any:
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)  # read when the fork server starts (once per process)
        return context
    return multiprocessing.get_context("spawn")


class ProcessDrawer:
    """Draws charts in a worker process (see the module docstring)."""

    def __init__(self, render_fn: Callable[[ChartData], bytes] = render, *,
                 timeout_s: float = DRAW_TIMEOUT_S) -> None:
        self._render = render_fn
        self.timeout_s = timeout_s  # how long a chart may take before its worker is stopped
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self.pools_started = 0  # for tests and the benchmark: how often a pool was (re)made

    async def draw(self, data: ChartData) -> bytes | None:
        from concurrent.futures.process import BrokenProcessPool

        for attempt in (1, 2):
            pool = self._ready()
            if pool is None:
                return None
            try:
                # submit starts the worker (and the fork server, the first time), waiting for both
                future = await asyncio.to_thread(pool.submit, self._render, data)
                png: bytes = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
                return png
            except BrokenProcessPool:
                log.warning("the chart worker died (try %d of 2); starting another", attempt)
                await self._discard(pool, kill=False)
            except TimeoutError:
                log.error("the chart took longer than %.0f s to draw; its worker is stopped", self.timeout_s)
                await self._discard(pool, kill=True)
                return None
            except Exception:
                log.exception("the chart could not be drawn")
                return None
        return None

    def worker_pids(self) -> list[int]:
        """The pids of the pool's worker processes (none before the first chart)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return [p.pid for p in list(processes.values()) if p.pid is not None]

    async def close(self) -> None:
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    def _ready(self) -> ProcessPoolExecutor | None:
        if self._closed:
            return None
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
            self.pools_started += 1
        return self._pool

    async def _discard(self, pool: ProcessPoolExecutor, *, kill: bool) -> None:
        if self._pool is pool:
            self._pool = None
        processes = list((getattr(pool, "_processes", None) or {}).values())
        if kill:
            for process in processes:
                process.kill()
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


class ThreadDrawer:
    """Draws in a thread of this process (as /stats did before): for tests that need no second process.
    It holds the GIL while it draws, so the event loop waits meanwhile."""

    def __init__(self, render_fn: Callable[[ChartData], bytes] = render) -> None:
        self._render = render_fn

    async def draw(self, data: ChartData) -> bytes | None:
        try:
            return await asyncio.to_thread(self._render, data)
        except Exception:
            log.exception("the chart could not be drawn")
            return None

    async def close(self) -> None:
        return None
