"""Community settings and members.

Portability: upserts are `INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col`, which PostgreSQL
runs unchanged. A PostgreSQL implementation changes `?` to `$n` and spells the null-safe comparison of
`set_admin_notice` (SQLite's `IS NOT ?`) as `IS DISTINCT FROM $n`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.community import CommunitySettings
from bot.store.db import Database, from_db, to_db


def _row_to_settings(row: sqlite3.Row | tuple[object, ...]) -> CommunitySettings:
    key, channel, tz, enabled, since = row
    return CommunitySettings(
        community=str(key),
        channel=None if channel is None else str(channel),
        timezone=str(tz),
        enabled=bool(enabled),
        active_since=None if since is None else from_db(str(since)),
    )


#: the row holds what every feature shares. Its older columns post_time, days, topics, difficulty_mix,
#: reveal_hours, grace_minutes and question_source were the daily question's schedule: core migration 9
#: copied them into `settings` (bot.features.daily.settings declares them), and they are no longer read or
#: written. They stay in place, with their defaults, for new rows too (see that migration for why).
_COLUMNS = "key, channel, timezone, enabled, active_since"


class CommunityRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> CommunitySettings | None:
        def q(c: sqlite3.Connection) -> CommunitySettings | None:
            row = c.execute(f"SELECT {_COLUMNS} FROM communities WHERE key = ?", (key,)).fetchone()
            return None if row is None else _row_to_settings(row)

        return await self._db.read(q)

    async def enabled(self) -> list[CommunitySettings]:
        def q(c: sqlite3.Connection) -> list[CommunitySettings]:
            rows = c.execute(f"SELECT {_COLUMNS} FROM communities WHERE enabled = 1 ORDER BY key").fetchall()
            return [_row_to_settings(r) for r in rows]

        return await self._db.read(q)

    async def save(self, s: CommunitySettings, now: datetime) -> None:
        values = (s.community, s.channel, s.timezone, int(s.enabled),
                  None if s.active_since is None else to_db(s.active_since), to_db(now))

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                f"""INSERT INTO communities ({_COLUMNS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, timezone = excluded.timezone,
                      enabled = excluded.enabled, active_since = excluded.active_since,
                      updated_at = excluded.updated_at""",
                (*values, values[-1]),
            )

        await self._db.write(w)

    async def set_admin_member(self, key: str, member: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE communities SET admin_member = ? WHERE key = ?", (member, key))

        await self._db.write(w)

    async def clear_admin_member(self, key: str, member: str) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE communities SET admin_member = NULL WHERE key = ? AND admin_member = ?",
                             (key, member)).rowcount > 0

        return await self._db.write(w)

    async def admin_member(self, key: str) -> str | None:
        def q(c: sqlite3.Connection) -> str | None:
            row = c.execute("SELECT admin_member FROM communities WHERE key = ?", (key,)).fetchone()
            return None if row is None or row[0] is None else str(row[0])

        return await self._db.read(q)

    async def set_admin_notice(self, key: str, notice: str | None) -> bool:
        """Record the problem an admin was told about; False when they were told this already."""

        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE communities SET admin_notice = ? WHERE key = ? AND admin_notice IS NOT ?",
                (notice, key, notice),
            )
            return cur.rowcount > 0

        return await self._db.write(w)


@dataclass(frozen=True, slots=True)
class Member:
    community: str
    id: str
    display_name: str
    timezone: str | None


class MemberRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def touch(self, community: str, member: str, display_name: str, now: datetime) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """INSERT INTO members (community, id, display_name, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (community, id) DO UPDATE SET display_name = excluded.display_name,
                     last_seen = excluded.last_seen""",
                (community, member, display_name[:100], to_db(now), to_db(now)),
            )

        await self._db.write(w)

    async def set_timezone(self, community: str, member: str, zone: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE members SET timezone = ? WHERE community = ? AND id = ?", (zone, community, member))

        await self._db.write(w)

    async def get(self, community: str, member: str) -> Member | None:
        def q(c: sqlite3.Connection) -> Member | None:
            row = c.execute(
                "SELECT display_name, timezone FROM members WHERE community = ? AND id = ?", (community, member)
            ).fetchone()
            return None if row is None else Member(community, member, row[0], row[1])

        return await self._db.read(q)

    async def records(self, community: str) -> dict[str, Member]:
        """Every member record here, by id: one query whatever their number (a community export)."""

        def q(c: sqlite3.Connection) -> dict[str, Member]:
            rows = c.execute("SELECT id, display_name, timezone FROM members WHERE community = ?",
                             (community,)).fetchall()
            return {str(r[0]): Member(community, str(r[0]), r[1], r[2]) for r in rows}

        return await self._db.read(q)

    async def names(self, community: str, ids: list[str]) -> dict[str, str]:
        def q(c: sqlite3.Connection) -> dict[str, str]:
            out: dict[str, str] = {}
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = c.execute(
                    f"SELECT id, display_name FROM members WHERE community = ? AND id IN ({marks})",
                    (community, *chunk),
                ).fetchall()
                out.update({r[0]: r[1] for r in rows})
            return out

        return await self._db.read(q)

    async def erase(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM members WHERE community = ? AND id = ?", (community, member)).rowcount

        return await self._db.write(w)
