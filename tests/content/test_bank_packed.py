"""The shared bank as the bot holds it: entries to pick from and each item compressed until asked for.
It is the same bank as the items held whole (same entries, selections, counts, items and picks), in less
than half the memory."""

from __future__ import annotations

import json
import tracemalloc
from functools import cache

from fakes import make_item

from bot.community import CommunitySettings
from bot.content.bank import RECENT, Bank, Entry, item_json, packed_row
from bot.content.item import Item, item_from_data
from bot.content.loader import default_content_dir, load_bank
from bot.content.vocabulary import Difficulty, Domain, Kind
from bot.features.daily.settings import DailySchedule
from bot.features.picker import pick_daily


@cache
def shipped() -> tuple[Item, ...]:
    folder = default_content_dir()
    return load_bank([folder], root=folder, near_duplicates=False).items


def packed(items: tuple[Item, ...]) -> Bank:
    return Bank.packed(packed_row(item_json(it)) for it in items)


def test_a_packed_bank_is_the_same_bank_as_its_items_held_whole() -> None:
    items = shipped()
    whole, small = Bank(items), packed(items)
    assert small.entries == whole.entries == tuple(Entry.of(it) for it in items)
    assert small.items == whole.items == items
    assert len(small) == len(items) and items[7].id in small and "no-such-item" not in small
    assert small.get("no-such-item") is None and small.entry("no-such-item") is None
    assert small.counts() == whole.counts()
    for query in ({"domains": {Domain.MLOPS}}, {"kinds": {Kind.MULTIPLE_CHOICE}, "difficulties": {Difficulty.HARD}},
                  {"checklist_only": True, "exclude_ids": {items[0].id}}):
        assert small.select(**query) == whole.select(**query)  # type: ignore[arg-type]


def test_items_asked_for_again_and_again_stay_right_past_the_recent_ones() -> None:
    items = shipped()[: RECENT * 3]
    small = packed(items)
    for _ in range(2):
        for it in items:
            assert small.get(it.id) == it
    assert small.get(items[0].id) is small.get(items[0].id)  # the last few are kept, not made again


def test_the_daily_picks_are_the_same_from_a_packed_bank() -> None:
    items = shipped()
    whole, small = Bank(items), packed(items)
    settings = DailySchedule(CommunitySettings("discord:1", "general", enabled=True))
    history_whole: list[str] = []
    history_small: list[str] = []
    for _ in range(40):
        a, b = pick_daily(whole, settings, history_whole), pick_daily(small, settings, history_small)
        assert a is not None and a == b
        history_whole.append(a.id)
        history_small.append(b.id)


def test_a_merged_pack_sits_beside_the_packed_items() -> None:
    base = packed(tuple(make_item(n) for n in range(5)))
    ours = [make_item(100 + n, "mlops") for n in range(2)]
    merged = base.merged(ours)
    assert [e.id for e in merged.entries] == [*(e.id for e in base.entries), *(it.id for it in ours)]
    assert merged.get(ours[1].id) == ours[1] and merged.get("t-ml-algorithms-003") == make_item(3)
    assert len(base) == 5  # the shared bank itself is unchanged


def test_a_packed_bank_takes_less_than_half_the_memory() -> None:
    lines = [item_json(it) for it in shipped()]

    def traced(build: object) -> int:
        tracemalloc.start()
        try:
            kept = build()  # type: ignore[operator]
            size = tracemalloc.get_traced_memory()[0]
            del kept
            return size
        finally:
            tracemalloc.stop()

    whole = traced(lambda: Bank(item_from_data(json.loads(line)) for line in lines))  # the records, held whole
    small = traced(lambda: Bank.packed(packed_row(line) for line in lines))
    assert small < 0.5 * whole, (small, whole)
