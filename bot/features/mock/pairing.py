"""The pairing engine for peer mocks: members in, pairs (and at most one trio) with their overlap out.

Pure and synchronous (run it off the event loop). Slots are the 30-minute indices 0..335 of one UTC week
(see grid.py and utc_week.py); "consecutive" never wraps from Sunday night to Monday morning of the same week.

How a round is formed, in order:
1. Candidate edges: two members who share a track and have `session_slots` consecutive common free slots,
   and were not paired inside the recency window (`recency_window`); weights in pair_graph.py.
2. Maximum-cardinality, maximum-weight matching (`rustworkx.max_weight_matching`): as many members as
   possible get a partner, then the most weight. Up to `exact_limit` members (1,000) on the full graph,
   exactly. Above it on a sparse graph, each member's best `max_candidates` same-level edges plus a few to
   the next level, matched in chunks and repaired (matching.sparse_pairs; bench/pairing.py measures it
   against the exact optimum). Left-over members with an edge between them are then matched among
   themselves, so no two left-over members could have met without a repeat.
3. With an odd number of candidates, one left-over member joins a pair as a trio where all three share a
   track and a common run of slots, and the newcomer met neither of the two inside the window.
4. Only then repeats: the members still left over are matched on edges inside the window, oldest partner
   first, flagged `repeat=True`. Everyone else waits (`Pairing.waiting`); a member with `waited > 0` gets
   a large weight bonus, so next round they are matched before anyone else is left out.

Deterministic: the result depends only on the candidates (not their order), the history and the seed;
the seed breaks ties between equal-weight choices so rounds vary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.features.mock.matching import CHUNK, match, sparse_pairs
from bot.features.mock.pair_graph import Graph
from bot.features.mock.pair_model import Candidate, Pairing
from bot.features.mock.trios import add_trio, form_group

EXACT_LIMIT = 1000


def pair(candidates: Sequence[Candidate], history: Mapping[frozenset[str], int], *, session_slots: int = 2,
         max_candidates: int = 25, seed: int = 0, exact_limit: int = EXACT_LIMIT,
         chunk: int = CHUNK) -> Pairing:
    """One round. `history` maps a pair of ids to how many rounds ago they last met (1 = last round).

    Up to `exact_limit` candidates the matching is exact on the full graph; above it, each member's best
    `max_candidates` edges, matched `chunk` members at a time (see `matching.sparse_pairs`).
    """
    if session_slots < 1:
        raise ValueError("session_slots must be at least 1")
    if max_candidates < 1 or chunk < 2:
        raise ValueError("max_candidates must be at least 1 and chunk at least 2")
    graph = Graph(candidates, history, session_slots, max_candidates, seed)
    return _run(graph, len(graph.members) <= exact_limit, chunk)


def candidate_edges(candidates: Sequence[Candidate], history: Mapping[frozenset[str], int], *,
                    session_slots: int = 2) -> dict[tuple[str, str], int]:
    """The full candidate graph of a round (every non-recent compatible pair, ids sorted) with its weights.

    For checks and benchmarks; `pair` builds the same graph itself (or its sparse version).
    """
    rnd = Graph(candidates, history, session_slots, 1, 0)
    edges = rnd.fresh_edges(rnd.members)
    out: dict[tuple[str, str], int] = {}
    for (a, b), w in edges.items():
        x, y = sorted((rnd.members[a].cand.id, rnd.members[b].cand.id))
        out[(x, y)] = w
    return out


def _run(graph: Graph, exact: bool, chunk: int) -> Pairing:
    """Steps 2 to 4 of the docstring above, in order."""
    pairs = match(graph.fresh_edges(graph.members)) if exact else sparse_pairs(graph, chunk)
    taken = {n for p in pairs for n in p}
    left = [m for m in graph.members if m.node not in taken]
    if not exact and len(left) > 1:
        extra = match(graph.fresh_edges(left))
        pairs += extra
        taken |= {n for p in extra for n in p}
        left = [m for m in left if m.node not in taken]
    groups = [form_group(graph, [graph.members[a], graph.members[b]], False) for a, b in pairs]
    if len(graph.members) % 2 == 1 and left and add_trio(graph, groups, left):
        placed = {mid for g in groups for mid in g.members}
        left = [m for m in left if m.cand.id not in placed]
    for a, b in match(graph.recent_edges(left)):
        groups.append(form_group(graph, [graph.members[a], graph.members[b]], True))
    placed = {mid for g in groups for mid in g.members}
    waiting = tuple(sorted(m.cand.id for m in graph.members if m.cand.id not in placed))
    groups.sort(key=lambda g: g.members)
    return Pairing(tuple(groups), waiting, graph.window, sum(g.weight for g in groups))
