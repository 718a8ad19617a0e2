"""The mock feature's repository on SQLite (MockStore, store.py).

Portability: `ON CONFLICT (...) DO NOTHING/DO UPDATE` only; a PostgreSQL implementation changes `?` to
`$n`, reads new ids from `RETURNING id`, and gives `mock_drafts.id` an identity column (ids are never reused,
so a Confirm button of a replaced draft stays stale).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.features.mock import member_rows
from bot.features.mock.model import (
    Competency,
    Draft,
    Profile,
    Round,
    Scorecard,
    Session,
    SessionStatus,
    Turn,
)
from bot.features.mock.rows import CARD, PROFILE, SESSION, card_row, draft_row, opt, profile_row, session_row
from bot.features.mock.store import NewGroup
from bot.store.db import Database, from_db, opt_from_db, to_db

OPEN = ("opening", "proposed", "booked")


class MockRepo:
    """MockStore on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # the pool -----------------------------------------------------------------------------------
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

    # rounds and sessions ----------------------------------------------------------------------
    async def create_round(self, community: str, occurrence: datetime, week_start: datetime,
                           groups: list[NewGroup], waiting: list[str], now: datetime) -> tuple[Round, bool]:
        """The round at this occurrence with its sessions, created now (True) or found as it was (False)."""

        def w(c: sqlite3.Connection) -> tuple[Round, bool]:
            cur = c.execute(
                "INSERT INTO mock_rounds (community, occurrence, week_start, waiting, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (community, occurrence) DO NOTHING",
                (community, to_db(occurrence), to_db(week_start), ",".join(waiting), to_db(now)))
            created = cur.rowcount == 1
            rnd = _round_at(c, community, occurrence)
            assert rnd is not None
            if created:
                for g in groups:
                    s = c.execute(
                        "INSERT INTO mock_sessions (round_id, community, track, week_start, overlap, repeat, status, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'opening', ?, ?)",
                        (rnd.id, community, g.track, to_db(week_start), ",".join(str(x) for x in sorted(g.overlap)),
                         int(g.repeat), to_db(now), to_db(now)))
                    sid = int(s.lastrowid or 0)
                    n = len(g.members)
                    for pos, (member, level) in enumerate(zip(g.members, g.levels, strict=True)):
                        c.execute("INSERT INTO mock_members (session_id, position, member, level) VALUES (?, ?, ?, ?)",
                                  (sid, pos, member, level))
                        c.execute("INSERT INTO mock_turns (session_id, turn, interviewer, interviewee) "
                                  "VALUES (?, ?, ?, ?)", (sid, pos, member, g.members[(pos + 1) % n]))
            return rnd, created

        return await self._db.write(w)

    async def round_at(self, community: str, occurrence: datetime) -> Round | None:
        return await self._db.read(lambda c: _round_at(c, community, occurrence))

    async def last_round(self, community: str) -> Round | None:
        return await self._db.read(lambda c: _round_at(c, community, None))

    async def round_count(self, community: str, before: datetime) -> int:
        """How many rounds the community ran before this instant."""

        def q(c: sqlite3.Connection) -> int:
            return int(c.execute("SELECT COUNT(*) FROM mock_rounds WHERE community = ? AND occurrence < ?",
                                 (community, to_db(before))).fetchone()[0])

        return await self._db.read(q)

    async def session(self, session_id: int) -> Session | None:
        def q(c: sqlite3.Connection) -> Session | None:
            row = c.execute(f"SELECT {SESSION} FROM mock_sessions WHERE id = ?", (session_id,)).fetchone()
            return None if row is None else session_row(c, row)

        return await self._db.read(q)

    async def sessions_of_round(self, round_id: int) -> list[Session]:
        def q(c: sqlite3.Connection) -> list[Session]:
            rows = c.execute(f"SELECT {SESSION} FROM mock_sessions WHERE round_id = ? ORDER BY id",
                             (round_id,)).fetchall()
            return [session_row(c, r) for r in rows]

        return await self._db.read(q)

    async def sessions_of(self, community: str, member: str) -> list[Session]:
        """The member's sessions, newest first."""

        def q(c: sqlite3.Connection) -> list[Session]:
            rows = c.execute(
                f"SELECT {', '.join('s.' + col.strip() for col in SESSION.split(','))} FROM mock_sessions s "
                "JOIN mock_members m ON m.session_id = s.id WHERE s.community = ? AND m.member = ? ORDER BY s.id DESC",
                (community, member)).fetchall()
            return [session_row(c, r) for r in rows]

        return await self._db.read(q)

    async def pair_history(self, community: str) -> list[tuple[int, tuple[str, ...]]]:
        """(round number, members) of every session of the community, oldest round first."""

        def q(c: sqlite3.Connection) -> list[tuple[int, tuple[str, ...]]]:
            numbers = {int(r[0]): n for n, r in enumerate(c.execute(
                "SELECT id FROM mock_rounds WHERE community = ? ORDER BY occurrence", (community,)), 1)}
            out: list[tuple[int, tuple[str, ...]]] = []
            for sid, rid in c.execute("SELECT id, round_id FROM mock_sessions WHERE community = ? ORDER BY id",
                                      (community,)).fetchall():
                people = tuple(str(m[0]) for m in c.execute(
                    "SELECT member FROM mock_members WHERE session_id = ? ORDER BY position", (sid,)))
                out.append((numbers.get(int(rid), 0), people))
            return out

        return await self._db.read(q)

    async def last_paired(self, community: str) -> dict[str, datetime]:
        """When each member was last put in a session (the round's occurrence)."""

        def q(c: sqlite3.Connection) -> dict[str, datetime]:
            rows = c.execute(
                "SELECT m.member, MAX(r.occurrence) FROM mock_members m JOIN mock_sessions s ON s.id = m.session_id "
                "JOIN mock_rounds r ON r.id = s.round_id WHERE s.community = ? AND s.status != 'cancelled' "
                "GROUP BY m.member", (community,)).fetchall()
            return {str(m): from_db(str(t)) for m, t in rows}

        return await self._db.read(q)

    async def busy(self, community: str, now: datetime) -> set[str]:
        """Members with a session still ahead of them: not yet booked, or booked and not yet over."""

        def q(c: sqlite3.Connection) -> set[str]:
            rows = c.execute(
                "SELECT m.member, s.status, s.start_at FROM mock_members m JOIN mock_sessions s ON s.id = m.session_id "
                "WHERE s.community = ? AND s.status IN ('opening', 'proposed', 'booked')", (community,)).fetchall()
            return {str(m) for m, status, start in rows if status != "booked" or start is None or from_db(str(start)) > now}

        return await self._db.read(q)

    async def opened(self, session_id: int, space: str, deadline: datetime, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET space = ?, deadline_at = ?, status = 'proposed', updated_at = ? "
                             "WHERE id = ? AND status = 'opening'",
                             (space, to_db(deadline), to_db(now), session_id)).rowcount == 1

        return await self._db.write(w)

    async def book(self, session_id: int, version: int, start: datetime, by: str | None, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET status = 'booked', start_at = ?, booked_by = ?, updated_at = ? "
                             "WHERE id = ? AND status = 'proposed' AND version = ?",
                             (to_db(start), by, to_db(now), session_id, version)).rowcount == 1

        return await self._db.write(w)

    async def reopen(self, session_id: int, version: int, deadline: datetime, now: datetime) -> bool:
        """A booked session goes back to proposing times (a reschedule): a new version, no time, and the
        time it had is declined (never offered again for this session)."""

        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET status = 'proposed', version = version + 1, "
                             "declined = CASE WHEN declined = '' THEN start_at ELSE declined || ',' || start_at END, "
                             "start_at = NULL, booked_by = NULL, deadline_at = ?, updated_at = ? "
                             "WHERE id = ? AND status = 'booked' AND version = ? AND start_at IS NOT NULL",
                             (to_db(deadline), to_db(now), session_id, version)).rowcount == 1

        return await self._db.write(w)

    async def cancel(self, session_id: int, now: datetime) -> bool:
        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET status = 'cancelled', version = version + 1, updated_at = ? "
                             "WHERE id = ? AND status IN ('opening', 'proposed', 'booked')",
                             (to_db(now), session_id)).rowcount == 1

        return await self._db.write(w)

    async def finish(self, session_id: int, status: SessionStatus, now: datetime) -> bool:
        """A booked session is over: done (it happened) or missed."""

        def w(c: sqlite3.Connection) -> bool:
            return c.execute("UPDATE mock_sessions SET status = ?, updated_at = ? WHERE id = ? AND status = 'booked'",
                             (status.value, to_db(now), session_id)).rowcount == 1

        return await self._db.write(w)

    async def mark_absent(self, session_id: int, member: str) -> int | None:
        """Record a no-show once: the member's missed sessions in a row now, or None if already recorded."""

        def w(c: sqlite3.Connection) -> int | None:
            if c.execute("UPDATE mock_members SET absent = 1 WHERE session_id = ? AND member = ? AND absent = 0",
                         (session_id, member)).rowcount != 1:
                return None
            row = c.execute("SELECT community FROM mock_sessions WHERE id = ?", (session_id,)).fetchone()
            c.execute("UPDATE mock_profiles SET missed_in_row = missed_in_row + 1 WHERE community = ? AND member = ?",
                      (row[0], member))
            got = c.execute("SELECT missed_in_row FROM mock_profiles WHERE community = ? AND member = ?",
                            (row[0], member)).fetchone()
            return 0 if got is None else int(got[0])

        return await self._db.write(w)

    async def attended(self, community: str, members: tuple[str, ...]) -> None:
        """A session happened: these members' run of missed sessions is over."""

        def w(c: sqlite3.Connection) -> None:
            for m in members:
                c.execute("UPDATE mock_profiles SET missed_in_row = 0 WHERE community = ? AND member = ?",
                          (community, m))

        await self._db.write(w)

    # turns and the questions members have met --------------------------------------------------
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

    # a member's own data (bot.features.mock.member_rows) --------------------------------------------
    async def member_data(self, community: str, member: str) -> dict[str, Any]:
        return await self._db.read(lambda c: member_rows.member_data(c, community, member))

    async def erase_member(self, community: str, member: str) -> int:
        return await self._db.write(lambda c: member_rows.erase_member(c, community, member))


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


def _round_at(c: sqlite3.Connection, community: str, occurrence: datetime | None) -> Round | None:
    """The round at this occurrence (None: the community's latest round)."""
    cols = "SELECT id, community, occurrence, week_start, waiting FROM mock_rounds WHERE community = ?"
    row = (c.execute(cols + " ORDER BY occurrence DESC LIMIT 1", (community,)) if occurrence is None else
           c.execute(cols + " AND occurrence = ?", (community, to_db(occurrence)))).fetchone()
    if row is None:
        return None
    number = c.execute("SELECT COUNT(*) FROM mock_rounds WHERE community = ? AND occurrence <= ?",
                       (community, str(row[2]))).fetchone()[0]
    return Round(int(row[0]), str(row[1]), from_db(str(row[2])), from_db(str(row[3])), int(number),
                 tuple(m for m in str(row[4]).split(",") if m))
