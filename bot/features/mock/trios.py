"""Forming groups: a pair's (or trio's) track and common slots, and the one trio an odd round may make.

With an odd number of candidates, one left-over member joins a pair as a trio where all three share a
track and a common run of slots, and the newcomer met neither of the two inside the window.
"""

from __future__ import annotations

from bot.features.mock.pair_graph import Graph, Member
from bot.features.mock.pair_model import Group


def form_group(graph: Graph, members: list[Member], repeat: bool, keep_track: str | None = None) -> Group:
    """The group of these members: a track they all share (the pair's own, for a trio made of a pair),
    their common free slots, and the weight of its pairs."""
    ids = tuple(sorted(m.cand.id for m in members))
    shared = frozenset.intersection(*(m.cand.tracks for m in members))
    track = keep_track if keep_track in shared else graph.rng.choice(sorted(shared))
    overlap = frozenset.intersection(*(m.cand.slots for m in members))
    weight = sum(graph.weight(a, b) for i, a in enumerate(members) for b in members[i + 1:])
    return Group(ids, track, overlap, repeat, weight)


def add_trio(graph: Graph, groups: list[Group], left: list[Member]) -> bool:
    """Put one left-over member into a pair as a trio: all three share a track and a run of slots, and
    the newcomer met neither of the two inside the window (a repeat is never pushed onto a pair that
    had a fresh partner; the member waits and is first in line next round instead)."""
    by_id = {m.cand.id: m for m in graph.members}
    best: tuple[tuple[int, int, int], int, Member] | None = None
    for u in left:
        if not u.starts:
            continue
        # a member who could still get a repeat partner is the last choice to become a trio
        has_repeat = any(graph.compatible(u, v) and graph.recent(u, v) for v in left if v is not u)
        for gi, g in enumerate(groups):
            if len(g.members) != 2:
                continue
            a, b = by_id[g.members[0]], by_id[g.members[1]]
            if not (u.starts & a.starts & b.starts and u.tracks & a.tracks & b.tracks):
                continue
            if graph.recent(u, a) or graph.recent(u, b):
                continue
            key = (int(has_repeat), -(graph.weight(u, a) + graph.weight(u, b)), gi)
            if best is None or key < best[0]:
                best = (key, gi, u)
    if best is None:
        return False
    _, gi, u = best
    g = groups[gi]
    trio = [by_id[g.members[0]], by_id[g.members[1]], u]
    groups[gi] = form_group(graph, trio, g.repeat, keep_track=g.track)
    return True
