"""A bounded map whose entries expire: what an adapter keeps in memory about an interaction it may
still use for a while (a Discord interaction token for 15 minutes, a Slack response_url for 30).

Memory only, on purpose: those tokens die with the platform's window anyway, and after a restart the
core is told "no longer possible" (False), never something false. Bounded so that a busy process
cannot grow it without limit: past `capacity` the entry closest to expiry goes first.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringMap(Generic[V]):
    def __init__(self, capacity: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        #: seconds, monotonic by default; tests move it
        self.clock = clock
        self._items: dict[str, tuple[float, int, V]] = {}  # key -> (expires_at, put number, value)
        #: a heap of (expires_at, put number, key); entries of replaced or removed puts are skipped
        self._expiry: list[tuple[float, int, str]] = []
        self._puts = itertools.count()

    def __len__(self) -> int:
        self._prune()
        return len(self._items)

    def put(self, key: str, value: V, lifetime: float) -> None:
        """Keep `value` under `key` for `lifetime` seconds from now (a later put replaces it)."""
        if lifetime <= 0:
            self._items.pop(key, None)
            return
        expires, seq = self.clock() + lifetime, next(self._puts)
        self._items[key] = (expires, seq, value)
        heapq.heappush(self._expiry, (expires, seq, key))
        self._prune()
        while len(self._items) > self.capacity:
            self._drop_soonest()

    def get(self, key: str) -> V | None:
        """The value, while it has not expired."""
        held = self._items.get(key)
        if held is None:
            return None
        if held[0] <= self.clock():
            del self._items[key]
            return None
        return held[2]

    def remaining(self, key: str) -> float:
        """Seconds the entry has left (0 when gone)."""
        held = self._items.get(key)
        return max(0.0, held[0] - self.clock()) if held is not None else 0.0

    def pop(self, key: str) -> V | None:
        held = self._items.pop(key, None)
        return held[2] if held is not None and held[0] > self.clock() else None

    def clear(self) -> None:
        self._items.clear()
        self._expiry.clear()

    def _live(self, entry: tuple[float, int, str]) -> bool:
        held = self._items.get(entry[2])
        return held is not None and held[1] == entry[1]

    def _drop_soonest(self) -> None:
        while self._expiry:
            entry = heapq.heappop(self._expiry)
            if self._live(entry):
                del self._items[entry[2]]
                return

    def _prune(self) -> None:
        now = self.clock()
        while self._expiry and (self._expiry[0][0] <= now or not self._live(self._expiry[0])):
            entry = heapq.heappop(self._expiry)
            if self._live(entry):
                del self._items[entry[2]]
        if len(self._expiry) > 4 * max(len(self._items), 64):  # replaced keys leave stale entries behind
            self._expiry = [e for e in self._expiry if self._live(e)]
            heapq.heapify(self._expiry)
