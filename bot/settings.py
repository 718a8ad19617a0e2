"""Scoped settings with defaults (after Red's `Config.register_guild`): a feature declares each setting
once, with its scope, default and parser; values are stored as text per community or per member and
read back parsed, so a feature never sees an unvalidated value."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.store.db import Database, to_db


class Scope(StrEnum):
    COMMUNITY = "community"
    MEMBER = "member"


def member_scope(community: str, member: str) -> str:
    """The scope id of a member's own settings: members are per community."""
    return f"{community}/{member}"


class SettingValueError(ValueError):
    """A value a member typed that the setting refuses; the message says what would work."""


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One setting. `parse` turns typed text into the value (raising SettingValueError); `show` turns a
    value back into text; `default` is the value when nothing is stored."""

    key: str
    scope: Scope
    default: Any
    description: str
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = str
    admin_only: bool = True


class SettingsStore:
    """Values of declared settings, by (scope, scope id, key). Unknown stored text falls back to the default."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, spec: SettingSpec, scope_id: str) -> Any:
        def q(c: sqlite3.Connection) -> str | None:
            row = c.execute("SELECT value FROM settings WHERE scope = ? AND scope_id = ? AND key = ?",
                            (spec.scope.value, scope_id, spec.key)).fetchone()
            return None if row is None else str(row[0])

        raw = await self._db.read(q)
        if raw is None:
            return spec.default
        try:
            return spec.parse(raw)
        except (SettingValueError, ValueError):
            return spec.default

    async def set(self, spec: SettingSpec, scope_id: str, raw: str, now: datetime) -> Any:
        """Parse and store; returns the parsed value. Raises SettingValueError, storing nothing."""
        try:
            value = spec.parse(raw.strip())
        except SettingValueError:
            raise
        except ValueError as exc:
            raise SettingValueError(str(exc)) from exc
        text = spec.show(value)

        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """INSERT INTO settings (scope, scope_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (scope, scope_id, key) DO UPDATE SET value = excluded.value,
                                                                 updated_at = excluded.updated_at""",
                (spec.scope.value, scope_id, spec.key, text, to_db(now)),
            )

        await self._db.write(w)
        return value

    async def erase(self, scope: Scope, scope_id: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM settings WHERE scope = ? AND scope_id = ?",
                             (scope.value, scope_id)).rowcount

        return await self._db.write(w)
