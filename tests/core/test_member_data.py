"""Members' data: an admin's export (CSV and JSON files), a member's own data (a JSON file only for them),
and forget-me: after a confirmation only its member can give, nothing of the member is left in any table,
their shared answers are deleted where they were posted, the boards stay consistent, and the reply says
what was removed."""

from __future__ import annotations

import contextvars
import csv
import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import COMMUNITY, Harness

from bot.actions import encode
from bot.bootstrap import FEATURES
from bot.ids import MemberRef
from bot.messages import Response, Visibility
from bot.registry import FeatureSpec
from bot.services import Services
from bot.signals import ItemAttempted
from bot.store.db import to_db
from bot.store.ledger import LedgerRepo, window

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
ZED = "zed-forget-7"  # an id no other value contains, so finding it anywhere means it was left behind


def text(resp: Response) -> str:
    assert resp.reply is not None, resp
    return resp.reply.text


@pytest.fixture
async def h() -> Harness:
    harness = await Harness.create(START)
    await harness.setup(time="09:00", timezone="UTC", days="every day")
    await harness.run_until(NINE)
    yield harness  # type: ignore[misc]
    await harness.close()


async def a_full_life(h: Harness) -> None:
    """ZED does a bit of everything: answers and shares, gives and gets kudos, ticks a checklist, has points
    adjusted, is an admin who adjusts someone else's, sets a timezone, gets left off the board, studies."""
    rnd = await h.core.rounds.latest_round(COMMUNITY.key)
    assert rnd is not None
    for who in (ZED, "bob", "cy"):
        await h.answer(who, f"{who} thinks about bias and variance")
        await h.click(who, encode("daily", "share", rnd.id))
    await h.command(ZED, "studybot", "timezone", zone="Asia/Tokyo")
    await h.command("admin", "studybot", "points", admin=True, member=ZED, amount=5, reason=f"thanks {ZED}")
    await h.command(ZED, "studybot", "points", admin=True, member="bob", amount=2, reason="fair")
    await h.core.registry.publish(ItemAttempted(MemberRef(COMMUNITY, ZED), "t-mlops-001", "mlops", "quiz", True,
                                                h.clock.now()))
    await h.run_until(NINE + timedelta(days=1, minutes=1))  # the reveal: shared answers posted, checklists sent
    answers = {a.member: a for a in await h.core.rounds.answers(rnd.id)}
    await h.click("bob", encode("daily", "kudos", answers[ZED].id))
    await h.click(ZED, encode("daily", "kudos", answers["bob"].id))
    await h.click(ZED, encode("daily", "tick", answers[ZED].id, 0))
    await h.click(ZED, encode("daily", "done", answers[ZED].id))
    await h.command("admin", "studybot", "exclude", admin=True, member=ZED, reason=f"hosts, like {ZED}")
    await h.command(ZED, "studybot", "exclude", admin=True, member="cy")


def at(minutes: int) -> str:
    return to_db(NINE + timedelta(minutes=minutes))


