"""The question-bank item schema: one pydantic model per item, checked field by field and then by kind.

The same model validates shipped content, community packs and imports, so a bad file is refused
the same way wherever it comes from.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.content.item import Item, item_from_data
from bot.content.vocabulary import (
    CHOICE_COUNT,
    EXPLAINED_KINDS,
    SYSTEM_DESIGN_SECTIONS,
    TRACK_OF_DOMAIN,
    Difficulty,
    Domain,
    Kind,
    MockTrack,
    RubricDimension,
    Seniority,
)

#: the vocabulary is re-exported: what validates or reads items imports it from here, with the model
__all__ = [
    "CHOICE_COUNT",
    "EXPLAINED_KINDS",
    "ID_PATTERN",
    "SYSTEM_DESIGN_SECTIONS",
    "TRACK_OF_DOMAIN",
    "BankFile",
    "CodeTestModel",
    "Difficulty",
    "Domain",
    "ItemModel",
    "Kind",
    "MockTrack",
    "RubricDimension",
    "Seniority",
    "item_of",
    "kind_errors",
    "validate_item",
]

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MODEL_ANSWER_WORDS = (80, 250)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9+.#-]*$", max_length=40)]


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


class CodeTestModel(BaseModel):
    """One check of a coding item's reference solution: a Python assert over the named function."""

    model_config = ConfigDict(extra="forbid", title="CodeTest")
    code: Text


class ItemModel(BaseModel):
    """One question. Which optional fields are required depends on `kind` (see `_check_kind`)."""

    # what passes becomes a bot.content.item.Item record (validate_item): what the bot holds and serves

    model_config = ConfigDict(extra="forbid", use_enum_values=False, frozen=True, title="Item")

    id: Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=3, max_length=60)]
    domain: Domain
    subtopic: ShortText
    kind: Kind
    difficulty: Difficulty
    tags: list[Tag] = Field(default_factory=list, max_length=12)
    seniority: Seniority | None = None
    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=1800)]
    hint: ShortText | None = None

    # multiple choice
    choices: list[ShortText] | None = None
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)] | None = None
    explanation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=1500)] | None = None
    # short answer: other spellings accepted as correct besides `answer`
    accepted: list[ShortText] = Field(default_factory=list)

    # explained kinds
    key_points: list[ShortText] | None = None
    model_answer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2400)] | None = None
    follow_ups: list[ShortText] | None = None

    # system design
    outline: dict[str, ShortText] | None = None

    # coding
    function: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")] | None = None
    solution: Text | None = None
    tests: list[CodeTestModel] | None = None

    # behavioural
    strong_signals: list[ShortText] | None = None
    weak_signals: list[ShortText] | None = None
    rubric: list[RubricDimension] | None = None

    @model_validator(mode="after")
    def _check_kind(self) -> ItemModel:
        errors = list(kind_errors(self))
        if errors:
            raise ValueError("; ".join(errors))
        return self


def _require(item: ItemModel, *names: str) -> list[str]:
    return [f"kind {item.kind.value} needs '{n}'" for n in names if getattr(item, n) in (None, [], {})]


def _forbid(item: ItemModel, *names: str) -> list[str]:
    return [f"kind {item.kind.value} has no '{n}'" for n in names if getattr(item, n) not in (None, [], {})]


def kind_errors(item: ItemModel) -> list[str]:
    """Every rule a kind imposes beyond the field types, as readable sentences."""
    errs: list[str] = []
    if item.kind is Kind.MULTIPLE_CHOICE:
        errs += _require(item, "choices", "answer", "explanation")
        errs += _forbid(item, "solution", "tests", "outline", "strong_signals", "weak_signals", "rubric")
        if item.choices is not None:
            if len(item.choices) != CHOICE_COUNT:
                errs.append(f"multiple choice needs exactly {CHOICE_COUNT} choices, has {len(item.choices)}")
            folded = [c.casefold() for c in item.choices]
            if len(set(folded)) != len(folded):
                errs.append("choices repeat")
            if item.answer is not None and item.choices.count(item.answer) != 1:
                errs.append("answer must be exactly one of the choices, word for word")
        return errs
    errs += _forbid(item, "choices")
    if item.kind is Kind.SHORT_ANSWER:
        errs += _require(item, "answer", "explanation")
        errs += _forbid(item, "rubric")
        return errs
    errs += _require(item, "key_points", "model_answer", "follow_ups")
    if item.key_points is not None and not 3 <= len(item.key_points) <= 6:
        errs.append(f"key_points must have 3 to 6 entries, has {len(item.key_points)}")
    if item.follow_ups is not None and not 1 <= len(item.follow_ups) <= 3:
        errs.append(f"follow_ups must have 1 to 3 entries, has {len(item.follow_ups)}")
    if item.model_answer is not None:
        n = word_count(item.model_answer)
        lo, hi = MODEL_ANSWER_WORDS
        if not lo <= n <= hi:
            errs.append(f"model_answer must be {lo} to {hi} words, has {n}")
    if item.kind is Kind.SYSTEM_DESIGN:
        errs += _require(item, "outline")
        if item.outline is not None:
            missing = [s for s in SYSTEM_DESIGN_SECTIONS if s not in item.outline]
            extra = [s for s in item.outline if s not in SYSTEM_DESIGN_SECTIONS]
            if missing:
                errs.append(f"outline lacks {', '.join(missing)}")
            if extra:
                errs.append(f"outline has unknown sections {', '.join(extra)}")
    else:
        errs += _forbid(item, "outline")
    if item.kind is Kind.CODING:
        errs += _require(item, "function", "solution", "tests")
    else:
        errs += _forbid(item, "function", "solution", "tests")
    if item.kind is Kind.BEHAVIOURAL:
        errs += _require(item, "strong_signals", "weak_signals", "rubric")
    else:
        errs += _forbid(item, "strong_signals", "weak_signals")
    if item.rubric is not None and len(set(item.rubric)) != len(item.rubric):
        errs.append("rubric repeats a dimension")
    return errs


class BankFile(BaseModel):
    """A YAML file of the bank: a header and its items. Items inherit `domain` from the header."""

    model_config = ConfigDict(extra="forbid")

    domain: Domain
    items: list[ItemModel]


def item_of(model: ItemModel) -> Item:
    """The record of a validated item."""
    return item_from_data(model.model_dump(mode="json", exclude_defaults=True))


def validate_item(raw: Any) -> Item:
    """The record of `raw` once the schema accepts it; pydantic's ValidationError lists every problem."""
    return item_of(ItemModel.model_validate(raw))
