"""Weekly availability for peer mocks: the repeating local week a member is free, on the half-hour grid.

A member writes local wall-clock ranges ("Mon-Thu 18:00-21:00, Sat 10:00-13:00"); availability_parser.py
reads them into an `Availability`, week_text.py shows one back, utc_week.py maps it onto the 336 half-hour
slots of one concrete UTC week. Every availability of at most `MAX_RANGES` ranges reads back to itself:
`parse_availability(a.describe()) == a`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from bot.features.mock.grid import SLOTS_PER_DAY, SLOTS_PER_WEEK, slot_of_day, time_of
from bot.features.mock.week_text import describe_slots

MAX_TEXT = 1000
#: separate ranges a week may hold (after merging, split at midnight); with it `describe()` stays < MAX_TEXT
MAX_RANGES = 30
EXAMPLE = "Mon-Thu 18:00-21:00, Sat 10:00-13:00"


class AvailabilityError(ValueError):
    """What could not be understood, said kindly, with an example. `problems` holds the parts one by one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(problems)
        super().__init__(f"I couldn't read all of that: {listed}. "
                         f"Write days and local times like: {EXAMPLE} (or weekdays 7pm-9pm).")


@dataclass(frozen=True)
class WeeklyRange:
    weekday: int  # 0=Mon..6=Sun
    start: time
    end: time  # local wall time; end after start, or time(0) meaning midnight at the end of that day

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0 (Mon) to 6 (Sun)")
        for t in (self.start, self.end):
            if t.tzinfo is not None or t.second or t.microsecond or t.minute % 30:
                raise ValueError(f"{t} is not a naive time on the half-hour grid")
        if self.end != time(0) and self.end <= self.start:
            raise ValueError(f"{self.start}-{self.end}: the end must be after the start (or time(0))")

    @property
    def first_slot(self) -> int:
        """Index of the first local half-hour of the week this range covers."""
        return self.weekday * SLOTS_PER_DAY + slot_of_day(self.start)

    @property
    def stop_slot(self) -> int:
        """One past the last local half-hour (a midnight end counts as the day's 48th slot)."""
        end = SLOTS_PER_DAY if self.end == time(0) else slot_of_day(self.end)
        return self.weekday * SLOTS_PER_DAY + end


@dataclass(frozen=True)
class Availability:
    """A repeating local week. Ranges are normalised on construction: merged, split at midnight, sorted.

    `notes` (not part of equality) says how the parser adjusted the text, e.g. rounding to the grid.
    """

    ranges: tuple[WeeklyRange, ...]
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        slots: set[int] = set()
        for r in self.ranges:
            if not isinstance(r, WeeklyRange):
                raise TypeError(f"{r!r} is not a WeeklyRange")
            slots.update(range(r.first_slot, r.stop_slot))
        object.__setattr__(self, "ranges", ranges_of(frozenset(slots)))

    @classmethod
    def from_local_slots(cls, slots: frozenset[int] | set[int], notes: tuple[str, ...] = ()) -> Availability:
        """From local half-hour indices of the week (0 = Mon 00:00, wrapping modulo 336)."""
        return cls(ranges_of(frozenset(s % SLOTS_PER_WEEK for s in slots)), notes)

    @property
    def is_empty(self) -> bool:
        return not self.ranges

    def local_slots(self) -> frozenset[int]:
        return frozenset(s for r in self.ranges for s in range(r.first_slot, r.stop_slot))

    def describe(self) -> str:
        """Readable and normalised: "Mon-Thu 18:00-21:00, Sat 10:00-13:00", "Mon/Wed 07:00-08:00, 18:00-20:00".

        `parse_availability(a.describe()) == a` for every availability of at most MAX_RANGES ranges.
        """
        return describe_slots(self.local_slots())


def ranges_of(slots: frozenset[int]) -> tuple[WeeklyRange, ...]:
    out: list[WeeklyRange] = []
    ordered = sorted(slots)
    i = 0
    while i < len(ordered):
        first = ordered[i]
        day = first // SLOTS_PER_DAY
        j = i
        while (j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1
               and ordered[j + 1] // SLOTS_PER_DAY == day):
            j += 1
        out.append(WeeklyRange(day, time_of(first % SLOTS_PER_DAY),
                               time_of(ordered[j] % SLOTS_PER_DAY + 1)))
        i = j + 1
    return tuple(out)
