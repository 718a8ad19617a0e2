"""Community packs: question files an admin added for their community only.

Every add is a new row (a version); the newest row of a name is the pack, unless it was removed. Old
versions and removed packs stay, so a question already posted from them can still be revealed.

Portability: plain SQL; a PostgreSQL implementation changes `?` to `$n` and reads the new id from
`INSERT ... RETURNING id` instead of `cursor.lastrowid`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, from_db, opt_from_db, to_db


@dataclass(frozen=True, slots=True)
class PackRow:
    id: int
    community: str
    name: str
    source_format: str
    items: str  # the pack in our own YAML, exactly as validated
    item_count: int
    added_by: str
    added_at: datetime
    removed_at: datetime | None
    #: the items as the JSON the schema validated, one per line, and that schema's key (None: from before)
    items_json: str | None = None
    schema_key: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


_COLS = "id, community, name, source_format, items, item_count, added_by, added_at, removed_at, items_json, schema_key"


def _row(r: tuple[object, ...]) -> PackRow:
    return PackRow(int(str(r[0])), str(r[1]), str(r[2]), str(r[3]), str(r[4]), int(str(r[5])), str(r[6]),
                   from_db(str(r[7])), opt_from_db(None if r[8] is None else str(r[8])),
                   None if r[9] is None else str(r[9]), None if r[10] is None else str(r[10]))


class PackRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, community: str, name: str, source_format: str, items: str, item_count: int,
                  added_by: str, now: datetime, items_json: str | None = None,
                  schema_key: str | None = None) -> PackRow:
        def w(c: sqlite3.Connection) -> PackRow:
            cur = c.execute(
                "INSERT INTO community_packs (community, name, source_format, items, item_count, added_by, added_at,"
                " items_json, schema_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (community, name, source_format, items, item_count, added_by, to_db(now), items_json, schema_key),
            )
            return PackRow(int(cur.lastrowid or 0), community, name, source_format, items, item_count, added_by,
                           now, None, items_json, schema_key)

        return await self._db.write(w)

    async def remove(self, community: str, name: str, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute("UPDATE community_packs SET removed_at = ? "
                            "WHERE community = ? AND name = ? AND removed_at IS NULL", (to_db(now), community, name))
            return cur.rowcount > 0

        return await self._db.write(w)

    async def versions(self, community: str) -> list[PackRow]:
        """Every version of every pack of the community, oldest first."""

        def q(c: sqlite3.Connection) -> list[PackRow]:
            rows = c.execute(f"SELECT {_COLS} FROM community_packs WHERE community = ? ORDER BY id",
                             (community,)).fetchall()
            return [_row(r) for r in rows]

        return await self._db.read(q)

    async def fingerprint(self, community: str) -> tuple[int, int, int]:
        """Changes whenever a pack of the community is added or removed (by any process)."""

        def q(c: sqlite3.Connection) -> tuple[int, int, int]:
            row = c.execute("SELECT COUNT(*), COALESCE(MAX(id), 0), COUNT(removed_at) FROM community_packs "
                            "WHERE community = ?", (community,)).fetchone()
            return int(row[0]), int(row[1]), int(row[2])

        return await self._db.read(q)


def current(versions: list[PackRow]) -> dict[str, PackRow]:
    """The pack of each name: its newest version, when that is not removed."""
    newest: dict[str, PackRow] = {}
    for row in versions:
        newest[row.name] = row
    return {name: row for name, row in newest.items() if row.active}


async def every_pack(db: Database) -> list[PackRow]:
    """Every version of every pack in the database, by community then age (for the host's CLI)."""

    def q(c: sqlite3.Connection) -> list[PackRow]:
        rows = c.execute(f"SELECT {_COLS} FROM community_packs ORDER BY community, id").fetchall()
        return [_row(r) for r in rows]

    return await db.read(q)
