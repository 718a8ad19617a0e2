"""The review feature's repository: cards, the log of ratings, and members' reminder settings.

Portability: inserts that may meet an existing row say `ON CONFLICT (...) DO NOTHING/DO UPDATE`, which
PostgreSQL runs unchanged; a rating is one conditional `UPDATE ... WHERE reps = ?` (compare-and-set), safe
under READ COMMITTED. A PostgreSQL implementation changes `?` to `$n`, `INTEGER PRIMARY KEY` to `BIGSERIAL`,
and runs each write function as one transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from bot.features.review.model import ReminderPrefs, ReviewCard
from bot.store.db import Database, from_db, opt_from_db, to_db

MIGRATIONS = (
    """
    CREATE TABLE review_cards (
        id INTEGER PRIMARY KEY,
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        item_id TEXT NOT NULL,
        topic TEXT,
        fsrs TEXT NOT NULL,
        due_at TEXT NOT NULL,
        reps INTEGER NOT NULL DEFAULT 0,
        suspended INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_reviewed_at TEXT,
        UNIQUE (community, member, item_id)
    );
    CREATE INDEX review_cards_due ON review_cards (community, member, suspended, due_at);
    CREATE TABLE review_log (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL,
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        item_id TEXT NOT NULL,
        rating INTEGER NOT NULL,
        reviewed_at TEXT NOT NULL,
        local_date TEXT NOT NULL,
        due_after TEXT NOT NULL
    );
    CREATE INDEX review_log_member_day ON review_log (community, member, local_date);
    CREATE TABLE review_reminders (
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        at TEXT NOT NULL,
        days_off TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (community, member)
    );
    """,
)
_COLS = ("id, community, member, item_id, topic, fsrs, due_at, reps, suspended, created_at, "
         "last_reviewed_at")


class Added(StrEnum):
    CREATED = "created"  # a new card, due now
    DUE_AGAIN = "due-again"  # it was in the queue for later (or set aside): due now, its memory state kept
    KEPT = "kept"  # it was due already: left as it is


@dataclass(frozen=True, slots=True)
class QueueCounts:
    due: int  # non-suspended cards due now
    total: int  # non-suspended cards
    next_due_at: datetime | None  # the earliest one due later


def _card(row: tuple[Any, ...]) -> ReviewCard:
    return ReviewCard(id=int(row[0]), community=str(row[1]), member=str(row[2]), item_id=str(row[3]),
                      topic=None if row[4] is None else str(row[4]), fsrs=str(row[5]), due_at=from_db(str(row[6])),
                      reps=int(row[7]), suspended=bool(row[8]), created_at=from_db(str(row[9])),
                      last_reviewed_at=opt_from_db(None if row[10] is None else str(row[10])))


def empty_member_data() -> dict[str, Any]:
    """`member_data` of a member with no cards, ratings or reminder settings."""
    return {"cards": [], "ratings": [], "reminder": None}


def _member_data(c: sqlite3.Connection, community: str, member: str | None) -> dict[str, dict[str, Any]]:
    """One member's (or, None, everyone's) cards, ratings and reminder settings here, by member: the same
    three queries either way, so both exports agree."""
    mine, args = ("", (community,)) if member is None else (" AND member = ?", (community, member))
    out: dict[str, dict[str, Any]] = {}
    for card in map(_card, c.execute(f"SELECT {_COLS} FROM review_cards WHERE community = ?{mine} ORDER BY id",
                                     args)):
        out.setdefault(card.member, empty_member_data())["cards"].append(
            {"id": card.id, "item": card.item_id, "topic": card.topic, "due_at": to_db(card.due_at),
             "ratings": card.reps, "set_aside": card.suspended, "created_at": to_db(card.created_at),
             "fsrs": card.fsrs})
    for r in c.execute("SELECT member, card_id, item_id, rating, reviewed_at, due_after FROM review_log "
                       f"WHERE community = ?{mine} ORDER BY id", args):
        out.setdefault(str(r[0]), empty_member_data())["ratings"].append(
            {"card": int(r[1]), "item": str(r[2]), "rating": int(r[3]), "at": str(r[4]), "due_after": str(r[5])})
    for r in c.execute(f"SELECT member, enabled, at, days_off FROM review_reminders WHERE community = ?{mine}",
                       args):
        out.setdefault(str(r[0]), empty_member_data())["reminder"] = {
            "enabled": bool(r[1]), "at": str(r[2]), "days_off": [int(d) for d in str(r[3]).split(",") if d]}
    return out


@runtime_checkable
class ReviewStore(Protocol):
    async def add(self, community: str, member: str, item_id: str, topic: str | None, fsrs: str,
                  now: datetime) -> Added:
        """A card for the item in the member's queue, due now: created, made due again, or kept."""
        ...

    async def get(self, card_id: int) -> ReviewCard | None: ...

    async def due(self, community: str, member: str, now: datetime, limit: int) -> list[ReviewCard]:
        """Cards due now, most overdue first (set-aside cards never)."""
        ...

    async def counts(self, community: str, member: str, now: datetime) -> QueueCounts: ...

    async def suspend(self, card_id: int) -> None: ...

    async def rate(self, card: ReviewCard, fsrs: str, due_at: datetime, rating: int, now: datetime,
                   local_date: date) -> int | None:
        """Record a rating of `card` as it was read (its `reps`): the new fsrs state and due time, and a log
        row. None, with nothing written, when the card changed since (a second or stale click); else how
        many distinct cards the member has rated on `local_date`, this one included."""
        ...

    async def prefs(self, community: str, member: str) -> ReminderPrefs: ...

    async def save_prefs(self, prefs: ReminderPrefs, now: datetime) -> None: ...

    async def member_data(self, community: str, member: str) -> dict[str, Any]: ...

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]:
        """`member_data` of everyone here who has any, by member, in a few queries whatever their number."""
        ...

    async def erase_member(self, community: str, member: str) -> int: ...


class ReviewRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, community: str, member: str, item_id: str, topic: str | None, fsrs: str,
                  now: datetime) -> Added:
        def w(c: sqlite3.Connection) -> Added:
            cur = c.execute(
                """INSERT INTO review_cards (community, member, item_id, topic, fsrs, due_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (community, member, item_id) DO NOTHING""",
                (community, member, item_id, topic, fsrs, to_db(now), to_db(now)))
            if cur.rowcount:
                return Added.CREATED
            cur = c.execute(
                """UPDATE review_cards SET due_at = ?, suspended = 0
                   WHERE community = ? AND member = ? AND item_id = ? AND (due_at > ? OR suspended = 1)""",
                (to_db(now), community, member, item_id, to_db(now)))
            return Added.DUE_AGAIN if cur.rowcount else Added.KEPT

        return await self._db.write(w)

    async def get(self, card_id: int) -> ReviewCard | None:
        def q(c: sqlite3.Connection) -> ReviewCard | None:
            row = c.execute(f"SELECT {_COLS} FROM review_cards WHERE id = ?", (card_id,)).fetchone()
            return None if row is None else _card(row)

        return await self._db.read(q)

    async def due(self, community: str, member: str, now: datetime, limit: int) -> list[ReviewCard]:
        def q(c: sqlite3.Connection) -> list[ReviewCard]:
            rows = c.execute(
                f"""SELECT {_COLS} FROM review_cards
                    WHERE community = ? AND member = ? AND suspended = 0 AND due_at <= ?
                    ORDER BY due_at, id LIMIT ?""", (community, member, to_db(now), limit)).fetchall()
            return [_card(r) for r in rows]

        return await self._db.read(q)

    async def counts(self, community: str, member: str, now: datetime) -> QueueCounts:
        def q(c: sqlite3.Connection) -> QueueCounts:
            row = c.execute(
                """SELECT COALESCE(SUM(CASE WHEN due_at <= ? THEN 1 ELSE 0 END), 0), COUNT(*),
                          MIN(CASE WHEN due_at > ? THEN due_at END)
                   FROM review_cards WHERE community = ? AND member = ? AND suspended = 0""",
                (to_db(now), to_db(now), community, member)).fetchone()
            return QueueCounts(int(row[0]), int(row[1]), opt_from_db(None if row[2] is None else str(row[2])))

        return await self._db.read(q)

    async def suspend(self, card_id: int) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE review_cards SET suspended = 1 WHERE id = ?", (card_id,))

        await self._db.write(w)

    async def rate(self, card: ReviewCard, fsrs: str, due_at: datetime, rating: int, now: datetime,
                   local_date: date) -> int | None:
        def w(c: sqlite3.Connection) -> int | None:
            cur = c.execute(
                """UPDATE review_cards SET fsrs = ?, due_at = ?, reps = reps + 1, last_reviewed_at = ?
                   WHERE id = ? AND reps = ? AND suspended = 0""",
                (fsrs, to_db(due_at), to_db(now), card.id, card.reps))
            if not cur.rowcount:
                return None
            day = local_date.isoformat()
            c.execute(
                """INSERT INTO review_log (card_id, community, member, item_id, rating, reviewed_at, local_date,
                                           due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (card.id, card.community, card.member, card.item_id, rating, to_db(now), day, to_db(due_at)))
            row = c.execute("SELECT COUNT(DISTINCT card_id) FROM review_log "
                            "WHERE community = ? AND member = ? AND local_date = ?",
                            (card.community, card.member, day)).fetchone()
            return int(row[0])

        return await self._db.write(w)

    async def prefs(self, community: str, member: str) -> ReminderPrefs:
        def q(c: sqlite3.Connection) -> ReminderPrefs:
            row = c.execute("SELECT enabled, at, days_off FROM review_reminders WHERE community = ? AND member = ?",
                            (community, member)).fetchone()
            if row is None:
                return ReminderPrefs(community, member)
            return ReminderPrefs(community, member, bool(row[0]), time.fromisoformat(str(row[1])),
                                 frozenset(int(d) for d in str(row[2]).split(",") if d))

        return await self._db.read(q)

    async def save_prefs(self, prefs: ReminderPrefs, now: datetime) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute(
                """INSERT INTO review_reminders (community, member, enabled, at, days_off, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (community, member) DO UPDATE SET enabled = excluded.enabled, at = excluded.at,
                       days_off = excluded.days_off, updated_at = excluded.updated_at""",
                (prefs.community, prefs.member, int(prefs.enabled), prefs.at.strftime("%H:%M"),
                 ",".join(str(d) for d in sorted(prefs.days_off)), to_db(now)))

        await self._db.write(w)

    async def member_data(self, community: str, member: str) -> dict[str, Any]:
        return (await self._db.read(lambda c: _member_data(c, community, member))).get(member, empty_member_data())

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]:
        """`member_data` of everyone here who has any, by member: one read of three queries, whatever the
        number of members (a community export)."""
        return await self._db.read(lambda c: _member_data(c, community, None))

    async def erase_member(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            return sum(c.execute(f"DELETE FROM {table} WHERE community = ? AND member = ?",
                                 (community, member)).rowcount
                       for table in ("review_log", "review_cards", "review_reminders"))

        return await self._db.write(w)


def _sqlite_satisfies_protocol(db: Database) -> ReviewStore:
    return ReviewRepo(db)  # checked by mypy (strict on bot/)
