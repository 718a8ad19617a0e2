"""What the quiz feature stores: solo sessions and their questions, races, race questions and picks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SessionStatus(StrEnum):
    PENDING = "pending"  # made by a /quiz while another was open: waits for Continue / Start new
    OPEN = "open"
    FINISHED = "finished"
    ABANDONED = "abandoned"  # replaced by a new quiz
    DROPPED = "dropped"  # the member chose Continue instead


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    community: str
    member: str
    status: SessionStatus
    topic: str | None  # a domain value; None is any topic
    difficulty: str | None  # None is mixed
    count: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


#: `picked` of a question whose item left the bank: passed over, never scored
SKIPPED = -1


@dataclass(frozen=True, slots=True)
class Question:
    session_id: int
    idx: int
    item_id: str
    topic: str
    answer: int  # index of the right choice
    picked: int | None
    correct: bool
    earned: int
    answered_at: datetime | None

    @property
    def answered(self) -> bool:
        return self.picked is not None

    @property
    def scored(self) -> bool:
        return self.picked is not None and self.picked != SKIPPED


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session with all its questions, in order."""

    session: Session
    questions: tuple[Question, ...]

    @property
    def current(self) -> Question | None:
        """The first question not answered yet; None once every one is."""
        return next((q for q in self.questions if not q.answered), None)


class AnswerStatus(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # this question was answered before (a double or stale click)
    FOREIGN = "foreign"  # someone else's quiz
    CLOSED = "closed"  # the session is no longer open
    NOT_CURRENT = "not_current"  # an earlier question is still unanswered
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    status: AnswerStatus
    question: Question | None = None
    #: the session ended with this answer
    finished: bool = False


@dataclass(frozen=True, slots=True)
class StartOutcome:
    session_id: int
    status: SessionStatus  # OPEN, or PENDING when another quiz was open
    open_id: int | None  # the quiz that was already open


class Ended(StrEnum):
    COMPLETED = "completed"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"  # the bot was away too long to carry on
    FAILED = "failed"  # the channel refused our posts


@dataclass(frozen=True, slots=True)
class Race:
    id: int
    community: str
    channel: str
    started_by: str | None
    topic: str | None
    count: int
    seconds: int
    created_at: datetime
    first_at: datetime
    stop_by: str | None
    stop_at: datetime | None
    finished_at: datetime | None
    ended: Ended | None


@dataclass(frozen=True, slots=True)
class RaceQuestion:
    id: int
    race_id: int
    idx: int
    item_id: str
    topic: str
    answer: int
    deadline: datetime | None
    message: str | None  # MessageRef key of the posted question
    closed_at: datetime | None
    settled_at: datetime | None

    @property
    def posted(self) -> bool:
        return self.message is not None


@dataclass(frozen=True, slots=True)
class Pick:
    id: int
    question_id: int
    member: str
    choice: int
    event_at: datetime
    arrived_at: datetime


class PickStatus(StrEnum):
    LOCKED = "locked"
    ALREADY = "already"  # a pick was recorded before: the first counts
    LATE = "late"  # after the deadline (by the platform's time)
    CLOSED = "closed"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class PickOutcome:
    status: PickStatus
    choice: int | None = None  # what counts: this pick, or the earlier one
    deadline: datetime | None = None
    item_id: str | None = None
