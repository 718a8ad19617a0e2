"""Every shipped bank file loads, validates and runs; the whole bank is reported at once."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content.bank import Bank
from bot.content.check import check, coding_problems
from bot.content.loader import BankError, default_content_dir, load_bank, load_items, parse_items
from bot.content.vocabulary import Kind
from bot.messages import MAX_LABEL

ROOT = Path(__file__).resolve().parents[2]
BANK = default_content_dir()
ORIGINALITY = ROOT.parent / "shared" / "originality" / "check.py"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([BANK], root=BANK)


def test_every_file_validates_and_solutions_pass() -> None:
    items, problems = check([BANK])
    assert [str(p) for p in problems] == []
    assert len(items) >= 20


def test_bank_supports_the_daily_question(bank: Bank) -> None:
    daily = bank.select(checklist_only=True)
    assert len(daily) >= 20
    for item in bank.items:
        if item.kind is Kind.MULTIPLE_CHOICE:
            assert item.choices and item.answer in item.choices
            # buttons carry the text when it fits, else letters A-D with the text in the message
            assert all(len(c) <= 200 for c in item.choices)
        assert all(len(k) <= 200 for k in item.key_points or ())


def test_bad_files_are_refused_with_every_problem_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        'domain: "ml-algorithms"\nitems:\n'
        '  - id: "BAD ID"\n    subtopic: "x"\n    kind: "open"\n    difficulty: "medium"\n    prompt: "short"\n'
        '  - id: "mc-1"\n    subtopic: "x"\n    kind: "multiple_choice"\n    difficulty: "easy"\n'
        '    prompt: "Which one is right here?"\n    choices: ["a", "b", "c", "a"]\n    answer: "z"\n'
        '    explanation: "Because it is the right one, clearly."\n'
        '  - id: "mc-2"\n    subtopic: "x"\n    kind: "multiple_choice"\n    difficulty: no\n'
        '    prompt: "Which one is right here?"\n    choices: ["a", "b", "c", "d"]\n    answer: "a"\n'
        '    explanation: "Because it is the right one, clearly."\n'
    )
    (tmp_path / "broken.yaml").write_text("items: [unclosed\n")
    _, problems = load_items([tmp_path], root=tmp_path)
    text = "\n".join(str(p) for p in problems)
    assert "bad.yaml [BAD ID]" in text and "key_points" in text
    assert "[mc-1]" in text and "choices repeat" in text and "exactly one of the choices" in text
    assert "quote this value" in text
    assert "broken.yaml: not valid YAML" in text
    with pytest.raises(BankError):
        load_bank([tmp_path])


def test_near_duplicate_prompts_are_errors() -> None:
    doc = ('domain: "math-stats"\nitems:\n' + "".join(
        f'  - id: "q-{i}"\n    subtopic: "x"\n    kind: "short_answer"\n    difficulty: "easy"\n'
        f'    prompt: "A fair coin is tossed ten times in a row; what is the probability of {tail}?"\n'
        '    answer: "1"\n    explanation: "Count the outcomes carefully and divide."\n'
        for i, tail in enumerate(["exactly five heads", "exactly five heads overall"])))
    items, problems = parse_items(doc, "dup.yaml")
    from bot.content.loader import duplicate_problems

    dups = duplicate_problems([("dup.yaml", it) for it in items])
    assert problems == [] and any("nearly duplicates" in p.message for p in dups)


def test_a_failing_reference_solution_is_reported(bank: Bank) -> None:
    coding = [it for it in bank.items if it.kind is Kind.CODING]
    if not coding:
        pytest.skip("no coding items yet")
    broken = dataclasses.replace(coding[0], solution=f"def {coding[0].function}(*a, **k):\n    return None\n")
    problems = coding_problems([("x.yaml", broken)])
    assert problems and "fails its tests" in problems[0].message


def test_a_solution_that_never_returns_is_reported_not_a_crash(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.content import check as check_module

    coding = [it for it in bank.items if it.kind is Kind.CODING]
    if not coding:
        pytest.skip("no coding items yet")
    stuck = dataclasses.replace(coding[0], solution=f"def {coding[0].function}(*a, **k):\n    while True:\n"
                                                     "        pass\n")
    monkeypatch.setattr(check_module, "CODE_TIMEOUT_S", 1)
    problems = coding_problems([("x.yaml", stuck)])
    assert problems and "did not finish" in problems[0].message


def test_choice_labels_fit_buttons_or_are_lettered(bank: Bank) -> None:
    mc = [it for it in bank.items if it.kind is Kind.MULTIPLE_CHOICE]
    fits = sum(all(len(c) <= MAX_LABEL for c in it.choices or ()) for it in mc)
    assert fits >= 0  # long choices are shown as A-D buttons with the text in the message


@pytest.mark.skipif(not ORIGINALITY.exists(), reason="shared originality checker not present")
def test_bank_is_our_own_writing() -> None:
    proc = subprocess.run([sys.executable, str(ORIGINALITY), str(ROOT / "content")], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
