"""A member's own mock data, as SQL run on the database thread: what their export carries, and what
forget-me removes. Scorecards are counted, never copied: their contents reach only the interviewee, by
DM, and no export (an admin may run one) carries them in readable form."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.features.mock.model import ERASED
from bot.features.mock.rows import PROFILE, opt, profile_row


def member_data(c: sqlite3.Connection, community: str, member: str) -> dict[str, Any]:
    """For the member's export."""
    return _member_data(c, community, member).get(member) or empty_member_data()


def community_data(c: sqlite3.Connection, community: str) -> dict[str, dict[str, Any]]:
    """`member_data` of everyone here who has any, by member, in three queries whatever their number (for a
    community export)."""
    return _member_data(c, community, None)


def empty_member_data() -> dict[str, Any]:
    """`member_data` of a member with no mock rows."""
    return {"profile": None, "sessions": [], "scorecards_received": 0, "scorecards_written": 0,
            "scorecard_contents": "not exported: each scorecard was sent only to its interviewee, by DM"}


def _member_data(c: sqlite3.Connection, community: str, member: str | None) -> dict[str, dict[str, Any]]:
    """One member's (or, None, everyone's) profile, sessions and scorecard counts, by member: the same three
    queries either way, so both exports agree."""
    one = member is not None
    args = (community, member) if one else (community,)
    out: dict[str, dict[str, Any]] = {}
    for p in map(profile_row, c.execute(f"SELECT {PROFILE} FROM mock_profiles WHERE community = ?"
                                        + (" AND member = ?" if one else ""), args)):
        out.setdefault(p.member, empty_member_data())["profile"] = {
            "tracks": list(p.tracks), "level": p.level, "timezone": p.zone, "availability": p.availability,
            "cadence": p.cadence, "paused": p.paused,
            "paused_until": None if p.paused_until is None else p.paused_until.isoformat()}
    for s in c.execute(
            "SELECT m.member, s.id, s.track, s.status, s.start_at, m.absent, m.outcome, r.answer, r.reported_at "
            "FROM mock_sessions s JOIN mock_members m ON m.session_id = s.id "
            "LEFT JOIN mock_reports r ON r.session_id = s.id AND r.member = m.member "
            "WHERE s.community = ?" + (" AND m.member = ?" if one else "") + " ORDER BY s.id", args):
        out.setdefault(str(s[0]), empty_member_data())["sessions"].append(
            {"session": int(s[1]), "track": str(s[2]), "status": str(s[3]), "start": opt(s[4]),
             "missed": bool(s[5]), "recorded": opt(s[6]), "your_answer": opt(s[7]), "answered_at": opt(s[8])})
    for about, by, n in c.execute(
            "SELECT interviewee, interviewer, COUNT(*) FROM mock_scorecards WHERE community = ? AND status = 'sent'"
            + (" AND (interviewee = ? OR interviewer = ?)" if one else "") + " GROUP BY interviewee, interviewer",
            (community, member, member) if one else (community,)):
        out.setdefault(str(about), empty_member_data())["scorecards_received"] += int(n)
        if by is not None:
            out.setdefault(str(by), empty_member_data())["scorecards_written"] += int(n)
    return out


def erase_member(c: sqlite3.Connection, community: str, member: str) -> int:
    """Forget the member: their profile, drafts, what they met, the scorecards about them; where they
    were someone's partner, only a placeholder stays (the partner's history keeps its shape)."""
    gone = 0
    for sql in ("DELETE FROM mock_profiles WHERE community = ? AND member = ?",
                "DELETE FROM mock_drafts WHERE community = ? AND member = ?",
                "DELETE FROM mock_seen WHERE community = ? AND member = ?",
                "DELETE FROM mock_waiting WHERE community = ? AND member = ?",
                "DELETE FROM mock_scorecards WHERE community = ? AND interviewee = ?"):
        gone += c.execute(sql, (community, member)).rowcount
    gone += c.execute("UPDATE mock_scorecards SET interviewer = NULL WHERE community = ? AND interviewer = ?",
                      (community, member)).rowcount
    seats = [(int(r[0]), int(r[1])) for r in c.execute(
        "SELECT s.id, m.position FROM mock_sessions s JOIN mock_members m ON m.session_id = s.id "
        "WHERE s.community = ? AND m.member = ?", (community, member))]
    for sid, position in seats:
        # one placeholder per seat: (session, member) is unique, and two members of one session may go
        placeholder = f"{ERASED}{sid}-{position}"
        gone += c.execute("UPDATE mock_members SET member = ? WHERE session_id = ? AND member = ?",
                          (placeholder, sid, member)).rowcount
        c.execute("UPDATE mock_turns SET interviewer = ? WHERE session_id = ? AND interviewer = ?",
                  (placeholder, sid, member))
        c.execute("UPDATE mock_turns SET interviewee = ? WHERE session_id = ? AND interviewee = ?",
                  (placeholder, sid, member))
        c.execute("UPDATE mock_sessions SET booked_by = NULL WHERE id = ? AND booked_by = ?", (sid, member))
        c.execute("UPDATE mock_reports SET member = ? WHERE session_id = ? AND member = ?", (placeholder, sid, member))
        c.execute("UPDATE mock_reports SET about = ? WHERE session_id = ? AND about = ?", (placeholder, sid, member))
    for rid, waiting in c.execute("SELECT id, waiting FROM mock_rounds WHERE community = ?",
                                  (community,)).fetchall():
        names = [m for m in str(waiting).split(",") if m]
        if member in names:
            c.execute("UPDATE mock_rounds SET waiting = ? WHERE id = ?",
                      (",".join(m for m in names if m != member), rid))
            gone += 1
    return gone
