"""`studybot run` connects the adapters while it builds the core, catches up only once both are done, and a
failing adapter or build ends the run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from adapters.cli import serve


class FakeAdapter:
    def __init__(self, log: list[str], name: str, fail: bool = False) -> None:
        self.log, self.name, self.fail = log, name, fail
        self.connected = asyncio.Event()

    async def start(self) -> None:
        await asyncio.sleep(0)
        if self.fail:
            raise RuntimeError(f"{self.name} refused the token")
        self.log.append(f"{self.name} connected")
        self.connected.set()
        await asyncio.Event().wait()

    async def wait_ready(self) -> None:
        await self.connected.wait()


def builder(log: list[str], steps: int = 0, fail: bool = False) -> Callable[[], Awaitable[str]]:
    async def build() -> str:
        log.append("building")
        for _ in range(steps):
            await asyncio.sleep(0)
        if fail:
            raise RuntimeError("the bank has problems")
        log.append("built")
        return "core"

    return build


async def test_the_catch_up_waits_for_every_adapter() -> None:
    log: list[str] = []

    async def sweep(core: str) -> None:
        log.append(f"sweep {core}")
        raise asyncio.CancelledError  # stop serving once we have seen the order

    with pytest.raises(asyncio.CancelledError):
        await serve([FakeAdapter(log, "discord"), FakeAdapter(log, "slack")], builder(log), sweep)
    assert log[-1] == "sweep core"
    assert {"discord connected", "slack connected", "built"} <= set(log[:-1])


async def test_the_adapters_connect_while_the_core_is_built_and_the_catch_up_waits_for_it() -> None:
    log: list[str] = []

    async def sweep(core: str) -> None:
        log.append("sweep")
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await serve([FakeAdapter(log, "discord"), FakeAdapter(log, "slack")], builder(log, steps=5), sweep)
    assert log == ["building", "discord connected", "slack connected", "built", "sweep"]


async def test_a_build_that_fails_ends_the_run_without_a_sweep() -> None:
    log: list[str] = []

    async def sweep(core: str) -> None:
        log.append("sweep")

    with pytest.raises(RuntimeError, match="bank has problems"):
        await asyncio.wait_for(serve([FakeAdapter(log, "discord")], builder(log, steps=3, fail=True), sweep), 5)
    assert "sweep" not in log


async def test_an_adapter_that_fails_to_start_ends_the_run_without_a_sweep() -> None:
    log: list[str] = []

    async def sweep(core: str) -> None:
        log.append("sweep")

    with pytest.raises(RuntimeError, match="refused"):
        await asyncio.wait_for(serve([FakeAdapter(log, "discord", fail=True), FakeAdapter(log, "slack")],
                                     builder(log, steps=10), sweep), 5)
    assert "sweep" not in log


class CancelSwallowingAdapter(FakeAdapter):
    """Loses the first cancellation, as a task inside Python 3.11's `asyncio.wait_for` does when the awaited
    thing completes at the moment it is cancelled (discord.py's gateway loop awaits one)."""

    def __init__(self, log: list[str], name: str) -> None:
        super().__init__(log, name)
        self.cancels = 0

    async def start(self) -> None:
        self.connected.set()
        while True:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancels += 1
                if self.cancels > 1:
                    self.log.append(f"{self.name} closed")
                    raise


async def test_a_connection_that_loses_a_cancellation_is_still_stopped_when_the_build_fails() -> None:
    log: list[str] = []
    adapter = CancelSwallowingAdapter(log, "discord")

    async def sweep(core: str) -> None:
        log.append("sweep")

    with pytest.raises(RuntimeError, match="bank has problems"):
        await asyncio.wait_for(serve([adapter], builder(log, steps=3, fail=True), sweep), 5)
    assert adapter.cancels == 2 and log[-1] == "discord closed"
