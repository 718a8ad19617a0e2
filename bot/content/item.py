"""A question as the bot holds and serves it: plain frozen records, with no validation of their own.

Items are validated once, where they enter (`bot.content.schema.validate_item`: the bank's files, a
community pack, an import), and travel as these records afterwards, so serving never needs pydantic.
`item_data` and `item_from_data` turn a record into the JSON object the schema validated and back; the
start-up cache and stored packs keep items that way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from bot.content.vocabulary import (
    EXPLAINED_KINDS,
    TRACK_OF_DOMAIN,
    Difficulty,
    Domain,
    Kind,
    MockTrack,
    RubricDimension,
    Seniority,
)


@dataclass(frozen=True, slots=True)
class CodeTest:
    """One check of a coding item's reference solution: a Python assert over the named function."""

    code: str


@dataclass(frozen=True, slots=True)
class Item:
    """One question. The fields, their order and their defaults are the schema's (bot.content.schema)."""

    id: str
    domain: Domain
    subtopic: str
    kind: Kind
    difficulty: Difficulty
    tags: list[str] = field(default_factory=list)
    seniority: Seniority | None = None
    prompt: str = ""
    hint: str | None = None
    choices: list[str] | None = None
    answer: str | None = None
    explanation: str | None = None
    accepted: list[str] = field(default_factory=list)
    key_points: list[str] | None = None
    model_answer: str | None = None
    follow_ups: list[str] | None = None
    outline: dict[str, str] | None = None
    function: str | None = None
    solution: str | None = None
    tests: list[CodeTest] | None = None
    strong_signals: list[str] | None = None
    weak_signals: list[str] | None = None
    rubric: list[RubricDimension] | None = None

    @property
    def has_checklist(self) -> bool:
        """True when a free-text answer can be scored against key points (daily questions, mocks)."""
        return bool(self.key_points) and bool(self.model_answer)

    @property
    def track(self) -> MockTrack:
        return TRACK_OF_DOMAIN[self.domain]

    @property
    def mock_ready(self) -> bool:
        """True when an interviewer can run it in a mock: a level, follow-ups and rubric dimensions."""
        return (self.kind in EXPLAINED_KINDS and self.seniority is not None and bool(self.follow_ups)
                and bool(self.rubric) and self.has_checklist)

    @property
    def correct_index(self) -> int | None:
        if self.kind is not Kind.MULTIPLE_CHOICE or not self.choices or self.answer is None:
            return None
        return self.choices.index(self.answer)


#: the fields in the schema's order (what the YAML and JSON forms list, in this order)
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Item))
_EMPTY_BY_DEFAULT = frozenset({"tags", "accepted"})


def item_data(item: Item) -> dict[str, Any]:
    """The item as the JSON object the schema validates, leaving out what is unset (None, or an empty
    `tags` / `accepted`): enums by value, tests as `{"code": ...}`."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(item, name)
        if value is None or (name in _EMPTY_BY_DEFAULT and not value):
            continue
        if name in ("domain", "kind", "difficulty", "seniority"):
            value = value.value
        elif name == "rubric":
            value = [r.value for r in value]
        elif name == "tests":
            value = [{"code": t.code} for t in value]
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        out[name] = value
    return out


def item_from_data(data: dict[str, Any]) -> Item:
    """The record of a JSON object the schema has validated (`item_data`'s inverse). It checks nothing:
    only data that was validated, and kept where nobody else writes (the cache, stored packs), comes here."""
    seniority = data.get("seniority")
    rubric = data.get("rubric")
    tests = data.get("tests")
    return Item(
        id=data["id"], domain=Domain(data["domain"]), subtopic=data["subtopic"], kind=Kind(data["kind"]),
        difficulty=Difficulty(data["difficulty"]), tags=data.get("tags") or [],
        seniority=Seniority(seniority) if seniority is not None else None, prompt=data["prompt"],
        hint=data.get("hint"), choices=data.get("choices"), answer=data.get("answer"),
        explanation=data.get("explanation"), accepted=data.get("accepted") or [], key_points=data.get("key_points"),
        model_answer=data.get("model_answer"), follow_ups=data.get("follow_ups"), outline=data.get("outline"),
        function=data.get("function"), solution=data.get("solution"),
        tests=[CodeTest(t["code"]) for t in tests] if tests is not None else None,
        strong_signals=data.get("strong_signals"), weak_signals=data.get("weak_signals"),
        rubric=[RubricDimension(r) for r in rubric] if rubric is not None else None,
    )
