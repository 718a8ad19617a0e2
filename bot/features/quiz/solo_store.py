"""The solo quiz's repository: a protocol, and its SQLite implementation over the feature's own tables.

Every write is one function on the database thread, so its checks and its change commit together: a
double click, a second process or a restart finds the row already answered and changes nothing.
PostgreSQL: `?` becomes `$n`, a new id comes from `INSERT ... RETURNING id`, each write function runs in
one transaction; the partial unique index and `ON CONFLICT` clauses stay as written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from bot.features.quiz.model import (
    SKIPPED,
    AnswerOutcome,
    AnswerStatus,
    Question,
    Session,
    SessionStatus,
    SessionView,
    StartOutcome,
)
from bot.store.db import Database, from_db, opt_from_db, to_db

#: one question to ask: (item id, topic, index of the right choice)
Planned = tuple[str, str, int]
_SESSION_COLS = "id, community, member, status, topic, difficulty, count, created_at, started_at, finished_at"
_QUESTION_COLS = "session_id, idx, item_id, topic, answer, picked, correct, earned, answered_at"


def _session(row: Sequence[Any]) -> Session:
    return Session(int(row[0]), str(row[1]), str(row[2]), SessionStatus(str(row[3])), row[4], row[5], int(row[6]),
                   from_db(str(row[7])), opt_from_db(row[8]), opt_from_db(row[9]))


def _question(row: Sequence[Any]) -> Question:
    return Question(int(row[0]), int(row[1]), str(row[2]), str(row[3]), int(row[4]),
                    None if row[5] is None else int(row[5]), bool(row[6]), int(row[7]), opt_from_db(row[8]))


def _view(c: sqlite3.Connection, session_id: int) -> SessionView | None:
    row = c.execute(f"SELECT {_SESSION_COLS} FROM quiz_sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        return None
    questions = c.execute(f"SELECT {_QUESTION_COLS} FROM quiz_questions WHERE session_id = ? ORDER BY idx",
                          (session_id,)).fetchall()
    return SessionView(_session(row), tuple(_question(q) for q in questions))


def _open_id(c: sqlite3.Connection, community: str, member: str) -> int | None:
    row = c.execute("SELECT id FROM quiz_sessions WHERE community = ? AND member = ? AND status = 'open'",
                    (community, member)).fetchone()
    return None if row is None else int(row[0])


def _quizzes(c: sqlite3.Connection, community: str, member: str | None) -> dict[str, list[dict[str, Any]]]:
    """The quizzes of one member (or, None, of everyone) here as their export shows them, by member: the
    same two queries either way (sessions, then their questions), so both exports agree."""
    mine, args = ("", (community,)) if member is None else (" AND member = ?", (community, member))
    questions: dict[int, list[dict[str, Any]]] = {}
    for q in map(_question, c.execute(f"SELECT {_QUESTION_COLS} FROM quiz_questions WHERE community = ?{mine} "
                                      "ORDER BY session_id, idx", args)):
        questions.setdefault(q.session_id, []).append(
            {"item": q.item_id, "picked": q.picked, "correct": q.correct, "points": q.earned,
             "answered_at": to_db(q.answered_at) if q.answered_at else None})
    out: dict[str, list[dict[str, Any]]] = {}
    for s in map(_session, c.execute(f"SELECT {_SESSION_COLS} FROM quiz_sessions WHERE community = ?{mine} "
                                     "ORDER BY id", args)):
        out.setdefault(s.member, []).append(
            {"id": s.id, "status": s.status.value, "topic": s.topic, "difficulty": s.difficulty,
             "created_at": to_db(s.created_at), "finished_at": to_db(s.finished_at) if s.finished_at else None,
             "questions": questions.get(s.id, [])})
    return out


@runtime_checkable
class SoloStore(Protocol):
    async def start(self, community: str, member: str, topic: str | None, difficulty: str | None,
                    planned: Sequence[Planned], now: datetime) -> StartOutcome:
        """A new quiz: open, or pending (waiting for Continue / Start new) when one is open already.
        A member's earlier pending quizzes are dropped."""
        ...

    async def view(self, session_id: int) -> SessionView | None: ...

    async def open_session(self, community: str, member: str) -> SessionView | None: ...

    async def activate(self, session_id: int, member: str, now: datetime) -> SessionView | None:
        """Start new: a pending quiz becomes the open one (the open one is abandoned). The session as it
        is afterwards; None when it is not this member's."""
        ...

    async def drop(self, session_id: int, member: str) -> bool:
        """Continue instead: a pending quiz is dropped. False when it was not pending (any more)."""
        ...

    async def answer(self, session_id: int, idx: int, member: str, community: str, picked: int, now: datetime,
                     window_start: datetime, points: int) -> AnswerOutcome:
        """Record a pick once. It earns `points` when right and the member has no earning answer of the
        same item since `window_start`."""
        ...

    async def skip(self, session_id: int, idx: int) -> None:
        """Pass over a question whose item left the bank."""
        ...

    async def last_seen(self, community: str, member: str) -> dict[str, datetime]:
        """Item id -> when the member last answered it (a quiz question or a race pick)."""
        ...

    async def accuracy(self, community: str, member: str) -> tuple[int, int]:
        """(answered, right) over every quiz question of the member."""
        ...

    async def member_data(self, community: str, member: str) -> list[dict[str, Any]]: ...

    async def community_data(self, community: str) -> dict[str, list[dict[str, Any]]]:
        """`member_data` of everyone here who has any, by member, in a few queries whatever their number."""
        ...

    async def erase_member(self, community: str, member: str) -> int: ...


class SqliteSoloStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(self, community: str, member: str, topic: str | None, difficulty: str | None,
                    planned: Sequence[Planned], now: datetime) -> StartOutcome:
        def w(c: sqlite3.Connection) -> StartOutcome:
            c.execute("DELETE FROM quiz_questions WHERE session_id IN (SELECT id FROM quiz_sessions "
                      "WHERE community = ? AND member = ? AND status = 'pending')", (community, member))
            c.execute("DELETE FROM quiz_sessions WHERE community = ? AND member = ? AND status = 'pending'",
                      (community, member))
            open_id = _open_id(c, community, member)
            status = SessionStatus.OPEN if open_id is None else SessionStatus.PENDING
            cur = c.execute(
                "INSERT INTO quiz_sessions (community, member, status, topic, difficulty, count, created_at, "
                "started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (community, member, status.value, topic, difficulty, len(planned), to_db(now),
                 to_db(now) if open_id is None else None))
            session_id = int(cur.lastrowid or 0)
            c.executemany(
                "INSERT INTO quiz_questions (session_id, idx, community, member, item_id, topic, answer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(session_id, i, community, member, item, item_topic, answer)
                 for i, (item, item_topic, answer) in enumerate(planned)])
            return StartOutcome(session_id, status, open_id)

        return await self._db.write(w)

    async def view(self, session_id: int) -> SessionView | None:
        return await self._db.read(lambda c: _view(c, session_id))

    async def open_session(self, community: str, member: str) -> SessionView | None:
        def q(c: sqlite3.Connection) -> SessionView | None:
            found = _open_id(c, community, member)
            return None if found is None else _view(c, found)

        return await self._db.read(q)

    async def activate(self, session_id: int, member: str, now: datetime) -> SessionView | None:
        def w(c: sqlite3.Connection) -> SessionView | None:
            view = _view(c, session_id)
            if view is None or view.session.member != member:
                return None
            if view.session.status is SessionStatus.PENDING:
                s = view.session
                c.execute("UPDATE quiz_sessions SET status = 'abandoned', finished_at = ? "
                          "WHERE community = ? AND member = ? AND status = 'open'", (to_db(now), s.community, member))
                c.execute("UPDATE quiz_sessions SET status = 'open', started_at = ? WHERE id = ?",
                          (to_db(now), session_id))
                view = _view(c, session_id)
            return view

        return await self._db.write(w)

    async def drop(self, session_id: int, member: str) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE quiz_sessions SET status = 'dropped' WHERE id = ? AND member = ? "
                             "AND status = 'pending'", (session_id, member)).rowcount > 0

        return await self._db.write(w)

    async def answer(self, session_id: int, idx: int, member: str, community: str, picked: int, now: datetime,
                     window_start: datetime, points: int) -> AnswerOutcome:
        def w(c: sqlite3.Connection) -> AnswerOutcome:
            view = _view(c, session_id)
            if view is None or view.session.community != community or idx >= len(view.questions):
                return AnswerOutcome(AnswerStatus.MISSING)
            if view.session.member != member:
                return AnswerOutcome(AnswerStatus.FOREIGN)
            question = view.questions[idx]
            if question.answered:
                return AnswerOutcome(AnswerStatus.ALREADY, question)
            if view.session.status is not SessionStatus.OPEN:
                return AnswerOutcome(AnswerStatus.CLOSED, question)
            if view.current is None or view.current.idx != idx:
                return AnswerOutcome(AnswerStatus.NOT_CURRENT, view.current)
            correct = picked == question.answer
            earned = 0
            if correct:
                recent = c.execute(
                    "SELECT 1 FROM quiz_questions WHERE community = ? AND member = ? AND item_id = ? "
                    "AND earned > 0 AND answered_at >= ? LIMIT 1",
                    (community, member, question.item_id, to_db(window_start))).fetchone()
                earned = 0 if recent else points
            c.execute("UPDATE quiz_questions SET picked = ?, correct = ?, earned = ?, answered_at = ? "
                      "WHERE session_id = ? AND idx = ? AND picked IS NULL",
                      (picked, int(correct), earned, to_db(now), session_id, idx))
            finished = all(q.answered for q in view.questions if q.idx != idx)
            if finished:
                c.execute("UPDATE quiz_sessions SET status = 'finished', finished_at = ? WHERE id = ?",
                          (to_db(now), session_id))
            row = c.execute(f"SELECT {_QUESTION_COLS} FROM quiz_questions WHERE session_id = ? AND idx = ?",
                            (session_id, idx)).fetchone()
            return AnswerOutcome(AnswerStatus.RECORDED, _question(row), finished)

        return await self._db.write(w)

    async def skip(self, session_id: int, idx: int) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("UPDATE quiz_questions SET picked = ? WHERE session_id = ? AND idx = ? AND picked IS NULL",
                      (SKIPPED, session_id, idx))
            left = c.execute("SELECT COUNT(*) FROM quiz_questions WHERE session_id = ? AND picked IS NULL",
                             (session_id,)).fetchone()[0]
            if not left:
                c.execute("UPDATE quiz_sessions SET status = 'finished', finished_at = COALESCE(finished_at, "
                          "(SELECT MAX(answered_at) FROM quiz_questions WHERE session_id = ?), started_at) "
                          "WHERE id = ? AND status = 'open'", (session_id, session_id))

        await self._db.write(w)

    async def last_seen(self, community: str, member: str) -> dict[str, datetime]:
        def q(c: sqlite3.Connection) -> dict[str, datetime]:
            rows = c.execute(
                "SELECT item_id, MAX(answered_at) FROM quiz_questions WHERE community = ? AND member = ? "
                "AND answered_at IS NOT NULL GROUP BY item_id "
                "UNION ALL SELECT q.item_id, MAX(p.arrived_at) FROM quiz_race_picks p "
                "JOIN quiz_race_questions q ON q.id = p.question_id WHERE p.community = ? AND p.member = ? "
                "GROUP BY q.item_id", (community, member, community, member)).fetchall()
            seen: dict[str, datetime] = {}
            for item, at in rows:
                when = from_db(str(at))
                if item not in seen or seen[item] < when:
                    seen[str(item)] = when
            return seen

        return await self._db.read(q)

    async def accuracy(self, community: str, member: str) -> tuple[int, int]:
        def q(c: sqlite3.Connection) -> tuple[int, int]:
            row = c.execute("SELECT COUNT(*), COALESCE(SUM(correct), 0) FROM quiz_questions WHERE community = ? "
                            "AND member = ? AND picked IS NOT NULL AND picked >= 0", (community, member)).fetchone()
            return int(row[0]), int(row[1])

        return await self._db.read(q)

    async def member_data(self, community: str, member: str) -> list[dict[str, Any]]:
        return (await self._db.read(lambda c: _quizzes(c, community, member))).get(member, [])

    async def community_data(self, community: str) -> dict[str, list[dict[str, Any]]]:
        """`member_data` of everyone here who has any, by member: one read of two queries, whatever the
        number of members (a community export)."""
        return await self._db.read(lambda c: _quizzes(c, community, None))

    async def erase_member(self, community: str, member: str) -> int:
        def w(c: sqlite3.Connection) -> int:
            c.execute("DELETE FROM quiz_questions WHERE community = ? AND member = ?", (community, member))
            return c.execute("DELETE FROM quiz_sessions WHERE community = ? AND member = ?",
                             (community, member)).rowcount

        return await self._db.write(w)
