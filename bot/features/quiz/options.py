"""What a member asked for, checked: topic, difficulty, count, seconds. Every refusal says what works."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot import markup as mk
from bot.content.bank import Pickable
from bot.content.vocabulary import Difficulty, Domain
from bot.events import OptionValue
from bot.features.quiz import RACE_COUNT, RACE_DEFAULT, SECONDS, SECONDS_DEFAULT, SOLO_COUNT, SOLO_DEFAULT

P = TypeVar("P", bound=Pickable)
ANY = ("", "any", "all", "mixed")
#: short names members type for a topic
ALIASES = {
    "stats": Domain.MATH_STATS, "math": Domain.MATH_STATS, "maths": Domain.MATH_STATS,
    "statistics": Domain.MATH_STATS, "ml": Domain.ML_ALGORITHMS, "algorithms": Domain.ML_ALGORITHMS,
    "dl": Domain.DEEP_LEARNING, "deep": Domain.DEEP_LEARNING, "system-design": Domain.ML_SYSTEM_DESIGN,
    "design": Domain.ML_SYSTEM_DESIGN, "sd": Domain.ML_SYSTEM_DESIGN, "ops": Domain.MLOPS,
    "python": Domain.PROGRAMMING, "behavioral": Domain.BEHAVIOURAL,
}
DIFFICULTIES = ("mixed", *(d.value for d in Difficulty))


class BadInput(ValueError):
    """The member's options cannot be used; the message says why and what would work."""


@dataclass(frozen=True, slots=True)
class Wanted:
    topic: Domain | None
    difficulty: Difficulty | None
    count: int
    seconds: int = SECONDS_DEFAULT


def quiz_items(items: Iterable[P]) -> list[P]:
    """The items a quiz can ask: multiple choice with its answer among the choices (buttons can check them)."""
    return [it for it in items if it.correct_index is not None]


def topics_listing(items: Sequence[Pickable]) -> str:
    counts = Counter(it.domain.value for it in items)
    return ", ".join(f"{mk.code(t)} ({n})" for t, n in sorted(counts.items()))


def topic_of(raw: OptionValue | None, items: Sequence[Pickable]) -> Domain | None:
    text = str(raw or "").strip().casefold().replace(" ", "-").replace("_", "-")
    if text in ANY:
        return None
    try:
        domain = Domain(text)
    except ValueError:
        domain = ALIASES.get(text)  # type: ignore[assignment]
    if domain is None:
        raise BadInput(f"I don't know the topic {mk.code(str(raw))}. Topics with quiz questions: "
                       f"{topics_listing(items)}. Leave it out for any topic.")
    return domain


def difficulty_of(raw: OptionValue | None) -> Difficulty | None:
    text = str(raw or "").strip().casefold()
    if text in ANY:
        return None
    try:
        return Difficulty(text)
    except ValueError:
        raise BadInput(f"Difficulty is one of {', '.join(DIFFICULTIES)}, not {mk.code(str(raw))}.") from None


def number_of(raw: OptionValue | None, name: str, bounds: tuple[int, int], default: int) -> int:
    if raw is None or raw == "":
        return default
    low, high = bounds
    try:
        value = int(str(raw).strip()) if not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise BadInput(f"The {name} goes from {low} to {high} (you gave {mk.code(str(raw))}).")
    return value


def _whole(value: OptionValue | None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit())


def _known(text: str) -> bool:
    key = text.strip().casefold().replace(" ", "-").replace("_", "-")
    return key in ALIASES or key in {d.value for d in Domain}


def _level(value: OptionValue | None) -> bool:
    return isinstance(value, str) and value.strip().casefold() in DIFFICULTIES


def solo_wanted(options: dict[str, OptionValue], items: Sequence[Pickable]) -> Wanted:
    """Typed text fills options in order, so `/quiz math-stats 3` puts 3 in difficulty and `/quiz hard` puts
    hard in topic: a value that plainly belongs to a later option is moved there."""
    topic, difficulty, count = options.get("topic"), options.get("difficulty"), options.get("count")
    if count is None and _whole(difficulty):
        count, difficulty = difficulty, None
    if difficulty is None and _level(topic) and str(topic).strip().casefold() not in ANY:
        difficulty, topic = topic, None
    if count is None and _whole(topic):  # `/quiz 3` and `/quiz 3 hard`
        count, topic = topic, None
    if (topic is not None and difficulty is not None and not _level(difficulty)
            and _known(f"{topic}-{difficulty}")):  # `/quiz deep learning` typed as two words
        topic, difficulty = f"{topic}-{difficulty}", None
    return Wanted(topic_of(topic, items), difficulty_of(difficulty),
                  number_of(count, "number of questions", SOLO_COUNT, SOLO_DEFAULT))


def race_wanted(options: dict[str, OptionValue], items: Sequence[Pickable]) -> Wanted:
    """As `solo_wanted`: `/quiz race 3 30` is three questions of 30 seconds on any topic."""
    topic, count, seconds = options.get("topic"), options.get("count"), options.get("seconds")
    if seconds is None and _whole(topic):
        topic, count, seconds = None, topic, count
    return Wanted(topic_of(topic, items), None,
                  number_of(count, "number of questions", RACE_COUNT, RACE_DEFAULT),
                  number_of(seconds, "time per question (seconds)", SECONDS, SECONDS_DEFAULT))


def describe(wanted: Wanted) -> str:
    topic = wanted.topic.value if wanted.topic else "any topic"
    level = wanted.difficulty.value if wanted.difficulty else "mixed difficulty"
    return f"{topic}, {level}"
