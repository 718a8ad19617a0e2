"""The /stats chart on the console: the core's PNG is written to the console's files folder and the path
shown beside the text summary (the console's way of attaching a file)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fakes import small_bank

from adapters.console.adapter import ConsoleAdapter, list_lines
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.config import Config
from bot.features.leaderboard.chart import PNG_MAGIC
from bot.scheduler import ClockScheduler


async def test_stats_write_the_chart_beside_the_summary(tmp_path: Path) -> None:
    out: list[str] = []
    clock = ManualClock(datetime(2025, 6, 2, 7, 0, tzinfo=UTC))
    scheduler = ClockScheduler(clock)
    core = await build_core(Config(db=":memory:"), clock=clock, scheduler=scheduler, bank=small_bank())
    files = tmp_path / "files"
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines([
        "/studybot setup", "09:00", "UTC", "every day", "all", "next", "/clock +3h",
        "/as alice", "/daily", "Regularisation trades variance for bias.", "/stats",
    ]), out.append, user="you", echo=True, files_dir=files)
    try:
        await adapter.run()
    finally:
        await core.close()
    text = "\n".join(out)
    stats = text[text.index("alice> /stats"):]
    assert "Points this week" in stats and "Daily answers: 10" in stats and "The chart shows your accuracy" in stats
    shown = [line.split("(file: ", 1)[1].rstrip(")") for line in stats.splitlines() if "(file: " in line]
    assert len(shown) == 1 and Path(shown[0]).name == "stats.png"
    (written,) = files.iterdir()
    assert written.name == "stats.png" and written.read_bytes().startswith(PNG_MAGIC)
