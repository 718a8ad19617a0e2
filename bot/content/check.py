"""`studybot content check`: validate bank files, run coding items' reference solutions, print counts."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bot.content.bank import Bank
from bot.content.loader import Problem, default_content_dir, load_items
from bot.content.schema import Item, Kind

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


def check(paths: list[Path], run_code: bool = True) -> tuple[list[Item], list[Problem]]:
    found, problems = load_items(paths, root=Path.cwd())
    if run_code:
        problems += coding_problems(found)
    return [it for _, it in found], problems


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    run_code = "--no-code" not in args
    paths = [Path(a) for a in args if not a.startswith("--")] or [default_content_dir()]
    items, problems = check(paths, run_code=run_code)
    for p in problems:
        print(p)
    print(count_table(items))
    if problems:
        print(f"\n{len(problems)} problem(s)")
        return 1
    print("\nno problems")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
