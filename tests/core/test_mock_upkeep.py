"""Sessions a build before the report window left behind get the jobs they now need (upkeep.py): the
database is put back as the older build left it (the mock schema at version 1, a booked session written
row by row with the jobs that build planned, none of them a close), then this build starts on it. The
catch-up plants the close (mock.expire) once; a second run adds nothing; the window then closes the
session as unconfirmed. A row lost later is found again after the community's next pairing round."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import CHANNEL, COMMUNITY, FakeChat, Harness
from test_mock_flow import in_spaces, join, titled
from test_mock_reports import RECORDED
from test_mock_restart import boot, once_each, restart

from bot.features.mock import REPORT_WINDOW
from bot.features.mock.model import SESSION
from bot.features.mock.upkeep import RECONCILE_JOB
from bot.ids import MemberRef
from bot.signals import MemberActive
from bot.store.db import to_db
from bot.store.jobs import job_upsert

MONDAY = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
START = datetime(2025, 6, 5, 17, 0, tzinfo=UTC)  # the old session's booked time (Thursday)
KEY = COMMUNITY.key


def old_build_left(space: str, start: datetime, now: datetime,
                   ended: bool) -> Callable[[sqlite3.Connection], None]:
    """The rows the build before the report window left for a pair booked at `start`, at mock schema 1:
    a round, a booked session (version 1) with its members and turns, and the jobs that build planned
    (reminders, packets, "did it happen?"): done when `ended` (the question went out, nobody clicked),
    else still pending. No close: that build had none."""

    def w(c: sqlite3.Connection) -> None:
        # schema 1 again: what migrations 2 and 4 added is not there yet
        c.execute("DROP TABLE mock_waiting")
        c.execute("DROP TABLE mock_reports")
        c.execute("ALTER TABLE mock_members DROP COLUMN outcome")
        c.execute("ALTER TABLE mock_sessions DROP COLUMN closed_at")
        c.execute("ALTER TABLE mock_sessions DROP COLUMN space_name")
        c.execute("UPDATE feature_schema SET version = 1 WHERE feature = 'mock'")
        week = datetime(2025, 6, 2, tzinfo=UTC)
        c.execute("INSERT INTO mock_rounds (id, community, occurrence, week_start, waiting, created_at) "
                  "VALUES (1, ?, ?, ?, '', ?)", (KEY, to_db(start - timedelta(days=3)), to_db(week), to_db(now)))
        c.execute("INSERT INTO mock_sessions (id, round_id, community, track, week_start, overlap, repeat, status, "
                  "version, space, start_at, booked_by, deadline_at, declined, created_at, updated_at) VALUES "
                  "(1, 1, ?, 'ml-fundamentals', ?, '1,2', 0, 'booked', 1, ?, ?, 'ann', ?, '', ?, ?)",
                  (KEY, to_db(week), space, to_db(start), to_db(start - timedelta(days=2)), to_db(now), to_db(now)))
        for pos, (member, other) in enumerate((("ann", "bob"), ("bob", "ann"))):
            c.execute("INSERT INTO mock_members (session_id, position, member, level) VALUES (1, ?, ?, 'mid')",
                      (pos, member))
            c.execute("INSERT INTO mock_turns (session_id, turn, interviewer, interviewee) VALUES (1, ?, ?, ?)",
                      (pos, member, other))
        planned = [("mock.remind", "1:24h", start - timedelta(hours=24), {"version": 1, "lead": "24h"}),
                   ("mock.remind", "1:15m", start - timedelta(minutes=15), {"version": 1, "lead": "15m"}),
                   ("mock.packet", "1:0", start - timedelta(minutes=30), {"version": 1, "turn": 0}),
                   ("mock.packet", "1:1", start + timedelta(minutes=30), {"version": 1, "turn": 1}),
                   ("mock.after", "1", start + SESSION + timedelta(minutes=5), {"version": 1})]
        for kind, key, due, payload in planned:
            job_upsert(c, kind, key, KEY, due, payload, now)
            if ended:
                c.execute("UPDATE jobs SET status = 'done', attempts = 1, finished_at = ? WHERE kind = ? AND key = ?",
                          (to_db(due), kind, key))

    return w


async def mock_jobs(h: Harness) -> list[tuple[Any, ...]]:
    """Every mock job row but the catch-up's own, as (kind, key, status, due_at, payload)."""
    return await h.core.db.read(lambda c: c.execute(
        "SELECT kind, key, status, due_at, payload FROM jobs WHERE kind LIKE 'mock.%' AND kind != ? "
        "AND kind != 'mock.round' ORDER BY kind, key", (RECONCILE_JOB,)).fetchall())


