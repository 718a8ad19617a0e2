"""/leaderboard through the core: windows bounded at both ends in the community's zone (week and month
boundaries), ties shown as ties in the order the score was reached, the caller's own place, Prev/Next
pages that work after a restart, topic boards, exclusions, and admin points adjustments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import Harness

from bot.actions import encode
from bot.messages import Response, Visibility
from bot.store.ledger import LedgerRepo

NY = "America/New_York"
# Sunday 29 June 2025, 23:59 in New York (EDT, UTC-4) is Monday 03:59 UTC; July begins on Tuesday there
START = datetime(2025, 6, 25, 12, 0, tzinfo=UTC)


def text(resp: Response) -> str:
    assert resp.reply is not None, resp
    return resp.reply.text


def lines_of(resp: Response) -> list[str]:
    return [line for line in text(resp).splitlines() if line.startswith(("🥇", "🥈", "🥉", "#"))]


@pytest.fixture
async def h() -> Harness:
    harness = await Harness.create(START)
    await harness.setup(time="09:00", timezone=NY, days="every day")
    yield harness  # type: ignore[misc]
    await harness.close()


async def award(h: Harness, member: str, points: int, at: datetime, topic: str | None = None,
                ref: str | None = None) -> None:
    assert await LedgerRepo(h.core.db).award("console:guild1", member, points, "daily_answer",
                                             ref or f"{member}-{at.isoformat()}", at, topic=topic)


async def test_the_week_runs_monday_to_monday_in_the_community_zone(h: Harness) -> None:
    sunday_late = datetime(2025, 6, 30, 3, 59, tzinfo=UTC)  # Sunday 23:59 in New York
    monday = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)  # Monday 00:00 there
    await award(h, "sunday", 7, sunday_late)
    await award(h, "monday", 3, monday)
    h.clock.set(monday - timedelta(minutes=30))  # still Sunday in New York, already Monday in UTC
    week = await h.command("carol", "leaderboard", period="week")
    assert [line.split(":")[0] for line in lines_of(week)] == ["🥇 {@sunday}"]  # the later row is not yet in it
    assert week.visibility is Visibility.PUBLIC
    h.clock.set(monday + timedelta(hours=10))
    week = await h.command("carol", "leaderboard", period="week")
    assert [line.split(":")[0] for line in lines_of(week)] == ["🥇 {@monday}"]
    assert "{t:" + str(int(monday.timestamp())) + ":f}" in text(week)  # its bounds, shown in the reader's zone
    assert "{t:" + str(int((monday + timedelta(days=7)).timestamp())) + ":f}" in text(week)


async def test_the_month_ends_at_midnight_of_its_last_day_in_the_community_zone(h: Harness) -> None:
    july = datetime(2025, 7, 1, 4, 0, tzinfo=UTC)  # 1 July 00:00 in New York
    await award(h, "june", 5, july - timedelta(seconds=1))
    await award(h, "july", 2, july)
    h.clock.set(july - timedelta(hours=2))  # 30 June 22:00 there: 1 July in UTC already
    month = await h.command("carol", "leaderboard", period="month")
    assert [line.split(":")[0] for line in lines_of(month)] == ["🥇 {@june}"]
    assert month.reply is not None and month.reply.title == "Leaderboard · This month"
    h.clock.set(july + timedelta(days=1))
    month = await h.command("carol", "leaderboard", period="month")
    assert [line.split(":")[0] for line in lines_of(month)] == ["🥇 {@july}"]
    alltime = await h.command("carol", "leaderboard", period="all")
    assert [line.split(":")[0] for line in lines_of(alltime)] == ["🥇 {@june}", "🥈 {@july}"]


async def test_ties_share_a_rank_listed_by_who_reached_the_score_first(h: Harness) -> None:
    at = datetime(2025, 6, 25, 13, 0, tzinfo=UTC)
    await award(h, "zed", 10, at)  # reached 10 first
    await award(h, "amy", 10, at + timedelta(minutes=5))
    await award(h, "top", 12, at)
    await award(h, "low", 1, at)
    board = lines_of(await h.command("carol", "leaderboard"))
    assert board == ["🥇 {@top}: **12** pts", "🥈 {@zed}: **10** pts (tied)", "🥈 {@amy}: **10** pts (tied)",
                     "#4 {@low}: **1** pts"]


async def test_ranks_past_the_first_page_count_ties_and_leave_out_the_excluded(h: Harness) -> None:
    """Later pages and the caller's own place are counted from the rank buckets (totals across 100 and its
    buckets ten wide): still competition ranks, ties shared, a member left off the board not counted."""
    at = datetime(2025, 6, 25, 13, 0, tzinfo=UTC)
    scores = [130, 125, 125, 120, 118, 112, 110, 110, 110, 105, 101, 100, 100, 99, 99, 98, 97, 96, 95, 95, 94, 93,
              90, 89]
    for n, points in enumerate(scores):
        await award(h, f"m{n:02d}", points, at + timedelta(minutes=n))
    await award(h, "host", 500, at)
    await award(h, "host", -1, at, ref="host-2")
    await h.command("admin", "studybot", "exclude", admin=True, member="host")

    def rank(points: int) -> int:
        return 1 + sum(1 for p in scores if p > points)

    first = await h.command("m20", "leaderboard", period="all")
    assert lines_of(first)[0] == "🥇 {@m00}: **130** pts"
    assert lines_of(first)[8] == f"#{rank(110)} {{@m08}}: **110** pts (tied)"
    assert f"{{@m20}}: #{rank(94)} with **94** pts" in text(first)
    assert first.reply is not None
    second = await h.click("m20", first.reply.choices[0].action)
    assert lines_of(second)[:4] == [f"#{rank(101)} {{@m10}}: **101** pts", f"#{rank(100)} {{@m11}}: **100** pts (tied)",
                                    f"#{rank(100)} {{@m12}}: **100** pts (tied)", f"#{rank(99)} {{@m13}}: **99** pts (tied)"]
    assert lines_of(second)[-2:] == [f"#{rank(95)} {{@m18}}: **95** pts (tied)",  # with m19, on the next page
                                     f"#{rank(95)} {{@m19}}: **95** pts (tied)"]
    await award(h, "m23", 12, at, ref="m23-up")  # 89 -> 101: into another bucket, and a new tie
    second = await h.click("m20", first.reply.choices[0].action)
    assert lines_of(second)[:2] == [f"#{rank(101)} {{@m10}}: **101** pts (tied)",
                                    f"#{rank(101)} {{@m23}}: **101** pts (tied)"]
    assert lines_of(second)[-1] == f"#{rank(95) + 1} {{@m18}}: **95** pts (tied)"  # m19 is on the next page
    assert f"{{@m20}}: #{rank(94) + 1} with **94** pts" in text(second)
    assert second.reply is not None
    third = await h.click("m20", second.reply.choices[1].action)
    assert lines_of(third)[0] == f"#{rank(95) + 1} {{@m19}}: **95** pts (tied)"  # tied with the page before


async def test_pages_carry_period_topic_and_page_and_show_the_callers_own_place(tmp_path: Path) -> None:
    h = await Harness.create(START, db=str(tmp_path / "board.db"))
    try:
        at = datetime(2025, 6, 25, 13, 0, tzinfo=UTC)
        for n in range(23):
            await award(h, f"m{n:02d}", 100 - n, at, topic="mlops")
        first = await h.command("m16", "leaderboard", period="month", topic="mlops")
        assert first.reply is not None and first.reply.title == "Leaderboard · This month · mlops"
        assert len(lines_of(first)) == 10 and lines_of(first)[0] == "🥇 {@m00}: **100** pts"
        assert "{@m16}: #17 with **84** pts" in text(first)  # outside the top 10: still shown
        assert [c.label for c in first.reply.choices] == ["Next"]
        nxt = first.reply.choices[0].action
        assert nxt == encode("board", "page", "month", "mlops", 2)
        await h.close()
        h = await Harness.create(START, db=str(tmp_path / "board.db"))  # buttons outlive a restart
        second = await h.click("m16", nxt)
        assert second.replace_original and second.visibility is Visibility.PUBLIC
        assert lines_of(second)[0] == "#11 {@m10}: **90** pts" and "{@m16}: **84** pts" in text(second)
        assert "with **84** pts" not in text(second)  # on the page: no extra line
        assert second.reply is not None and [c.label for c in second.reply.choices] == ["Prev", "Next"]
        third = await h.click("bob", second.reply.choices[1].action)
        assert third.reply is not None and [c.label for c in third.reply.choices] == ["Prev"]
        assert len(lines_of(third)) == 3 and "{@bob}: no points here yet." in text(third)
        stale = await h.click("bob", encode("board", "page", "month", "mlops", 9))  # the board shrank since
        assert lines_of(stale) == lines_of(third)
        for bad in (encode("board", "page", "year", "-", 1), encode("board", "page", "week", "cooking", 1),
                    encode("board", "page", "week", "-", 0), encode("board", "page", "week")):
            refused = await h.click("bob", bad)
            assert refused.visibility is Visibility.ONLY_YOU and "ended" in text(refused)
    finally:
        await h.close()


async def test_topic_boards_count_only_that_topics_points_and_name_the_topics(h: Harness) -> None:
    at = datetime(2025, 6, 25, 13, 0, tzinfo=UTC)
    await award(h, "ann", 10, at, topic="mlops")
    await award(h, "ben", 20, at, topic="coding")
    await award(h, "ben", 1, at, topic="mlops", ref="b2")
    mlops = lines_of(await h.command("carol", "leaderboard", topic="mlops"))
    assert mlops == ["🥇 {@ann}: **10** pts", "🥈 {@ben}: **1** pts"]
    empty = await h.command("carol", "leaderboard", topic="deep-learning")
    assert "No deep-learning points yet" in text(empty)
    unknown = await h.command("carol", "leaderboard", topic="cooking")
    assert unknown.visibility is Visibility.ONLY_YOU and "mlops" in text(unknown)


async def test_admins_leave_members_off_the_board_and_put_them_back(h: Harness) -> None:
    at = datetime(2025, 6, 25, 13, 0, tzinfo=UTC)
    await award(h, "host", 50, at)
    await award(h, "ann", 10, at)
    refused = await h.command("ann", "studybot", "exclude", member="host")
    assert "Only admins" in text(refused)
    done = await h.command("admin", "studybot", "exclude", admin=True, member="host", reason="runs the sessions")
    assert "left off" in text(done)
    again = await h.command("admin", "studybot", "exclude", admin=True, member="host")
    assert "already" in text(again)
    listed = await h.command("admin", "studybot", "exclude", admin=True)
    assert "{@host}" in text(listed) and "runs the sessions" in text(listed)
    for period in ("week", "month", "all"):
        board = await h.command("host", "leaderboard", period=period)
        assert lines_of(board) == ["🥇 {@ann}: **10** pts"]
        assert "{@host} is not on the board" in text(board)
    stats = await h.command("host", "stats")
    assert stats.reply is not None and any("left off the board" in f.value for f in stats.reply.fields)
    back = await h.command("admin", "studybot", "include", admin=True, member="host")
    assert "back on the board" in text(back)
    assert lines_of(await h.command("ann", "leaderboard"))[0] == "🥇 {@host}: **50** pts"
    missing = await h.command("admin", "studybot", "exclude", admin=True, member="nosuch-1")
    assert "can't find" in text(missing)


async def test_points_add_and_remove_with_a_reason(h: Harness) -> None:
    added = await h.command("admin", "studybot", "points", admin=True, action="add", member="bob", amount=7,
                            reason="great write-up")
    assert "Added 7 points to {@bob} (great write-up)" in text(added)
    removed = await h.command("admin", "studybot", "points", admin=True, action="remove", member="bob", amount=2,
                              reason="double count")
    assert "Removed 2 points from {@bob}" in text(removed)
    legacy = await h.command("admin", "studybot", "points", admin=True, member="bob", amount=-1)
    assert "Removed 1 points" in text(legacy)
    assert lines_of(await h.command("bob", "leaderboard")) == ["🥇 {@bob}: **4** pts"]
    mine = await h.command("bob", "studybot", "my-points")
    assert "great write-up" in text(mine) and "double count" in text(mine) and "Adjusted by admins" in text(mine)


async def test_a_timezone_change_recounts_this_week_in_the_new_zone(h: Harness) -> None:
    h.clock.set(datetime(2025, 6, 30, 12, 0, tzinfo=UTC))  # Monday
    await award(h, "early", 4, datetime(2025, 6, 30, 2, 0, tzinfo=UTC))  # Sunday 22:00 in New York
    before = lines_of(await h.command("carol", "leaderboard"))
    assert before == []
    changed = await h.command("admin", "studybot", "config", admin=True, key="timezone", value="Europe/Paris")
    assert "Europe/Paris" in text(changed)
    assert lines_of(await h.command("carol", "leaderboard")) == ["🥇 {@early}: **4** pts"]  # Monday 04:00 in Paris
