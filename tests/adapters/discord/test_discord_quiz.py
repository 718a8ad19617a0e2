"""Quizzes on Discord through the real discord.py against the fake Discord: a solo quiz in ephemeral
messages updated in place, and a race posted in the channel, picked privately, revealed by an edit."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from discord_fake import EPHEMERAL, Call, FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, MONDAY_8, Studybot, custom_ids

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core"))
from quiz_helpers import part, quiz_pack

from bot.actions import decode
from bot.features.quiz.race_run import START_DELAY


def message_of(call: Call) -> dict[str, Any]:
    return call.response["resource"]["message"]


def embed(data: dict[str, Any]) -> dict[str, Any]:
    return data["embeds"][0]


async def add_questions(bot: Studybot) -> None:
    """The harness bank has no multiple-choice items: the community adds a pack of them."""
    await bot.core.packs.add(bot.community.key, "quizzes", quiz_pack(), "studybot", None, "ada", bot.clock.now())


async def solo_answers(bot: Studybot, ids: list[str]) -> tuple[str, str]:
    action = decode(ids[0])
    view = await part(bot.core, "quiz_store").view(int(action.args[0]))
    answer = view.questions[int(action.args[1])].answer
    by_index = {int(decode(i).args[-1]): i for i in ids}
    return by_index[answer], by_index[(answer + 1) % 4]


async def test_a_solo_quiz_on_discord(bot: Studybot, payloads: Payloads) -> None:
    await add_questions(bot)
    options = [{"name": "topic", "type": 3, "value": "math-stats"}, {"name": "count", "type": 4, "value": 2}]
    started = await bot.interact(payloads.slash("quiz", options, who="bo", subcommand="solo"))
    assert started.body["type"] == 4 and started.body["data"]["flags"] == EPHEMERAL
    first = message_of(started)
    assert embed(first)["title"] == "Quiz · question 1 of 2"
    ids = custom_ids(first)
    assert len(ids) == 4 and all(i.startswith("quiz:ans:") for i in ids)

    right, _ = await solo_answers(bot, ids)
    someone_else = await bot.interact(payloads.button(first, right, who="cy"))
    assert someone_else.body["type"] == 4 and someone_else.body["data"]["flags"] == EPHEMERAL
    assert "belongs to someone else" in someone_else.body["data"]["content"]

    answered = await bot.interact(payloads.button(first, right, who="bo"))
    assert answered.body["type"] == 7  # the ephemeral question is updated in place
    result = answered.body["data"]
    assert "✅ Right" in embed(result)["description"] and "+3 points" in embed(result)["description"]
    (nxt,) = custom_ids(result)
    assert nxt.startswith("quiz:next:")

    second = await bot.interact(payloads.button(message_of(answered), nxt, who="bo"))
    assert second.body["type"] == 7 and embed(second.body["data"])["title"] == "Quiz · question 2 of 2"
    _, wrong = await solo_answers(bot, custom_ids(second.body["data"]))
    missed = await bot.interact(payloads.button(message_of(second), wrong, who="bo"))
    assert "❌ Not quite" in embed(missed.body["data"])["description"]
    again = await bot.interact(payloads.button(message_of(second), wrong, who="bo"))  # a double click
    assert "You already answered this one" in embed(again.body["data"])["description"]
    results = await bot.interact(payloads.button(message_of(missed), custom_ids(missed.body["data"])[0], who="bo"))
    summary = embed(results.body["data"])
    assert summary["title"] == "Quiz results" and "Score: **1/2** (50%)" in summary["description"]


async def test_a_race_on_discord(live: Studybot, fake: FakeDiscord, payloads: Payloads) -> None:
    await add_questions(live)
    options = [{"name": "topic", "type": 3, "value": "deep-learning"}, {"name": "count", "type": 4, "value": 1},
               {"name": "seconds", "type": 4, "value": 15}]
    started = await live.interact(payloads.slash("quiz", options, who="bo", subcommand="race"))
    assert started.body["type"] == 4 and not started.body["data"].get("flags")  # public
    announce = message_of(started)
    assert embed(announce)["title"] == "Quiz race" and custom_ids(announce)[0].startswith("quiz:stop:")

    busy = await live.interact(payloads.slash("quiz", options, who="cy", subcommand="race"))
    assert busy.body["data"]["flags"] == EPHEMERAL and "already running" in busy.body["data"]["content"]

    mark = fake.mark()
    first_at = MONDAY_8 + START_DELAY
    await live.run_until(first_at)
    post = (await fake.wait_call("POST", CHANNEL_POSTS, after=mark)).response
    assert post["channel_id"] == fake.channel_id and embed(post)["title"] == "Race · question 1 of 1"
    picks = custom_ids(post)
    assert len(picks) == 4 and all(p.startswith("quiz:pick:") for p in picks)
    question = await part(live.core, "race_store").question(int(decode(picks[0]).args[0]))
    right = next(p for p in picks if decode(p).args[-1] == str(question.answer))

    live.clock.set(first_at + timedelta(seconds=3))
    locked = await live.interact(payloads.button(post, right, who="cy"))
    assert locked.body["type"] == 4 and locked.body["data"]["flags"] == EPHEMERAL  # only cy sees the pick
    assert locked.body["data"]["content"].startswith("Locked in")
    twice = await live.interact(payloads.button(post, picks[0] if picks[0] != right else picks[1], who="cy"))
    assert "Your first pick counts" in twice.body["data"]["content"]
    stop = await live.interact(payloads.button(announce, custom_ids(announce)[0], who="cy"))
    assert "Only <@" in stop.body["data"]["content"]

    mark = fake.mark()
    await live.run_until(first_at + timedelta(seconds=15))
    edit = await fake.wait_call("PATCH", rf"/channels/{fake.channel_id}/messages/{post['id']}", after=mark)
    revealed = edit.response
    assert embed(revealed)["title"] == "Race · question 1 of 1 · closed"
    assert "1 member picked; 1 got it right." in embed(revealed)["description"]
    assert f"🥇 <@{payloads.member_id('cy')}>" in embed(revealed)["description"]
    assert revealed["components"] == []  # no more picks on the closed question

    standings = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and c.status == 200
                                    and embed(c.response)["title"] == "Race results", after=mark)
    assert f"🥇 <@{payloads.member_id('cy')}>" in embed(standings.response)["description"]
