"""/stats: streak, freezes, points by window and by source, accuracy by topic, weakest topics, every
feature's own lines (registry.member_stats), and a PNG chart beside the text (drawn in a thread here;
test_leaderboard_chart draws it in the worker process);
a member with no data gets text only; another member's accuracy and chart are theirs (and admins')."""

from __future__ import annotations

import functools
import sys
from datetime import UTC, datetime, timedelta

import pytest
from fakes import COMMUNITY, Harness

from bot.bootstrap import FEATURES
from bot.features import leaderboard
from bot.features.leaderboard.chart import PNG_MAGIC
from bot.features.leaderboard.drawing import ThreadDrawer
from bot.ids import MemberRef
from bot.messages import Field, Response
from bot.registry import FeatureSpec
from bot.services import Services
from bot.signals import ItemAttempted
from bot.store.ledger import LedgerRepo

START = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)  # a Wednesday


def scorecards(services: Services) -> FeatureSpec:
    async def lines(member: MemberRef, viewer: MemberRef) -> tuple[Field, ...]:
        return (Field("Mock scorecard", f"communication 3.5/4 ({member.id})"),)

    return FeatureSpec(name="scorecards", member_stats=lines)


@pytest.fixture
async def h() -> Harness:
    # charts drawn in a thread here, to keep these fast; test_leaderboard_chart goes through the worker process
    builders = [functools.partial(leaderboard.build, charts=ThreadDrawer()) if m is leaderboard else m.build
                for m in FEATURES]
    harness = await Harness.create(START, features=[*builders, scorecards])
    await harness.setup(time="09:00", timezone="UTC", days="every day")
    yield harness  # type: ignore[misc]
    await harness.close()


def fields(resp: Response) -> dict[str, str]:
    assert resp.reply is not None
    return {f.name: f.value for f in resp.reply.fields}


async def seed(h: Harness, who: str = "ann") -> None:
    ledger = LedgerRepo(h.core.db)
    member = MemberRef(COMMUNITY, who)
    for week in range(3):
        at = START - timedelta(days=7 * week)
        await ledger.award(COMMUNITY.key, who, 10 * (week + 1), "daily_answer", f"d{week}", at, topic="mlops")
    await ledger.award(COMMUNITY.key, who, 4, "quiz_correct", "q1", START, topic="coding")
    await ledger.award(COMMUNITY.key, who, 3, "kudos", "k1", START)
    for n in range(6):
        await h.core.registry.publish(ItemAttempted(member, f"c{n}", "coding", "quiz", n < 5, START))
        await h.core.registry.publish(ItemAttempted(member, f"s{n}", "math-stats", "review", n < 2, START))


async def test_stats_show_points_sources_accuracy_weak_topics_other_features_and_a_chart(h: Harness) -> None:
    await seed(h)
    resp = await h.command("ann", "stats")
    assert resp.reply is not None
    got = fields(resp)
    assert got["Points this week"] == "17 pts (🥇)" and got["All time"] == "67 pts (🥇)"
    assert got["Streak"] == "1 day" and got["Freezes"] == "0 of 2 held"
    assert got["Mock scorecard"] == "communication 3.5/4 (ann)"  # another feature's own line
    text = resp.reply.text
    assert "- Daily answers: 60\n- Quizzes: 4\n- Kudos received: 3" in text
    assert "- coding: 83% (5/6)" in text and "- math-stats: 33% (2/6)" in text
    assert "Weakest topics: math-stats (33%), coding (83%)" in text
    (chart,) = resp.reply.files
    assert chart.name == "stats.png" and chart.mime == "image/png" and chart.data.startswith(PNG_MAGIC)
    assert len(chart.data) > 5_000 and chart.description
    assert "The chart shows your accuracy by topic" in text  # the text summary beside the picture


async def test_a_member_with_no_data_gets_text_only(h: Harness) -> None:
    resp = await h.command("newbie", "stats")
    assert resp.reply is not None and resp.reply.files == ()
    assert fields(resp)["Points this week"] == "0 pts" and "No scored answers yet" in resp.reply.text


async def test_another_members_accuracy_and_chart_are_theirs_and_admins(h: Harness) -> None:
    await seed(h)
    seen = await h.command("bob", "stats", member="ann")
    assert seen.reply is not None and seen.reply.files == ()
    assert "coding" not in seen.reply.text and "Mock scorecard" not in fields(seen)
    assert "shown only to the member themselves" in seen.reply.text
    assert fields(seen)["All time"] == "67 pts (🥇)" and "- Daily answers: 60" in seen.reply.text
    admin = await h.command("admin", "stats", admin=True, member="ann")
    assert admin.reply is not None and len(admin.reply.files) == 1 and "- coding: 83% (5/6)" in admin.reply.text


def test_matplotlib_is_not_imported_until_a_chart_is_drawn() -> None:
    import subprocess

    code = ("import sys, bot.bootstrap, bot.features.leaderboard.chart as c; "
            "assert 'matplotlib' not in sys.modules; "
            "png = c.render(c.ChartData('t', (('mlops', 4, 3),), (('2 Jun', 5),))); "
            "assert png.startswith(c.PNG_MAGIC) and 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_my_points_lists_each_award_newest_first_in_pages(h: Harness) -> None:
    ledger = LedgerRepo(h.core.db)
    for n in range(12):
        await ledger.award(COMMUNITY.key, "ann", n + 1, "daily_answer", str(n), START + timedelta(minutes=n),
                           topic="mlops")
    first = await h.command("ann", "studybot", "my-points")
    assert first.reply is not None and first.reply.title == "How you earned your points"
    lines = first.reply.text.splitlines()
    assert lines[0] == "Daily answers: 78" and lines[2].endswith("**+12** Daily answers · mlops")
    assert [c.label for c in first.reply.choices] == ["Older"]
    older = await h.click("ann", first.reply.choices[0].action)
    assert older.replace_original and older.reply is not None
    assert older.reply.text.splitlines()[-1].endswith("**+1** Daily answers · mlops")
    assert "no points yet" in (await h.command("bob", "studybot", "my-points")).reply.text  # type: ignore[union-attr]
