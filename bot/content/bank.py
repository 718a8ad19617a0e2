"""The loaded question bank: what picking needs of every item (`Entry`), and each item whole by id.

Picking a question (the daily, a quiz, a mock packet) reads only an item's topic, kind, difficulty, level
and a few flags, so that is all the bank holds of each item as an object. The shared bank, read from the
start-up cache, keeps the rest of each item as its validated JSON, compressed (about a fifth of the
memory of the items as objects), and makes the record again on `get` (the last few asked for are kept). Items handed over whole (community packs, tests) are kept as they are.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.content.item import Item, item_data, item_from_data
from bot.content.vocabulary import TRACK_OF_DOMAIN, Difficulty, Domain, Kind, MockTrack, Seniority

#: how many items made again from their compressed JSON are kept as objects (what one packet, quiz or
#: daily round reads several times)
RECENT = 48


class Pickable(Protocol):
    """What picking reads of an item: an `Entry`, or an `Item` itself (packs, tests)."""

    @property
    def id(self) -> str: ...
    @property
    def domain(self) -> Domain: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def difficulty(self) -> Difficulty: ...
    @property
    def seniority(self) -> Seniority | None: ...
    @property
    def has_checklist(self) -> bool: ...
    @property
    def mock_ready(self) -> bool: ...
    @property
    def correct_index(self) -> int | None: ...
    @property
    def track(self) -> MockTrack: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """What picking needs of an item (the same names as on `Item`); the item itself is `Bank.get(id)`."""

    id: str
    domain: Domain
    kind: Kind
    difficulty: Difficulty
    seniority: Seniority | None
    has_checklist: bool
    mock_ready: bool
    #: the right choice's index of a multiple-choice item a quiz can ask; None for any other item
    correct_index: int | None

    @classmethod
    def of(cls, item: Item) -> Entry:
        return cls(item.id, item.domain, item.kind, item.difficulty, item.seniority, item.has_checklist,
                   item.mock_ready, item.correct_index)

    @property
    def track(self) -> MockTrack:
        return TRACK_OF_DOMAIN[self.domain]


def item_json(item: Item) -> bytes:
    """An item's JSON as the cache stores it and the bank packs it (unset fields left out)."""
    return json.dumps(item_data(item), ensure_ascii=False, separators=(",", ":")).encode()


def packed_row(data: bytes) -> tuple[Entry, bytes]:
    """A validated item's JSON (`item_json`) as `Bank.packed` takes it. It checks nothing: the JSON comes
    from the schema's output, through the cache that guards it (bot.content.cache)."""
    return Entry.of(item_from_data(json.loads(data))), zlib.compress(data, 6)


class _Packed:
    """Compressed items by id, and the few made again lately (shared by a bank and its merged copies)."""

    def __init__(self, bodies: Mapping[str, bytes]) -> None:
        self.bodies = bodies
        self.recent: OrderedDict[str, Item] = OrderedDict()

    def get(self, item_id: str) -> Item | None:
        """The item, kept among the recent ones (on the event loop only: this changes `recent`)."""
        item = self.recent.get(item_id)
        if item is not None:
            self.recent.move_to_end(item_id)
            return item
        item = self.make(item_id)
        if item is not None:
            self.recent[item_id] = item
            if len(self.recent) > RECENT:
                self.recent.popitem(last=False)
        return item

    def make(self, item_id: str) -> Item | None:
        """The item made again, touching nothing shared (safe in a worker thread)."""
        body = self.bodies.get(item_id)
        return None if body is None else item_from_data(json.loads(zlib.decompress(body)))


class Bank:
    """Items in bank order: `entries` to pick from, `get` for an item whole. A community's bank is the
    shared bank with its packs laid over it (`merged`), sharing the shared bank rather than copying it."""

    __slots__ = ("_entries", "_packed", "_under", "_whole")

    def __init__(self, items: Iterable[Item] = ()) -> None:
        self._whole: dict[str, Item] = {it.id: it for it in items}
        self._packed = _Packed({})
        self._entries: dict[str, Entry] = {it.id: Entry.of(it) for it in self._whole.values()}
        self._under: Bank | None = None

    @classmethod
    def packed(cls, rows: Iterable[tuple[Entry, bytes]]) -> Bank:
        """A bank of compressed items (`packed_row`), each with its entry: how the start-up cache loads one."""
        bank = cls()
        bodies: dict[str, bytes] = {}
        for entry, body in rows:
            bank._entries[entry.id] = entry
            bodies[entry.id] = body
        bank._packed = _Packed(bodies)
        return bank

    @property
    def entries(self) -> tuple[Entry, ...]:
        own = tuple(self._entries.values())
        return own if self._under is None else (*self._under.entries, *own)

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item whole, in bank order: for checks, exports and the cache. Serving code picks from
        `entries` and `get`s what it picked (making every compressed item again costs ~0.1 s). Safe in a
        worker thread: it leaves the recent items alone."""
        whole, packed = self._whole, self._packed
        own = tuple(it for it in (whole.get(i) or packed.make(i) for i in self._entries) if it is not None)
        return own if self._under is None else (*self._under.items, *own)

    def __len__(self) -> int:
        return len(self._entries) + (len(self._under) if self._under is not None else 0)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries or (self._under is not None and item_id in self._under)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def entry(self, item_id: str) -> Entry | None:
        found = self._entries.get(item_id)
        return found if found is not None or self._under is None else self._under.entry(item_id)

    def get(self, item_id: str) -> Item | None:
        whole = self._whole.get(item_id)
        if whole is not None:
            return whole
        found = self._packed.get(item_id)
        return found if found is not None or self._under is None else self._under.get(item_id)

    def merged(self, extra: Iterable[Item]) -> Bank:
        """This bank with a community's pack items over it. Pack ids are prefixed on import, so they
        shadow nothing; an id already here is left out rather than listed twice."""
        bank = Bank(it for it in extra if it.id not in self)
        bank._under = self
        return bank

    def select(
        self,
        *,
        domains: Collection[Domain] = (),
        kinds: Collection[Kind] = (),
        difficulties: Collection[Difficulty] = (),
        exclude_ids: Collection[str] = (),
        checklist_only: bool = False,
    ) -> list[Entry]:
        """Entries matching every given filter (an empty filter matches all), in bank order."""
        return [
            it
            for it in self.entries
            if (not domains or it.domain in domains)
            and (not kinds or it.kind in kinds)
            and (not difficulties or it.difficulty in difficulties)
            and it.id not in exclude_ids
            and (not checklist_only or it.has_checklist)
        ]

    def counts(self) -> dict[str, Counter[str]]:
        entries = self.entries
        return {
            "domain": Counter(it.domain.value for it in entries),
            "kind": Counter(it.kind.value for it in entries),
            "difficulty": Counter(it.difficulty.value for it in entries),
        }
