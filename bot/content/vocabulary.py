"""The bank's vocabulary: topics, kinds, difficulties, levels, rubric dimensions and mock tracks.

Plain enums, apart from the pydantic schema, so what only names them (the command catalogue, settings,
the adapters) can be imported without building the item model.
"""

from __future__ import annotations

from enum import StrEnum


class Domain(StrEnum):
    MATH_STATS = "math-stats"
    PROGRAMMING = "programming"
    ML_ALGORITHMS = "ml-algorithms"
    DEEP_LEARNING = "deep-learning"
    ML_SYSTEM_DESIGN = "ml-system-design"
    MLOPS = "mlops"
    CODING = "coding"
    BEHAVIOURAL = "behavioural"


class Kind(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    SHORT_ANSWER = "short_answer"
    OPEN = "open"
    DERIVATION = "derivation"
    DEBUGGING = "debugging"
    SYSTEM_DESIGN = "system_design"
    CODING = "coding"
    BEHAVIOURAL = "behavioural"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Seniority(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class RubricDimension(StrEnum):
    """What a mock interviewer scores. The first four fit any track; the rest name one skill each."""

    MODELING_JUDGMENT = "modeling_judgment"
    PRODUCTION_READINESS = "production_readiness"
    EVALUATION_RIGOR = "evaluation_rigor"
    COMMUNICATION_CLARITY = "communication_clarity"
    TECHNICAL_DEPTH = "technical_depth"
    PROBLEM_SOLVING = "problem_solving"
    CODE_QUALITY = "code_quality"
    TRADE_OFF_REASONING = "trade_off_reasoning"
    OWNERSHIP = "ownership"
    COLLABORATION = "collaboration"


class MockTrack(StrEnum):
    """The tracks a member picks for peer mock interviews; each domain feeds one track."""

    ML_FUNDAMENTALS = "ml-fundamentals"
    ML_SYSTEM_DESIGN = "ml-system-design"
    CODING = "coding"
    BEHAVIOURAL = "behavioural"


TRACK_OF_DOMAIN: dict[Domain, MockTrack] = {
    Domain.MATH_STATS: MockTrack.ML_FUNDAMENTALS,
    Domain.ML_ALGORITHMS: MockTrack.ML_FUNDAMENTALS,
    Domain.DEEP_LEARNING: MockTrack.ML_FUNDAMENTALS,
    Domain.ML_SYSTEM_DESIGN: MockTrack.ML_SYSTEM_DESIGN,
    Domain.MLOPS: MockTrack.ML_SYSTEM_DESIGN,
    Domain.CODING: MockTrack.CODING,
    Domain.PROGRAMMING: MockTrack.CODING,
    Domain.BEHAVIOURAL: MockTrack.BEHAVIOURAL,
}

#: Kinds answered in free text that carry key points, a model answer and follow-ups.
EXPLAINED_KINDS = frozenset(
    {Kind.OPEN, Kind.DERIVATION, Kind.DEBUGGING, Kind.SYSTEM_DESIGN, Kind.CODING, Kind.BEHAVIOURAL}
)
SYSTEM_DESIGN_SECTIONS = (
    "requirements", "metrics", "data", "features", "model", "serving", "monitoring", "iteration",
)

#: a multiple-choice item has exactly this many choices (the schema checks it; quizzes lay them out)
CHOICE_COUNT = 4
