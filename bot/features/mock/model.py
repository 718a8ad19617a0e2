"""What the mock-interview feature stores and talks about: pool profiles, rounds, sessions, turns, scorecards.

Plain frozen dataclasses; the SQLite repository (store.py) reads and writes them. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.content.vocabulary import MockTrack
from bot.features.mock import REPORT_WINDOW

#: a session is two 30-minute slots; a pair swaps at half time, a trio rotates in three turns
SESSION_SLOTS = 2
SESSION = timedelta(minutes=60)
#: the first interviewer's packet arrives this long before the start
PACKET_LEAD = timedelta(minutes=30)
REMINDERS = {"24h": timedelta(hours=24), "15m": timedelta(minutes=15)}
#: a time offered or picked must start at least this far ahead
MIN_LEAD = timedelta(hours=1)
#: missed sessions in a row after which a member is paused
MISSES_TO_PAUSE = 2
MAX_CARD_TEXT = 1000  # scorecard strengths / one thing to improve
#: an erased member's id in the sessions they shared becomes this, plus the session and seat (MockRepo.erase_member)
ERASED = "erased-"

TRACK_LABELS: dict[str, str] = {
    MockTrack.ML_FUNDAMENTALS.value: "ML fundamentals",
    MockTrack.ML_SYSTEM_DESIGN.value: "ML system design",
    MockTrack.CODING.value: "Coding",
    MockTrack.BEHAVIOURAL.value: "Behavioural",
}
LEVELS = ("junior", "mid", "senior")
LEVEL_LABELS = {"junior": "Junior", "mid": "Mid-level", "senior": "Senior"}
CADENCES = {"weekly": "Every week", "biweekly": "Every two weeks"}


class Competency(StrEnum):
    MODELING = "modeling_judgment"
    PRODUCTION = "production_readiness"
    EVALUATION = "evaluation_rigor"
    COMMUNICATION = "communication_clarity"


@dataclass(frozen=True, slots=True)
class CompetencyText:
    label: str
    weak: str
    strong: str


COMPETENCIES: dict[Competency, CompetencyText] = {
    Competency.MODELING: CompetencyText(
        "Modeling judgment",
        "Picks a model or approach without tying it to the problem or the data",
        "Frames the problem, names options and picks one for stated reasons"),
    Competency.PRODUCTION: CompetencyText(
        "Production readiness",
        "Stops at a notebook answer: no latency, data drift, failure or cost",
        "Covers serving, monitoring, failure modes and what breaks at scale"),
    Competency.EVALUATION: CompetencyText(
        "Evaluation rigor",
        "Quotes one metric with no baseline, split or error analysis",
        "Chooses metrics for the goal, sound splits, baselines and error analysis"),
    Competency.COMMUNICATION: CompetencyText(
        "Communication clarity",
        "Jumps around; the listener has to dig for the answer",
        "Structured, checks in, states assumptions and sums up clearly"),
}


class SessionStatus(StrEnum):
    OPENING = "opening"  # paired; the private space is not open yet
    PROPOSED = "proposed"  # times offered, none booked
    BOOKED = "booked"  # a time is booked; after it, the members' answers to "did it happen?" come in
    DONE = "done"  # it happened: at least two members were there (see attendance.py)
    MISSED = "missed"  # it did not happen (a no-show, or nobody could make it)
    DISPUTED = "disputed"  # the members' answers contradict each other: it counts against nobody
    UNCONFIRMED = "unconfirmed"  # nobody answered before the report window closed
    CANCELLED = "cancelled"


OPEN_STATUSES = (SessionStatus.OPENING, SessionStatus.PROPOSED, SessionStatus.BOOKED)
#: a booked session that has been closed with its members' answers (attendance.py decides which)
CLOSED_STATUSES = (SessionStatus.DONE, SessionStatus.MISSED, SessionStatus.DISPUTED, SessionStatus.UNCONFIRMED)


class Answer(StrEnum):
    """What one member answers to "did it happen?", for themselves."""

    MET = "met"  # we met: I was there, and so were the others
    ABSENT = "absent"  # I was there; `about` did not show
    NONE = "none"  # it did not take place: I couldn't make it, nor could the others


class Outcome(StrEnum):
    """What is recorded for one member of a closed session (PENDING: still open, not decided)."""

    PRESENT = "present"
    NOSHOW = "noshow"  # a partner reported it and the member did not say it happened: counts as missed
    EXCUSED = "excused"  # couldn't make it, by their own word or the others': counts against nobody
    DISPUTED = "disputed"  # the answers about this member contradict each other: counts against nobody
    UNCONFIRMED = "unconfirmed"  # nobody said anything about this member
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Report:
    member: str
    answer: Answer
    about: str | None  # the member reported absent (Answer.ABSENT)
    at: datetime
    points: int = 0  # session points this answer earned when it was given (0: none, e.g. contradicted)


@dataclass(frozen=True, slots=True)
class Profile:
    community: str
    member: str
    tracks: tuple[str, ...]
    level: str
    zone: str
    availability: str  # as the member typed it (parsed again when used)
    cadence: str
    paused: bool = False
    paused_until: datetime | None = None
    missed_in_row: int = 0
    joined_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        return not self.paused or (self.paused_until is not None and self.paused_until <= now)

    @property
    def level_index(self) -> int:
        return LEVELS.index(self.level)


@dataclass(frozen=True, slots=True)
class Draft:
    """A join or availability change waiting for the member's Confirm."""

    id: int
    community: str
    member: str
    tracks: tuple[str, ...]
    level: str
    zone: str
    availability: str
    cadence: str


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    community: str
    occurrence: datetime
    week_start: datetime
    number: int  # 1, 2, ... within the community
    waiting: tuple[str, ...] = ()  # members the round could not pair


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    round_id: int
    community: str
    track: str
    members: tuple[str, ...]  # in turn order: members[i] interviews members[(i + 1) % n]
    levels: tuple[str, ...]
    week_start: datetime
    overlap: frozenset[int]
    repeat: bool
    status: SessionStatus
    version: int
    space: str | None = None  # channel key of the private space
    start_at: datetime | None = None
    booked_by: str | None = None
    deadline_at: datetime | None = None
    absent: frozenset[str] = frozenset()  # members whose no-show was counted when the session closed
    #: times a member rescheduled away from: never offered or booked again for this session
    declined: frozenset[datetime] = frozenset()
    #: the private space's name, chosen (and stored) before it is opened, with a marker unique to the session
    space_name: str | None = None
    reports: tuple[Report, ...] = ()  # the members' answers to "did it happen?", in the order given
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)  # set when the session closes
    closed_at: datetime | None = None

    @property
    def turns(self) -> int:
        return len(self.members)

    @property
    def turn_length(self) -> timedelta:
        return SESSION / len(self.members)

    def interviewer(self, turn: int) -> str:
        return self.members[turn]

    def interviewee(self, turn: int) -> str:
        return self.members[(turn + 1) % len(self.members)]

    def turn_of_interviewer(self, member: str) -> int | None:
        return self.members.index(member) if member in self.members else None

    def others(self, member: str) -> tuple[str, ...]:
        return tuple(m for m in self.members if m != member)

    @property
    def end_at(self) -> datetime | None:
        return None if self.start_at is None else self.start_at + SESSION

    @property
    def closes_at(self) -> datetime | None:
        """When answers to "did it happen?" are no longer taken."""
        return None if self.end_at is None else self.end_at + REPORT_WINDOW

    def report_of(self, member: str) -> Report | None:
        return next((r for r in self.reports if r.member == member), None)

    def accusers(self, member: str) -> list[str]:
        """The members who answered that this member didn't show, in answer order."""
        return [r.member for r in self.reports if r.answer is Answer.ABSENT and r.about == member]

    def outcome_of(self, member: str) -> Outcome | None:
        """What was recorded for the member (None while the session is not closed). Sessions closed before
        outcomes were stored: a recorded absence is a no-show, anyone else at a session that happened was there."""
        if member in self.outcomes:
            return self.outcomes[member]
        if self.status is SessionStatus.DONE:
            return Outcome.NOSHOW if member in self.absent else Outcome.PRESENT
        if self.status is SessionStatus.MISSED:
            return Outcome.NOSHOW if member in self.absent else Outcome.EXCUSED
        return None


@dataclass(frozen=True, slots=True)
class Turn:
    session_id: int
    turn: int
    interviewer: str
    interviewee: str
    item_id: str | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Scorecard:
    session_id: int
    turn: int
    community: str
    interviewer: str | None
    interviewee: str
    item_id: str | None
    ratings: dict[Competency, int]
    strengths: str | None
    improve: str | None
    sent: bool
    sent_at: datetime | None = None
