"""The turns, the questions members have met, and the scorecards on SQLite: part of MockRepo (repo.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.features.mock.model import Competency, Scorecard, Turn
from bot.features.mock.rows import CARD, card_row, opt
from bot.store.db import Database, opt_from_db, to_db


class CardRepo:
    """Turns, seen items and scorecards (MockStore's methods for them)."""

    _db: Database

    async def turn(self, session_id: int, turn: int) -> Turn | None:
        def q(c: sqlite3.Connection) -> Turn | None:
            row = c.execute("SELECT session_id, turn, interviewer, interviewee, item_id, sent_at FROM mock_turns "
                            "WHERE session_id = ? AND turn = ?", (session_id, turn)).fetchone()
            return None if row is None else Turn(int(row[0]), int(row[1]), str(row[2]), str(row[3]), opt(row[4]),
                                                 opt_from_db(opt(row[5])))

        return await self._db.read(q)

    async def choose_item(self, session_id: int, turn: int, item_id: str, now: datetime) -> Turn:
        """Keep the first question chosen for this turn (a rerun gets the same one back)."""

        def w(c: sqlite3.Connection) -> Turn:
            c.execute("UPDATE mock_turns SET item_id = ?, sent_at = ? WHERE session_id = ? AND turn = ? "
                      "AND item_id IS NULL", (item_id, to_db(now), session_id, turn))
            row = c.execute("SELECT session_id, turn, interviewer, interviewee, item_id, sent_at FROM mock_turns "
                            "WHERE session_id = ? AND turn = ?", (session_id, turn)).fetchone()
            return Turn(int(row[0]), int(row[1]), str(row[2]), str(row[3]), opt(row[4]), opt_from_db(opt(row[5])))

        return await self._db.write(w)

    async def seen_items(self, community: str, member: str) -> set[str]:
        """Questions the member met already: in a mock (either side of it) or answered elsewhere."""

        def q(c: sqlite3.Connection) -> set[str]:
            mocks = c.execute(
                "SELECT t.item_id FROM mock_turns t JOIN mock_sessions s ON s.id = t.session_id WHERE s.community = ? "
                "AND t.item_id IS NOT NULL AND (t.interviewer = ? OR t.interviewee = ?)",
                (community, member, member)).fetchall()
            others = c.execute("SELECT item_id FROM mock_seen WHERE community = ? AND member = ?",
                               (community, member)).fetchall()
            return {str(r[0]) for r in (*mocks, *others)}

        return await self._db.read(q)

    async def add_seen(self, community: str, member: str, item_id: str) -> None:
        def w(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO mock_seen (community, member, item_id) VALUES (?, ?, ?) "
                      "ON CONFLICT (community, member, item_id) DO NOTHING", (community, member, item_id))

        await self._db.write(w)

    # scorecards -------------------------------------------------------------------------------
    async def save_ratings(self, card: Scorecard, now: datetime) -> bool:
        """Step one of a scorecard (the ratings); False when it was already sent (nothing changes)."""
        r = card.ratings

        def w(c: sqlite3.Connection) -> bool:
            return c.execute(
                f"INSERT INTO mock_scorecards ({CARD.replace(', sent_at', '')}, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'draft', ?) "
                "ON CONFLICT (session_id, turn) DO UPDATE SET modeling_judgment = excluded.modeling_judgment, "
                "production_readiness = excluded.production_readiness, evaluation_rigor = excluded.evaluation_rigor, "
                "communication_clarity = excluded.communication_clarity WHERE mock_scorecards.status = 'draft'",
                (card.session_id, card.turn, card.community, card.interviewer, card.interviewee, card.item_id,
                 r[Competency.MODELING], r[Competency.PRODUCTION], r[Competency.EVALUATION],
                 r[Competency.COMMUNICATION], to_db(now))).rowcount == 1

        return await self._db.write(w)

    async def send_scorecard(self, session_id: int, turn: int, strengths: str, improve: str,
                             now: datetime) -> Scorecard | None:
        """Step two: the written part; the card is final. None when there is no draft (or it was sent)."""

        def w(c: sqlite3.Connection) -> Scorecard | None:
            done = c.execute("UPDATE mock_scorecards SET strengths = ?, improve = ?, status = 'sent', sent_at = ? "
                             "WHERE session_id = ? AND turn = ? AND status = 'draft'",
                             (strengths, improve, to_db(now), session_id, turn)).rowcount
            if done != 1:
                return None
            row = c.execute(f"SELECT {CARD} FROM mock_scorecards WHERE session_id = ? AND turn = ?",
                            (session_id, turn)).fetchone()
            return card_row(row)

        return await self._db.write(w)

    async def scorecard(self, session_id: int, turn: int) -> Scorecard | None:
        def q(c: sqlite3.Connection) -> Scorecard | None:
            row = c.execute(f"SELECT {CARD} FROM mock_scorecards WHERE session_id = ? AND turn = ?",
                            (session_id, turn)).fetchone()
            return None if row is None else card_row(row)

        return await self._db.read(q)

    async def received(self, community: str, member: str) -> list[Scorecard]:
        """The member's sent scorecards (as interviewee), newest first."""

        def q(c: sqlite3.Connection) -> list[Scorecard]:
            rows = c.execute(f"SELECT {CARD} FROM mock_scorecards WHERE community = ? AND interviewee = ? "
                             "AND status = 'sent' ORDER BY sent_at DESC", (community, member)).fetchall()
            return [card_row(r) for r in rows]

        return await self._db.read(q)
