"""Quizzes on Slack through the real slack-bolt against the fake Slack: `/quiz` typed as text (solo by
default) in ephemeral messages replaced in place, and a race posted in the channel, picked privately and
revealed with chat.update; a race asked for in a DM is refused."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from slack_fake import ALICE, BOB, CAROL, CHANNEL, FakeSlack, click, command
from slack_harness import MONDAY_8, SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core"))
from quiz_helpers import part, quiz_pack

from bot.actions import decode
from bot.features.quiz.race_run import START_DELAY


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """{label: action_id} of every button in a message."""
    return {e["text"]["text"]: e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def header(message: dict[str, Any]) -> str:
    first = message["blocks"][0]
    return str(first["text"]["text"]) if first["type"] == "header" else ""


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


async def add_questions(h: SlackHarness) -> None:
    """The harness bank has no multiple-choice items: the workspace adds a pack of them."""
    await h.core.packs.add("slack:T0STUDY01", "quizzes", quiz_pack(), "studybot", None, "U0ADMIN01", h.clock.now())


async def answer_buttons(h: SlackHarness, message: dict[str, Any], store: str) -> tuple[str, str]:
    """The right and a wrong answer button of a solo (store "quiz_store") or race ("race_store") question."""
    ids = list(buttons(message["blocks"]).values())
    action = decode(ids[0])
    if store == "quiz_store":
        view = await part(h.core, store).view(int(action.args[0]))
        answer = view.questions[int(action.args[1])].answer
    else:
        answer = (await part(h.core, store).question(int(action.args[0]))).answer
    by_index = {int(decode(i).args[-1]): i for i in ids}
    return by_index[answer], by_index[(answer + 1) % 4]


async def test_a_solo_quiz_on_slack(fake: FakeSlack, harness: SlackHarness) -> None:
    h = harness
    await add_questions(h)
    await h.send(command(fake, ALICE, "/quiz", "math-stats 2", name="start"))
    first = fake.responses()[-1]
    assert first["_name"] == "start" and first["response_type"] == "ephemeral"
    assert header(first) == "Quiz · question 1 of 2"
    right, _ = await answer_buttons(h, first, "quiz_store")

    await h.send(click(fake, ALICE, right, ephemeral=True, name="right"))
    got = fake.responses()[-1]
    assert got["_name"] == "right" and got["replace_original"] is True
    assert "✅ Right" in text_of(got) and "+3 points" in text_of(got)

    await h.send(click(fake, BOB, right, ephemeral=True, name="bob"))  # not bob's quiz
    refused = fake.responses()[-1]
    assert refused["_name"] == "bob" and "belongs to someone else" in refused["text"]
    assert not refused.get("replace_original")

    await h.send(click(fake, ALICE, buttons(got["blocks"])["Next question"], ephemeral=True, name="next"))
    second = fake.responses()[-1]
    assert second["replace_original"] is True and header(second) == "Quiz · question 2 of 2"
    right2, _ = await answer_buttons(h, second, "quiz_store")
    await h.send(click(fake, ALICE, right2, ephemeral=True, name="right2"))
    await h.send(click(fake, ALICE, buttons(fake.responses()[-1]["blocks"])["See my results"], ephemeral=True,
                       name="results"))
    results = fake.responses()[-1]
    assert header(results) == "Quiz results" and "Score: *2/2* (100%)" in text_of(results)


async def test_a_race_on_slack_and_none_in_a_dm(fake: FakeSlack, harness: SlackHarness) -> None:
    h = harness
    await add_questions(h)
    await h.send(command(fake, BOB, "/quiz", "race", channel="D0BOB0001", name="dm"))
    dm = fake.responses()[-1]
    assert dm["_name"] == "dm" and dm["response_type"] == "ephemeral" and "A race is for a channel" in dm["text"]

    await h.send(command(fake, ALICE, "/quiz", "race deep-learning 1 10", name="race"))
    announce = fake.responses()[-1]
    assert announce["_name"] == "race" and announce["response_type"] == "in_channel"
    assert header(announce) == "Quiz race"

    first_at = MONDAY_8 + START_DELAY
    await h.run_until(first_at)
    (post,) = [m for m in fake.messages[CHANNEL] if header(m).startswith("Race ·")]
    assert header(post) == "Race · question 1 of 1"
    right, wrong = await answer_buttons(h, post, "race_store")

    h.clock.set(first_at + timedelta(seconds=2))
    await h.send(click(fake, CAROL, right, message_ts=post["ts"], name="carol"))
    locked = fake.responses()[-1]
    assert locked["_name"] == "carol" and locked["response_type"] == "ephemeral"
    assert locked["text"].startswith("Locked in") and not locked.get("replace_original")
    await h.send(click(fake, BOB, wrong, message_ts=post["ts"], name="bob"))
    assert fake.responses()[-1]["text"].startswith("Locked in")
    assert not fake.called("chat.update")  # nothing public changes before the close

    await h.run_until(first_at + timedelta(seconds=10))
    (update,) = fake.called("chat.update")
    assert update.params["channel"] == CHANNEL and update.params["ts"] == post["ts"]
    shown = text_of(update.params)
    assert "closed" in shown and "2 members picked; 1 got it right." in shown and f"<@{CAROL}>" in shown
    assert not buttons(update.params["blocks"])  # the picks are gone from the closed question
    results = [m for m in fake.messages[CHANNEL] if header(m) == "Race results"]
    assert len(results) == 1 and f"<@{CAROL}>" in text_of(results[0])
