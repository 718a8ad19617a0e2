"""Which items a quiz asks: never seen first, then the ones seen longest ago; a race draws at random."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from bot.content.bank import Pickable
from bot.content.vocabulary import Difficulty

P = TypeVar("P", bound=Pickable)

_ORDER = {Difficulty.EASY: 0, Difficulty.MEDIUM: 1, Difficulty.HARD: 2}


def pick_for_member(pool: list[P], count: int, last_seen: Mapping[str, datetime], rng: random.Random,
                    mixed: bool) -> list[P]:
    """`count` items of `pool`: items the member has not seen come first (in random order), then those seen
    longest ago, so nothing seen recently repeats while unseen ones remain. A mixed quiz runs easy to hard."""
    never = [it for it in pool if it.id not in last_seen]
    rng.shuffle(never)
    seen = sorted((it for it in pool if it.id in last_seen), key=lambda it: last_seen[it.id])
    chosen = (never + seen)[:count]
    if mixed:
        chosen.sort(key=lambda it: _ORDER[it.difficulty])
    return chosen


def pick_for_race(pool: list[P], count: int, rng: random.Random) -> list[P]:
    return rng.sample(pool, min(count, len(pool)))