async def upgraded(tmp_path: Path, now: datetime, start: datetime, ended: bool,
                   heard: list[MemberActive]) -> tuple[Harness, str]:
    """A community set up, ann and bob in the pool, and the older build's session: then this build starts."""
    path = str(tmp_path / "mock.db")
    h = await boot(path, MONDAY, FakeChat(), heard)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    await join(h, "ann")
    await join(h, "bob")
    space = await h.chat.open_private_space(CHANNEL, (MemberRef(COMMUNITY, "ann"), MemberRef(COMMUNITY, "bob")),
                                            "Mock interview · Ann & Bob")
    await h.core.jobs.cancel("mock.round", KEY)  # (no round of this build's in the way)
    await h.core.db.write(old_build_left(space.key, start, now, ended))
    h.clock.set(now)
    return await restart(h, path, heard), space.key  # migrations 2 and 3, then the start-up sweep


@pytest.mark.parametrize("ended", [True, False], ids=["question-out-nobody-clicked", "still-ahead"])
async def test_an_old_booked_session_gets_its_close_once_and_closes_unconfirmed(tmp_path: Path, ended: bool) -> None:
    heard: list[MemberActive] = []
    now = START + SESSION + timedelta(hours=2) if ended else START - timedelta(days=2)
    h, space = await upgraded(tmp_path, now, START, ended, heard)
    closes = START + SESSION + REPORT_WINDOW
    try:
        status, due, _, _ = await h.core.job_rows.get("mock.expire", "1") or (None, None, 0, None)
        assert (status, due) == ("pending", closes)  # planted by the start-up catch-up
        jobs = await mock_jobs(h)
        assert [j[:2] for j in jobs].count(("mock.expire", "1")) == 1
        # the older build's jobs are as they were: nothing re-sent, nothing moved
        assert {j[:3] for j in jobs if j[0] != "mock.expire"} == {
            (kind, key, "done" if ended else "pending") for kind, key in
            (("mock.after", "1"), ("mock.packet", "1:0"), ("mock.packet", "1:1"), ("mock.remind", "1:15m"),
             ("mock.remind", "1:24h"))}

        await h.core.jobs.schedule(RECONCILE_JOB, KEY, KEY, h.clock.now())  # a second run ...
        await h.core.jobs.tick()
        assert await mock_jobs(h) == jobs  # ... adds nothing, changes nothing
        h = await restart(h, str(tmp_path / "mock.db"), heard)  # nor does a second start (the migration ran once)
        assert await mock_jobs(h) == jobs

        await h.run_until(closes - timedelta(minutes=1))
        assert not titled(in_spaces(h), RECORDED)
        assert len(titled(in_spaces(h), "Did it happen?")) == (0 if ended else 1)  # the old build's was sent then
        await h.run_until(closes + timedelta(minutes=1))
        (closed,) = titled(in_spaces(h), RECORDED)
        assert closed.where == space and "Nobody answered" in closed.reply.text and "unconfirmed" in closed.reply.text
        told = await h.command("ann", "mock", "status")
        assert told.reply is not None and "unconfirmed (nobody answered)" in told.reply.text
        assert "Did it happen?" not in told.reply.text  # no longer waiting for an answer
        await h.run_until(closes + timedelta(days=8))
        assert len(titled(in_spaces(h), RECORDED)) == 1
        once_each(h)
    finally:
        await h.close()


async def test_a_lost_close_is_planned_again_after_the_next_round(tmp_path: Path) -> None:
    heard: list[MemberActive] = []
    h, _ = await upgraded(tmp_path, START + SESSION + timedelta(hours=2), START, True, heard)
    try:
        await h.core.jobs.cancel("mock.expire", "1")  # lost, anyhow
        assert await h.core.job_rows.get("mock.expire", "1") is None
        await h.command("admin", "mock", "schedule", admin=True, day="fri", time="12:00")
        await h.run_until(datetime(2025, 6, 6, 12, 1, tzinfo=UTC))  # Friday's round
        got = await h.core.job_rows.get("mock.expire", "1")
        assert got is not None and got[:2] == ("pending", START + SESSION + REPORT_WINDOW)
    finally:
        await h.close()
