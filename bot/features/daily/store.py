"""The daily feature's repository on SQLite: rounds, answers, skips and kudos.

Portability: inserts that may meet an existing row say so with `ON CONFLICT (<unique columns>) DO NOTHING`,
which PostgreSQL runs unchanged. A PostgreSQL implementation changes `?` to `$n`, reads a new row's id from
`INSERT ... RETURNING id` instead of `cursor.lastrowid`, and runs each write function in one transaction
on its own connection (`save_answer`'s answer and ledger row commit together, as here).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot.features.daily.model import Answer, Round, RoundStatus, SaveOutcome
from bot.store.db import Database, from_db, opt_from_db, to_db
from bot.store.ledger import ledger_insert

_ROUND_COLS = ("id, community, local_date, status, item_id, channel, due_at, posted_at, message, "
               "reveal_due_at, revealed_at, thread")


def _round(row: tuple[object, ...]) -> Round:
    return Round(
        id=int(str(row[0])),
        community=str(row[1]),
        local_date=date.fromisoformat(str(row[2])),
        status=RoundStatus(str(row[3])),
        item_id=None if row[4] is None else str(row[4]),
        channel=None if row[5] is None else str(row[5]),
        due_at=from_db(str(row[6])),
        posted_at=opt_from_db(None if row[7] is None else str(row[7])),
        message=None if row[8] is None else str(row[8]),
        reveal_due_at=opt_from_db(None if row[9] is None else str(row[9])),
        revealed_at=opt_from_db(None if row[10] is None else str(row[10])),
        thread=None if row[11] is None else str(row[11]),
    )


_ANSWER_COLS = ("id, round_id, community, member, text, shared, late, submitted_at, updated_at, edits, "
                "covered, checklist_done")


def _answer(row: tuple[object, ...]) -> Answer:
    covered = str(row[10])
    return Answer(
        id=int(str(row[0])),
        round_id=int(str(row[1])),
        community=str(row[2]),
        member=str(row[3]),
        text=str(row[4]),
        shared=bool(row[5]),
        late=bool(row[6]),
        submitted_at=from_db(str(row[7])),
        updated_at=from_db(str(row[8])),
        edits=int(str(row[9])),
        covered=frozenset(int(x) for x in covered.split(",") if x),
        checklist_done=bool(row[11]),
    )


def empty_member_data() -> dict[str, Any]:
    """`member_data` of a member with no daily activity."""
    return {"answers": [], "skipped": [], "kudos_given": []}


def _member_data(c: sqlite3.Connection, community: str, member: str | None) -> dict[str, dict[str, Any]]:
    """The daily activity of one member (or, None, of everyone) here, by member. The same queries either way,
    the member's own rows in the same order (ties broken by id), so both exports agree."""
    args = (community,) if member is None else (community, member)

    def mine(column: str) -> str:
        return "" if member is None else f" AND {column} = ?"

    out: dict[str, dict[str, Any]] = {}
    for r in c.execute(
            "SELECT a.member, r.local_date, r.item_id, a.text, a.shared, a.late, a.submitted_at, a.updated_at, "
            "a.covered FROM daily_answers a JOIN daily_rounds r ON r.id = a.round_id "
            f"WHERE a.community = ?{mine('a.member')} ORDER BY a.submitted_at, a.id", args):
        out.setdefault(str(r[0]), empty_member_data())["answers"].append(
            {"date": str(r[1]), "item": r[2], "text": str(r[3]), "shared": bool(r[4]), "late": bool(r[5]),
             "submitted_at": str(r[6]), "updated_at": str(r[7]),
             "key_points_covered": [int(x) for x in str(r[8]).split(",") if x]})
    for r in c.execute("SELECT s.member, r.local_date FROM daily_skips s JOIN daily_rounds r ON r.id = s.round_id "
                       f"WHERE r.community = ?{mine('s.member')} ORDER BY s.at, s.round_id", args):
        out.setdefault(str(r[0]), empty_member_data())["skipped"].append(str(r[1]))
    for r in c.execute("SELECT k.voter, k.answer_id, k.at FROM kudos k JOIN daily_answers a ON a.id = k.answer_id "
                       f"WHERE a.community = ?{mine('k.voter')} ORDER BY k.at, k.answer_id", args):
        out.setdefault(str(r[0]), empty_member_data())["kudos_given"].append({"answer": int(r[1]), "at": str(r[2])})
    return out


class DailyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # rounds -----------------------------------------------------------------------------------
    async def create_round(self, community: str, local_date: date, status: RoundStatus, item_id: str | None,
                           channel: str | None, due_at: datetime, reveal_due_at: datetime | None) -> Round:
        """The round for this community and local date: created now, or the one already there."""

        def w(c: sqlite3.Connection) -> Round:
            c.execute(
                """INSERT INTO daily_rounds
                   (community, local_date, status, item_id, channel, due_at, reveal_due_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (community, local_date) DO NOTHING""",
                (community, local_date.isoformat(), status.value, item_id, channel, to_db(due_at),
                 None if reveal_due_at is None else to_db(reveal_due_at)),
            )
            row = c.execute(
                f"SELECT {_ROUND_COLS} FROM daily_rounds WHERE community = ? AND local_date = ?",
                (community, local_date.isoformat()),
            ).fetchone()
            return _round(row)

        return await self._db.write(w)

    async def get_round(self, round_id: int) -> Round | None:
        def q(c: sqlite3.Connection) -> Round | None:
            row = c.execute(f"SELECT {_ROUND_COLS} FROM daily_rounds WHERE id = ?", (round_id,)).fetchone()
            return None if row is None else _round(row)

        return await self._db.read(q)

    async def round_on(self, community: str, local_date: date) -> Round | None:
        def q(c: sqlite3.Connection) -> Round | None:
            row = c.execute(
                f"SELECT {_ROUND_COLS} FROM daily_rounds WHERE community = ? AND local_date = ?",
                (community, local_date.isoformat()),
            ).fetchone()
            return None if row is None else _round(row)

        return await self._db.read(q)

    async def latest_round(self, community: str) -> Round | None:
        """The newest round that went out (posted, revealing or revealed)."""

        def q(c: sqlite3.Connection) -> Round | None:
            row = c.execute(
                f"SELECT {_ROUND_COLS} FROM daily_rounds WHERE community = ? "
                "AND status IN ('posted', 'revealing', 'revealed') "
                "ORDER BY local_date DESC LIMIT 1",
                (community,),
            ).fetchone()
            return None if row is None else _round(row)

        return await self._db.read(q)

    async def unfinished_rounds(self, community: str) -> list[Round]:
        """Rounds still needing work: not yet posted, open, or mid-reveal."""

        def q(c: sqlite3.Connection) -> list[Round]:
            rows = c.execute(
                f"SELECT {_ROUND_COLS} FROM daily_rounds WHERE community = ? "
                "AND status IN ('pending', 'posted', 'revealing') ORDER BY local_date",
                (community,),
            ).fetchall()
            return [_round(r) for r in rows]

        return await self._db.read(q)

    async def history(self, community: str) -> list[tuple[str, str]]:
        """(item id, local date) of every round that had an item, oldest first."""

        def q(c: sqlite3.Connection) -> list[tuple[str, str]]:
            rows = c.execute(
                "SELECT item_id, local_date FROM daily_rounds WHERE community = ? AND item_id IS NOT NULL "
                "ORDER BY local_date",
                (community,),
            ).fetchall()
            return [(str(r[0]), str(r[1])) for r in rows]

        return await self._db.read(q)

    async def mark_posted(self, round_id: int, message: str, when: datetime) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute(
                "UPDATE daily_rounds SET status = 'posted', message = ?, posted_at = ? "
                "WHERE id = ? AND status = 'pending'",
                (message, to_db(when), round_id),
            )

        await self._db.write(w)

    async def mark_skipped(self, round_id: int) -> None:
        """A round that was never posted and whose reveal time has passed: nothing more to do."""

        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE daily_rounds SET status = 'skipped' WHERE id = ? AND status = 'pending'", (round_id,))

        await self._db.write(w)

    async def start_reveal(self, round_id: int, when: datetime) -> bool:
        """Close answers; True for the one caller that moved the round from posted to revealing."""

        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE daily_rounds SET status = 'revealing', revealed_at = ? WHERE id = ? AND status = 'posted'",
                (to_db(when), round_id),
            )
            return cur.rowcount > 0

        return await self._db.write(w)

    async def set_thread(self, round_id: int, thread: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE daily_rounds SET thread = ? WHERE id = ?", (thread, round_id))

        await self._db.write(w)

    async def finish_reveal(self, round_id: int) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE daily_rounds SET status = 'revealed' WHERE id = ? AND status = 'revealing'",
                      (round_id,))

        await self._db.write(w)

    async def posted_times(self, community: str) -> list[datetime]:
        def q(c: sqlite3.Connection) -> list[datetime]:
            rows = c.execute(
                "SELECT posted_at FROM daily_rounds WHERE community = ? AND posted_at IS NOT NULL", (community,)
            ).fetchall()
            return [from_db(str(r[0])) for r in rows]

        return await self._db.read(q)

    # answers ----------------------------------------------------------------------------------
    async def save_answer(self, round_id: int, member: str, text: str, now: datetime, late_window: timedelta,
                          on_time_points: int, late_points: int, reason: str, *, topic: str | None = None
                          ) -> tuple[Answer, SaveOutcome] | None:
        """Insert or edit this member's answer, deciding on-time or late inside the transaction.

        Returns the answer as stored and what happened to it: CREATED (which appends its points to the
        ledger in the same transaction), EDITED, or KEPT when the reveal has already happened (an answer
        is editable only until then); None when the round is closed: revealed more than `late_window` ago.
        `topic` is the domain of the round's item, recorded on the ledger row.
        """

        def w(c: sqlite3.Connection) -> tuple[Answer, SaveOutcome] | None:
            row = c.execute("SELECT community, status, revealed_at FROM daily_rounds WHERE id = ?",
                            (round_id,)).fetchone()
            if row is None:
                return None
            community, status, revealed_at = row
            late = status not in (RoundStatus.PENDING.value, RoundStatus.POSTED.value)
            if late and (revealed_at is None or now - from_db(revealed_at) > late_window):
                return None
            cur = c.execute(
                """INSERT INTO daily_answers
                   (round_id, community, member, text, late, submitted_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (round_id, member) DO NOTHING""",
                (round_id, community, member, text, int(late), to_db(now), to_db(now)),
            )
            created = cur.rowcount > 0
            if created:
                ledger_insert(c, str(community), member, late_points if late else on_time_points, reason,
                              str(round_id), now, topic)
                fresh = Answer(int(cur.lastrowid or 0), round_id, str(community), member, text, False, late, now,
                               now, 0, frozenset(), False)
                return fresh, SaveOutcome.CREATED
            if not late:  # edits are allowed until the reveal; after it an answer stays as it was
                c.execute(
                    "UPDATE daily_answers SET text = ?, updated_at = ?, edits = edits + 1 "
                    "WHERE round_id = ? AND member = ?",
                    (text, to_db(now), round_id, member),
                )
            row = c.execute(
                f"SELECT {_ANSWER_COLS} FROM daily_answers WHERE round_id = ? AND member = ?", (round_id, member)
            ).fetchone()
            return _answer(row), SaveOutcome.KEPT if late else SaveOutcome.EDITED

        return await self._db.write(w)

    async def answer_of(self, round_id: int, member: str) -> Answer | None:
        def q(c: sqlite3.Connection) -> Answer | None:
            row = c.execute(
                f"SELECT {_ANSWER_COLS} FROM daily_answers WHERE round_id = ? AND member = ?", (round_id, member)
            ).fetchone()
            return None if row is None else _answer(row)

        return await self._db.read(q)

    async def get_answer(self, answer_id: int) -> Answer | None:
        def q(c: sqlite3.Connection) -> Answer | None:
            row = c.execute(f"SELECT {_ANSWER_COLS} FROM daily_answers WHERE id = ?", (answer_id,)).fetchone()
            return None if row is None else _answer(row)

        return await self._db.read(q)

    async def answers(self, round_id: int) -> list[Answer]:
        def q(c: sqlite3.Connection) -> list[Answer]:
            rows = c.execute(
                f"SELECT {_ANSWER_COLS} FROM daily_answers WHERE round_id = ? ORDER BY submitted_at, id",
                (round_id,),
            ).fetchall()
            return [_answer(r) for r in rows]

        return await self._db.read(q)

    async def set_shared(self, answer_id: int, shared: bool) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE daily_answers SET shared = ? WHERE id = ?", (int(shared), answer_id))

        await self._db.write(w)

    async def toggle_covered(self, answer_id: int, index: int) -> Answer | None:
        """Flip one key point on the checklist, unless the checklist is already submitted."""

        def w(c: sqlite3.Connection) -> Answer | None:
            row = c.execute(f"SELECT {_ANSWER_COLS} FROM daily_answers WHERE id = ?", (answer_id,)).fetchone()
            if row is None:
                return None
            ans = _answer(row)
            if ans.checklist_done:
                return ans
            covered = set(ans.covered) ^ {index}
            c.execute("UPDATE daily_answers SET covered = ? WHERE id = ?",
                      (",".join(str(i) for i in sorted(covered)), answer_id))
            return _answer(c.execute(f"SELECT {_ANSWER_COLS} FROM daily_answers WHERE id = ?",
                                     (answer_id,)).fetchone())

        return await self._db.write(w)

    async def finish_checklist(self, answer_id: int) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE daily_answers SET checklist_done = 1 WHERE id = ? AND checklist_done = 0", (answer_id,)
            )
            return cur.rowcount > 0

        return await self._db.write(w)

    async def answer_times(self, community: str, member: str) -> list[datetime]:
        def q(c: sqlite3.Connection) -> list[datetime]:
            rows = c.execute(
                "SELECT submitted_at FROM daily_answers WHERE community = ? AND member = ? ORDER BY submitted_at",
                (community, member),
            ).fetchall()
            return [from_db(str(r[0])) for r in rows]

        return await self._db.read(q)

    async def answer_ids(self, community: str, member: str) -> list[int]:
        def q(c: sqlite3.Connection) -> list[int]:
            rows = c.execute("SELECT id FROM daily_answers WHERE community = ? AND member = ? ORDER BY id",
                             (community, member)).fetchall()
            return [int(r[0]) for r in rows]

        return await self._db.read(q)

    async def answer_count(self, community: str, member: str) -> int:
        def q(c: sqlite3.Connection) -> int:
            return int(c.execute("SELECT COUNT(*) FROM daily_answers WHERE community = ? AND member = ?",
                                 (community, member)).fetchone()[0])

        return await self._db.read(q)

    # skips and kudos --------------------------------------------------------------------------
    async def skip(self, round_id: int, member: str, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute("INSERT INTO daily_skips (round_id, member, at) VALUES (?, ?, ?) "
                            "ON CONFLICT (round_id, member) DO NOTHING", (round_id, member, to_db(now)))
            return cur.rowcount > 0

        return await self._db.write(w)

    async def add_kudos(self, answer_id: int, voter: str, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            cur = c.execute("INSERT INTO kudos (answer_id, voter, at) VALUES (?, ?, ?) "
                            "ON CONFLICT (answer_id, voter) DO NOTHING", (answer_id, voter, to_db(now)))
            return cur.rowcount > 0

        return await self._db.write(w)

    async def member_data(self, community: str, member: str) -> dict[str, Any]:
        """Everything of one member's daily activity, for their own export."""
        return (await self._db.read(lambda c: _member_data(c, community, member))).get(member, empty_member_data())

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]:
        """`member_data` of everyone here who has any, by member: one read of three queries, whatever the
        number of members (a community export)."""
        return await self._db.read(lambda c: _member_data(c, community, None))

    async def erase_member(self, community: str, member: str) -> int:
        """Delete the member's answers (with the kudos on them), skips and kudos given; how many rows went."""

        def w(c: sqlite3.Connection) -> int:
            mine = "SELECT id FROM daily_answers WHERE community = ? AND member = ?"
            gone = c.execute(f"DELETE FROM kudos WHERE answer_id IN ({mine})", (community, member)).rowcount
            gone += c.execute(
                """DELETE FROM kudos WHERE voter = ? AND answer_id IN
                   (SELECT id FROM daily_answers WHERE community = ?)""", (member, community)).rowcount
            gone += c.execute(
                """DELETE FROM daily_skips WHERE member = ? AND round_id IN
                   (SELECT id FROM daily_rounds WHERE community = ?)""", (member, community)).rowcount
            gone += c.execute("DELETE FROM daily_answers WHERE community = ? AND member = ?",
                              (community, member)).rowcount
            return gone

        return await self._db.write(w)


@runtime_checkable
class DailyStore(Protocol):
    """Daily rounds (one per community and local date), answers, skips and kudos."""

    async def create_round(self, community: str, local_date: date, status: RoundStatus, item_id: str | None,
                           channel: str | None, due_at: datetime, reveal_due_at: datetime | None) -> Round:
        """The round for this community and date: created now, or the one already there, unchanged."""
        ...

    async def get_round(self, round_id: int) -> Round | None: ...

    async def round_on(self, community: str, local_date: date) -> Round | None: ...

    async def latest_round(self, community: str) -> Round | None:
        """The newest round that went out (posted, revealing or revealed)."""
        ...

    async def unfinished_rounds(self, community: str) -> list[Round]:
        """Pending, posted or revealing rounds, oldest first."""
        ...

    async def history(self, community: str) -> list[tuple[str, str]]:
        """(item id, local date ISO) of every round that had an item, oldest first."""
        ...

    async def mark_posted(self, round_id: int, message: str, when: datetime) -> None:
        """pending -> posted; no effect in any other status."""
        ...

    async def mark_skipped(self, round_id: int) -> None:
        """pending -> skipped; no effect in any other status."""
        ...

    async def start_reveal(self, round_id: int, when: datetime) -> bool:
        """posted -> revealing; True only for the one caller that moved it."""
        ...

    async def set_thread(self, round_id: int, thread: str) -> None: ...

    async def finish_reveal(self, round_id: int) -> None:
        """revealing -> revealed."""
        ...

    async def posted_times(self, community: str) -> list[datetime]: ...

    async def save_answer(self, round_id: int, member: str, text: str, now: datetime, late_window: timedelta,
                          on_time_points: int, late_points: int, reason: str, *, topic: str | None = None
                          ) -> tuple[Answer, SaveOutcome] | None:
        """Insert (CREATED, with its ledger row in the same transaction), edit before the reveal (EDITED),
        or keep as it was after it (KEPT); None when the round is unknown or closed to late answers.
        The ledger row is the one `LedgerStore.award(community, member, points, reason, str(round_id), now,
        topic=topic)` would write, so awarding it again writes nothing."""
        ...

    async def answer_of(self, round_id: int, member: str) -> Answer | None: ...

    async def get_answer(self, answer_id: int) -> Answer | None: ...

    async def answers(self, round_id: int) -> list[Answer]:
        """The round's answers in the order they came."""
        ...

    async def set_shared(self, answer_id: int, shared: bool) -> None: ...

    async def toggle_covered(self, answer_id: int, index: int) -> Answer | None:
        """Flip one key point, unless the checklist is finished; None for an unknown answer."""
        ...

    async def finish_checklist(self, answer_id: int) -> bool:
        """True for the first call only."""
        ...

    async def answer_times(self, community: str, member: str) -> list[datetime]: ...

    async def answer_ids(self, community: str, member: str) -> list[int]:
        """The ids of the member's answers (their outbox keys name them: shared posts, checklists)."""
        ...

    async def answer_count(self, community: str, member: str) -> int: ...

    async def skip(self, round_id: int, member: str, now: datetime) -> bool:
        """True the first time this member skips this round."""
        ...

    async def add_kudos(self, answer_id: int, voter: str, now: datetime) -> bool:
        """True the first time this voter gives this answer kudos."""
        ...

    async def member_data(self, community: str, member: str) -> dict[str, Any]: ...

    async def community_data(self, community: str) -> dict[str, dict[str, Any]]:
        """`member_data` of everyone here who has any, by member, in a few queries whatever their number."""
        ...

    async def erase_member(self, community: str, member: str) -> int: ...


def _sqlite_satisfies_protocol(db: Database) -> DailyStore:
    return DailyRepo(db)  # checked by mypy (strict on bot/)
