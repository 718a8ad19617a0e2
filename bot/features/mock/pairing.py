"""The pairing engine for peer mocks: members in, pairs (and at most one trio) with their overlap out.

Pure and synchronous (run it off the event loop). Slots are the 30-minute indices 0..335 of one UTC week
(see availability.py); "consecutive" never wraps from Sunday night to Monday morning of the same week.

How a round is formed, in order:
1. Candidate edges: two members who share a track and have `session_slots` consecutive common free slots,
   and were not paired inside the recency window (`recency_window`). Weights (`_Round.weight`) prefer a
   close level (60 / 30 / 0), more common session starts (4 each, up to 6: enough room for three
   proposals), a partner never met (16) or met long ago, and members who waited last round (100 each).
2. Maximum-cardinality, maximum-weight matching (`rustworkx.max_weight_matching`): as many members as
   possible get a partner, then the most weight. Up to `exact_limit` members (1,000) on the full graph,
   exactly. Above it on a sparse graph, each member's best `max_candidates` same-level edges plus a few to
   the next level, matched in chunks and repaired (`_Round.sparse_pairs`; bench/pairing.py measures it
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

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.features.mock.availability import SLOTS_PER_DAY, SLOTS_PER_WEEK

WINDOW_MAX = 8
EXACT_LIMIT = 1000
LEVEL_WEIGHT = (60, 30, 0)  # by level difference 0, 1, 2
START_WEIGHT, START_CAP = 4, 6  # per common session start, counted up to the cap
FRESH_WEIGHT = 16  # never paired before
STALE_STEP, STALE_CAP = 2, 8  # paired k rounds ago, k beyond the window: (k - window) steps, capped
WAITED_WEIGHT = 100  # per member who waited last round: they are matched before anyone else is left out
TIERS = (START_CAP, 4, 2, 1)  # sparse search: candidates by at least this many common starts
CHUNK, PASSES, REPAIRS = 500, 2, 2  # sparse matching: members per exact solve, passes, repair rounds
_RADIANS_PER_SLOT = 2 * math.pi / SLOTS_PER_DAY


@dataclass(frozen=True)
class Candidate:
    id: str
    tracks: frozenset[str]
    level: int  # 0 junior, 1 mid, 2 senior
    slots: frozenset[int]
    waited: int = 0  # rounds in a row this member was left waiting; > 0 puts them first in line


@dataclass(frozen=True)
class Group:
    members: tuple[str, ...]  # 2, or 3 for a trio
    track: str
    overlap: frozenset[int]
    repeat: bool
    weight: int = 0  # sum of the weights of the group's pairs


@dataclass(frozen=True)
class Pairing:
    groups: tuple[Group, ...]
    waiting: tuple[str, ...]
    window: int = 0  # the recency window used for this round
    weight: int = 0  # sum of the groups' weights


def recency_window(pool_size: int) -> int:
    """Rounds within which a past partner is avoided: (N - 2) // 2, kept within 1..8.

    With N members who could all meet, avoiding the last w partners leaves N - 1 - w choices each, and a
    graph where everyone has at least N / 2 choices always has a perfect matching (Dirac), so this window
    does not block a round on its own (trios aside, which add two partners in a round): 4 members avoid
    last round's partner, 6 the last two, 18 or more the last eight. Members whose tracks or hours leave
    them fewer choices fall back to a repeat (flagged), only when no fresh partner is left for them.
    """
    return max(1, min(WINDOW_MAX, (pool_size - 2) // 2))


def run_starts(slots: frozenset[int] | set[int], session_slots: int) -> int:
    """Bitmask of the slots where a run of `session_slots` free slots starts (bit j: j..j+n-1 all free)."""
    mask = 0
    for s in slots:
        if not 0 <= s < SLOTS_PER_WEEK:
            raise ValueError(f"slot {s} is not in 0..{SLOTS_PER_WEEK - 1}")
        mask |= 1 << s
    starts = mask
    for k in range(1, session_slots):
        starts &= mask >> k
    return starts


def pair(candidates: Sequence[Candidate], history: Mapping[frozenset[str], int], *, session_slots: int = 2,
         max_candidates: int = 25, seed: int = 0, exact_limit: int = EXACT_LIMIT,
         chunk: int = CHUNK) -> Pairing:
    """One round. `history` maps a pair of ids to how many rounds ago they last met (1 = last round).

    Up to `exact_limit` candidates the matching is exact on the full graph; above it, each member's best
    `max_candidates` edges, matched `chunk` members at a time (see `_Round.sparse_pairs`).
    """
    if session_slots < 1:
        raise ValueError("session_slots must be at least 1")
    if max_candidates < 1 or chunk < 2:
        raise ValueError("max_candidates must be at least 1 and chunk at least 2")
    return _Round(candidates, history, session_slots, max_candidates, seed, exact_limit, chunk).run()


def candidate_edges(candidates: Sequence[Candidate], history: Mapping[frozenset[str], int], *,
                    session_slots: int = 2) -> dict[tuple[str, str], int]:
    """The full candidate graph of a round (every non-recent compatible pair, ids sorted) with its weights.

    For checks and benchmarks; `pair` builds the same graph itself (or its sparse version).
    """
    rnd = _Round(candidates, history, session_slots, 1, 0, 0)
    edges = rnd.fresh_edges(rnd.members)
    out: dict[tuple[str, str], int] = {}
    for (a, b), w in edges.items():
        x, y = sorted((rnd.members[a].cand.id, rnd.members[b].cand.id))
        out[(x, y)] = w
    return out


def session_starts(overlap: frozenset[int], session_slots: int, count: int = 3, *,
                   not_before: int = 0) -> list[int]:
    """Up to `count` start slots of `session_slots` consecutive slots in `overlap`, chronological.

    Different UTC days first (spread evenly over the days that have a start), on each day the start of its
    longest run; then, if days run out, the starts farthest from those chosen, never overlapping them.
    `not_before` drops starts before that slot (for a week already under way).
    """
    if session_slots < 1:
        raise ValueError("session_slots must be at least 1")
    starts_mask = run_starts(overlap, session_slots)
    starts = [j for j in range(max(0, not_before), SLOTS_PER_WEEK) if starts_mask >> j & 1]
    if count <= 0 or not starts:
        return []
    by_day: dict[int, list[int]] = {}
    for j in starts:
        by_day.setdefault(j // SLOTS_PER_DAY, []).append(j)
    days = sorted(by_day)
    if len(days) > count:
        days = [days[round(k * (len(days) - 1) / (count - 1))] for k in range(count)] if count > 1 else days[:1]
    chosen = [_longest_run_start(by_day[d]) for d in days]
    rest = [j for j in starts if j not in chosen]
    while len(chosen) < count:
        free = [j for j in rest if all(abs(j - c) >= session_slots for c in chosen)]
        if not free:
            break
        best = max(free, key=lambda j: (min(abs(j - c) for c in chosen), -j))
        chosen.append(best)
    return sorted(chosen)


def _longest_run_start(day_starts: list[int]) -> int:
    best_start, best_len = day_starts[0], 0
    run_start, prev = day_starts[0], day_starts[0] - 1
    for j in [*day_starts, -2]:
        if j != prev + 1:
            if prev - run_start + 1 > best_len:
                best_start, best_len = run_start, prev - run_start + 1
            run_start = j
        prev = j
    return best_start


@dataclass(slots=True)
class _Member:
    cand: Candidate
    starts: int  # run_starts bitmask
    node: int
    tracks: int = 0  # bitmask over the round's track names
    met: dict[int, int] = field(default_factory=dict)  # node -> rounds ago
    start_list: list[int] = field(default_factory=list)  # the set bits of `starts`
    level: int = 0
    bonus: int = 0  # WAITED_WEIGHT for a member first in line

    def __post_init__(self) -> None:
        self.start_list = _bits(self.starts)
        self.level = self.cand.level
        self.bonus = WAITED_WEIGHT if self.cand.waited > 0 else 0


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        mask ^= low
        out.append(low.bit_length() - 1)
    return out


class _Bucket:
    """Members of one (track, level), with, for each slot, a bitmask of who can start a session there."""

    def __init__(self) -> None:
        self.members: list[_Member] = []
        self.at: list[int] = [0] * SLOTS_PER_WEEK

    def add(self, m: _Member) -> None:
        bit = 1 << len(self.members)
        self.members.append(m)
        for j in m.start_list:
            self.at[j] |= bit

    def sharing(self, a: _Member, above: int) -> list[_Member]:
        """Members of the bucket with a node number above `above` and a session start in common with `a`."""
        mask = 0
        at = self.at
        for j in a.start_list:
            mask |= at[j]
        members = self.members
        return [m for m in (members[i] for i in _bits(mask)) if m.node > above]

    def counts(self, a: _Member) -> list[int]:
        """Bit-sliced counts of the session starts each bucket member shares with `a`: [bit 0, bit 1, bit 2,
        8 or more]."""
        c0 = c1 = c2 = over = 0
        at = self.at
        for j in a.start_list:
            x = at[j]
            carry = c0 & x
            c0 ^= x
            if carry:
                x, carry = carry, c1 & carry
                c1 ^= x
                if carry:
                    x, carry = carry, c2 & carry
                    c2 ^= x
                    over |= carry
        return [c0, c1, c2, over]

    def sharing_any(self, a: _Member) -> int:
        """Bitmask of the bucket members with at least one session start in common with `a`."""
        mask = 0
        at = self.at
        for j in a.start_list:
            mask |= at[j]
        return mask

    def pick(self, mask: int, want: int, offset: int, into: list[_Member]) -> None:
        """Append members of `mask` to `into` until it holds `want`, starting at a seeded position."""
        size = len(self.members)
        if offset:  # a rotation, so ties go to different members each round
            mask = (mask >> offset) | ((mask & ((1 << offset) - 1)) << (size - offset))
        members = self.members
        while mask and len(into) < want:
            low = mask & -mask
            mask ^= low
            into.append(members[(low.bit_length() - 1 + offset) % size])


def _region(free: list[int], adjacency: dict[int, dict[int, int]], mate: dict[int, int], limit: int) -> list[int]:
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


def _time_of_day(starts: int) -> float:
    """The circular mean UTC time of day of the session starts, as an angle (for ordering members)."""
    x = y = 0.0
    while starts:
        low = starts & -starts
        starts ^= low
        angle = (low.bit_length() - 1) % SLOTS_PER_DAY * _RADIANS_PER_SLOT
        x += math.cos(angle)
        y += math.sin(angle)
    return math.atan2(y, x)


def _bit_values(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        mask ^= low
        out.append(low)
    return out


def _at_least(counter: list[int], value: int) -> int:
    """Bitmask of the members whose bit-sliced count (bits 0..2 of `counter`) is >= value."""
    greater, equal = 0, -1
    for k in range(2, -1, -1):
        if value >> k & 1:
            equal &= counter[k]
        else:
            greater |= equal & counter[k]
            equal &= ~counter[k]
    return greater | (equal if value else -1)


class _Round:
    def __init__(self, candidates: Sequence[Candidate], history: Mapping[frozenset[str], int],
                 session_slots: int, max_candidates: int, seed: int, exact_limit: int,
                 chunk: int = CHUNK) -> None:
        ids = [c.id for c in candidates]
        if len(set(ids)) != len(ids):
            raise ValueError("candidate ids must be unique")
        for c in candidates:
            if c.level not in (0, 1, 2):
                raise ValueError(f"{c.id}: level {c.level} is not 0, 1 or 2")
        self.rng = random.Random(seed)
        ordered = sorted(candidates, key=lambda c: c.id)
        self.rng.shuffle(ordered)
        names = sorted({t for c in ordered for t in c.tracks})
        bit = {t: 1 << i for i, t in enumerate(names)}
        self.members = [_Member(c, run_starts(c.slots, session_slots), i, sum(bit[t] for t in c.tracks))
                        for i, c in enumerate(ordered)]
        node = {m.cand.id: m.node for m in self.members}
        for key, ago in history.items():
            if len(key) == 2:
                a, b = (node.get(x) for x in key)
                if a is not None and b is not None:
                    self.members[a].met[b] = self.members[b].met[a] = ago
        self.window = recency_window(len(ordered))
        self.max_candidates, self.exact = max_candidates, len(ordered) <= exact_limit
        self.chunk = chunk
        self.odd = len(ordered) % 2 == 1

    # -- weights
    def recent(self, a: _Member, b: _Member) -> bool:
        ago = a.met.get(b.node)
        return ago is not None and ago <= self.window

    def weight(self, a: _Member, b: _Member) -> int:
        """Weight of a compatible pair (> 0); a recent pair gets no recency credit."""
        common = (a.starts & b.starts).bit_count()
        ago = a.met.get(b.node)
        if ago is None:
            fresh = FRESH_WEIGHT
        elif ago <= self.window:
            fresh = 0
        else:
            fresh = STALE_STEP * min(ago - self.window, STALE_CAP)
        return (1 + LEVEL_WEIGHT[abs(a.level - b.level)] + START_WEIGHT * (common if common < START_CAP else START_CAP)
                + fresh + a.bonus + b.bonus)

    @staticmethod
    def compatible(a: _Member, b: _Member) -> bool:
        return bool(a.starts & b.starts and a.tracks & b.tracks)

    # -- edges
    @staticmethod
    def buckets(members: Sequence[_Member]) -> dict[int, _Bucket]:
        """Members with a session start by track bit (a member is in the bucket of each of its tracks)."""
        out: dict[int, _Bucket] = {}
        for m in members:
            if m.starts:
                for bit in _bit_values(m.tracks):
                    out.setdefault(bit, _Bucket()).add(m)
        return out

    def fresh_edges(self, group: list[_Member]) -> dict[tuple[int, int], int]:
        """Every compatible non-recent edge inside `group` (the exact graph), found through track buckets."""
        buckets = self.buckets(group)
        out: dict[tuple[int, int], int] = {}
        window = self.window
        weight = self.weight
        for a in group:
            node, met = a.node, a.met
            for bit in _bit_values(a.tracks) if a.starts else ():
                for b in buckets[bit].sharing(a, above=node):
                    key = (node, b.node)
                    if key not in out:
                        ago = met.get(b.node)
                        if ago is None or ago > window:
                            out[key] = weight(a, b)
        return out

    def recent_edges(self, group: list[_Member]) -> dict[tuple[int, int], int]:
        """Every compatible edge inside `group` between members who met inside the window; the longer ago,
        the heavier (among recent partners, the one met longest ago is preferred)."""
        inside = {m.node for m in group}
        out: dict[tuple[int, int], int] = {}
        for a in group:
            for node, ago in a.met.items():
                b = self.members[node]
                if node > a.node and node in inside and ago <= self.window and self.compatible(a, b):
                    out[(a.node, node)] = self.weight(a, b) + STALE_STEP * max(ago, 0)
        return out

    def sparse_pairs(self) -> list[tuple[int, int]]:
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
        by_level = {lv: self.buckets([m for m in self.members if m.level == lv]) for lv in range(3)}
        cross = max(1, self.max_candidates // 5)
        for level, other, keep in ((0, 1, cross), (1, 0, cross), (1, 2, cross), (2, 1, cross)):
            # a few edges to the next level, for the repair below (parity, members alone in their level)
            for (a, b), w in self.sparse_edges(level, other, keep, by_level).items():
                adjacency.setdefault(a, {})[b] = w
                adjacency.setdefault(b, {})[a] = w
        for level in range(3):
            edges = self.sparse_edges(level, level, self.max_candidates, by_level)
            for (a, b), w in edges.items():
                adjacency.setdefault(a, {})[b] = w
                adjacency.setdefault(b, {})[a] = w
            order = sorted((m for m in self.members if m.level == level and m.node in adjacency),
                           key=lambda m: (_time_of_day(m.starts), m.node))
            nodes = [m.node for m in order]
            chunks = max(1, -(-len(nodes) // self.chunk))
            size = -(-len(nodes) // chunks) if nodes else 0
            for p in range(PASSES if chunks > 1 else 1):
                shift = p * size // PASSES
                rotated = nodes[shift:] + nodes[:shift]
                for i in range(0, len(rotated), max(size, 1)):
                    self.resolve(rotated[i:i + size], adjacency, mate)
        for _ in range(REPAIRS):
            free = [m.node for m in self.members if m.node in adjacency and m.node not in mate]
            if not free:
                break
            self.resolve(_region(free, adjacency, mate, self.chunk), adjacency, mate)
        return sorted((a, b) for a, b in mate.items() if a < b)

    def resolve(self, nodes: list[int], adjacency: dict[int, dict[int, int]], mate: dict[int, int]) -> None:
        """Match `nodes` again among themselves; members paired outside the set keep their partner."""
        inside = set(nodes)
        free = [v for v in nodes if v not in mate or mate[v] in inside]
        inside = set(free)
        edges = {(a, b): w for a in free for b, w in adjacency.get(a, {}).items() if b in inside and a < b}
        for v in free:
            mate.pop(v, None)
        for a, b in self.match(edges):
            mate[a], mate[b] = b, a

    def sparse_edges(self, level: int, other: int, keep: int,
                     by_level: dict[int, dict[int, _Bucket]]) -> dict[tuple[int, int], int]:
        """Each member of `level`: up to `keep` non-recent edges to members of level `other`, the best ones
        when `other == level`, any compatible ones otherwise.

        Members of a (track, level) bucket are found by common session starts with bit-sliced counters:
        for every slot, a bitmask over the bucket of who can start a session there; adding those of the
        member's own starts gives, for every bucket member at once, how many starts they share. The
        candidates are taken from the highest tier of shared starts down, each tier in a seeded rotation.
        """
        buckets = by_level[other]
        out: dict[tuple[int, int], int] = {}
        window = self.window
        weight = self.weight
        best = other == level
        for a in self.members:
            if a.level != level or not a.starts:
                continue
            met = a.met
            want = keep + 1 + len(met)
            mine = [buckets[bit] for bit in _bit_values(a.tracks) if bit in buckets]
            offsets = [self.rng.randrange(len(bucket.members)) for bucket in mine]
            found: list[_Member] = []
            if best:
                counts = [bucket.counts(a) for bucket in mine]
                taken = [0] * len(mine)
                for tier in TIERS:
                    for i, bucket in enumerate(mine):
                        mask = (_at_least(counts[i], tier) | counts[i][3]) & ~taken[i]
                        taken[i] |= mask
                        bucket.pick(mask, want, offsets[i], found)
                    if len(found) >= want:
                        break
            else:
                for i, bucket in enumerate(mine):
                    bucket.pick(bucket.sharing_any(a), want, offsets[i], found)
            chosen: dict[int, int] = {a.node: 0}
            for b in found:
                if b.node not in chosen:
                    ago = met.get(b.node)
                    if ago is None or ago > window:
                        chosen[b.node] = weight(a, b)
            del chosen[a.node]
            ranked = sorted([(-w, node) for node, w in chosen.items()])
            for neg_w, node in ranked[:keep]:
                out[(min(a.node, node), max(a.node, node))] = -neg_w
        return out

    def match(self, edges: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
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

    # -- the round
    def run(self) -> Pairing:
        pairs = self.match(self.fresh_edges(self.members)) if self.exact else self.sparse_pairs()
        taken = {n for p in pairs for n in p}
        left = [m for m in self.members if m.node not in taken]
        if not self.exact and len(left) > 1:
            extra = self.match(self.fresh_edges(left))
            pairs += extra
            taken |= {n for p in extra for n in p}
            left = [m for m in left if m.node not in taken]
        groups = [self.group([self.members[a], self.members[b]], False) for a, b in pairs]
        if self.odd and left and self.add_trio(groups, left):
            placed = {mid for g in groups for mid in g.members}
            left = [m for m in left if m.cand.id not in placed]
        for a, b in self.match(self.recent_edges(left)):
            groups.append(self.group([self.members[a], self.members[b]], True))
        placed = {mid for g in groups for mid in g.members}
        waiting = tuple(sorted(m.cand.id for m in self.members if m.cand.id not in placed))
        groups.sort(key=lambda g: g.members)
        return Pairing(tuple(groups), waiting, self.window, sum(g.weight for g in groups))

    def group(self, members: list[_Member], repeat: bool, keep_track: str | None = None) -> Group:
        ids = tuple(sorted(m.cand.id for m in members))
        shared = frozenset.intersection(*(m.cand.tracks for m in members))
        track = keep_track if keep_track in shared else self.rng.choice(sorted(shared))
        overlap = frozenset.intersection(*(m.cand.slots for m in members))
        weight = sum(self.weight(a, b) for i, a in enumerate(members) for b in members[i + 1:])
        return Group(ids, track, overlap, repeat, weight)

    def add_trio(self, groups: list[Group], left: list[_Member]) -> bool:
        """Put one left-over member into a pair as a trio: all three share a track and a run of slots, and
        the newcomer met neither of the two inside the window (a repeat is never pushed onto a pair that
        had a fresh partner; the member waits and is first in line next round instead)."""
        by_id = {m.cand.id: m for m in self.members}
        best: tuple[tuple[int, int, int], int, _Member] | None = None
        for u in left:
            if not u.starts:
                continue
            # a member who could still get a repeat partner is the last choice to become a trio
            has_repeat = any(self.compatible(u, v) and self.recent(u, v) for v in left if v is not u)
            for gi, g in enumerate(groups):
                if len(g.members) != 2:
                    continue
                a, b = by_id[g.members[0]], by_id[g.members[1]]
                if not (u.starts & a.starts & b.starts and u.tracks & a.tracks & b.tracks):
                    continue
                if self.recent(u, a) or self.recent(u, b):
                    continue
                key = (int(has_repeat), -(self.weight(u, a) + self.weight(u, b)), gi)
                if best is None or key < best[0]:
                    best = (key, gi, u)
        if best is None:
            return False
        _, gi, u = best
        g = groups[gi]
        trio = [by_id[g.members[0]], by_id[g.members[1]], u]
        groups[gi] = self.group(trio, g.repeat, keep_track=g.track)
        return True
