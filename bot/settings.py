"""Scoped settings with defaults (after Red's `Config.register_guild`): a feature declares each setting
once, with its scope, default and parser; values are stored as text per community or per member and
read back parsed, so a feature never sees an unvalidated value."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
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
class SetupField:
    """A community setting's place in the `/studybot setup` form: its label, and where it goes among the
    form's fields (lower first; the core's own fields use the same numbers, so the form reads naturally)."""

    label: str
    order: int = 100
    required: bool = False


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One setting. `parse` turns typed text into the value (raising SettingValueError); `show` turns a
    value back into text (`parse(show(v)) == v`: the text is what is stored); `default` is the value when
    nothing is stored; `setup`, for a community setting, puts it in the setup form."""

    key: str
    scope: Scope
    default: Any
    description: str
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = str
    admin_only: bool = True
    setup: SetupField | None = None


def _parsed(spec: SettingSpec, raw: str | None) -> Any:
    if raw is None:
        return spec.default
    try:
        return spec.parse(raw)
    except (SettingValueError, ValueError):
        return spec.default


def _checked(spec: SettingSpec, raw: str) -> Any:
    try:
        return spec.parse(raw.strip())
    except SettingValueError:
        raise
    except ValueError as exc:
        raise SettingValueError(str(exc)) from exc


_UPSERT = """INSERT INTO settings (scope, scope_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (scope, scope_id, key) DO UPDATE SET value = excluded.value,
                                                           updated_at = excluded.updated_at"""


class SettingsStore:
    """Values of declared settings, by (scope, scope id, key). Unknown stored text falls back to the default."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, spec: SettingSpec, scope_id: str) -> Any:
        def q(c: sqlite3.Connection) -> str | None:
            row = c.execute("SELECT value FROM settings WHERE scope = ? AND scope_id = ? AND key = ?",
                            (spec.scope.value, scope_id, spec.key)).fetchone()
            return None if row is None else str(row[0])

        return _parsed(spec, await self._db.read(q))

    async def shown(self, specs: Iterable[SettingSpec], scope_id: str) -> dict[str, str]:
        """Several settings of one scope as their text, by key (a listing, an export)."""
        wanted = list(specs)
        values = await self.get_many(wanted, scope_id)
        return {s.key: s.show(values[s.key]) for s in wanted}

    async def get_many(self, specs: Iterable[SettingSpec], scope_id: str) -> dict[str, Any]:
        """Several settings of one scope, by key, in one query (a feature reading all of its settings at
        once, as the daily cycle does at every wake). The specs must share one scope."""
        wanted = {s.key: s for s in specs}
        scopes = {s.scope for s in wanted.values()}
        if len(scopes) > 1:
            raise ValueError("get_many reads settings of one scope")
        if not wanted:
            return {}
        scope = scopes.pop().value
        marks = ",".join("?" * len(wanted))

        def q(c: sqlite3.Connection) -> dict[str, str]:
            rows = c.execute(f"SELECT key, value FROM settings WHERE scope = ? AND scope_id = ? "
                             f"AND key IN ({marks})", (scope, scope_id, *wanted)).fetchall()
            return {str(k): str(v) for k, v in rows}

        stored = await self._db.read(q)
        return {key: _parsed(spec, stored.get(key)) for key, spec in wanted.items()}

    async def set(self, spec: SettingSpec, scope_id: str, raw: str, now: datetime) -> Any:
        """Parse and store; returns the parsed value. Raises SettingValueError, storing nothing."""
        return (await self.set_many([(spec, raw)], scope_id, now))[spec.key]

    async def set_many(self, values: Sequence[tuple[SettingSpec, str]], scope_id: str,
                       now: datetime) -> Mapping[str, Any]:
        """Parse every value, then store them all in one transaction; the parsed values by key. Raises
        SettingValueError on the first value refused, storing none of them."""
        parsed = {spec.key: (spec, _checked(spec, raw)) for spec, raw in values}
        rows = [(spec.scope.value, scope_id, key, spec.show(value), to_db(now))
                for key, (spec, value) in parsed.items()]

        def w(c: sqlite3.Connection) -> None:
            c.executemany(_UPSERT, rows)

        if rows:
            await self._db.write(w)
        return {key: value for key, (_, value) in parsed.items()}

    async def erase(self, scope: Scope, scope_id: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM settings WHERE scope = ? AND scope_id = ?",
                             (scope.value, scope_id)).rowcount

        return await self._db.write(w)
