"""`studybot run` catches up only once every adapter is connected, and a failing adapter ends the run."""

from __future__ import annotations

import asyncio

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


async def test_the_catch_up_waits_for_every_adapter() -> None:
    log: list[str] = []

    async def sweep() -> None:
        log.append("sweep")
        raise asyncio.CancelledError  # stop serving once we have seen the order

    with pytest.raises(asyncio.CancelledError):
        await serve([FakeAdapter(log, "discord"), FakeAdapter(log, "slack")], sweep)
    assert log == ["discord connected", "slack connected", "sweep"]


async def test_an_adapter_that_fails_to_start_ends_the_run_without_a_sweep() -> None:
    log: list[str] = []

    async def sweep() -> None:
        log.append("sweep")

    with pytest.raises(RuntimeError, match="refused"):
        await asyncio.wait_for(serve([FakeAdapter(log, "discord", fail=True), FakeAdapter(log, "slack")], sweep), 5)
    assert "sweep" not in log
