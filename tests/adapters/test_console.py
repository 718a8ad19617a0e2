from __future__ import annotations

from datetime import UTC, datetime

from fakes import small_bank

from adapters.console.adapter import ConsoleAdapter, list_lines
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.config import Config
from bot.scheduler import ClockScheduler


async def run_script(lines: list[str]) -> str:
    out: list[str] = []
    clock = ManualClock(datetime(2025, 6, 2, 7, 0, tzinfo=UTC))
    scheduler = ClockScheduler(clock)
    core = await build_core(Config(db=":memory:"), clock=clock, scheduler=scheduler, bank=small_bank())
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(lines), out.append, user="you", echo=True)
    try:
        await adapter.run()
    finally:
        await core.close()
    return "\n".join(out)


async def test_scripted_console_session_runs_the_whole_cycle() -> None:
    text = await run_script([
        "/studybot setup", "09:00", "Europe/Berlin", "weekdays", "all", "next",
        "/clock +1h",  # 08:00 UTC = 10:00 Berlin: past today's post time, caught up inside the grace window
        "/as alice", "/daily", "Regularisation trades variance for bias.",
        "5",  # press "Share at the reveal" (buttons 1-3 on the post, 4-5 on the saved reply)
        "/as bob", "/daily", "",  # an empty line cancels the form
        "/daily", "/studybot help",  # so does a command typed at a form prompt, which then runs
        "/daily answer typed inline instead",
        "/as you", "/clock +1d",
        "/leaderboard", "/nonsense", "/studybot config time 7pm", "/clock soon",
    ])
    assert "studybot is set up" in text
    assert "Daily question" in text
    assert "[only alice] Saved." in text
    assert text.count("(form cancelled)") == 2 and "studybot help ==" in text
    assert "[only bob] Saved." in text
    assert "Reveal" in text and "2 members answered" in text
    assert "[#general › thread" in text and "Regularisation trades variance" in text
    assert "[DM to alice] == Your checklist ==" in text
    assert "@alice" in text and "@bob" in text
    assert "Unknown command /nonsense" in text
    assert "Not changed" in text and "Usage: /clock" in text


async def test_non_admin_is_refused_on_the_console() -> None:
    text = await run_script(["/as mallory", "/studybot setup"])
    assert "Only admins" in text