async def rows_in_every_feature(h: Harness) -> None:
    """What a_full_life leaves out: quizzes, race picks, review cards and ratings, mock profiles, sessions and
    scorecards (rows as those features write them, so each kind is there: a race started by one member and
    stopped by another, a scorecard whose interviewer was erased, a tie in time), and a skipped question.
    "dan" has rows of every kind but is never asked for; the same ids in another community must not count."""
    rnd = await h.core.rounds.latest_round(COMMUNITY.key)
    assert rnd is not None
    await h.click("admin", encode("daily", "skip", rnd.id))
    here, there = COMMUNITY.key, "console:elsewhere"

    def w(c: sqlite3.Connection) -> None:
        c.executemany("INSERT INTO quiz_sessions (id, community, member, status, topic, difficulty, count, "
                      "created_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      [(1, here, ZED, "finished", "math-stats", None, 2, at(1), at(1), at(3)),
                       (2, here, "bob", "open", None, "easy", 1, at(2), at(2), None),
                       (3, here, ZED, "abandoned", None, None, 1, at(4), None, at(5)),
                       (4, here, "dan", "open", None, None, 1, at(4), at(4), None),
                       (5, there, ZED, "open", None, None, 1, at(4), at(4), None)])
        c.executemany("INSERT INTO quiz_questions (session_id, idx, community, member, item_id, topic, answer, "
                      "picked, correct, earned, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      [(1, 1, here, ZED, "mc-b", "math-stats", 0, None, 0, 0, None),
                       (1, 0, here, ZED, "mc-a", "math-stats", 2, 2, 1, 3, at(2)),
                       (2, 0, here, "bob", "mc-c", "programming", 1, 0, 0, 0, at(3)),
                       (4, 0, here, "dan", "mc-a", "math-stats", 2, None, 0, 0, None),
                       (5, 0, there, ZED, "mc-a", "math-stats", 2, 2, 1, 3, at(5))])
        c.executemany("INSERT INTO quiz_races (id, community, channel, started_by, count, seconds, created_at, "
                      "first_at, stop_by, finished_at, ended) VALUES (?, ?, ?, ?, 2, 20, ?, ?, ?, ?, 'completed')",
                      [(1, here, "c-1", ZED, at(10), at(11), "bob", at(14)),
                       (2, here, "c-2", "cy", at(20), at(21), "cy", at(24)),
                       (3, here, "c-1", None, at(30), at(31), None, at(34)),
                       (4, there, "c-9", ZED, at(30), at(31), None, at(34)),
                       (5, here, "c-3", "dan", at(40), at(41), None, at(44))])
        c.executemany("INSERT INTO quiz_race_questions (id, race_id, idx, item_id, topic, answer) "
                      "VALUES (?, ?, ?, ?, 'math-stats', 1)",
                      [(1, 1, 0, "mc-a"), (2, 1, 1, "mc-b"), (3, 4, 0, "mc-a"), (4, 5, 0, "mc-c")])
        c.executemany("INSERT INTO quiz_race_picks (question_id, community, member, choice, event_at, arrived_at) "
                      "VALUES (?, ?, ?, ?, ?, ?)",
                      [(2, here, ZED, 3, at(13), at(13)), (1, here, "bob", 1, at(12), at(12)),
                       (1, here, ZED, 0, at(12), at(12)), (2, here, "cy", 1, at(13), at(13)),
                       (3, there, ZED, 1, at(32), at(32)), (4, here, "dan", 1, at(42), at(42))])
        c.executemany("INSERT INTO review_cards (id, community, member, item_id, topic, fsrs, due_at, reps, "
                      "suspended, created_at, last_reviewed_at) VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?)",
                      [(101, here, ZED, "t-a", "mlops", at(60), 2, 0, at(1), at(3)),
                       (102, here, "bob", "t-b", None, at(61), 0, 0, at(2), None),
                       (103, here, ZED, "t-c", None, at(62), 0, 1, at(4), None),
                       (104, here, "dan", "t-a", None, at(62), 0, 0, at(4), None),
                       (105, there, ZED, "t-a", None, at(62), 0, 0, at(4), None)])
        c.executemany("INSERT INTO review_log (card_id, community, member, item_id, rating, reviewed_at, "
                      "local_date, due_after) VALUES (?, ?, ?, ?, ?, ?, '2025-06-02', ?)",
                      [(101, here, ZED, "t-a", 1, at(2), at(30)), (101, here, ZED, "t-a", 3, at(3), at(60)),
                       (104, here, "dan", "t-a", 3, at(3), at(60)), (105, there, ZED, "t-a", 3, at(3), at(60))])
        c.executemany("INSERT INTO review_reminders (community, member, enabled, at, days_off, updated_at) "
                      "VALUES (?, ?, ?, ?, ?, ?)",
                      [(here, ZED, 1, "07:30", "5,6", at(1)), (here, "cy", 0, "09:00", "", at(1)),
                       (here, "dan", 1, "08:00", "", at(1)), (there, ZED, 0, "06:00", "1", at(1))])
        c.executemany("INSERT INTO mock_profiles (community, member, tracks, level, zone, availability, cadence, "
                      "paused, paused_until, joined_at, updated_at) VALUES (?, ?, ?, 'mid', ?, ?, ?, ?, ?, ?, ?)",
                      [(here, ZED, "coding,ml-fundamentals", "Asia/Tokyo", "Mon 18:00-20:00", "weekly", 1, at(600),
                        at(1), at(1)),
                       (here, "bob", "coding", "UTC", "Tue 18:00-20:00", "fortnightly", 0, None, at(1), at(1)),
                       (here, "dan", "coding", "UTC", "Tue 18:00-20:00", "weekly", 0, None, at(1), at(1)),
                       (there, ZED, "coding", "UTC", "Tue 18:00-20:00", "weekly", 0, None, at(1), at(1))])
        c.executemany("INSERT INTO mock_rounds (id, community, occurrence, week_start, created_at) "
                      "VALUES (?, ?, ?, ?, ?)", [(1, here, at(0), at(0), at(0)), (2, there, at(0), at(0), at(0))])
        c.executemany("INSERT INTO mock_sessions (id, round_id, community, track, week_start, overlap, status, "
                      "start_at, created_at, updated_at) VALUES (?, ?, ?, 'coding', ?, '1,2', ?, ?, ?, ?)",
                      [(1, 1, here, at(0), "done", at(120), at(0), at(0)),
                       (2, 1, here, at(0), "missed", None, at(0), at(0)),
                       (3, 2, there, at(0), "done", at(120), at(0), at(0))])
        c.executemany("INSERT INTO mock_members (session_id, position, member, level, absent, outcome) "
                      "VALUES (?, ?, ?, 'mid', ?, ?)",
                      [(1, 0, ZED, 0, "present"), (1, 1, "bob", 0, "present"), (2, 0, "dan", 0, None),
                       (2, 1, ZED, 1, "noshow"), (2, 2, "cy", 0, None), (3, 0, ZED, 0, "present")])
        c.executemany("INSERT INTO mock_reports (session_id, member, answer, about, points, reported_at) "
                      "VALUES (?, ?, ?, ?, 0, ?)",
                      [(1, ZED, "met", None, at(180)), (2, "dan", "absent", ZED, at(180)),
                       (3, ZED, "met", None, at(180))])
        c.executemany("INSERT INTO mock_scorecards (session_id, turn, community, interviewer, interviewee, "
                      "modeling_judgment, production_readiness, evaluation_rigor, communication_clarity, "
                      "strengths, improve, status, created_at, sent_at) "
                      "VALUES (?, ?, ?, ?, ?, 3, 2, 4, 3, 'Precise', 'Calm', ?, ?, ?)",
                      [(1, 0, here, ZED, "bob", "sent", at(200), at(200)),
                       (1, 1, here, "bob", ZED, "sent", at(200), at(200)),
                       (2, 0, here, None, ZED, "sent", at(200), at(200)),
                       (2, 1, here, "cy", "dan", "draft", at(200), None),
                       (3, 0, there, "dan", ZED, "sent", at(200), at(200))])

    await h.core.db.write(w)


