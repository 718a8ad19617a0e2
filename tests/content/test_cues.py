"""Multiple-choice length cues: the exact binomial test and the report `content check` prints and fails on."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest

from bot.content import cues
from bot.content.check import check, cue_report, main

CHANCE = Fraction(1, 4)


def test_binomial_tail_is_exact() -> None:
    # reference values: P(X >= k) for X ~ Bin(n, 1/4), summed term by term in exact arithmetic
    for n in (1, 8, 13, 40):
        for k in range(n + 2):
            want = sum(Fraction(math.comb(n, i)) * CHANCE**i * (1 - CHANCE) ** (n - i) for i in range(k, n + 1))
            assert cues.binomial_tail(k, n, CHANCE) == pytest.approx(float(want), rel=1e-12, abs=1e-300)
    assert cues.binomial_tail(5, 10, CHANCE) == pytest.approx(0.0781269073486328, rel=1e-12)
    assert cues.binomial_tail(0, 10, CHANCE) == 1.0 and cues.binomial_tail(11, 10, CHANCE) == 0.0
    assert cues.binomial_tail(8, 8, 0.25) == pytest.approx(0.25**8)


def test_binomial_tail_works_for_a_big_bank() -> None:
    # float(math.comb(2000, 1000)) overflows; the exact computation does not
    p = cues.binomial_tail(600, 2000, CHANCE)
    assert 0 < p < 1e-6
    assert cues.binomial_tail(500, 2000, CHANCE) == pytest.approx(0.5, abs=0.02)


def test_only_a_strictly_longest_or_shortest_answer_counts() -> None:
    assert cues.length_cue(["a much longer one", "bb", "cc", "dd"], "a much longer one") == (True, False)
    assert cues.length_cue(["x", "bb", "cc", "dd"], "x") == (False, True)
    assert cues.length_cue(["aa", "bb", "c", "ddd"], "aa") == (False, False)
    assert cues.length_cue(["same", "also", "four", "long"], "same") == (False, False)  # a tie is no cue
    assert cues.length_cue(["  padded  ", "bbbbbbb", "c", "dd"], "  padded  ") == (False, False)  # stripped


def _qs(longest: int, shortest: int, plain: int) -> list[tuple[list[str], str]]:
    out = [(["the right answer is long", "wrong", "wrong too", "no way"], "the right answer is long")] * longest
    out += [(["ok", "a wrong choice", "another wrong one", "more wrongness"], "ok")] * shortest
    out += [(["right one", "wrong one", "other one", "fourth one"], "right one")] * plain
    return out


def test_a_file_clearly_above_chance_fails_and_a_balanced_one_does_not() -> None:
    bad = cues.cue_stats("bad.yaml", _qs(7, 0, 3))
    assert (bad.n, bad.longest, bad.shortest, bad.chance) == (10, 7, 0, CHANCE)
    assert bad.p_longest < 0.01 and bad.fails() and bad.verdict().startswith("ABOVE CHANCE: longest")
    short = cues.cue_stats("short.yaml", _qs(0, 7, 3))
    assert short.fails() and short.worst_cue() == "shortest"
    fine = cues.cue_stats("fine.yaml", _qs(2, 3, 5))
    assert not fine.fails() and fine.verdict() == "ok"
    watch = cues.cue_stats("watch.yaml", _qs(5, 0, 5))  # p ~ 0.08 -> not failed
    assert not watch.fails()


def test_too_few_items_never_fail_and_the_bank_is_held_to_a_stricter_level() -> None:
    few = cues.cue_stats("few.yaml", _qs(7, 0, 0))  # 7 of 7, p ~ 6e-5, but under the minimum of 8
    assert few.p_value < 0.001 and not few.fails() and few.verdict().startswith("too few")
    bank = cues.cue_stats("all files", _qs(14, 0, 26))  # 35% of 40: p ~ 0.1
    assert not bank.fails(cues.BANK_ALPHA)
    leaning = cues.cue_stats("all files", _qs(20, 0, 30))  # 40% of 50: p ~ 0.01 passes a file, not the bank
    assert leaning.fails(0.02) and not leaning.fails(cues.BANK_ALPHA)


def mc_file(path: Path, answers_longest: int, total: int, domain: str = "ml-algorithms", prefix: str = "ml") -> None:
    items = []
    for i in range(total):
        # "Right i x" is as long as two wrong choices: neither strictly longest nor strictly shortest
        right = f"Answer {i} that is clearly the longest choice" if i < answers_longest else f"Right {i} x"
        choices = [right, f"Wrong {i} a", f"Wrong {i} b", f"Wrong {i} cc"]
        items.append(
            f'  - id: "{prefix}-cue-{path.stem}-{i}"\n    subtopic: "cues"\n    kind: "multiple_choice"\n'
            f'    difficulty: "easy"\n    prompt: "Cue test question {i} in {path.stem}: which {i} is right?"\n'
            "    choices:\n" + "".join(f'      - "{c}"\n' for c in choices) +
            f'    answer: "{right}"\n    explanation: "Because it is the right one for question {i}, clearly."\n')
    path.write_text(f'domain: "{domain}"\nitems:\n' + "".join(items), encoding="utf-8")


def test_content_check_fails_a_file_whose_answers_are_the_longest(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    mc_file(tmp_path / "cued.yaml", 9, 12)
    mc_file(tmp_path / "fair.yaml", 2, 12)
    _, problems = check([tmp_path], run_code=False)
    cue = [p for p in problems if "give themselves away" in p.message]
    assert len(cue) == 1, problems  # the two together (11 of 24, p ~ 0.02) pass the bank-wide test
    assert cue[0].path.endswith("cued.yaml") and "9 of 12" in cue[0].message and "longest" in cue[0].message
    assert main([str(tmp_path), "--no-code"]) == 1
    out = capsys.readouterr().out
    table = out[out.index("multiple choice: how often"):].splitlines()
    header = table[1]
    rows = table[2:5]
    assert header.split()[:3] == ["file", "n", "longest"]
    assert "cued.yaml" in rows[0] and "75%" in rows[0] and "ABOVE CHANCE: longest" in rows[0]
    assert "fair.yaml" in rows[1] and "17%" in rows[1] and rows[1].rstrip().endswith("ok")
    assert rows[2].lstrip().startswith("all files") and "24" in rows[2]
    n_end = header.index(" n ") + 2  # numbers are right-aligned under their header
    assert all(r[n_end - 1].isdigit() and r[n_end] == " " for r in rows), table


def test_the_bank_fails_when_small_files_together_are_above_chance(tmp_path: Path) -> None:
    for n in range(4):
        mc_file(tmp_path / f"small{n}.yaml", 5, 7)  # 5 of 7 each: too few to judge one file
    _, problems = check([tmp_path], run_code=False)
    assert [(p.path, "20 of 28" in p.message) for p in problems] == [("all files", True)]


def test_cue_report_skips_files_without_multiple_choice(tmp_path: Path) -> None:
    mc_file(tmp_path / "only.yaml", 1, 8)
    from bot.content.loader import load_items

    found, _ = load_items([tmp_path])
    stats = cue_report(found)
    assert [s.label for s in stats][-1] == "all files" and len(stats) == 2
    assert cue_report([]) == []


def test_answers_that_are_never_an_extreme_are_a_cue_too() -> None:
    from bot.content.cues import cue_stats

    never_extreme = [(["aa", "bbbb", "cccccc", "dddddddd"], "bbbb" if i % 2 else "cccccc") for i in range(20)]
    stats = cue_stats("middle.yaml", never_extreme)
    assert stats.middle == 20 and stats.middle_chance == Fraction(1, 2)
    assert stats.fails() and stats.worst_cue() == "middle"
    fair = [(["aa", "bbbb", "cccccc", "dddddddd"], ["aa", "bbbb", "cccccc", "dddddddd"][i % 4]) for i in range(20)]
    assert not cue_stats("fair.yaml", fair).fails()
