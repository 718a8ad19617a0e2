"""The same story as the Discord tests, through Slack: setup, scheduled post, answer via modal, reveal in a
thread, leaderboard, a click after a restart (new app, same DB file), a 429 retried, a retried event."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_fake import (
    ADMIN,
    ALICE,
    BOB,
    BOT_TOKEN,
    CAROL,
    CHANNEL,
    OTHER_TEAM,
    OTHER_TOKEN,
    TEAM,
    FakeSlack,
    Member,
    click,
    command,
    dispatch,
    home_opened,
    submission,
)
from slack_harness import SlackHarness, clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

MONDAY_9 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """{label: action_id} of every button in a message or view."""
    return {e["text"]["text"]: e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def header(message: dict[str, Any]) -> str:
    first = message["blocks"][0]
    return str(first["text"]["text"]) if first["type"] == "header" else ""


async def test_a_study_week_in_slack(fake: FakeSlack, clock: Any, tmp_path: Path) -> None:
    h = await SlackHarness(fake, clock, str(tmp_path / "studybot.db")).boot()
    try:
        # setup: the workspace admin runs /studybot setup in the channel and submits the modal
        await h.send(command(fake, ADMIN, "/studybot", "setup", name="setup"))
        view = fake.called("views.open")[-1].params["view"]
        await h.send(submission(view, ADMIN, {"time": "09:00", "timezone": "UTC", "days": "every day"}))
        done = fake.responses()[-1]
        assert done["_name"] == "setup" and done["response_type"] == "in_channel"
        assert fake.messages.get(CHANNEL) is None  # nothing before 09:00

        # the scheduled post, through one 429
        fake.rate_limit("chat.postMessage", retry_after=0)
        await h.run_until(MONDAY_9)
        (post,) = fake.messages[CHANNEL]
        assert header(post) == "Daily question · 2025-06-02"
        assert post["metadata"] == {"event_type": "studybot_outbox", "event_payload": {"key": "daily-post:1"}}
        assert len(fake.called("chat.postMessage")) == 2  # refused once with 429, then accepted

        # Alice answers through the modal opened by the post's Answer button, and shares her answer
        await h.send(click(fake, ALICE, buttons(post["blocks"])["Answer"], message_ts=post["ts"], name="alice"))
        modal = fake.called("views.open")[-1].params["view"]
        assert modal["callback_id"] == "daily:submit:1" and modal["blocks"][0]["type"] == "section"
        await h.send(submission(modal, ALICE, {"answer": "Bias is error from wrong assumptions; variance is "
                                                         "sensitivity to the sample."}))
        saved = fake.responses()[-1]
        assert saved["_name"] == "alice" and saved["response_type"] == "ephemeral" and "+10 points" in saved["text"]
        await h.send(click(fake, ALICE, buttons(saved["blocks"])["Share at the reveal"], ephemeral=True,
                           message_ts="1748854900.000200", name="alice-share"))
        shared = fake.responses()[-1]
        assert shared["_name"] == "alice-share" and shared["replace_original"] is True
        assert "shared in the reveal thread" in shared["text"]

        # Bob answers by typing it
        await h.send(command(fake, BOB, "/daily", "answer My private take &amp; nothing more.", name="bob"))
        assert "Saved" in fake.responses()[-1]["text"]

        # the reveal, a thread with the shared answer, checklists by DM, and the next question
        await h.run_until(TUESDAY_9)
        top = [m for m in fake.messages[CHANNEL] if "thread_ts" not in m]
        reveal = next(m for m in top if header(m).startswith("Reveal"))
        assert "2 members answered" in json.dumps(reveal["blocks"])
        thread = [m for m in fake.messages[CHANNEL] if m.get("thread_ts") == reveal["ts"]]
        assert len(thread) == 1 and thread[0]["blocks"][0]["text"]["text"].startswith("<@U0ALICE01> answered")
        assert header(top[-1]) == "Daily question · 2025-06-03"
        bob_dm = fake.messages["D0BOB0001"][0]
        assert header(bob_dm) == "Your checklist"

        # the leaderboard, in the channel
        await h.send(command(fake, CAROL, "/leaderboard", "all", name="board"))
        board = fake.responses()[-1]
        assert board["response_type"] == "in_channel"
        text = board["blocks"][1]["text"]["text"]
        assert text.index("<@U0ALICE01>") < text.index("<@U0BOB0001>") and "*10*" in text

        # a restart: a new app on the same database file; Bob's checklist buttons still work
        await h.restart()
        ticks = buttons(bob_dm["blocks"])
        await h.send(click(fake, BOB, ticks["☐ 1"], channel="D0BOB0001", message_ts=bob_dm["ts"], name="tick"))
        ticked = fake.responses()[-1]
        assert ticked["_name"] == "tick" and ticked["replace_original"] is True
        assert "☑ 1" in buttons(ticked["blocks"])
        await h.send(click(fake, BOB, ticks["Done"], channel="D0BOB0001", message_ts=bob_dm["ts"], name="done"))
        assert "+2 points" in fake.responses()[-1]["text"]
        kudos = buttons(thread[0]["blocks"])["Kudos"]
        await h.send(click(fake, BOB, kudos, message_ts=thread[0]["ts"], thread_ts=reveal["ts"], name="kudos"))
        assert "Kudos sent to <@U0ALICE01>" in fake.responses()[-1]["text"]

        # Slack retries an event the new process already handled: acknowledged, not handled twice
        before = len(fake.called("views.publish"))
        first = await h.send(home_opened(ALICE, "Ev0WEEK0001"))
        retried = await h.send(home_opened(ALICE, "Ev0WEEK0001"), retry_num=1)
        assert first.status == retried.status == 200
        publishes = fake.called("views.publish")[before:]
        assert len(publishes) == 1
        home = json.dumps(publishes[0].params["view"])
        assert "Points this week" in home and "13" in home  # 10 for the answer + 3 for Bob's kudos
    finally:
        await h.close()


async def test_one_process_serves_two_workspaces(fake: FakeSlack, clock: Any, tmp_path: Path) -> None:
    store = SQLite3InstallationStore(database=str(tmp_path / "installations.db"), client_id="1234.5678")
    await store.async_save(Installation(app_id="A0STUDYBOT", team_id=OTHER_TEAM, team_name="Other Team",
                                        bot_token=OTHER_TOKEN, bot_id="B0OTHERBOT", bot_user_id="U0BOT0002",
                                        bot_scopes=["commands", "chat:write"], user_id="U0OTHERAD",
                                        installed_at=time.time()))
    fake.members["U0OTHERAD"] = Member("U0OTHERAD", "olga", "Olga Other", is_owner=True, team=OTHER_TEAM)
    h = await SlackHarness(fake, clock, ":memory:", installation_store=store).boot()
    try:
        for team, admin in ((TEAM, ADMIN), (OTHER_TEAM, "U0OTHERAD")):
            await h.send(command(fake, admin, "/studybot", "setup", team=team, name=f"setup-{team}"))
            view = fake.called("views.open")[-1]
            assert view.token == (BOT_TOKEN if team == TEAM else OTHER_TOKEN)
            await h.send(submission(view.params["view"], admin, {"time": "09:00"}, team=team))
        await h.run_until(MONDAY_9)
        posts = fake.called("chat.postMessage")
        assert sorted(c.token or "" for c in posts) == sorted([BOT_TOKEN, OTHER_TOKEN])
        assert {c.team for c in posts} == {TEAM, OTHER_TEAM}
        for team in (TEAM, OTHER_TEAM):
            settings = await h.core.communities.get(f"slack:{team}")
            assert settings is not None and settings.channel == CHANNEL
        # a team with no installation is refused before the core sees anything
        before = len(fake.calls)
        response = await dispatch(h.adapter.app, command(fake, ADMIN, "/daily", "", team="T0NOWHERE"))
        await h.adapter.idle()
        assert response.status == 200
        assert [c.method for c in fake.calls[before:]] == ["response_url"]
        assert "not installed in this workspace" in fake.responses()[-1]["text"]
        assert await h.core.communities.get("slack:T0NOWHERE") is None
    finally:
        await h.close()
