"""What the mock-interview feature stores and talks about: pool profiles, rounds, sessions, turns, scorecards.

Plain frozen dataclasses; the SQLite repository (store.py) reads and writes them. Times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.content.schema import MockTrack

NAME = "mock"
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
    BOOKED = "booked"
    DONE = "done"  # it happened (someone said so)
    MISSED = "missed"  # it did not happen: a no-show was reported and nobody is left to meet
    CANCELLED = "cancelled"


OPEN_STATUSES = (SessionStatus.OPENING, SessionStatus.PROPOSED, SessionStatus.BOOKED)


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
    absent: frozenset[str] = frozenset()
    #: times a member rescheduled away from: never offered or booked again for this session
    declined: frozenset[datetime] = frozenset()

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
