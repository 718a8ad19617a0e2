"""Relative times on the console: rounded to the nearest sensible unit (never down past the truth), with
their date beside them but never brackets inside brackets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.console.render import relative, render_markup
from bot import markup as mk

NOW = datetime(2025, 12, 2, 18, 0, tzinfo=UTC)  # a Tuesday


def show(text: str, zone: str = "UTC") -> str:
    return render_markup(text, str, ZoneInfo(zone), NOW)


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(hours=47), "in 2 days"),
    (timedelta(hours=23, minutes=59, seconds=59), "in 24 hours"),  # a reminder 24 h ahead, a moment later
    (timedelta(hours=24), "in 24 hours"),
    (timedelta(minutes=4, seconds=50), "in 5 minutes"),
    (timedelta(minutes=1), "in 1 minute"),
    (timedelta(seconds=59, milliseconds=700), "in 1 minute"),
    (timedelta(minutes=59, seconds=40), "in 1 hour"),
    (timedelta(hours=36), "in 36 hours"),
    (timedelta(hours=37), "in 2 days"),
    (timedelta(days=5), "in 5 days"),
    (timedelta(days=90), "in 3 months"),
    (timedelta(days=800), "in 2 years"),
    (timedelta(seconds=-30), "30 seconds ago"),
    (-timedelta(hours=47), "2 days ago"),
    (timedelta(0), "now"),
])
def test_relative_times_round_to_the_nearest_unit(delta: timedelta, words: str) -> None:
    assert relative(NOW + delta, NOW) == words


def test_a_relative_time_shows_its_date_in_brackets_in_plain_text() -> None:
    at = mk.timestamp(NOW + timedelta(days=5), "R")
    assert show(f"It starts {at}.") == "It starts in 5 days (Sun 07 Dec 18:00 UTC)."


def test_inside_brackets_a_relative_time_adds_no_brackets_of_its_own() -> None:
    at = mk.timestamp(NOW + timedelta(days=5), "R")
    assert show(f"Booked (starts {at}). Next (one {at})") == (
        "Booked (starts in 5 days, Sun 07 Dec 18:00 UTC). Next (one in 5 days, Sun 07 Dec 18:00 UTC)")
    assert show(f"(starts {at})", "Europe/Berlin") == "(starts in 5 days, Sun 07 Dec 19:00 CET)"


def test_a_moment_already_given_in_full_is_not_repeated() -> None:
    start = NOW + timedelta(days=5)
    text = show(f"Your mock starts {mk.timestamp(start, 'f')} ({mk.timestamp(start, 'R')}).")
    assert text == "Your mock starts Sun 07 Dec 2025 18:00 UTC (in 5 days)."
    other = show(f"From {mk.timestamp(NOW, 'f')} ({mk.timestamp(start, 'R')}).")
    assert other == "From Tue 02 Dec 2025 18:00 UTC (in 5 days, Sun 07 Dec 18:00 UTC)."


def test_a_bracket_left_open_on_an_earlier_line_does_not_count() -> None:
    at = mk.timestamp(NOW + timedelta(minutes=5), "R")
    assert show(f"(unclosed\nIt closes {at}.") == "(unclosed\nIt closes in 5 minutes (Tue 02 Dec 18:05 UTC)."
