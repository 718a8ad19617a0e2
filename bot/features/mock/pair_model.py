"""What the pairing engine takes and gives: candidates in; groups (pairs, at most one trio) and the
members left waiting out; and the recency window within which a past partner is avoided."""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_MAX = 8


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

