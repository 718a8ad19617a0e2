"""Pairing benchmark: the mock-interview pairing engine (bot/features/mock/pairing.py) at N = 50 .. 5,000.

Members are generated the way a real pool looks: a timezone from a world-wide mix, weekly availability
written as text ("Mon/Wed/Thu 18:30-21:00, Sat 10:00-13:00") and parsed by the real parser, turned into UTC
slots for a week with the European DST change inside it (2026-03-23), one to three of the four tracks, a
level, and a history of past partners (some inside the recency window, so they are forbidden).

For each N: the time of `pair()` with its defaults (exact up to 1,000 members; above, each member's best
25 same-level candidates, matched exactly 500 members at a time in shifted passes, then a repair), its total weight against the exact optimum of the full candidate graph (the same engine
with no candidate limit), how many wait, how many fall-back repeats it made, and forbidden repeats (a
recent partner while a fresh partner was left free). When the exact optimum is skipped (5,000 with
--quick), the ratio is taken against an upper bound instead: half the sum over members of their best edge.
Run alone with `python -m bench pairing [--quick]`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.features.mock.availability_parser import parse_availability
from bot.features.mock.pair_model import Candidate, Pairing, recency_window
from bot.features.mock.pairing import candidate_edges, pair
from bot.features.mock.utc_week import WeekGrid

WEEK = datetime(2026, 3, 23, tzinfo=UTC)  # Europe moves its clocks on Sunday 29 March
ZONES = {"America/Los_Angeles": 12, "America/New_York": 18, "America/Sao_Paulo": 5, "Europe/London": 10,
         "Europe/Berlin": 15, "Africa/Lagos": 4, "Asia/Kolkata": 15, "Asia/Kathmandu": 1, "Asia/Singapore": 8,
         "Asia/Tokyo": 5, "Australia/Sydney": 7}
TRACKS = {"ml-fundamentals": 0.55, "ml-system-design": 0.35, "coding": 0.4, "behavioural": 0.25}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TARGETS = {50: "-", 200: "-", 1000: "exact < 1 s", 5000: "< 5 s, >= 99.9 %"}


def clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def availability_text(rng: random.Random) -> str:
    parts = []
    evenings = sorted(rng.sample(range(5), rng.randint(2, 4)))
    start = rng.choice(range(17 * 60, 21 * 60, 30))
    parts.append(f"{'/'.join(DAYS[d] for d in evenings)} {clock(start)}-{clock(start + rng.choice((90, 120, 150, 180, 210)))}")
    if rng.random() < 0.6:
        day = rng.choice((5, 6))
        begin = rng.choice(range(9 * 60, 16 * 60, 30))
        parts.append(f"{DAYS[day]} {clock(begin)}-{clock(begin + rng.choice((120, 180, 240)))}")
    if rng.random() < 0.2:
        parts.append(f"{DAYS[rng.randrange(5)]} 12:00-13:00")
    return ", ".join(parts)


def make_pool(n: int, seed: int) -> tuple[list[Candidate], dict[frozenset[str], int]]:
    rng = random.Random(seed)
    grids = {z: WeekGrid(ZoneInfo(z), WEEK) for z in ZONES}
    names = list(ZONES)
    weights = list(ZONES.values())
    pool = []
    for i in range(n):
        tracks = frozenset(t for t, p in TRACKS.items() if rng.random() < p) or frozenset({rng.choice(list(TRACKS))})
        zone = rng.choices(names, weights)[0]
        slots = grids[zone].slots(parse_availability(availability_text(rng)))
        pool.append(Candidate(f"m{i}", tracks, rng.choices((0, 1, 2), (35, 45, 20))[0], slots))
    # history: each member met up to five compatible members over the last twelve rounds
    history: dict[frozenset[str], int] = {}
    by_track: dict[str, list[Candidate]] = {}
    for c in pool:
        for t in c.tracks:
            by_track.setdefault(t, []).append(c)
    for c in pool:
        met = 0
        for _ in range(200):
            other = rng.choice(by_track[rng.choice(sorted(c.tracks))])
            if other is c or not (c.slots & other.slots):
                continue
            history.setdefault(frozenset((c.id, other.id)), rng.randint(1, 12))
            met += 1
            if met == 5:
                break
    return pool, history


def check(result: Pairing, pool: Sequence[Candidate], history: Mapping[frozenset[str], int],
          edges: Mapping[tuple[str, str], int]) -> tuple[int, int]:
    """(fall-back repeats, forbidden repeats): a repeat is forbidden if a member of it had a fresh edge
    to someone left waiting or put in another repeat."""
    window = recency_window(len(pool))
    seen: set[str] = set()
    for g in result.groups:
        assert not seen & set(g.members), "a member twice in a round"
        seen |= set(g.members)
    repeats = [g for g in result.groups
               if any(history.get(frozenset((a, b)), window + 1) <= window
                      for i, a in enumerate(g.members) for b in g.members[i + 1:])]
    exposed = set(result.waiting) | {m for g in repeats for m in g.members}
    forbidden = 0
    for g in repeats:
        others = exposed - set(g.members)
        if any((min(m, o), max(m, o)) in edges for m in g.members for o in others):
            forbidden += 1
    return len(repeats), forbidden


def upper_bound(pool: Sequence[Candidate], edges: Mapping[tuple[str, str], int]) -> float:
    best: dict[str, int] = {}
    for (a, b), w in edges.items():
        best[a] = max(best.get(a, 0), w)
        best[b] = max(best.get(b, 0), w)
    return sum(best.values()) / 2


def networkx_time(edges: Mapping[tuple[str, str], int]) -> float | None:
    try:
        import networkx as nx  # not a dependency: only timed when it happens to be installed
    except ImportError:
        return None
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in edges.items())
    t0 = time.perf_counter()
    nx.max_weight_matching(graph, maxcardinality=True)
    return time.perf_counter() - t0


def main(quick: bool = False) -> None:
    sizes = (50, 200, 1000, 5000)
    rows = []
    nx_s: float | None = None
    for n in sizes:
        pool, history = make_pool(n, seed=n)
        t0, c0 = time.perf_counter(), time.process_time()
        ours = pair(pool, history, seed=1)
        ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        edges = candidate_edges(pool, history)
        exact_run = not (quick and n > 1000)
        if exact_run:
            t0 = time.perf_counter()
            best = pair(pool, history, seed=1, exact_limit=10**9)
            best_s = time.perf_counter() - t0
            reference, ref_label = float(best.weight), f"{best.weight:,} exact ({best_s:.1f} s)"
        else:
            reference = upper_bound(pool, edges)
            ref_label = f"<= {reference:,.0f} bound (exact skipped)"
        repeats, forbidden = check(ours, pool, history, edges)
        mode = "exact" if n <= 1000 else "best 25, chunks"
        rows.append((f"{n:,}", mode, f"{ours_s:.3f} / {ours_cpu:.3f}", f"{ours.weight:,}", ref_label,
                     f"{100 * ours.weight / reference:.3f} %", f"{len(ours.waiting)}", f"{repeats}", f"{forbidden}",
                     TARGETS[n]))
        if n == 1000:  # the sparse graph at 1,000 too, to show what the candidate limit costs
            t0, c0 = time.perf_counter(), time.process_time()
            sparse = pair(pool, history, seed=1, exact_limit=0)
            sparse_s, sparse_cpu = time.perf_counter() - t0, time.process_time() - c0
            r2, f2 = check(sparse, pool, history, edges)
            rows.append(("1,000", "best 25, chunks", f"{sparse_s:.3f} / {sparse_cpu:.3f}", f"{sparse.weight:,}",
                         ref_label,
                         f"{100 * sparse.weight / reference:.3f} %", f"{len(sparse.waiting)}", f"{r2}", f"{f2}", "-"))
        if n == 200:
            nx_s = networkx_time(edges)
        print(f"N={n:,}: {len(edges):,} candidate edges in the full graph, "
              f"{len(history):,} past pairs, window {recency_window(n)} rounds", flush=True)
    print()
    header = ("members", "graph", "wall / CPU (s)", "weight", "reference", "of reference", "waiting", "repeats",
              "forbidden", "target")
    widths = [max(len(str(r[i])) for r in (*rows, header)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("target for every row: 0 forbidden repeats (repeats = fall-backs for members nothing else fits); "
          "CPU is this process's own time, the figure to read when the machine is shared")
    if nx_s is None:
        print("networkx is not installed: its time at N=200 is not shown")
    else:
        print(f"networkx max_weight_matching at N=200, full graph: {nx_s:.3f} s")


if __name__ == "__main__":
    main()
