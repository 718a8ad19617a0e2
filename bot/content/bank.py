"""The loaded question bank: lookup by id and selection by topic, kind and difficulty."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from bot.content.schema import Difficulty, Domain, Item, Kind


@dataclass(frozen=True)
class Bank:
    items: tuple[Item, ...]
    by_id: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {it.id: it for it in self.items})

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> Item | None:
        return self.by_id.get(item_id)

    def merged(self, extra: Iterable[Item]) -> Bank:
        """This bank plus a community pack (pack ids shadow nothing: they are prefixed on import)."""
        return Bank(self.items + tuple(extra))

    def select(
        self,
        *,
        domains: Collection[Domain] = (),
        kinds: Collection[Kind] = (),
        difficulties: Collection[Difficulty] = (),
        exclude_ids: Collection[str] = (),
        checklist_only: bool = False,
    ) -> list[Item]:
        """Items matching every given filter (an empty filter matches all), in bank order."""
        return [
            it
            for it in self.items
            if (not domains or it.domain in domains)
            and (not kinds or it.kind in kinds)
            and (not difficulties or it.difficulty in difficulties)
            and it.id not in exclude_ids
            and (not checklist_only or it.has_checklist)
        ]

    def counts(self) -> dict[str, Counter[str]]:
        return {
            "domain": Counter(it.domain.value for it in self.items),
            "kind": Counter(it.kind.value for it in self.items),
            "difficulty": Counter(it.difficulty.value for it in self.items),
        }
