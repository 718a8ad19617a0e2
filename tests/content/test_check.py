"""`studybot content check`'s mock-readiness table: mock-ready items per track and level, quizzes per domain."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.check import main, mock_table
from bot.content.formats import export_studybot
from bot.content.item import Item
from bot.content.schema import validate_item

WORDS = " ".join(f"word{i}" for i in range(85))


def explained(id_: str, domain: str, seniority: str | None, rubric: list[str] | None = None,
              kind: str = "open") -> Item:
    return validate_item({
        "id": id_, "domain": domain, "subtopic": "s", "kind": kind, "difficulty": "medium",
        "seniority": seniority, "prompt": f"Explain the idea behind {id_} to an interviewer, with an example.",
        "key_points": ["one", "two", "three"], "model_answer": f"{id_}: {WORDS}", "follow_ups": ["and then?"],
        "rubric": rubric if rubric is not None else ["technical_depth"],
    })


def quiz(id_: str, domain: str) -> Item:
    return validate_item({
        "id": id_, "domain": domain, "subtopic": "s", "kind": "multiple_choice", "difficulty": "easy",
        "seniority": "senior", "prompt": f"Which answer is right for {id_}?", "choices": ["aa", "bb", "cc", "dd"],
        "answer": "bb", "explanation": "Because bb is the right one here, and aa is not.",
    })


ITEMS = [
    explained("ms-a", "math-stats", "junior"),
    explained("dl-b", "deep-learning", "senior"),
    explained("ml-c", "ml-algorithms", "senior"),
    explained("ml-d", "ml-algorithms", None),  # no level: not mock-ready
    explained("ml-e", "ml-algorithms", "mid", rubric=[]),  # no rubric: not mock-ready
    explained("ops-f", "mlops", "mid"),
    explained("pg-g", "programming", "junior"),
    quiz("ms-q1", "math-stats"),  # a level, but multiple choice is never mock-ready
    quiz("ms-q2", "math-stats"),
    quiz("pg-q3", "programming"),
]


def _rows(text: str) -> dict[str, list[str]]:
    return {ln.split()[0]: ln.split()[1:] for ln in text.splitlines() if ln.startswith("  ")}


def test_mock_table_counts_ready_items_per_track_and_level() -> None:
    text = mock_table(ITEMS)
    tracks, domains = text.split("multiple choice by domain")
    rows = _rows(tracks)
    assert rows["track"] == ["junior", "mid", "senior", "total"]
    assert rows["ml-fundamentals"] == ["1", "0", "2", "3"]  # math-stats + deep-learning + ml-algorithms
    assert rows["ml-system-design"] == ["0", "1", "0", "1"]  # mlops feeds the design track
    assert rows["coding"] == ["1", "0", "0", "1"]  # programming feeds coding
    assert rows["behavioural"] == ["0", "0", "0", "0"]
    quizzes = _rows(domains)
    assert quizzes["math-stats"] == ["2"] and quizzes["programming"] == ["1"] and quizzes["mlops"] == ["0"]


def test_content_check_prints_the_mock_table_without_failing_on_it(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "few.yaml").write_text(export_studybot(ITEMS), encoding="utf-8")
    assert main([str(tmp_path), "--no-code"]) == 0  # nothing mock-ready for behavioural is not a problem
    out = capsys.readouterr().out
    assert out.index("by difficulty:") < out.index("mock-ready items") < out.index("multiple choice by domain")
    assert "behavioural" in _rows(out[out.index("mock-ready items"):])
