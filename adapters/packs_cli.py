"""`studybot pack`: the host adds, lists and removes a community's question packs from the shell.

The same validation as `/studybot pack` in chat (a bad pack is refused whole); for packs too big to paste.
A running bot picks a change up at its next question, without a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.content.bank import Bank
from bot.content.item import Item
from bot.content.loader import BankError
from bot.content.pack_rules import guess_format, name_from_filename
from bot.content.vocabulary import Domain
from bot.features.packs import Packs, added_text
from bot.ids import Platform
from bot.markup import plain_text
from bot.store.communities import CommunityRepo
from bot.store.db import Database
from bot.store.packs import PackRepo, PackRow, current, every_pack


def _community(raw: str) -> str:
    platform, _, ident = raw.partition(":")
    if platform not in {p.value for p in Platform} or not ident:
        raise ValueError(f"'{raw}' is not a community; use platform:id, e.g. discord:123456789012345678")
    return raw


async def pack_command(args: argparse.Namespace, config: Config) -> int:
    from bot.bootstrap import load_default_bank

    try:
        community = _community(args.community) if getattr(args, "community", None) else None
    except ValueError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    db = Database(config.db)
    await db.open()
    try:
        repo = PackRepo(db)
        now = datetime.now(UTC)
        if community is not None and args.pack_command in ("add", "remove") \
                and await CommunityRepo(db).get(community) is None:
            print(f"studybot: no community {community} here: studybot has never been set up there (run "
                  "/studybot setup in it first), or the id is mistyped; nothing was changed", file=sys.stderr)
            return 2
        match args.pack_command:
            case "add":
                assert community is not None
                return await _add(Packs(load_default_bank(config), repo), community, args, now)
            case "remove":
                assert community is not None
                if await repo.remove(community, args.name.strip().casefold(), now):
                    print(f"removed pack {args.name} from {community}")
                    return 0
                print(f"studybot: {community} has no pack called {args.name}", file=sys.stderr)
                return 1
            case "list":
                return _list(await every_pack(db), community)
        print("studybot: use `studybot pack add|list|remove` (see --help)", file=sys.stderr)
        return 2
    finally:
        await db.close()


async def other_packs(config: Config, community: str, name: str) -> list[tuple[str, Item]]:
    """The items of the community's active packs other than `name`, as `pack add` compares a pack with
    them (for `studybot content check --pack FILE --community C`)."""
    db = Database(config.db)
    await db.open()
    try:
        return await Packs(Bank(()), PackRepo(db)).others(_community(community), name)
    finally:
        await db.close()


def _list(rows: list[PackRow], community: str | None) -> int:
    versions: dict[str, list[PackRow]] = {}
    for row in rows:
        if community is None or row.community == community:
            versions.setdefault(row.community, []).append(row)
    active = {key: current(rows_of) for key, rows_of in versions.items()}
    active = {key: packs for key, packs in active.items() if packs}
    if not active:
        print("no packs" + (f" in {community}" if community else ""))
    for key, packs in active.items():
        print(key)
        for r in sorted(packs.values(), key=lambda r: r.name):
            print(f"  {r.name}: {r.item_count} question{'s' * (r.item_count != 1)} ({r.source_format}), "
                  f"added {r.added_at:%Y-%m-%d %H:%M} UTC by {r.added_by}")
    return 0


async def _add(packs: Packs, community: str, args: argparse.Namespace, now: datetime) -> int:
    path = Path(args.file)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"studybot: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    name = args.name or name_from_filename(path.name)
    fmt = args.format or guess_format(path.suffix.casefold(), text)
    domain = Domain(args.topic) if args.topic else None
    try:
        summary = await packs.add(community, name, text, fmt, domain, "host", now)
    except BankError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"studybot: refused {path}: {len(exc.problems)} problem(s); nothing was added", file=sys.stderr)
        return 1
    print(plain_text(added_text(summary)))
    return 0
