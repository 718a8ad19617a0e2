"""The half-hour grid every week is counted on: slot sizes, weekday names, and clock text of a boundary.

A slot is one half hour; a week has 336 of them, numbered from Monday 00:00 (local for a member's own
week, UTC for a concrete week, see utc_week.py). Shared by the model, its parser, its text and the pairing.
"""

from __future__ import annotations

from datetime import time, timedelta

SLOT = timedelta(minutes=30)
SLOTS_PER_DAY = 48
SLOTS_PER_WEEK = 336
DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def slot_of_day(t: time) -> int:
    return t.hour * 2 + t.minute // 30


def clock_text(slot_of_day: int) -> str:
    """HH:MM of a half-hour boundary; 48 is 24:00 (end of the day), beyond 48 is the next day's time."""
    if slot_of_day > SLOTS_PER_DAY:
        slot_of_day -= SLOTS_PER_DAY
    return f"{slot_of_day // 2:02d}:{30 * (slot_of_day % 2):02d}"


def time_of(slot_of_day: int) -> time:
    return time(0) if slot_of_day >= SLOTS_PER_DAY else time(slot_of_day // 2, 30 * (slot_of_day % 2))
