"""The mock-interview pairing engine: properties over random pools (hypothesis) and hand-checked rounds."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.mock.pair_model import Candidate, Pairing, recency_window
from bot.features.mock.pairing import candidate_edges, pair
from bot.features.mock.session_times import run_starts, session_starts

DAY = 48


def cand(id: str, tracks: str = "ml", level: int = 1, slots: Sequence[int] = (36, 37, 38), waited: int = 0,
         ) -> Candidate:
    return Candidate(id, frozenset(tracks.split(",")), level, frozenset(slots), waited)


def groups_of(result: Pairing) -> set[tuple[str, ...]]:
    return {g.members for g in result.groups}


def met(*pairs: tuple[str, str, int]) -> dict[frozenset[str], int]:
    return {frozenset((a, b)): ago for a, b, ago in pairs}


# -------------------------------------------------------------------------------------- properties

@st.composite
def pools(draw: st.DrawFn, max_size: int = 24) -> tuple[list[Candidate], dict[frozenset[str], int], int]:
    n = draw(st.integers(0, max_size))
    session = draw(st.integers(1, 3))
    pool = []
    for i in range(n):
        tracks = draw(st.frozensets(st.sampled_from("abc"), max_size=2))
        runs = draw(st.lists(st.tuples(st.integers(0, 3 * DAY), st.integers(1, 6)), max_size=3))
        slots = frozenset(s for start, length in runs for s in range(start, min(start + length, 336)))
        pool.append(Candidate(f"m{i}", tracks, draw(st.integers(0, 2)), slots, draw(st.sampled_from((0, 0, 0, 1)))))
    history: dict[frozenset[str], int] = {}
    if n >= 2:
        for a, b, ago in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                                 st.integers(1, 10)), max_size=3 * n)):
            if a != b:
                history[frozenset((f"m{a}", f"m{b}"))] = ago
    return pool, history, session


def check_round(pool: list[Candidate], history: Mapping[frozenset[str], int], session: int,
                result: Pairing) -> None:
    by_id = {c.id: c for c in pool}
    window = recency_window(len(pool))
    assert result.window == window

    def recent(a: str, b: str) -> bool:
        return history.get(frozenset((a, b)), window + 1) <= window

    def fresh_edge(a: str, b: str) -> bool:
        x, y = by_id[a], by_id[b]
        return bool(x.tracks & y.tracks) and bool(run_starts(x.slots & y.slots, session)) and not recent(a, b)

    # nobody twice in a round, nobody lost
    placed = [m for g in result.groups for m in g.members] + list(result.waiting)
    assert sorted(placed) == sorted(by_id)
    for g in result.groups:
        members = [by_id[m] for m in g.members]
        assert len(members) in (2, 3)
        # a shared track and a real consecutive common run
        assert all(g.track in m.tracks for m in members)
        assert g.overlap == frozenset.intersection(*(m.slots for m in members))
        assert run_starts(g.overlap, session), g
        pairs_inside = list(itertools.combinations(g.members, 2))
        assert g.repeat == any(recent(a, b) for a, b in pairs_inside)
        if len(members) == 3:
            # the member added to the pair met neither of the others recently
            assert sum(recent(a, b) for a, b in pairs_inside) <= 1
    trios = [g for g in result.groups if len(g.members) == 3]
    assert len(trios) <= 1
    if trios:
        assert len(pool) % 2 == 1
    # a repeat only when nothing else was possible: no fresh edge joins two members who are waiting or in
    # (different) repeat pairs
    exposed = [(m, i) for i, g in enumerate(result.groups) if g.repeat and len(g.members) == 2 for m in g.members]
    exposed += [(m, -1 - i) for i, m in enumerate(result.waiting)]
    for (a, ga), (b, gb) in itertools.combinations(exposed, 2):
        if ga != gb:
            assert not fresh_edge(a, b), (a, b)


@settings(max_examples=300, deadline=None)
@given(pools(), st.integers(0, 3))
def test_every_round_keeps_the_rules(case: tuple[list[Candidate], dict[frozenset[str], int], int],
                                     seed: int) -> None:
    pool, history, session = case
    result = pair(pool, history, session_slots=session, seed=seed)
    check_round(pool, history, session, result)


@settings(max_examples=200, deadline=None)
@given(pools(), st.integers(1, 4), st.integers(2, 6))
def test_the_sparse_graph_keeps_the_same_rules(case: tuple[list[Candidate], dict[frozenset[str], int], int],
                                               max_candidates: int, chunk: int) -> None:
    """The path for big pools (best candidates only, matched in shifted chunks), forced on small pools."""
    pool, history, session = case
    result = pair(pool, history, session_slots=session, max_candidates=max_candidates, exact_limit=0,
                  chunk=chunk)
    check_round(pool, history, session, result)
    edges = candidate_edges(pool, history, session_slots=session)
    assert all(edges[g.members] == g.weight for g in result.groups if len(g.members) == 2 and not g.repeat)


@settings(max_examples=200, deadline=None)
@given(pools(), st.integers(0, 1000), st.randoms(use_true_random=False))
def test_deterministic_for_a_seed_whatever_the_input_order(
        case: tuple[list[Candidate], dict[frozenset[str], int], int], seed: int, rnd: random.Random) -> None:
    pool, history, session = case
    first = pair(pool, history, session_slots=session, seed=seed)
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    assert pair(shuffled, dict(reversed(history.items())), session_slots=session, seed=seed) == first
    assert pair(pool, history, session_slots=session, seed=seed, exact_limit=0, chunk=3) == \
        pair(shuffled, history, session_slots=session, seed=seed, exact_limit=0, chunk=3)


@settings(max_examples=150, deadline=None)
@given(pools(max_size=8).filter(lambda c: len(c[0]) % 2 == 0))
def test_fresh_pairs_are_a_maximum_matching_of_maximum_weight(
        case: tuple[list[Candidate], dict[frozenset[str], int], int]) -> None:
    """Brute force over every matching of the fresh graph: most pairs first, then the most weight."""
    pool, history, session = case
    edges = candidate_edges(pool, history, session_slots=session)
    ids = sorted(c.id for c in pool)

    def best(rest: list[str]) -> tuple[int, int]:
        if not rest:
            return (0, 0)
        head, tail = rest[0], rest[1:]
        options = [best(tail)]
        for other in tail:
            w = edges.get((head, other))
            if w is not None:
                n, total = best([x for x in tail if x != other])
                options.append((n + 1, total + w))
        return max(options)

    result = pair(pool, history, session_slots=session)
    fresh = [g for g in result.groups if not g.repeat]
    assert all(len(g.members) == 2 for g in fresh)  # an even pool has no trio
    assert (len(fresh), sum(g.weight for g in fresh)) == best(ids)


# --------------------------------------------------------------------------------- hand-checked rounds

def test_a_pair_needs_a_shared_track_and_consecutive_common_slots() -> None:
    assert groups_of(pair([cand("a"), cand("b")], {})) == {("a", "b")}
    # common slots 36 and 38 only: no two consecutive
    split = pair([cand("a", slots=(36, 38)), cand("b", slots=(36, 37, 38)), ], {})
    assert split.groups == () and split.waiting == ("a", "b")
    assert pair([cand("a", tracks="ml"), cand("b", tracks="coding")], {}).waiting == ("a", "b")
    # a longer session needs a longer run
    assert pair([cand("a"), cand("b")], {}, session_slots=3).groups != ()
    assert pair([cand("a"), cand("b")], {}, session_slots=4).groups == ()


def test_the_group_carries_its_track_and_overlap() -> None:
    result = pair([cand("a", tracks="ml,coding", slots=range(30, 40)), cand("b", tracks="coding,system",
                                                                              slots=range(35, 45))], {})
    (g,) = result.groups
    assert g.members == ("a", "b") and g.track == "coding" and g.overlap == frozenset(range(35, 40))
    assert not g.repeat and result.waiting == ()


def test_close_levels_are_preferred() -> None:
    pool = [cand("j1", level=0), cand("s1", level=2), cand("j2", level=0), cand("s2", level=2)]
    assert groups_of(pair(pool, {})) == {("j1", "j2"), ("s1", "s2")}
    pool = [cand("j", level=0), cand("m", level=1), cand("s", level=2), cand("s2", level=2)]
    assert groups_of(pair(pool, {})) == {("j", "m"), ("s", "s2")}


def test_more_overlap_is_preferred() -> None:
    pool = [cand("a", slots=range(0, 10)), cand("b", slots=range(0, 10)), cand("c", slots=range(0, 2)),
            cand("d", slots=range(0, 2))]
    assert groups_of(pair(pool, {})) == {("a", "b"), ("c", "d")}


def test_recent_partners_are_avoided_and_old_ones_come_last() -> None:
    pool = [cand(x) for x in "abcd"]
    assert recency_window(4) == 1
    result = pair(pool, met(("a", "b", 1), ("c", "d", 1)))
    assert groups_of(result) == {("a", "c"), ("b", "d")} or groups_of(result) == {("a", "d"), ("b", "c")}
    assert not any(g.repeat for g in result.groups)
    # met two rounds ago: outside the window, allowed but never-met partners weigh more
    for seed in range(5):
        result = pair(pool, met(("a", "b", 2), ("c", "d", 2), ("a", "c", 3), ("b", "d", 3)), seed=seed)
        assert groups_of(result) == {("a", "d"), ("b", "c")}


def test_a_repeat_only_when_nothing_else_is_possible() -> None:
    # two members who met last round: the only possible partner, so a flagged repeat
    result = pair([cand("a"), cand("b")], met(("a", "b", 1)))
    assert [(g.members, g.repeat) for g in result.groups] == [(("a", "b"), True)]
    # a and b met; c and d share no track with each other but each fits a and b
    pool = [cand("a", tracks="ml,coding"), cand("b", tracks="ml,coding"), cand("c", tracks="ml"),
            cand("d", tracks="coding")]
    result = pair(pool, met(("a", "b", 1)))
    assert groups_of(result) in ({("a", "c"), ("b", "d")}, {("a", "d"), ("b", "c")})
    assert not any(g.repeat for g in result.groups)
    # among several recent partners, the one met longest ago
    pool = [cand(x) for x in "abcdef"]
    assert recency_window(6) == 2
    history = met(*((x, y, 1) for x, y in itertools.combinations("abcdef", 2)))
    history.update(met(("a", "b", 2), ("c", "d", 2), ("e", "f", 2)))
    result = pair(pool, history)
    assert groups_of(result) == {("a", "b"), ("c", "d"), ("e", "f")} and all(g.repeat for g in result.groups)


def test_the_window_grows_with_the_pool() -> None:
    assert [recency_window(n) for n in (0, 2, 3, 4, 5, 6, 8, 10, 17, 18, 100, 5000)] == \
        [1, 1, 1, 1, 1, 2, 3, 4, 7, 8, 8, 8]
    pool = [cand(f"m{i}") for i in range(18)]
    history = met(("m0", "m1", 8))
    assert ("m0", "m1") not in groups_of(pair(pool, history))


def test_an_odd_member_joins_a_trio_or_waits() -> None:
    result = pair([cand("a"), cand("b"), cand("c")], {})
    assert [g.members for g in result.groups] == [("a", "b", "c")] and result.waiting == ()
    assert result.groups[0].weight == sum(candidate_edges([cand("a"), cand("b"), cand("c")], {}).values())
    # c shares a track with a only: no trio, c waits
    result = pair([cand("a", tracks="ml,coding"), cand("b", tracks="ml"), cand("c", tracks="coding")], {})
    assert groups_of(result) in ({("a", "b")}, {("a", "c")}) and len(result.waiting) == 1
    # c shares a track with both but no common run of all three
    result = pair([cand("a", slots=range(0, 20)), cand("b", slots=range(0, 4)), cand("c", slots=range(10, 14))], {})
    assert len(result.groups) == 1 and len(result.groups[0].members) == 2 and len(result.waiting) == 1
    # c met b last round: c is not pushed onto the pair, c waits
    result = pair([cand("a", level=0), cand("b", level=0), cand("c", level=2)], met(("b", "c", 1)))
    assert groups_of(result) == {("a", "b")} and result.waiting == ("c",)


def test_an_even_pool_never_gets_a_trio() -> None:
    # a, b and c could meet as a trio, d fits nobody: with four candidates one of a, b, c waits with d
    result = pair([cand("a"), cand("b"), cand("c"), cand("d", tracks="coding")], {})
    assert len(result.groups) == 1 and len(result.groups[0].members) == 2
    assert len(result.waiting) == 2 and "d" in result.waiting


def test_who_waited_last_round_is_first_in_line() -> None:
    pool = [cand("a", level=0, tracks="ml,coding"), cand("b", level=0, tracks="ml"),
            cand("c", level=2, tracks="coding")]
    assert groups_of(pair(pool, {})) == {("a", "b")}
    pool[2] = cand("c", level=2, tracks="coding", waited=1)
    assert groups_of(pair(pool, {})) == {("a", "c")}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        pair([cand("a"), cand("a")], {})
    with pytest.raises(ValueError, match="level"):
        pair([cand("a", level=3)], {})
    with pytest.raises(ValueError, match=r"not in 0\.\.335"):
        pair([cand("a", slots=(336,))], {})
    with pytest.raises(ValueError, match="session_slots"):
        pair([], {}, session_slots=0)
    assert pair([], {}) == Pairing((), (), 1, 0)


# ---------------------------------------------------------------------------------- session starts

def test_session_starts_spread_over_days() -> None:
    overlap = frozenset([*range(36, 42), *range(DAY + 36, DAY + 40), *range(2 * DAY + 20, 2 * DAY + 22),
                         *range(3 * DAY + 10, 3 * DAY + 11)])
    assert session_starts(overlap, 2) == [36, DAY + 36, 2 * DAY + 20]
    # five days with a start, three wanted: evenly spread, first and last included
    five = frozenset(s for d in range(5) for s in (d * DAY + 40, d * DAY + 41))
    assert session_starts(five, 2) == [40, 2 * DAY + 40, 4 * DAY + 40]
    # on each day the start of its longest run
    assert session_starts(frozenset([10, 11, 20, 21, 22, 23]), 2, count=1) == [20]


def test_session_starts_fill_from_one_day_without_overlapping() -> None:
    assert session_starts(frozenset(range(36, 42)), 2) == [36, 38, 40]
    assert session_starts(frozenset(range(36, 41)), 2) == [36, 39]
    assert session_starts(frozenset(range(36, 38)), 2) == [36]
    assert session_starts(frozenset(range(36, 38)), 3) == []
    assert session_starts(frozenset(range(36, 42)), 2, count=0) == []


def test_session_starts_never_wrap_the_week_and_respect_not_before() -> None:
    assert session_starts(frozenset({335, 0}), 2) == []
    overlap = frozenset([*range(10, 14), *range(DAY + 10, DAY + 14)])
    assert session_starts(overlap, 2, not_before=12) == [12, DAY + 10, DAY + 12]
