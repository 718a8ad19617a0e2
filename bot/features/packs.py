"""Community packs: an admin adds questions only their community sees.

A pack is validated exactly like the shared bank (schema, per-kind rules, duplicate and near-duplicate
prompts, against the shared bank and the community's other packs too) and is refused whole, with every
problem listed, or stored whole. It is stored in the database in our own format, so it survives restarts
and every process sees it. Reference solutions of coding items in a pack are not executed: a pack comes
from a chat member, and running their code on the host would hand them the machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot import markup as mk
from bot.content.bank import Bank, item_json
from bot.content.files import schema_key
from bot.content.item import Item, item_from_data
from bot.content.pack_rules import pack_source
from bot.content.problems import BankError, Problem
from bot.content.vocabulary import Domain
from bot.store.packs import PackRow, current
from bot.store.protocols import PackStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommunityBank:
    """The questions one community can meet."""

    #: the shared bank and this community's active packs: where new questions are picked from
    pickable: Bank
    #: ids of this community's active pack items (the picker can prefer them)
    pack_ids: frozenset[str] = frozenset()
    #: items of packs since replaced or removed, so questions already posted from them still resolve
    retired: dict[str, Item] = field(default_factory=dict)

    def get(self, item_id: str) -> Item | None:
        return self.pickable.get(item_id) or self.retired.get(item_id)


@dataclass(frozen=True, slots=True)
class PackSummary:
    row: PackRow
    items: tuple[Item, ...]
    replaced: bool

    @property
    def daily_ready(self) -> int:
        return sum(1 for it in self.items if it.has_checklist)


class Packs:
    def __init__(self, base: Bank, repo: PackStore) -> None:
        self._base = base
        self._repo = repo
        self._cache: dict[str, tuple[tuple[int, int, int], CommunityBank]] = {}

    async def bank_for(self, community: str) -> CommunityBank:
        """The community's bank; one small read to notice packs added or removed by any process."""
        mark = await self._repo.fingerprint(community)
        cached = self._cache.get(community)
        if cached is not None and cached[0] == mark:
            return cached[1]
        bank = CommunityBank(self._base) if mark[0] == 0 else self._build(await self._repo.versions(community))
        self._cache[community] = (mark, bank)
        return bank

    async def item(self, community: str, item_id: str | None) -> Item | None:
        """An item by id: the shared bank needs no read; a pack item is looked up in the community's packs."""
        if not item_id:
            return None
        return self._base.get(item_id) or (await self.bank_for(community)).get(item_id)

    def _build(self, versions: list[PackRow]) -> CommunityBank:
        active = current(versions)
        retired: dict[str, Item] = {}
        for row in versions:
            if active.get(row.name) is not row:
                retired.update((it.id, it) for it in _stored_items(row))
        pack_items = [it for row in active.values() for it in _stored_items(row)]
        for it in pack_items:
            retired.pop(it.id, None)
        return CommunityBank(self._base.merged(pack_items), frozenset(it.id for it in pack_items), retired)

    async def active(self, community: str) -> list[PackRow]:
        return sorted(current(await self._repo.versions(community)).values(), key=lambda r: r.name)

    def validate(self, name: str, text: str, fmt: str, domain: Domain | None,
                 others: list[tuple[str, Item]]) -> list[Item]:
        """The pack's items, or BankError with every problem (bot.content.pack_check.pack_problems, the same
        check as `studybot content check --pack`). `others`: the community's other packs, with their source.
        Pure CPU on data nobody changes (a quarter of a second against the whole bank): `add` and `check`
        run it in a worker thread, so members' requests go on meanwhile."""
        from bot.content.pack_check import pack_problems  # the parsers, imported when a pack is first checked

        items, problems = pack_problems(name, text, fmt, domain, self._base.items, others)
        if problems:
            raise BankError(problems)
        return items

    async def others(self, community: str, name: str) -> list[tuple[str, Item]]:
        """The items of the community's active packs other than `name`, each with its source."""
        return [(pack_source(row.name), it) for row in await self.active(community) if row.name != name
                for it in _stored_items(row)]

    async def check(self, community: str, name: str, text: str, fmt: str,
                    domain: Domain | None) -> tuple[list[Item], list[Problem]]:
        """What `add` would store and every reason it would refuse, without storing anything."""
        name = name.strip().casefold()
        others = await self.others(community, name)

        def problems() -> tuple[list[Item], list[Problem]]:  # the bank's items are made in the thread too
            from bot.content.pack_check import pack_problems

            return pack_problems(name, text, fmt, domain, self._base.items, others)

        return await asyncio.to_thread(problems)

    async def add(self, community: str, name: str, text: str, fmt: str, domain: Domain | None,
                  added_by: str, now: datetime) -> PackSummary:
        """Validate and store a pack (a new version when the name exists); BankError refuses it whole."""
        name = name.strip().casefold()
        existing = await self.active(community)
        others = [(pack_source(row.name), it) for row in existing if row.name != name for it in _stored_items(row)]
        items = await asyncio.to_thread(self.validate, name, text, fmt, domain, others)
        from bot.content.formats import export_studybot

        stored = export_studybot(items)
        as_json = "\n".join(item_json(it).decode() for it in items)
        row = await self._repo.add(community, name, fmt, stored, len(items), added_by, now, as_json, schema_key())
        return PackSummary(row, tuple(items), replaced=any(r.name == name for r in existing))

    async def remove(self, community: str, name: str, now: datetime) -> bool:
        return await self._repo.remove(community, name.strip().casefold(), now)


def _stored_items(row: PackRow) -> list[Item]:
    """The pack's records: from the JSON the current schema validated when the pack was added, else (a pack
    stored before, or the schema has changed since) by validating its YAML again."""
    if row.items_json is not None and row.schema_key == schema_key():
        try:
            return [item_from_data(json.loads(line)) for line in row.items_json.splitlines() if line]
        except (ValueError, KeyError, TypeError) as exc:  # a damaged row: its YAML is still there
            log.warning("%s: stored pack %s: its JSON does not read (%s); validating its YAML again",
                        row.community, row.name, exc)
    from bot.content.loader import parse_items  # the schema, imported only for such a pack

    items, problems = parse_items(row.items, f"pack {row.name}")
    if problems:  # only validated packs are stored; a later, stricter schema could still reject one
        log.error("%s: stored pack %s no longer validates, so it is left out: %s", row.community, row.name,
                  "; ".join(str(p) for p in problems[:5]))
        return []
    return items


def added_text(summary: PackSummary) -> str:
    n = len(summary.items)
    verb = "Replaced" if summary.replaced else "Added"
    daily = summary.daily_ready
    rest = n - daily
    later = (f" {rest} other{'s' * (rest != 1)} (multiple choice or short answer) will be used by quizzes."
             if rest else "")
    return (f"{verb} pack {mk.code(summary.row.name)}: {n} question{'s' * (n != 1)}, only this community sees "
            f"them. {daily} can be daily questions.{later}")
