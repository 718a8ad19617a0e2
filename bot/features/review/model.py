"""The review feature's domain types: a member's card for one bank item, and their reminder settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.community import DAY_NAMES


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """One bank item in one member's queue. `fsrs` is the library's own card (`fsrs.Card.to_json`);
    `due_at` is when the queue shows it next (the column queries use), and `reps` counts ratings: a
    button carries the `reps` it was drawn for, so a second or stale click rates nothing."""

    id: int
    community: str
    member: str
    item_id: str
    topic: str | None
    fsrs: str
    due_at: datetime
    reps: int
    #: set aside: its item is no longer in the community's bank (a pack was removed)
    suspended: bool
    created_at: datetime
    last_reviewed_at: datetime | None


DEFAULT_TIME = time(8, 0)


@dataclass(frozen=True, slots=True)
class ReminderPrefs:
    """A member's daily review DM. Off until they turn it on; `days_off` are weekdays (Monday = 0)."""

    community: str
    member: str
    enabled: bool = False
    at: time = DEFAULT_TIME
    days_off: frozenset[int] = frozenset()

    @property
    def days_on(self) -> frozenset[int]:
        return frozenset(range(7)) - self.days_off


def format_days_off(days: frozenset[int]) -> str:
    if not days:
        return "none"
    if days == frozenset({5, 6}):
        return "weekends (sat, sun)"
    return ", ".join(DAY_NAMES[d] for d in sorted(days))
