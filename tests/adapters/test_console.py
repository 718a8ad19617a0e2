from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes import small_bank

from adapters.console.adapter import ConsoleAdapter, list_lines
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.config import Config
from bot.scheduler import ClockScheduler


async def run_script(lines: list[str], start: datetime = datetime(2025, 6, 2, 7, 0, tzinfo=UTC),
                     **options: Any) -> str:
    out: list[str] = []
    clock = ManualClock(start)
    scheduler = ClockScheduler(clock)
    core = await build_core(Config(db=":memory:"), clock=clock, scheduler=scheduler, bank=small_bank())
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(lines), out.append, user="you", echo=True,
                             **options)
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


@pytest.mark.parametrize("hour", [0, 7, 9, 12, 18, 23])
async def test_the_readme_quickstart_posts_a_question_at_any_hour(hour: int) -> None:
    start = datetime(2025, 6, 4, hour, 30, tzinfo=UTC)  # a Wednesday
    text = await run_script(["/studybot setup", "", "", "", "", "", "/clock +1d"], start=start)
    assert "studybot is set up" in text
    assert text.count("== Daily question") == 1  # stepped through 09:00 on the way, inside the grace window


async def test_clock_steps_through_a_week_and_reports_what_moved() -> None:
    moved: list[timedelta] = []
    text = await run_script(["/studybot setup", "", "", "every day", "", "", "/clock +7d"],
                            on_clock_moved=moved.append)
    assert text.count("== Daily question") == 7 and text.count("== Reveal") >= 6
    assert moved == [timedelta(days=7)]


async def test_console_commands_are_whole_words_with_a_suggestion_for_typos() -> None:
    text = await run_script(["/assistant", "/dialy", "/as bob", "/leaderbord"])
    assert "You are now assistant" not in text and "Unknown command /assistant" in text
    assert "Did you mean /daily?" in text and "Did you mean /leaderboard?" in text
    assert "You are now bob." in text


async def test_the_prompt_shows_who_is_acting() -> None:
    text = await run_script(["/as bob", "/time"])
    assert "you (admin)> /as bob" in text and "bob> /time" in text


async def test_markup_is_styled_on_a_terminal_and_plain_elsewhere() -> None:
    plain = await run_script(["/studybot help"])
    assert "**" not in plain and "*Points" not in plain
    styled = await run_script(["/studybot setup", "", "", "every day", "", "", "/clock +3h", "/clock +1d"],
                              styles=True)
    assert "\x1b[1m" in styled  # bold, as the terminal shows it


async def test_times_show_in_the_readers_own_zone() -> None:
    text = await run_script(["/time", "/studybot timezone America/New_York", "/time"],
                            reader_zone=ZoneInfo("Europe/Berlin"))
    first, _, rest = text.partition("/studybot timezone")
    assert "CEST" in first and "EDT" in rest


def test_relative_times_under_a_minute_are_shown_in_seconds() -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from adapters.console.render import render_markup
    from bot import markup as mk

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    text = render_markup(mk.timestamp(now + timedelta(seconds=5), "R"), str, ZoneInfo("UTC"), now)
    assert text == "in 5 seconds (Mon 02 Mar 09:00 UTC)"
    text = render_markup(mk.timestamp(now - timedelta(minutes=3), "R"), str, ZoneInfo("UTC"), now)
    assert text == "3 minutes ago (Mon 02 Mar 08:57 UTC)"


def test_select_options_show_their_descriptions() -> None:
    from adapters.console.adapter import _listing
    from bot.messages import SelectOption

    plain = (SelectOption("Week", "week"), SelectOption("Month", "month"))
    assert _listing(plain) == "1) Week  2) Month"
    rated = (SelectOption("1", "1", "Names no trade-off"), SelectOption("4", "4", "Weighs cost against gain"))
    assert _listing(rated) == "\n    1) 1: Names no trade-off\n    2) 4: Weighs cost against gain"
