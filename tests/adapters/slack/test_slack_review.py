"""/review on Slack through the real slack-bolt AsyncApp against the fake Slack: a session of cards
(ephemeral, each button replacing the message), a second click, someone else's click, the settings modal
(its timezone taken from the member's Slack profile), and the reminder DM at their local time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_fake import ALICE, BOB, TEAM, FakeSlack, click, command, submission
from slack_harness import SlackHarness, clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)

from bot.ids import CommunityRef, MemberRef, Platform
from bot.signals import ItemAttempted

ALICE_DM = "D" + ALICE[1:]
# Alice's Slack profile says Europe/Berlin (summer: UTC+2): 07:30 there on Tuesday 3 June is 05:30 UTC
TUESDAY_0730_BERLIN = datetime(2025, 6, 3, 5, 30, tzinfo=UTC)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {e["text"]["text"]: e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def header(message: dict[str, Any]) -> str:
    first = message["blocks"][0]
    return str(first["text"]["text"]) if first["type"] == "header" else ""


async def test_a_review_session_and_its_reminder_on_slack(fake: FakeSlack, clock: Any, tmp_path: Path) -> None:
    h = await SlackHarness(fake, clock, str(tmp_path / "studybot.db")).boot()
    try:
        alice = MemberRef(CommunityRef(Platform.SLACK, TEAM), ALICE)
        for item in ("t-ml-algorithms-000", "t-deep-learning-001"):
            await h.core.registry.publish(ItemAttempted(alice, item, None, "quiz", False, clock.now()))

        # /review: the first due card, only for Alice
        await h.send(command(fake, ALICE, "/review", "", name="review"))
        front = fake.responses()[-1]
        assert front["_name"] == "review" and front["response_type"] == "ephemeral"
        assert header(front) == "Review · ml-algorithms" and "Question number 0" in json.dumps(front["blocks"])
        assert list(buttons(front["blocks"])) == ["Show answer"]

        # Show answer replaces it with the key points and the four ratings
        await h.send(click(fake, ALICE, buttons(front["blocks"])["Show answer"], ephemeral=True, name="show"))
        back = fake.responses()[-1]
        assert back["_name"] == "show" and back["replace_original"] is True
        assert "*Key points*" in json.dumps(back["blocks"]) and "point A0" in json.dumps(back["blocks"])
        ratings = buttons(back["blocks"])
        assert list(ratings) == ["Again · 1d", "Hard · 1d", "Good · 2d", "Easy · 8d"]

        # Bob presses Alice's rating: refused privately, nothing rated
        await h.send(click(fake, BOB, ratings["Good · 2d"], ephemeral=True, name="bob"))
        refused = fake.responses()[-1]
        assert refused["_name"] == "bob" and "belongs to someone else" in refused["text"]
        assert not refused.get("replace_original")

        # Good: the next card, with when this one comes back in Slack's own date format
        await h.send(click(fake, ALICE, ratings["Good · 2d"], ephemeral=True, name="good"))
        rated = fake.responses()[-1]
        assert rated["_name"] == "good" and rated["replace_original"] is True
        text = json.dumps(rated["blocks"])
        assert "Rated *Good*: that card comes back <!date^" in text and "Question number 1" in text

        # the same button again: a kind private answer, rated once
        await h.send(click(fake, ALICE, ratings["Good · 2d"], ephemeral=True, name="again"))
        twice = fake.responses()[-1]
        assert twice["_name"] == "again" and "already rated" in twice["text"]
        exported = (await h.core.registry.export_member(alice))["review"]
        assert [c["ratings"] for c in exported["cards"]] == [1, 0]

        # /review settings: a modal whose timezone is the one Alice's Slack profile gives
        await h.send(command(fake, ALICE, "/review", "settings", name="settings"))
        view = fake.called("views.open")[-1].params["view"]
        assert view["callback_id"] == "review:remind"
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        assert inputs["remind"]["type"] == "static_select" and inputs["days_off"]["type"] == "multi_static_select"
        assert inputs["timezone"]["initial_value"] == "Europe/Berlin"
        await h.send(submission(view, ALICE, {"time": "07:30"}, picks={"remind": ("on",), "days_off": ("6",)}))
        saved = [r for r in fake.responses() if "Saved." in r.get("text", "")]
        assert saved and "**07:30**" not in saved[-1]["text"]  # rendered as Slack mrkdwn
        assert "*07:30* (Europe/Berlin), except on sun" in saved[-1]["text"]

        # Tuesday 07:30 in Berlin: one reminder DM; its button starts the review in the DM
        await h.run_until(TUESDAY_0730_BERLIN)
        (dm,) = fake.messages[ALICE_DM]
        assert header(dm) == "Review reminder" and "1 review card due" in json.dumps(dm["blocks"])
        await h.send(click(fake, ALICE, buttons(dm["blocks"])["Start reviewing"], channel=ALICE_DM,
                           message_ts=dm["ts"], name="start"))
        started = fake.responses()[-1]
        assert started["_name"] == "start" and started["replace_original"] is True
        assert "Question number 1" in json.dumps(started["blocks"])
        await h.run_until(datetime(2025, 6, 3, 23, 0, tzinfo=UTC))
        assert len(fake.messages[ALICE_DM]) == 1  # once a day
    finally:
        await h.close()
