"""Export/import of the bank in other quiz formats, the JSON Schema file, and the content CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cli import main as cli_main
from bot.content.formats import FORMATS, export_items, exportable, import_items
from bot.content.item import Item
from bot.content.loader import default_content_dir, load_bank, parse_items
from bot.content.schema import validate_item
from bot.content.schema_json import SCHEMA_PATH, schema_text
from bot.content.vocabulary import Domain, Kind

MC = validate_item(dict(
    id="ms-fmt-001", domain=Domain.MATH_STATS, subtopic="probability", kind=Kind.MULTIPLE_CHOICE,
    difficulty="easy", prompt="Tricky: is P{A ~ B} = 1 # when a:b holds?\nSecond line \\ with a backslash.",
    choices=["Yes {always}", "No = never", "~Sometimes", "Only #1: rarely"], answer="No = never",
    explanation="Because the characters ~ = # { } : must all survive the trip, and so must this one.",
    tags=["probability"],
))
SHORT = validate_item(dict(
    id="ms-fmt-002", domain=Domain.MATH_STATS, subtopic="estimation", kind=Kind.SHORT_ANSWER,
    difficulty="hard", prompt="What is the variance of a fair six-sided die roll? Give a fraction.",
    answer="35/12", accepted=["2.9167", "2.92"],
    explanation="E[X^2] = 91/6 and E[X]^2 = 49/4, so the variance is 91/6 - 49/4 = 35/12.",
))
FEW = [MC, SHORT]


@pytest.fixture(scope="module")
def bank_items() -> list[Item]:
    return list(load_bank([default_content_dir()]).items)


def _import(text: str, fmt: str) -> list[Item]:
    items, problems = import_items(text, fmt, domain=Domain.MATH_STATS, id_prefix="ms-imp")
    assert [str(p) for p in problems] == []
    return items


def test_studybot_round_trip_is_lossless_over_the_whole_bank(bank_items: list[Item]) -> None:
    text = export_items(bank_items, "studybot")
    assert _import(text, "studybot") == bank_items
    assert 'id: "' in text and "\n  - id:" in text  # house style: quoted values, indented block lists


def test_studybot_export_is_a_valid_bank_file() -> None:
    items, problems = parse_items(export_items(FEW, "studybot"), "x.yaml")
    assert problems == [] and items == FEW


@pytest.mark.parametrize("fmt", ["red-trivia", "opentdb", "gift", "anki-tsv", "csv"])
def test_foreign_round_trip_keeps_what_the_format_holds(fmt: str) -> None:
    back = _import(export_items(FEW, fmt), fmt)
    kept = exportable(FEW, fmt)
    assert len(back) == len(kept)
    for orig, new in zip(kept, back, strict=True):
        assert new.id.startswith("ms-imp-") and new.domain is Domain.MATH_STATS
        assert new.answer == orig.answer
        if fmt != "anki-tsv":
            assert new.prompt == orig.prompt
        else:
            assert new.prompt.startswith(orig.prompt)
        has_choices = fmt in ("opentdb", "gift", "csv")
        if orig.kind is Kind.MULTIPLE_CHOICE and has_choices:
            assert new.kind is Kind.MULTIPLE_CHOICE and set(new.choices or ()) == set(orig.choices or ())
        else:
            assert new.kind is Kind.SHORT_ANSWER
        if fmt in ("gift", "csv"):
            assert new.explanation == orig.explanation
        if fmt in ("gift", "red-trivia") and orig.kind is Kind.SHORT_ANSWER:
            assert new.accepted == orig.accepted
        if fmt in ("gift", "csv"):
            assert new.subtopic == orig.subtopic
        if fmt in ("opentdb", "csv"):
            assert new.difficulty == orig.difficulty


def test_gift_keeps_choice_order_and_escapes_specials() -> None:
    text = export_items([MC], "gift")
    assert "\\{always\\}" in text and "=No \\= never" in text and "~\\~Sometimes" in text
    (back,) = _import(text, "gift")
    assert back.choices == MC.choices and back.prompt == MC.prompt


def test_every_format_exports_the_whole_bank_and_skips_what_it_cannot_hold(bank_items: list[Item]) -> None:
    for fmt in FORMATS:
        assert export_items(bank_items, fmt)
    assert all(it.kind is Kind.MULTIPLE_CHOICE for it in exportable(bank_items, "opentdb"))
    assert len(exportable(bank_items, "csv")) == len(bank_items)
    gift = exportable(bank_items, "gift")
    assert gift and all(it.kind in (Kind.MULTIPLE_CHOICE, Kind.SHORT_ANSWER) for it in gift)


def test_opentdb_import_unescapes_html_and_makes_the_kinds_it_can() -> None:
    doc = {"response_code": 0, "results": [
        {"type": "multiple", "difficulty": "hard", "category": "Science: Mathematics",
         "question": "Which of these is &quot;Euler&#039;s number&quot; rounded?",
         "correct_answer": "2.718", "incorrect_answers": ["3.142", "1.618", "1.414"]},
        {"type": "boolean", "difficulty": "easy", "category": "Science: Mathematics",
         "question": "Is zero an even number in ordinary arithmetic?", "correct_answer": "True",
         "incorrect_answers": ["False"]},
    ]}
    mc, tf = _import(json.dumps(doc), "opentdb")
    assert mc.kind is Kind.MULTIPLE_CHOICE and mc.prompt.startswith('Which of these is "Euler\'s number"')
    assert mc.answer == "2.718" and mc.subtopic == "Mathematics" and mc.difficulty.value == "hard"
    assert tf.kind is Kind.SHORT_ANSWER and tf.answer == "True" and "Open Trivia DB" in (tf.explanation or "")
    assert [mc.id, tf.id] == ["ms-imp-001", "ms-imp-002"]


def test_red_trivia_import_reads_the_usual_file() -> None:
    text = 'AUTHOR: someone\nWhat is the square root of 144 exactly?:\n- 12\n- twelve\n'
    (item,) = _import(text, "red-trivia")
    assert item.answer == "12" and item.accepted == ["twelve"] and item.kind is Kind.SHORT_ANSWER


def test_a_bad_import_is_refused_with_every_problem() -> None:
    text = "::a:: Too short {=x}\n\n::b:: Describe your favourite model in detail please. {}\n"
    _, problems = import_items(text, "gift", domain=Domain.MLOPS, id_prefix="ops-imp")
    messages = [str(p) for p in problems]
    assert any("[ops-imp-001]" in m and "prompt" in m for m in messages)
    assert any("question #2" in m and "essay" in m for m in messages)
    _, bad_prefix = import_items(text, "gift", domain=Domain.MLOPS, id_prefix="Bad Prefix")
    assert bad_prefix and "id prefix" in bad_prefix[0].message


def test_csv_refuses_kinds_it_cannot_rebuild(bank_items: list[Item]) -> None:
    open_item = next(it for it in bank_items if it.kind is Kind.OPEN)
    _, problems = import_items(export_items([open_item], "csv"), "csv", domain=Domain.MLOPS, id_prefix="x")
    assert problems and "cannot be rebuilt from CSV" in problems[0].message


def test_schema_json_matches_the_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), \
        "content/schema.json is stale: run `python -m bot.content.schema_json`"


def test_cli_export_then_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "pack.yaml"
    src.write_text(export_items(FEW, "studybot"), encoding="utf-8")
    gift = tmp_path / "out.gift"
    assert cli_main(["content", "export", "--format", "gift", "--out", str(gift), str(src)]) == 0
    pack = tmp_path / "imported.yaml"
    assert cli_main(["content", "import", str(gift), "--format", "gift", "--domain", "math-stats",
                     "--prefix", "ms-gift", "--out", str(pack)]) == 0
    items, problems = parse_items(pack.read_text(encoding="utf-8"), "imported.yaml")
    assert problems == [] and [it.id for it in items] == ["ms-gift-001", "ms-gift-002"]
    assert items[0].choices == MC.choices


def test_cli_import_refuses_the_whole_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("What is two plus two, in words?\tfour\nshort\tx\nno tab on this line at all\n")
    out = tmp_path / "never.yaml"
    assert cli_main(["content", "import", str(bad), "--format", "anki-tsv", "--domain", "coding",
                     "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cd-import-002" in err and "question #3" in err and "nothing written" in err
    assert not out.exists()