async def tables_holding(h: Harness, value: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in which some column holds `value` (anywhere in its text)."""

    def q(c: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
        found: dict[str, list[tuple[object, ...]]] = {}
        for (table,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            rows = [r for r in c.execute(f'SELECT * FROM "{table}"').fetchall()
                    if any(value in str(cell) for cell in r)]
            if rows:
                found[str(table)] = rows
        return found

    return await h.core.db.read(q)


async def test_forget_me_leaves_nothing_of_the_member_in_any_table(h: Harness) -> None:
    await a_full_life(h)
    before = await tables_holding(h, ZED)
    assert {"daily_answers", "ledger", "ledger_periods", "members", "kudos", "board_days",
            "board_attempts", "board_exclusions", "audit_log", "outbox"} <= set(before)
    shared = [s for s in h.chat.sent if s.reply.text.startswith("{@" + ZED + "} answered")]
    assert len(shared) == 1 and shared[0].ref is not None
    ask = await h.command(ZED, "studybot", "forget-me")
    assert ask.visibility is Visibility.ONLY_YOU and ask.reply is not None
    yes, keep = ask.reply.choices
    assert yes.label == "Delete everything" and keep.label == "Keep my data"
    done = await h.click(ZED, yes.action)
    assert done.replace_original and done.reply is not None and done.reply.title == "Your data is deleted"
    assert "- daily question (answers, skips, kudos, shared answers where they were posted): " in text(done)
    assert "- points, totals, streak days, accuracy and audit mentions: " in text(done)
    left = await tables_holding(h, ZED)
    assert left == {}, left
    assert shared[0].ref in h.chat.deleted  # the shared answer, deleted where it was posted
    board = await h.command("bob", "leaderboard", period="all")
    assert ZED not in text(board) and "🥇 {@bob}" in text(board)  # ranks move up: consistent
    again = await h.click(ZED, yes.action)
    assert "Nothing was deleted" in text(again)
    after = await h.command(ZED, "studybot", "my-data")  # the round trip: their own data is now empty
    assert after.reply is not None
    mine = json.loads(after.reply.files[0].data)["data"]
    assert mine["daily"]["answers"] == [] and mine["board"]["points"] == [] and mine["admin"] == {}
    assert mine["board"]["study_days"] == [] and mine["board"]["admin_actions"] == []


async def test_the_confirmation_is_only_its_members_and_can_be_declined_or_go_stale(h: Harness) -> None:
    await h.answer(ZED, "an answer")
    ask = await h.command(ZED, "studybot", "forget-me")
    assert ask.reply is not None
    yes, keep = ask.reply.choices
    foreign = await h.click("bob", yes.action)
    assert "someone else's" in text(foreign) and not foreign.replace_original
    assert (await tables_holding(h, ZED)).get("daily_answers")
    kept = await h.click(ZED, keep.action)
    assert "nothing was deleted" in text(kept)
    assert "Nothing was deleted" in text(await h.click(ZED, yes.action))  # that request is gone
    stale = (await h.command(ZED, "studybot", "forget-me")).reply
    assert stale is not None
    h.clock.set(h.clock.now() + timedelta(hours=1))
    assert "too old" in text(await h.click(ZED, stale.choices[0].action))
    assert (await tables_holding(h, ZED)).get("daily_answers")
    bogus = await h.click(ZED, encode("board", "forget", 99999))
    assert "Nothing was deleted" in text(bogus)


async def test_my_data_is_a_json_file_for_the_member_alone(h: Harness) -> None:
    await a_full_life(h)
    resp = await h.command(ZED, "studybot", "my-data")
    assert resp.visibility is Visibility.ONLY_YOU and resp.reply is not None
    (file,) = resp.reply.files
    assert file.name == "my-studybot-data.json" and file.mime == "application/json"
    data = json.loads(file.data)
    assert data["member"] == ZED
    mine = data["data"]
    assert mine["daily"]["answers"][0]["text"] == f"{ZED} thinks about bias and variance"
    assert {r["reason"] for r in mine["board"]["points"]} >= {"daily_answer", "admin_adjustment", "kudos"}
    assert mine["board"]["excluded_from_board"]["reason"] == f"hosts, like {ZED}"
    assert mine["board"]["study_days"] and mine["board"]["attempts"][0]["topic"] == "mlops"
    assert [a["action"] for a in mine["board"]["admin_actions"]] == ["/studybot points", "/studybot exclude"]
    assert mine["admin"]["timezone"] == "Asia/Tokyo"
    assert "bob thinks" not in file.data.decode()  # nobody else's answers


async def test_an_admin_exports_the_community_as_csv_and_json(h: Harness) -> None:
    await a_full_life(h)
    assert "Only admins" in text(await h.command("bob", "studybot", "export"))
    resp = await h.command("admin", "studybot", "export", admin=True)
    assert resp.visibility is Visibility.ONLY_YOU and resp.reply is not None
    files = {f.name.split("-")[0]: f for f in resp.reply.files}
    assert set(files) == {"studybot", "members", "ledger"}
    members = list(csv.DictReader(io.StringIO(files["members"].data.decode())))
    by_id = {m["member"]: m for m in members}
    assert {ZED, "bob", "cy", "admin"} <= set(by_id)
    assert by_id[ZED]["left_off_board"] == "yes" and by_id[ZED]["timezone"] == "Asia/Tokyo"
    assert int(by_id["bob"]["points_all_time"]) == sum(
        int(r["points"]) for r in csv.DictReader(io.StringIO(files["ledger"].data.decode())) if r["member"] == "bob")
    document = json.loads(files["studybot"].data)
    assert document["community"] == COMMUNITY.key and document["settings"]["timezone"] == "UTC"
    assert document["settings"]["time"] == "09:00" and "recap" in document["settings"]  # features' own too
    assert document["members"]["bob"]["daily"]["answers"][0]["shared"] is True
    assert any(e["action"] == "/studybot points" for e in document["audit_log"])
    assert f"{len(by_id)} members" in text(resp)


async def test_the_export_holds_what_each_member_export_holds(h: Harness) -> None:
    """The community export reads every member's data at once (Registry.export_community); it is what asking
    member by member gives, and its member rows are the member records and totals one by one."""
    await a_full_life(h)
    await rows_in_every_feature(h)
    one_by_one = {m: json.loads(json.dumps(await h.core.registry.export_member(MemberRef(COMMUNITY, m)), default=str))
                  for m in ("admin", "bob", "cy", ZED)}  # before the export, which the audit log then records
    resp = await h.command("admin", "studybot", "export", admin=True)
    assert resp.reply is not None
    files = {f.name.split("-")[0]: f for f in resp.reply.files}
    document = json.loads(files["studybot"].data)
    rows = list(csv.DictReader(io.StringIO(files["members"].data.decode())))
    assert [r["member"] for r in rows] == sorted(one_by_one)
    assert document["members"] == one_by_one
    now = h.clock.now()
    week, month = window("week", now, "UTC"), window("month", now, "UTC")
    for row in rows:
        record = await h.core.members.get(COMMUNITY.key, row["member"])
        totals = await LedgerRepo(h.core.db).member_periods(COMMUNITY.key, row["member"], ["all", week.label,
                                                                                            month.label])
        assert row["display_name"] == (record.display_name if record else "")
        assert row["timezone"] == (record.timezone or "" if record else "")
        assert (int(row["points_all_time"]), int(row["points_this_week"]), int(row["points_this_month"])) == (
            totals.get("all", 0), totals.get(week.label, 0), totals.get(month.label, 0))


async def test_each_features_community_export_is_its_member_export(h: Harness) -> None:
    """Feature by feature, for members with data of every kind and one with none: the same keys in the same
    order and values of the same types (repr tells 1 from True and a str from a datetime), only for the ids
    asked."""
    await a_full_life(h)
    await rows_in_every_feature(h)
    asked = [ZED, "bob", "cy", "admin", "nobody"]
    exporting = [f for f in h.core.registry.features if f.export_member is not None]
    assert {f.name for f in exporting} == {"admin", "daily", "board", "quiz", "review", "mock"}
    for f in exporting:
        assert f.export_member is not None and f.export_community is not None, f.name
        apart = {m: await f.export_member(MemberRef(COMMUNITY, m)) for m in asked}
        together = await f.export_community(COMMUNITY, asked)
        assert repr(dict(together)) == repr(apart), f.name
        if f.name == "admin":
            assert apart["nobody"] == {} and apart[ZED]["timezone"] == "Asia/Tokyo"
            continue
        # the life holds something of every kind this feature exports, and nothing of "nobody"
        empty = apart["nobody"]
        assert all(any(apart[m][key] != value for m in asked) for key, value in empty.items()
                   if key != "scorecard_contents"), (f.name, apart)
        assert all(value in ([], None, 0) for key, value in empty.items() if key != "scorecard_contents"), empty
    quiz = (await next(f for f in exporting if f.name == "quiz").export_community(COMMUNITY, [ZED]))[ZED]
    assert [q["id"] for q in quiz["quizzes"]] == [1, 3] and len(quiz["quizzes"][0]["questions"]) == 2
    assert [p.get("question") for p in quiz["race_picks"]] == [1, 2, None]  # picks, then the race started


READING: contextvars.ContextVar[str | None] = contextvars.ContextVar("member_by_member", default=None)


def asked_member_by_member(calls: dict[str, int]) -> list[Callable[[Services], FeatureSpec]]:
    """Every feature as built, with the export hook of each one that has no community export counted, and its
    reads marked as its own (such a feature would be asked member by member)."""

    def counted(build: Callable[[Services], FeatureSpec]) -> Callable[[Services], FeatureSpec]:
        def wrapped(services: Services) -> FeatureSpec:
            spec = build(services)
            hook = spec.export_member
            if hook is None or spec.export_community is not None:
                return spec

            async def export(member: MemberRef) -> dict[str, Any]:
                calls[spec.name] = calls.get(spec.name, 0) + 1
                token = READING.set(spec.name)
                try:
                    return await hook(member)
                finally:
                    READING.reset(token)

            return replace(spec, export_member=export)

        return wrapped

    return [counted(m.build) for m in FEATURES]


async def reads_of_an_export(members: int) -> tuple[int, dict[str, int], int]:
    """(database reads of one community export outside member-by-member hooks, those hooks' calls, members
    exported) for a community of `members` active members."""
    calls: dict[str, int] = {}
    h = await Harness.create(START, features=asked_member_by_member(calls))
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        ledger = LedgerRepo(h.core.db)
        for n in range(members):
            who = f"m{n:03d}"
            await h.core.members.touch(COMMUNITY.key, who, f"Member {n}", START)
            await ledger.award(COMMUNITY.key, who, n + 1, "quiz_correct", f"q{n}", START, topic="mlops")
            await h.core.registry.publish(ItemAttempted(MemberRef(COMMUNITY, who), f"i{n}", "mlops", "quiz",
                                                        n % 2 == 0, START))
        for n in range(0, members, 7):
            await h.command("admin", "studybot", "points", admin=True, member=f"m{n:03d}", amount=2, reason="help")
        await h.command("admin", "studybot", "exclude", admin=True, member="m000", reason="host")
        calls.clear()
        reads = 0
        real = h.core.db.read

        async def counting(fn: Callable[[sqlite3.Connection], Any]) -> Any:
            nonlocal reads
            if READING.get() is None:
                reads += 1
            return await real(fn)

        h.core.db.read = counting  # type: ignore[method-assign]
        resp = await h.command("admin", "studybot", "export", admin=True)
        h.core.db.read = real  # type: ignore[method-assign]
        assert resp.reply is not None and resp.reply.files
        document = json.loads(resp.reply.files[0].data)
        assert document["members"]["m000"]["board"]["excluded_from_board"]["reason"] == "host"
        return reads, calls, len(document["members"])
    finally:
        await h.close()


async def test_the_export_reads_the_same_few_times_for_five_members_as_for_forty() -> None:
    small, small_calls, small_n = await reads_of_an_export(5)
    big, big_calls, big_n = await reads_of_an_export(40)
    assert (small_n, big_n) == (6, 41)  # and the admin
    assert small == big, (small, big)  # the export's own reads and every feature's: a few, whatever the size
    assert big_calls == {} and small_calls == {}  # no feature is asked member by member
