"""Which question a community gets next: unseen, rotating through its topics, honouring its difficulty mix."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING

from bot.content.bank import Bank, Entry
from bot.content.item import Item
from bot.content.vocabulary import Difficulty, Domain

if TYPE_CHECKING:  # the daily feature imports this module
    from bot.features.daily.settings import DailySchedule


def _order_key(community: str, item_id: str) -> bytes:
    """A per-community shuffle that is the same in every process and after every restart."""
    return hashlib.blake2b(f"{community}\0{item_id}".encode(), digest_size=8).digest()


def pick_daily(bank: Bank, settings: DailySchedule, history: list[str],
               pack_ids: frozenset[str] = frozenset()) -> Item | None:
    """The next daily item given the ids already posted (oldest first); None for an empty bank.

    `pack_ids` are the community's own pack items: `settings.question_source` says whether they come
    first, mixed, or alone (with no usable pack item, every source falls back to the whole bank).
    """
    eligible = bank.select(domains=settings.topics, checklist_only=True)
    if not eligible:
        return None
    used = set(history)
    own = [it for it in eligible if it.id in pack_ids]
    if own and settings.question_source == "packs":
        eligible = own
    elif settings.question_source == "packs-first" and any(it.id not in used for it in own):
        eligible = own
    fresh = [it for it in eligible if it.id not in used]
    if not fresh:  # everything was seen: start again with the longest-unseen items
        last_seen = {item_id: n for n, item_id in enumerate(history)}
        oldest = min(last_seen.get(it.id, -1) for it in eligible)
        fresh = [it for it in eligible if last_seen.get(it.id, -1) == oldest]
    past = [it for it in (bank.entry(i) for i in history) if it is not None]
    domain = _next_domain(fresh, past)
    in_domain = [it for it in fresh if it.domain == domain]
    difficulty = _next_difficulty(in_domain, past, settings)
    pool = [it for it in in_domain if it.difficulty == difficulty] or in_domain
    return bank.get(min(pool, key=lambda it: _order_key(settings.community, it.id)).id)


def _next_domain(fresh: list[Entry], past: list[Entry]) -> Domain:
    """The available domain used longest ago (never used first); ties in a fixed order."""
    last_used = {it.domain: n for n, it in enumerate(past)}
    available = sorted({it.domain for it in fresh}, key=lambda d: list(Domain).index(d))
    return min(available, key=lambda d: last_used.get(d, -1))


def _next_difficulty(pool: list[Entry], past: list[Entry], settings: DailySchedule) -> Difficulty:
    """The difficulty furthest below its target share so far, among those the pool has."""
    weights = {d: w for d, w in settings.difficulty_mix if w > 0}
    present = {it.difficulty for it in pool}
    candidates = [d for d in Difficulty if d in weights and d in present] or sorted(
        present, key=lambda d: list(Difficulty).index(d))
    total_w = sum(weights.values()) or 1
    counts = Counter(it.difficulty for it in past)
    n = len(past) + 1

    def deficit(d: Difficulty) -> float:
        return weights.get(d, 0) / total_w - counts[d] / n

    return max(candidates, key=lambda d: (deficit(d), -list(Difficulty).index(d)))
