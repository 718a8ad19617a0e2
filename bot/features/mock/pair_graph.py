"""The candidate graph of a pairing round: who may meet whom, and how much a pair is worth.

An edge joins two members who share a track and have a session start in common (`session_slots`
consecutive common free slots) and were not paired inside the recency window. Weights (`Graph.weight`)
prefer a close level (60 / 30 / 0), more common session starts (4 each, up to 6: enough room for three
proposals), a partner never met (16) or met long ago, and members who waited last round (100 each).

Members are kept as bitmasks (tracks, session starts) and grouped in buckets by track, so the edges of a
member are found with a few integer operations per slot rather than a comparison with every other member.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.features.mock.grid import SLOTS_PER_WEEK
from bot.features.mock.pair_model import Candidate, recency_window
from bot.features.mock.session_times import run_starts

LEVEL_WEIGHT = (60, 30, 0)  # by level difference 0, 1, 2
START_WEIGHT, START_CAP = 4, 6  # per common session start, counted up to the cap
FRESH_WEIGHT = 16  # never paired before
STALE_STEP, STALE_CAP = 2, 8  # paired k rounds ago, k beyond the window: (k - window) steps, capped
WAITED_WEIGHT = 100  # per member who waited last round: they are matched before anyone else is left out
TIERS = (START_CAP, 4, 2, 1)  # sparse search: candidates by at least this many common starts


@dataclass(slots=True)
class Member:
    cand: Candidate
    starts: int  # run_starts bitmask
    node: int
    tracks: int = 0  # bitmask over the round's track names
    met: dict[int, int] = field(default_factory=dict)  # node -> rounds ago
    start_list: list[int] = field(default_factory=list)  # the set bits of `starts`
    level: int = 0
    bonus: int = 0  # WAITED_WEIGHT for a member first in line

    def __post_init__(self) -> None:
        self.start_list = bits(self.starts)
        self.level = self.cand.level
        self.bonus = WAITED_WEIGHT if self.cand.waited > 0 else 0


def bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        mask ^= low
        out.append(low.bit_length() - 1)
    return out


class Bucket:
    """Members of one (track, level), with, for each slot, a bitmask of who can start a session there."""

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.at: list[int] = [0] * SLOTS_PER_WEEK

    def add(self, m: Member) -> None:
        bit = 1 << len(self.members)
        self.members.append(m)
        for j in m.start_list:
            self.at[j] |= bit

    def sharing(self, a: Member, above: int) -> list[Member]:
        """Members of the bucket with a node number above `above` and a session start in common with `a`."""
        mask = 0
        at = self.at
        for j in a.start_list:
            mask |= at[j]
        members = self.members
        return [m for m in (members[i] for i in bits(mask)) if m.node > above]

    def counts(self, a: Member) -> list[int]:
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

    def sharing_any(self, a: Member) -> int:
        """Bitmask of the bucket members with at least one session start in common with `a`."""
        mask = 0
        at = self.at
        for j in a.start_list:
            mask |= at[j]
        return mask

    def pick(self, mask: int, want: int, offset: int, into: list[Member]) -> None:
        """Append members of `mask` to `into` until it holds `want`, starting at a seeded position."""
        size = len(self.members)
        if offset:  # a rotation, so ties go to different members each round
            mask = (mask >> offset) | ((mask & ((1 << offset) - 1)) << (size - offset))
        members = self.members
        while mask and len(into) < want:
            low = mask & -mask
            mask ^= low
            into.append(members[(low.bit_length() - 1 + offset) % size])


def bit_values(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        mask ^= low
        out.append(low)
    return out


def at_least(counter: list[int], value: int) -> int:
    """Bitmask of the members whose bit-sliced count (bits 0..2 of `counter`) is >= value."""
    greater, equal = 0, -1
    for k in range(2, -1, -1):
        if value >> k & 1:
            equal &= counter[k]
        else:
            greater |= equal & counter[k]
            equal &= ~counter[k]
    return greater | (equal if value else -1)


class Graph:
    """The round's members (shuffled by the seed: node numbers break ties) with their edges and weights."""

    def __init__(self, candidates: Sequence[Candidate], history: Mapping[frozenset[str], int],
                 session_slots: int, max_candidates: int, seed: int) -> None:
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
        self.members = [Member(c, run_starts(c.slots, session_slots), i, sum(bit[t] for t in c.tracks))
                        for i, c in enumerate(ordered)]
        node = {m.cand.id: m.node for m in self.members}
        for key, ago in history.items():
            if len(key) == 2:
                a, b = (node.get(x) for x in key)
                if a is not None and b is not None:
                    self.members[a].met[b] = self.members[b].met[a] = ago
        self.window = recency_window(len(ordered))
        self.max_candidates = max_candidates


    # weights
    def recent(self, a: Member, b: Member) -> bool:
        ago = a.met.get(b.node)
        return ago is not None and ago <= self.window

    def weight(self, a: Member, b: Member) -> int:
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
    def compatible(a: Member, b: Member) -> bool:
        return bool(a.starts & b.starts and a.tracks & b.tracks)

    # edges
    @staticmethod
    def buckets(members: Sequence[Member]) -> dict[int, Bucket]:
        """Members with a session start by track bit (a member is in the bucket of each of its tracks)."""
        out: dict[int, Bucket] = {}
        for m in members:
            if m.starts:
                for bit in bit_values(m.tracks):
                    out.setdefault(bit, Bucket()).add(m)
        return out

    def fresh_edges(self, group: list[Member]) -> dict[tuple[int, int], int]:
        """Every compatible non-recent edge inside `group` (the exact graph), found through track buckets."""
        buckets = self.buckets(group)
        out: dict[tuple[int, int], int] = {}
        window = self.window
        weight = self.weight
        for a in group:
            node, met = a.node, a.met
            for bit in bit_values(a.tracks) if a.starts else ():
                for b in buckets[bit].sharing(a, above=node):
                    key = (node, b.node)
                    if key not in out:
                        ago = met.get(b.node)
                        if ago is None or ago > window:
                            out[key] = weight(a, b)
        return out

    def recent_edges(self, group: list[Member]) -> dict[tuple[int, int], int]:
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

    def sparse_edges(self, level: int, other: int, keep: int,
                     by_level: dict[int, dict[int, Bucket]]) -> dict[tuple[int, int], int]:
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
            mine = [buckets[bit] for bit in bit_values(a.tracks) if bit in buckets]
            offsets = [self.rng.randrange(len(bucket.members)) for bucket in mine]
            found: list[Member] = []
            if best:
                counts = [bucket.counts(a) for bucket in mine]
                taken = [0] * len(mine)
                for tier in TIERS:
                    for i, bucket in enumerate(mine):
                        mask = (at_least(counts[i], tier) | counts[i][3]) & ~taken[i]
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
