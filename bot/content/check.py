"""`studybot content check`: validate bank files, run coding items' reference solutions, print counts,
the multiple-choice length cues and mock-interview readiness; with `--pack FILE`, check a community pack
exactly as `/studybot pack add` would."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import cues
from bot.content.bank import Bank
from bot.content.formats import FORMATS
from bot.content.item import Item
from bot.content.loader import Problem, default_content_dir, load_items, similar_problems
from bot.content.pack_check import pack_problems, pack_warnings
from bot.content.pack_rules import guess_format, name_from_filename
from bot.content.vocabulary import Domain, Kind, MockTrack, Seniority

CODE_TIMEOUT_S = 20


def coding_problems(items: list[tuple[str, Item]]) -> list[Problem]:
    """Run every coding item's solution against its tests in one child interpreter (no shared state)."""
    coding = [(src, it) for src, it in items if it.kind is Kind.CODING]
    if not coding:
        return []
    runner = textwrap.dedent(
        """
        import json, sys, traceback
        cases = json.load(sys.stdin)
        failed = []
        for case in cases:
            ns = {"__name__": "solution"}
            try:
                exec(compile(case["solution"], case["id"], "exec"), ns)
                if case["function"] not in ns:
                    raise NameError("solution does not define " + case["function"])
                for t in case["tests"]:
                    exec(compile(t, case["id"] + ":test", "exec"), ns)
            except BaseException as exc:
                failed.append([case["id"], type(exc).__name__ + ": " + str(exc)[:300]])
        json.dump(failed, sys.stdout)
        """
    )
    import json

    payload = json.dumps(
        [
            {
                "id": it.id,
                "function": it.function,
                "solution": it.solution,
                "tests": [t.code for t in it.tests or []],
            }
            for _, it in coding
        ]
    )
    timeout = CODE_TIMEOUT_S * max(1, len(coding) // 20)
    try:
        proc = subprocess.run([sys.executable, "-c", runner], input=payload, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return [Problem("<coding>", None, f"reference solutions did not finish within {timeout} s "
                                          "(a solution or test that never returns?)")]
    if proc.returncode != 0:
        return [Problem("<coding>", None, f"solution runner crashed: {proc.stderr[-500:]}")]
    where = {it.id: src for src, it in coding}
    return [
        Problem(where[item_id], item_id, f"reference solution fails its tests: {msg}")
        for item_id, msg in json.loads(proc.stdout)
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ",
           text_last: bool = False) -> list[str]:
    """Rows aligned under the header: the first column (and the last, if `text_last`) left-aligned, the
    others (numbers) right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    left = {0, len(header) - 1} if text_last else {0}

    def line(cells: Sequence[str]) -> str:
        out = [c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return (indent + "  ".join(out)).rstrip()

    return [line(header), *(line(r) for r in rows)]


def count_table(items: list[Item]) -> str:
    by = Bank(tuple(items)).counts()
    lines = [f"{len(items)} items"]
    for axis, counter in by.items():
        lines.append(f"\nby {axis}:")
        width = max((len(k) for k in counter), default=0)
        for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            share = 100 * n / len(items) if items else 0
            lines.append(f"  {key:<{width}}  {n:>4}  {share:5.1f}%")
    return "\n".join(lines)


# ------------------------------------------------------------------ multiple-choice length cues

BANK_LABEL = "all files"


def cue_report(found: list[tuple[str, Item]]) -> list[cues.CueStats]:
    """Length-cue statistics per file with multiple-choice items, then for all of them together."""
    by_file: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
    for source, it in found:
        if it.kind is Kind.MULTIPLE_CHOICE and it.choices and it.answer is not None:
            by_file[source].append((it.choices, it.answer))
    stats = [cues.cue_stats(source, qs) for source, qs in sorted(by_file.items())]
    if stats:
        stats.append(cues.cue_stats(BANK_LABEL, [q for qs in by_file.values() for q in qs]))
    return stats


def _is_bank(s: cues.CueStats) -> bool:
    return s.label == BANK_LABEL


def cue_problems(stats: list[cues.CueStats]) -> list[Problem]:
    """A file (p < 0.01, at least 8 items) or the bank (p < 0.001) whose answers stand out by length."""
    out = []
    for s in stats:
        alpha = cues.BANK_ALPHA if _is_bank(s) else cues.FILE_ALPHA
        if not s.fails(alpha):
            continue
        cue = s.worst_cue()
        k, p, chance = {"longest": (s.longest, s.p_longest, s.chance),
                        "shortest": (s.shortest, s.p_shortest, s.chance),
                        "middle": (s.middle, s.p_middle, s.middle_chance)}[cue]
        what = ("neither the longest nor the shortest choice" if cue == "middle"
                else f"strictly the {cue} choice")
        out.append(Problem(s.label, None, f"multiple-choice answers give themselves away: the answer is "
                                          f"{what} in {k} of {s.n} items ({s.share(k):.0%}; "
                                          f"chance {float(chance):.0%}, one-sided binomial p = {p:.1g} < "
                                          f"{alpha:g}); rewrite choices so length does not point to it"))
    return out


def cue_table(stats: list[cues.CueStats]) -> str:
    rows = []
    for s in stats:
        alpha = cues.BANK_ALPHA if _is_bank(s) else cues.FILE_ALPHA
        rows.append([s.label, str(s.n), f"{s.share(s.longest):.0%}", f"{s.share(s.shortest):.0%}",
                     f"{float(s.chance):.0%}", f"{s.share(s.middle):.0%}", f"{float(s.middle_chance):.0%}",
                     f"{s.p_longest:.3f}", f"{s.p_shortest:.3f}", f"{s.p_middle:.3f}", s.verdict(alpha)])
    header = ["file", "n", "longest", "shortest", "chance", "middle", "chance", "p(long)", "p(short)", "p(mid)",
              "verdict"]
    title = (f"multiple choice: how often the answer is strictly the longest / shortest choice, or neither "
             f"(fails at "
             f"p < {cues.FILE_ALPHA:g} per file with >= {cues.MIN_ITEMS} items, p < {cues.BANK_ALPHA:g} "
             "for all files):")
    return "\n".join([title, *_table(header, rows, text_last=True)])


# ------------------------------------------------------------------ mock interviews

def mock_table(items: list[Item]) -> str:
    """Mock-ready items per track and level, and multiple-choice items per domain (information only)."""
    levels = list(Seniority)
    ready: dict[MockTrack, dict[Seniority, int]] = {t: dict.fromkeys(levels, 0) for t in MockTrack}
    for it in items:
        if it.mock_ready and it.seniority is not None:
            ready[it.track][it.seniority] += 1
    rows = [[t.value, *(str(ready[t][lv]) for lv in levels), str(sum(ready[t].values()))] for t in MockTrack]
    lines = ["mock-ready items (explained kinds with seniority, key points, model answer, follow-ups, rubric):",
             *_table(["track", *(lv.value for lv in levels), "total"], rows)]
    mc = {d: sum(1 for it in items if it.domain is d and it.kind is Kind.MULTIPLE_CHOICE) for d in Domain}
    lines += ["", "multiple choice by domain (quizzes):",
              *_table(["domain", "items"], [[d.value, str(n)] for d, n in mc.items()])]
    return "\n".join(lines)


# ------------------------------------------------------------------ the check

@dataclass
class Report:
    found: list[tuple[str, Item]]
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    cues: list[cues.CueStats] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [it for _, it in self.found]


def run(paths: list[Path], run_code: bool = True) -> Report:
    """Everything `content check` finds in these files: errors, warnings and the cue statistics."""
    found, problems = load_items(paths, root=Path.cwd())
    if run_code:
        problems += coding_problems(found)
    stats = cue_report(found)
    problems += cue_problems(stats)
    return Report(found, problems, similar_problems(found), stats)


def check(paths: list[Path], run_code: bool = True) -> tuple[list[Item], list[Problem]]:
    report = run(paths, run_code)
    return report.items, report.problems


def check_pack(file: Path, bank_paths: list[Path], *, name: str | None = None, fmt: str | None = None,
               domain: Domain | None = None,
               others: Sequence[tuple[str, Item]] = ()) -> tuple[str, Report]:
    """A pack file checked as `pack add` checks it (bot.content.pack_check), against the bank in
    `bank_paths` and `others` (a community's other packs). Coding solutions are not run, as in `pack add`."""
    name = (name or name_from_filename(file.name)).strip().casefold()
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return name, Report([], [Problem(str(file), None, f"cannot read: {exc}")])
    fmt = (fmt or guess_format(file.suffix.casefold(), text)).strip().casefold()
    bank = [it for _, it in load_items(bank_paths)[0]]
    items, problems = pack_problems(name, text, fmt, domain, bank, others)
    warnings = pack_warnings(name, items, bank, others) if items else []
    return name, Report([(str(file), it) for it in items], problems, warnings)


def _print_findings(report: Report) -> None:
    for p in report.problems:
        print(p)
    if report.warnings:
        print(f"\n{len(report.warnings)} warning(s): possibly the same question as another, in other words "
              "(a heuristic; not a failure):")
        for w in report.warnings:
            print(f"  {w}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="studybot content check", description=__doc__)
    p.add_argument("paths", nargs="*", type=Path, help="bank files or folders (default: content/bank); with "
                                                        "--pack, the bank the pack is checked against")
    p.add_argument("--no-code", action="store_true", help="skip running coding solutions")
    p.add_argument("--pack", type=Path, metavar="FILE", help="check FILE as a community pack, as `pack add` would")
    p.add_argument("--name", help="with --pack: the pack name (default: from the file name)")
    p.add_argument("--format", choices=FORMATS, help="with --pack: the format (default: from the file)")
    p.add_argument("--topic", choices=[d.value for d in Domain], help="with --pack: for formats without topics")
    return p


def main(argv: list[str] | None = None, others: Sequence[tuple[str, Item]] = ()) -> int:
    """`others`: with --pack, the community's other packs' items (the CLI reads them with --community)."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    paths = list(args.paths) or [default_content_dir()]
    if args.pack is not None:
        name, report = check_pack(args.pack, paths, name=args.name, fmt=args.format,
                                  domain=Domain(args.topic) if args.topic else None, others=others)
        _print_findings(report)
        if report.problems:
            print(f"\n`pack add` would refuse pack {name}: {len(report.problems)} problem(s)")
            return 1
        daily = sum(1 for it in report.items if it.has_checklist)
        print(f"\npack {name}: {len(report.items)} questions, {daily} can be daily questions; `pack add` would "
              "accept it")
        return 0
    report = run(paths, run_code=not args.no_code)
    _print_findings(report)
    print(count_table(report.items))
    if report.cues:
        print("\n" + cue_table(report.cues))
    print("\n" + mock_table(report.items))
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    if report.problems:
        print(f"\n{len(report.problems)} problem(s){warned}")
        return 1
    print(f"\nno problems{warned}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
