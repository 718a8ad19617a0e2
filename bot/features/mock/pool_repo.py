"""The pool's rows (profiles and drafts) on SQLite: part of MockRepo (repo.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.features.mock.model import Draft, Profile
from bot.features.mock.rows import PROFILE, draft_row, profile_row
from bot.store.db import Database, to_db


class PoolRepo:
    """Profiles and drafts (MockStore's pool methods)."""

    _db: Database

    async def profile(self, community: str, member: str) -> Profile | None:
        def q(c: sqlite3.Connection) -> Profile | None:
            row = c.execute(f"SELECT {PROFILE} FROM mock_profiles WHERE community = ? AND member = ?",
                            (community, member)).fetchone()
            return None if row is None else profile_row(row)

        return await self._db.read(q)

    async def profiles(self, community: str) -> list[Profile]:
        def q(c: sqlite3.Connection) -> list[Profile]:
            rows = c.execute(f"SELECT {PROFILE} FROM mock_profiles WHERE community = ? ORDER BY joined_at, member",
                             (community,)).fetchall()
            return [profile_row(r) for r in rows]

        return await self._db.read(q)

    async def save_profile(self, p: Profile, now: datetime) -> None:
        def w(c: sqlite3.Connection) -> None:
            _upsert_profile(c, p, now)

        await self._db.write(w)

    async def set_paused(self, community: str, member: str, paused: bool, until: datetime | None,
                         now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute(
                "UPDATE mock_profiles SET paused = ?, paused_until = ?, missed_in_row = "
                "CASE WHEN ? THEN missed_in_row ELSE 0 END, updated_at = ? WHERE community = ? AND member = ?",
                (int(paused), None if until is None else to_db(until), int(paused), to_db(now), community, member),
            ).rowcount == 1

        return await self._db.write(w)

    async def remove_profile(self, community: str, member: str) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            c.execute("DELETE FROM mock_drafts WHERE community = ? AND member = ?", (community, member))
            return c.execute("DELETE FROM mock_profiles WHERE community = ? AND member = ?",
                             (community, member)).rowcount == 1

        return await self._db.write(w)

    async def put_draft(self, d: Draft, now: datetime) -> Draft:
        """A new draft for the member, replacing any earlier one (so an older Confirm button is stale)."""

        def w(c: sqlite3.Connection) -> Draft:
            c.execute("DELETE FROM mock_drafts WHERE community = ? AND member = ?", (d.community, d.member))
            cur = c.execute(
                "INSERT INTO mock_drafts (community, member, tracks, level, zone, availability, cadence, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (d.community, d.member, ",".join(d.tracks), d.level, d.zone, d.availability, d.cadence, to_db(now)))
            return Draft(int(cur.lastrowid or 0), d.community, d.member, d.tracks, d.level, d.zone, d.availability,
                         d.cadence)

        return await self._db.write(w)

    async def draft(self, draft_id: int) -> Draft | None:
        def q(c: sqlite3.Connection) -> Draft | None:
            row = c.execute("SELECT id, community, member, tracks, level, zone, availability, cadence "
                            "FROM mock_drafts WHERE id = ?", (draft_id,)).fetchone()
            return None if row is None else draft_row(row)

        return await self._db.read(q)

    async def confirm_draft(self, draft_id: int, member: str, now: datetime) -> Profile | None:
        """The draft becomes the member's profile (active again) in one write; None if it is gone."""

        def w(c: sqlite3.Connection) -> Profile | None:
            row = c.execute("SELECT id, community, member, tracks, level, zone, availability, cadence "
                            "FROM mock_drafts WHERE id = ? AND member = ?", (draft_id, member)).fetchone()
            if row is None:
                return None
            d = draft_row(row)
            old = c.execute(f"SELECT {PROFILE} FROM mock_profiles WHERE community = ? AND member = ?",
                            (d.community, d.member)).fetchone()
            before = None if old is None else profile_row(old)
            p = Profile(d.community, d.member, d.tracks, d.level, d.zone, d.availability, d.cadence,
                        paused=before.paused if before else False,
                        paused_until=before.paused_until if before else None,
                        missed_in_row=before.missed_in_row if before else 0,
                        joined_at=before.joined_at if before else now)
            _upsert_profile(c, p, now)
            c.execute("DELETE FROM mock_drafts WHERE id = ?", (draft_id,))
            return p

        return await self._db.write(w)


def _upsert_profile(c: sqlite3.Connection, p: Profile, now: datetime) -> None:
    c.execute(
        f"INSERT INTO mock_profiles ({PROFILE}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (community, member) DO UPDATE SET tracks = excluded.tracks, level = excluded.level, "
        "zone = excluded.zone, availability = excluded.availability, cadence = excluded.cadence, "
        "paused = excluded.paused, paused_until = excluded.paused_until, missed_in_row = excluded.missed_in_row, "
        "updated_at = excluded.updated_at",
        (p.community, p.member, ",".join(p.tracks), p.level, p.zone, p.availability, p.cadence, int(p.paused),
         None if p.paused_until is None else to_db(p.paused_until), p.missed_in_row,
         to_db(p.joined_at or now), to_db(now)))
