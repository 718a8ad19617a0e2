"""Upgrading a database from before the daily question owned its settings (core migration 9).

The old database is built the way the previous build left it: the core migrations up to version 8 (the
schedule in columns of `communities`), with rows as its `CommunityRepo.save` wrote them (days as weekday
numbers, NULL for "reveal at the next post"). Opened by this build, every community reads the same
settings, and its next post and reveal come at the same instants.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes import CHANNEL, Harness

from bot import markup as mk
from bot.events import Actor, CommandInvoked
from bot.features.daily.model import RoundStatus
from bot.features.schedule import next_occurrence
from bot.ids import ChannelRef, CommunityRef, MemberRef
from bot.messages import Response
from bot.store.migrations import MIGRATIONS

OLD_VERSION = 8  # the last schema with the schedule in `communities`
SAVED = "2025-06-02T09:00:00.000000Z"
TUESDAY = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
CUSTOM = CHANNEL.community.key  # console:guild1, the Harness's own community
PLAIN = "console:plain"
WEEKDAYS = "console:weekdays"
# (key, channel, post_time, timezone, days, topics, difficulty_mix, reveal_hours, grace_minutes, enabled,
#  active_since, question_source): what the previous build's save wrote
ROWS = [
    (CUSTOM, "general", "07:30", "Europe/Berlin", "0,2,4", "deep-learning,math-stats", "easy:10,medium:60,hard:30",
     12, 90, 1, SAVED, "all"),
    (PLAIN, None, "09:00", "UTC", "0,1,2,3,4,5,6", "", "easy:30,medium:50,hard:20", None, 360, 0, None,
     "packs-first"),
    (WEEKDAYS, "c1", "18:05", "America/New_York", "0,1,2,3,4", "", "easy:0,medium:1,hard:0", None, 0, 1, SAVED,
     "packs"),
]


def old_database(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for script in MIGRATIONS[:OLD_VERSION]:
            conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {OLD_VERSION}")
        conn.executemany(
            """INSERT INTO communities (key, channel, post_time, timezone, days, topics, difficulty_mix, reveal_hours,
                 grace_minutes, enabled, active_since, question_source, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(*row, SAVED, SAVED) for row in ROWS])
    finally:
        conn.close()


def admin_of(key: str) -> tuple[Actor, ChannelRef]:
    community = CommunityRef.from_key(key)
    return Actor(MemberRef(community, "admin"), "Admin", is_admin=True), ChannelRef(community, "general")


async def said(h: Harness, community: str, name: str, sub: str | None = None, **options: str) -> str:
    actor, channel = admin_of(community)
    resp: Response = await h.handle(CommandInvoked(actor, channel, name, options, sub))
    assert resp.reply is not None, resp
    return resp.reply.text


async def listed(h: Harness, key: str) -> dict[str, str]:
    text = await said(h, key, "studybot", "config")
    return {line.split("**")[1]: line.split("**: ", 1)[1] for line in text.splitlines() if line.startswith("- **")}


async def test_an_old_database_reads_the_same_settings_and_posts_at_the_same_times(tmp_path: Path) -> None:
    path = tmp_path / "studybot.db"
    old_database(path)
    h = await Harness.create(TUESDAY, db=str(path))
    try:
        custom = await listed(h, CUSTOM)
        assert {k: custom[k] for k in ("channel", "timezone", "enabled", "time", "days", "topics", "difficulty",
                                       "reveal", "grace", "questions")} == {
            "channel": "general", "timezone": "Europe/Berlin", "enabled": "yes", "time": "07:30",
            "days": "mon,wed,fri", "topics": mk.escape("deep-learning, math-stats"),
            "difficulty": "easy:10,medium:60,hard:30", "reveal": "after 12h", "grace": "90 min", "questions": "all"}
        plain = await listed(h, PLAIN)
        assert {k: plain[k] for k in ("enabled", "time", "days", "topics", "difficulty", "reveal", "grace",
                                      "questions")} == {
            "enabled": "no", "time": "09:00", "days": "every day", "topics": "all",
            "difficulty": "easy:30,medium:50,hard:20", "reveal": "at the next post", "grace": "360 min",
            "questions": "packs-first"}
        weekdays = await listed(h, WEEKDAYS)
        assert (weekdays["time"], weekdays["days"], weekdays["difficulty"], weekdays["grace"],
                weekdays["questions"]) == ("18:05", "weekdays", "easy:0,medium:1,hard:0", "0 min", "packs")

        # the next post: what the old build computed from its columns (Wednesday 07:30 in Berlin)
        berlin = ZoneInfo("Europe/Berlin")
        expected = next_occurrence(TUESDAY, time(7, 30), berlin, frozenset({0, 2, 4}))
        assert expected is not None and expected.at == datetime(2025, 6, 4, 5, 30, tzinfo=UTC)
        await h.core.sweep()  # the start-up catch-up: each enabled community's daily job, run now
        assert mk.timestamp(expected.at, "R") in await said(h, CUSTOM, "daily")
        job = await h.core.job_rows.get("daily.run", CUSTOM)
        assert job is not None and job[1] == expected.at
        new_york = next_occurrence(TUESDAY, time(18, 5), ZoneInfo("America/New_York"), frozenset(range(5)))
        assert new_york is not None and mk.timestamp(new_york.at, "R") in await said(h, WEEKDAYS, "daily")

        # and it is posted then, from its topics, revealed 12 hours later
        await h.run_until(expected.at)
        rnd = await h.core.rounds.round_on(CUSTOM, date(2025, 6, 4))
        assert rnd is not None and rnd.status is RoundStatus.POSTED and rnd.due_at == expected.at
        assert rnd.reveal_due_at == expected.at + timedelta(hours=12)
        (post,) = [p for p in h.chat.titled("Daily question") if p.where == CHANNEL.key]
        assert "about deep-learning" in post.reply.text or "about math-stats" in post.reply.text
    finally:
        await h.close()


async def test_the_copy_runs_once_and_a_later_change_is_kept_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "studybot.db"
    old_database(path)
    h = await Harness.create(TUESDAY, db=str(path))
    try:
        assert await said(h, CUSTOM, "studybot", "config", key="time", value="06:00") == "time is now 06:00."
        before = await listed(h, CUSTOM)
    finally:
        await h.close()
    h = await Harness.create(TUESDAY, db=str(path))
    try:
        assert await listed(h, CUSTOM) == before and before["time"] == "06:00"
    finally:
        await h.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        rows = conn.execute("SELECT COUNT(*) FROM settings WHERE scope = 'community' AND scope_id = ? AND key = 'time'",
                            (CUSTOM,)).fetchone()[0]
        assert rows == 1
        # the old columns stay in place, unused: the row's own still say what the previous build saved
        assert conn.execute("SELECT post_time FROM communities WHERE key = ?", (CUSTOM,)).fetchone()[0] == "07:30"
    finally:
        conn.close()


async def test_a_new_database_starts_with_the_defaults_and_no_copied_rows(tmp_path: Path) -> None:
    h = await Harness.create(TUESDAY, db=str(tmp_path / "new.db"))
    try:
        assert await h.core.db.read(lambda c: c.execute("SELECT COUNT(*) FROM settings").fetchone()[0]) == 0
        await h.setup()
        shown = await listed(h, CUSTOM)
        assert (shown["time"], shown["days"], shown["reveal"], shown["grace"]) == (
            "09:00", "every day", "at the next post", "360 min")
    finally:
        await h.close()
