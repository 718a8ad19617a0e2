"""Benchmarks. Each section prints a table: our figure, the target, and the plain library limit measured in
the same run. `make bench` runs every section; `python -m bench SECTION... [--quick]` runs some.

Sections are modules of this package with `main(quick: bool) -> None`, listed here once.
"""

from __future__ import annotations

import importlib
import sys

SECTIONS: dict[str, str] = {
    "answers": "bench.answers",  # the answer path beside a plain sqlite3 group-commit writer; start-up
    "startup": "bench.startup",  # start-up with both platforms' tokens, before login, beside bare imports
    "scheduler": "bench.scheduler",  # idle tick at 10,000 communities, the 09:00 herd, answers during it
    "leaderboard": "bench.leaderboard",  # boards and my-rank at 1,000,000 ledger rows, streaks, the chart
    "pairing": "bench.pairing",  # mock pairing at 50..5,000 members: time, weight against the exact optimum
    "race": "bench.race",  # 1,000 race picks in the second before the deadline; the reveal's lateness
}


def main() -> None:
    quick = "--quick" in sys.argv
    asked = [a for a in sys.argv[1:] if not a.startswith("-")] or list(SECTIONS)
    unknown = sorted(set(asked) - set(SECTIONS))
    if unknown:
        sys.exit(f"unknown benchmark section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    for n, name in enumerate(asked):
        if n:
            print()
        importlib.import_module(SECTIONS[name]).main(quick)


if __name__ == "__main__":
    main()
