"""The /stats chart is drawn in a worker process (drawing.ProcessDrawer): a real PNG comes back, matplotlib is
never imported by the bot's own process, a killed worker is replaced, a chart that fails or hangs is None and
/stats then sends its text and says the chart could not be drawn, and closing the core stops the worker."""

from __future__ import annotations

import functools
import io
import os
import signal
import struct
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import COMMUNITY, Harness

from bot.bootstrap import FEATURES
from bot.features import leaderboard
from bot.features.leaderboard.chart import PNG_MAGIC, ChartData, render
from bot.features.leaderboard.drawing import ProcessDrawer
from bot.ids import MemberRef
from bot.signals import ItemAttempted
from bot.store.ledger import LedgerRepo

START = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)
DATA = ChartData("Your progress", (("mlops", 6, 5), ("coding", 4, 1)), (("26 May", 10), ("2 Jun", 24), ("9 Jun", 7)))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and the chunk's CRC."""
    import zlib

    assert data.startswith(PNG_MAGIC)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16:29]
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(kind + body)
    width, height = struct.unpack(">II", body[:8])
    return width, height


def decodes(data: bytes) -> tuple[int, int]:
    from PIL import Image  # matplotlib's own dependency: the test process may import it

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def hangs_if_asked(data: ChartData) -> bytes:
    """Draws, unless the title names a file: then writes its pid there and hangs."""
    if data.title.endswith(".pid"):
        Path(data.title).write_text(str(os.getpid()))
        time.sleep(60)
    return render(data)


async def test_the_chart_is_drawn_in_another_process_as_a_valid_png() -> None:
    drawer = ProcessDrawer()
    try:
        png = await drawer.draw(DATA)
        assert png is not None and png_size(png) == (800, 340) == decodes(png)
        (worker,) = drawer.worker_pids()
        assert worker != os.getpid() and alive(worker)
        assert await drawer.draw(DATA) is not None and drawer.worker_pids() == [worker]  # the same worker again
    finally:
        await drawer.close()
    assert not alive(worker)
    assert await drawer.draw(DATA) is None  # closed: nothing is started again


async def test_a_killed_worker_is_replaced_and_the_chart_drawn() -> None:
    drawer = ProcessDrawer()
    try:
        assert await drawer.draw(DATA) is not None
        (first,) = drawer.worker_pids()
        os.kill(first, signal.SIGKILL)  # the next chart finds the pool broken, at once or once it is sent
        png = await drawer.draw(DATA)
        assert png is not None and png_size(png) == (800, 340)
        assert drawer.pools_started == 2 and drawer.worker_pids() != [first]
    finally:
        await drawer.close()


async def test_a_chart_that_fails_or_hangs_is_none_and_the_next_one_draws(tmp_path: Path) -> None:
    drawer = ProcessDrawer(hangs_if_asked)
    try:
        broken = ChartData("x", (("mlops", "six", "five"),), ())  # type: ignore[arg-type]
        assert await drawer.draw(broken) is None  # matplotlib raised in the worker
        assert await drawer.draw(DATA) is not None and drawer.pools_started == 1  # the same pool goes on
        pid_file = tmp_path / "worker.pid"
        drawer.timeout_s = 2.0  # long enough for a warm worker to start it, even on a busy machine
        assert await drawer.draw(ChartData(str(pid_file), DATA.accuracy, DATA.weeks)) is None  # too long
        assert not alive(int(pid_file.read_text()))  # that worker was stopped
        drawer.timeout_s = 30
        png = await drawer.draw(DATA)  # by a new one
        assert png is not None and png_size(png) == (800, 340) and drawer.pools_started == 2
    finally:
        await drawer.close()


def test_the_bots_own_process_never_imports_matplotlib() -> None:
    code = ("import asyncio, sys\n"
            "from bot.features.leaderboard.chart import ChartData, PNG_MAGIC\n"
            "from bot.features.leaderboard.drawing import ProcessDrawer\n"
            "async def main():\n"
            "    drawer = ProcessDrawer()\n"
            "    png = await drawer.draw(ChartData('t', (('mlops', 4, 3),), (('2 Jun', 5),)))\n"
            "    await drawer.close()\n"
            "    assert png is not None and png.startswith(PNG_MAGIC)\n"
            "asyncio.run(main())\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib was imported here'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


async def seed(h: Harness, who: str = "ann") -> None:
    await LedgerRepo(h.core.db).award(COMMUNITY.key, who, 10, "daily_answer", "d1", START, topic="mlops")
    for n in range(4):
        await h.core.registry.publish(ItemAttempted(MemberRef(COMMUNITY, who), f"c{n}", "coding", "quiz", n < 3,
                                                    START - timedelta(minutes=n)))


class Unavailable:
    """A drawer whose charts never come out (a worker that keeps dying, say)."""

    def __init__(self) -> None:
        self.asked = 0

    async def draw(self, data: ChartData) -> bytes | None:
        self.asked += 1
        return None

    async def close(self) -> None:
        return None


async def test_stats_without_a_chart_send_the_text_and_say_so() -> None:
    drawer = Unavailable()
    builders = [functools.partial(leaderboard.build, charts=drawer) if m is leaderboard else m.build
                for m in FEATURES]
    h = await Harness.create(START, features=builders)
    try:
        await seed(h)
        resp = await h.command("ann", "stats")
        assert resp.reply is not None and resp.reply.files == () and drawer.asked == 1
        assert "The chart could not be drawn this time" in resp.reply.text
        assert "- coding: 75% (3/4)" in resp.reply.text  # the summary is all there
    finally:
        await h.close()


async def test_the_core_draws_in_its_worker_and_stops_it_when_it_closes() -> None:
    h = await Harness.create(START)
    try:
        await seed(h)
        resp = await h.command("ann", "stats")
        assert resp.reply is not None
        (chart,) = resp.reply.files
        assert decodes(chart.data) == (800, 340)
        drawer = h.core.charts
        assert isinstance(drawer, ProcessDrawer)
        (worker,) = drawer.worker_pids()
    finally:
        await h.close()
    assert not alive(worker)
