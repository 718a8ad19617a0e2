"""The audit log: every admin action the core saw (bot.audit.AdminAction), kept per community, read by admins
with `/studybot audit`, newest first, ten to a page.

A member who is forgotten leaves no trace here either: entries they made keep what was done but not who,
and their id is taken out of the options and outcomes of entries about them.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from bot import markup as mk
from bot.actions import encode
from bot.audit import AdminAction
from bot.ids import CommunityRef, MemberRef
from bot.messages import Choice, Reply, Response, clip
from bot.store.db import Database, from_db, to_db

PAGE = 10
ERASED = "(erased member)"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor: str
    actor_name: str
    at: datetime
    action: str
    reason: str | None
    options: dict[str, str]
    outcome: str


def admin_action(e: AuditEntry) -> dict[str, Any]:
    """An entry as a member's data export shows what they did as an admin."""
    return {"at": e.at.isoformat(), "action": e.action, "reason": e.reason, "options": e.options,
            "outcome": e.outcome}


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(int(row[0]), str(row[1]), str(row[2]), from_db(str(row[3])), str(row[4]), row[5],
                      json.loads(row[6]), str(row[7]))


_COLS = "id, actor, actor_name, at, action, reason, options, outcome"


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, record: AdminAction) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO audit_log (community, actor, actor_name, at, action, reason, options, outcome) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (record.actor.community.key, record.actor.id, record.actor_name, to_db(record.at),
                       record.action, record.reason, json.dumps(dict(record.options)),
                       record.outcome))

        await self._db.write(w)

    async def page(self, community: str, limit: int = PAGE, offset: int = 0,
                   newest: int | None = None) -> list[AuditEntry]:
        """Entries newest first, from entry `newest` on (so pages stay put while the log grows)."""

        def q(c: sqlite3.Connection) -> list[AuditEntry]:
            rows = c.execute(f"SELECT {_COLS} FROM audit_log WHERE community = ? AND id <= ? "
                             "ORDER BY id DESC LIMIT ? OFFSET ?",
                             (community, newest if newest is not None else 2**62, limit, offset)).fetchall()
            return [_entry(r) for r in rows]

        return await self._db.read(q)

    async def by_actor(self, community: str, member: str) -> list[AuditEntry]:
        def q(c: sqlite3.Connection) -> list[AuditEntry]:
            rows = c.execute(f"SELECT {_COLS} FROM audit_log WHERE community = ? AND actor = ? ORDER BY id",
                             (community, member)).fetchall()
            return [_entry(r) for r in rows]

        return await self._db.read(q)

    async def erase_member(self, community: str, member: str) -> int:
        """Take the member out of every entry: as who acted, and wherever an option, reason or outcome
        names them (a mention, or the id itself as a whole word)."""
        mention = mk.mention(MemberRef(CommunityRef.from_key(community), member))
        word = re.compile(rf"(?<![A-Za-z0-9_\-]){re.escape(member)}(?![A-Za-z0-9_\-])")

        def scrub(text: str) -> str:
            return word.sub(ERASED, text.replace(mention, ERASED))

        def w(c: sqlite3.Connection) -> int:
            changed = c.execute("UPDATE audit_log SET actor = ?, actor_name = ? WHERE community = ? AND actor = ?",
                                (ERASED, ERASED, community, member)).rowcount
            rows = c.execute("SELECT id, options, outcome, reason FROM audit_log WHERE community = ? "
                             "AND (instr(options, ?) > 0 OR instr(outcome, ?) > 0 OR instr(reason, ?) > 0)",
                             (community, member, member, member)).fetchall()
            for entry_id, options, outcome, reason in rows:
                values = {k: scrub(str(v)) for k, v in json.loads(options).items()}
                c.execute("UPDATE audit_log SET options = ?, outcome = ?, reason = ? WHERE id = ?",
                          (json.dumps(values), scrub(str(outcome)), None if reason is None else scrub(str(reason)),
                           entry_id))
                changed += 1
            return changed

        return await self._db.write(w)

    async def community_rows(self, community: str) -> list[AuditEntry]:
        def q(c: sqlite3.Connection) -> list[AuditEntry]:
            rows = c.execute(f"SELECT {_COLS} FROM audit_log WHERE community = ? ORDER BY id", (community,)).fetchall()
            return [_entry(r) for r in rows]

        return await self._db.read(q)


@runtime_checkable
class AuditStore(Protocol):
    async def add(self, record: AdminAction) -> None: ...

    async def page(self, community: str, limit: int = PAGE, offset: int = 0,
                   newest: int | None = None) -> list[AuditEntry]: ...

    async def by_actor(self, community: str, member: str) -> list[AuditEntry]: ...

    async def erase_member(self, community: str, member: str) -> int: ...

    async def community_rows(self, community: str) -> list[AuditEntry]: ...


def _sqlite_satisfies_protocol(db: Database) -> AuditStore:
    return AuditRepo(db)  # checked by mypy (strict on bot/)


def _value(community: CommunityRef, key: str, value: str) -> str:
    if key == "member" and value != ERASED:
        return mk.mention(MemberRef(community, value))
    return mk.escape(value)


def entry_line(community: CommunityRef, entry: AuditEntry) -> str:
    who = mk.escape(entry.actor_name) if entry.actor == ERASED else mk.mention(MemberRef(community, entry.actor))
    shown = ", ".join(f"{k}: {_value(community, k, v)}" for k, v in entry.options.items() if k != "reason")
    why = f" · why: {mk.escape(entry.reason)}" if entry.reason else ""
    what = mk.code(entry.action) + (f" ({shown})" if shown else "")
    told = mk.escape(clip(mk.plain_text(entry.outcome), 160))
    return f"- {mk.timestamp(entry.at, 'f')} {who}: {what}{why}\n  → {told}"


def audit_page(community: CommunityRef, entries: list[AuditEntry], page: int, more: bool, newest: int,
               replace: bool) -> Response:
    """One page of the log (newest first), with Newer / Older buttons that carry the page and the newest
    entry the first page showed."""
    if not entries:
        text = "Nothing in the audit log yet." if page == 1 else "No older entries."
        return Response(reply=Reply(text=text), replace_original=replace)
    choices: list[Choice] = []
    if page > 1:
        choices.append(Choice("Newer", encode("board", "audit", page - 1, newest)))
    if more:
        choices.append(Choice("Older", encode("board", "audit", page + 1, newest)))
    lines = "\n".join(entry_line(community, e) for e in entries)
    return Response(reply=Reply(title=f"Audit log · page {page}", text=clip(lines, 3900), choices=tuple(choices)),
                    replace_original=replace)
