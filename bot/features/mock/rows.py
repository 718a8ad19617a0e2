"""How the mock tables' rows become the model's dataclasses (shared by the repository modules)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.features.mock.model import (
    Answer,
    Competency,
    Draft,
    Outcome,
    Profile,
    Report,
    Scorecard,
    Session,
    SessionStatus,
)
from bot.store.db import from_db, opt_from_db

PROFILE = ("community, member, tracks, level, zone, availability, cadence, paused, paused_until, missed_in_row, "
            "joined_at")
SESSION = ("id, round_id, community, track, week_start, overlap, repeat, status, version, space, start_at, "
            "booked_by, deadline_at, declined, space_name, closed_at")
CARD = ("session_id, turn, community, interviewer, interviewee, item_id, modeling_judgment, production_readiness, "
         "evaluation_rigor, communication_clarity, strengths, improve, status, sent_at")
OPEN = ("opening", "proposed", "booked")


def opt(value: object) -> str | None:
    return None if value is None else str(value)


def profile_row(row: Sequence[object]) -> Profile:
    return Profile(community=str(row[0]), member=str(row[1]), tracks=tuple(t for t in str(row[2]).split(",") if t),
                   level=str(row[3]), zone=str(row[4]), availability=str(row[5]), cadence=str(row[6]),
                   paused=bool(row[7]), paused_until=opt_from_db(opt(row[8])), missed_in_row=int(str(row[9])),
                   joined_at=opt_from_db(opt(row[10])))


def draft_row(row: Sequence[object]) -> Draft:
    return Draft(id=int(str(row[0])), community=str(row[1]), member=str(row[2]),
                 tracks=tuple(t for t in str(row[3]).split(",") if t), level=str(row[4]), zone=str(row[5]),
                 availability=str(row[6]), cadence=str(row[7]))


def slots(text: str) -> frozenset[int]:
    return frozenset(int(x) for x in text.split(",") if x)


def session_row(c: sqlite3.Connection, row: Sequence[object]) -> Session:
    sid = int(str(row[0]))
    people = c.execute("SELECT member, level, absent, outcome FROM mock_members WHERE session_id = ? "
                       "ORDER BY position", (sid,)).fetchall()
    reports = tuple(Report(str(r[0]), Answer(str(r[1])), opt(r[2]), from_db(str(r[3])), int(str(r[4]))) for r in c.execute(
        "SELECT member, answer, about, reported_at, points FROM mock_reports WHERE session_id = ? "
        "ORDER BY reported_at, member", (sid,)))
    return Session(id=sid, round_id=int(str(row[1])), community=str(row[2]), track=str(row[3]),
                   members=tuple(str(p[0]) for p in people), levels=tuple(str(p[1]) for p in people),
                   week_start=from_db(str(row[4])), overlap=slots(str(row[5])), repeat=bool(row[6]),
                   status=SessionStatus(str(row[7])), version=int(str(row[8])), space=opt(row[9]),
                   start_at=opt_from_db(opt(row[10])), booked_by=opt(row[11]),
                   deadline_at=opt_from_db(opt(row[12])),
                   absent=frozenset(str(p[0]) for p in people if p[2]),
                   declined=frozenset(from_db(t) for t in str(row[13]).split(",") if t),
                   space_name=opt(row[14]), reports=reports,
                   outcomes={str(p[0]): Outcome(str(p[3])) for p in people if p[3] is not None},
                   closed_at=opt_from_db(opt(row[15])))


def card_row(row: Sequence[object]) -> Scorecard:
    ratings = {comp: int(str(row[6 + i])) for i, comp in enumerate(Competency)}
    return Scorecard(session_id=int(str(row[0])), turn=int(str(row[1])), community=str(row[2]),
                     interviewer=opt(row[3]), interviewee=str(row[4]), item_id=opt(row[5]), ratings=ratings,
                     strengths=opt(row[10]), improve=opt(row[11]), sent=str(row[12]) == "sent",
                     sent_at=opt_from_db(opt(row[13])))
