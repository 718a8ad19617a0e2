"""Matching on the candidate graph: the exact maximum-cardinality maximum-weight matching (rustworkx's
blossom), and above `exact_limit` members the sparse version solved in chunks and repaired.

Exact: as many members as possible get a partner, then the most weight, one connected component at a
time. Sparse: each member's best `max_candidates` same-level edges plus a few to the next level, matched
`chunk` members at a time (bench/pairing.py measures it against the exact optimum of the full graph).
"""

from __future__ import annotations

import math

from bot.features.mock.grid import SLOTS_PER_DAY
from bot.features.mock.pair_graph import Graph

CHUNK, PASSES, REPAIRS = 500, 2, 2  # sparse matching: members per exact solve, passes, repair rounds
RADIANS_PER_SLOT = 2 * math.pi / SLOTS_PER_DAY


def match(edges: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """Maximum-cardinality maximum-weight matching, one connected component at a time."""
    if not edges:
        return []
    import rustworkx as rx  # imported when a round pairs, not at start-up

    graph = rx.PyGraph(multigraph=False)
    nodes = sorted({n for e in edges for n in e})
    index = {n: graph.add_node(n) for n in nodes}
    graph.add_edges_from([(index[a], index[b], w) for (a, b), w in sorted(edges.items())])
    out: list[tuple[int, int]] = []
    for comp in sorted(rx.connected_components(graph), key=min):
        part = graph if len(comp) == len(nodes) else graph.subgraph(sorted(comp))
        for x, y in rx.max_weight_matching(part, max_cardinality=True, weight_fn=lambda w: int(w)):
            a, b = part[x], part[y]
            out.append((min(a, b), max(a, b)))
    return sorted(out)



def sparse_pairs(graph: Graph, chunk: int) -> list[tuple[int, int]]:
    """Above `exact_limit`: a maximum-weight matching of the sparse graph, solved in chunks.

    Levels apart first (the level term outweighs the rest, so nearly all the best pairs are within a
    level). A level's members are ordered by the UTC time of day they are mostly free (most edges join
    members close in that order) and matched exactly in chunks of CHUNK members, in PASSES passes with
    shifted chunk borders; a pass re-solves each chunk's members whose partner is in the same chunk,
    so no pass loses a pair, nor weight at the same number of pairs. Then the region around the members still unmatched (their neighbours and
    those neighbours' partners, any level) is re-solved, which finds most augmenting paths. The bench
    (bench/pairing.py) measures the result against the exact optimum of the full graph.
    """
    mate: dict[int, int] = {}
    adjacency: dict[int, dict[int, int]] = {}
    by_level = {lv: graph.buckets([m for m in graph.members if m.level == lv]) for lv in range(3)}
    cross = max(1, graph.max_candidates // 5)
    for level, other, keep in ((0, 1, cross), (1, 0, cross), (1, 2, cross), (2, 1, cross)):
        # a few edges to the next level, for the repair below (parity, members alone in their level)
        for (a, b), w in graph.sparse_edges(level, other, keep, by_level).items():
            adjacency.setdefault(a, {})[b] = w
            adjacency.setdefault(b, {})[a] = w
    for level in range(3):
        edges = graph.sparse_edges(level, level, graph.max_candidates, by_level)
        for (a, b), w in edges.items():
            adjacency.setdefault(a, {})[b] = w
            adjacency.setdefault(b, {})[a] = w
        order = sorted((m for m in graph.members if m.level == level and m.node in adjacency),
                       key=lambda m: (time_of_day(m.starts), m.node))
        nodes = [m.node for m in order]
        chunks = max(1, -(-len(nodes) // chunk))
        size = -(-len(nodes) // chunks) if nodes else 0
        for p in range(PASSES if chunks > 1 else 1):
            shift = p * size // PASSES
            rotated = nodes[shift:] + nodes[:shift]
            for i in range(0, len(rotated), max(size, 1)):
                resolve(rotated[i:i + size], adjacency, mate)
    for _ in range(REPAIRS):
        free = [m.node for m in graph.members if m.node in adjacency and m.node not in mate]
        if not free:
            break
        resolve(region(free, adjacency, mate, chunk), adjacency, mate)
    return sorted((a, b) for a, b in mate.items() if a < b)


def resolve(nodes: list[int], adjacency: dict[int, dict[int, int]], mate: dict[int, int]) -> None:
    """Match `nodes` again among themselves; members paired outside the set keep their partner."""
    inside = set(nodes)
    free = [v for v in nodes if v not in mate or mate[v] in inside]
    inside = set(free)
    edges = {(a, b): w for a in free for b, w in adjacency.get(a, {}).items() if b in inside and a < b}
    for v in free:
        mate.pop(v, None)
    for a, b in match(edges):
        mate[a], mate[b] = b, a


def region(free: list[int], adjacency: dict[int, dict[int, int]], mate: dict[int, int], limit: int) -> list[int]:
    """The unmatched members and what an augmenting path from them reaches first: neighbours and their
    partners, breadth first, until about `limit` members."""
    region = dict.fromkeys(free)
    frontier = list(free)
    while frontier and len(region) < limit:
        nxt: list[int] = []
        for v in frontier:
            for u in adjacency[v]:
                if u not in region:
                    region[u] = None
                    partner = mate.get(u)
                    if partner is not None and partner not in region:
                        region[partner] = None
                        nxt.append(partner)
            if len(region) >= limit:
                break
        frontier = nxt
    return list(region)


def time_of_day(starts: int) -> float:
    """The circular mean UTC time of day of the session starts, as an angle (for ordering members)."""
    x = y = 0.0
    while starts:
        low = starts & -starts
        starts ^= low
        angle = (low.bit_length() - 1) % SLOTS_PER_DAY * RADIANS_PER_SLOT
        x += math.cos(angle)
        y += math.sin(angle)
    return math.atan2(y, x)
