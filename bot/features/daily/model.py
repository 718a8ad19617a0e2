"""The daily question's domain types: a round (one day's question in one community) and an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class RoundStatus(StrEnum):
    PENDING = "pending"  # recorded, not yet confirmed posted
    POSTED = "posted"  # open for answers
    REVEALING = "revealing"  # answers closed, reveal messages going out
    REVEALED = "revealed"
    SKIPPED = "skipped"  # the post time was missed beyond the grace window


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    community: str
    local_date: date
    status: RoundStatus
    item_id: str | None
    channel: str | None
    due_at: datetime
    posted_at: datetime | None
    message: str | None
    reveal_due_at: datetime | None
    revealed_at: datetime | None
    thread: str | None

    @property
    def open_for_answers(self) -> bool:
        return self.status in (RoundStatus.PENDING, RoundStatus.POSTED)


@dataclass(frozen=True, slots=True)
class Answer:
    id: int
    round_id: int
    community: str
    member: str
    text: str
    shared: bool
    late: bool
    submitted_at: datetime
    updated_at: datetime
    edits: int
    covered: frozenset[int]
    checklist_done: bool


class SaveOutcome(StrEnum):
    CREATED = "created"  # a first answer (on time or late): its points are in the ledger
    EDITED = "edited"  # an on-time answer changed before the reveal
    KEPT = "kept"  # the reveal has happened: the answer already saved stays as it was
