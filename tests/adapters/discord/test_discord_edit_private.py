"""Editing an only-you reply later on Discord (Response.private_key -> ChatPort.edit_private), through
discord.py against the fake: the interaction's token edits the very message that was only-you (its
original response, or a follow-up by id), for 15 minutes; past that, or when Discord refuses, the answer is
False and nothing is sent. A private reply to a button on a public message never edits that message."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord_fake import EPHEMERAL, FakeDiscord, Payloads
from discord_harness import Canned, Studybot, custom_ids, make_studybot

from bot.messages import Choice, FileOut, Reply, Response, Visibility
from bot.ports import DeliveryError, DeliveryProblem

WEBHOOK_EDIT = r"/webhooks/\d+/[^/]+/messages/(@original|\d+)"
LATER = Reply(text="Time is up", choices=(Choice("Again", "count:again:1"),))


class Ticker:
    """A monotonic clock the test moves (the adapter times edit windows with it)."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path: Path, canned: Canned, ticker: Ticker) -> AsyncIterator[Studybot]:
    studybot = await make_studybot(fake, str(tmp_path / "studybot.db"), wrap=canned.wrap, defer_after=0.05,
                                   monotonic=ticker)
    await studybot.login_only()
    try:
        yield studybot
    finally:
        await studybot.stop()


def edits(fake: FakeDiscord, after: int = 0) -> list[Any]:
    return fake.calls_matching("PATCH", WEBHOOK_EDIT, after=after)


def token_of(payload: dict[str, Any]) -> str:
    return str(payload["token"])


async def test_an_only_you_answer_is_edited_through_its_interaction(bot: Studybot, canned: Canned,
                                                                    fake: FakeDiscord, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Counting down"), private_key="count:bo")
    payload = payloads.slash("stats")
    call = await bot.interact(payload)
    assert call.body["type"] == 4 and call.body["data"]["flags"] == EPHEMERAL
    mark = fake.mark()
    assert await bot.core.chat.edit_private(bot.community, "count:bo", LATER) is True  # through the router
    (patch,) = edits(fake, mark)
    assert patch.path.endswith(f"/{token_of(payload)}/messages/@original")
    original = fake.originals[token_of(payload)]
    assert original["content"] == "Time is up" and original["flags"] & EPHEMERAL
    assert custom_ids(original) == ["count:again:1"]
    assert fake.messages[fake.channel_id] == []  # nothing anyone else can read


async def test_after_fifteen_minutes_the_edit_is_refused_without_trying(bot: Studybot, canned: Canned,
                                                                      fake: FakeDiscord, payloads: Payloads,
                                                                      ticker: Ticker) -> None:
    canned.responses["stats"] = Response(Reply(text="Counting down"), private_key="count:bo")
    await bot.interact(payloads.slash("stats"))
    ticker.now += 14 * 60
    assert await bot.adapter.chat.edit_private(bot.community, "count:bo", LATER) is True
    ticker.now += 60  # 15 minutes after the interaction: its token is dead
    mark = fake.mark()
    assert await bot.adapter.chat.edit_private(bot.community, "count:bo", Reply(text="too late")) is False
    assert edits(fake, mark) == []


async def test_a_token_discord_no_longer_accepts_is_false_and_forgotten(bot: Studybot, canned: Canned,
                                                                       fake: FakeDiscord, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Counting down"), private_key="count:bo")
    payload = payloads.slash("stats")
    await bot.interact(payload)
    fake.expire(payload)  # Discord answers 401, Invalid Webhook Token (50027)
    assert await bot.adapter.chat.edit_private(bot.community, "count:bo", LATER) is False
    (refused,) = edits(fake)
    assert refused.status == 401 and fake.originals[token_of(payload)]["content"] == "Counting down"
    mark = fake.mark()
    assert await bot.adapter.chat.edit_private(bot.community, "count:bo", LATER) is False  # forgotten: no call
    assert fake.calls[mark:] == []


async def test_unknown_keys_other_communities_and_a_restart_answer_false(bot: Studybot, canned: Canned,
                                                                        fake: FakeDiscord, payloads: Payloads,
                                                                        tmp_path: Path) -> None:
    canned.responses["stats"] = Response(Reply(text="Counting down"), private_key="count:bo")
    await bot.interact(payloads.slash("stats"))
    other = type(bot.community)(bot.community.platform, "1100000000000000999")
    assert await bot.adapter.chat.edit_private(bot.community, "count:cy", LATER) is False
    assert await bot.adapter.chat.edit_private(other, "count:bo", LATER) is False
    again = await make_studybot(fake, str(tmp_path / "studybot.db"))  # a new process: it never saw the reply
    await again.login_only()
    try:
        assert await again.core.chat.edit_private(again.community, "count:bo", LATER) is False
    finally:
        await again.stop()
    assert edits(fake) == []


async def test_a_private_answer_to_a_button_on_a_public_message_is_edited_by_its_own_id(
        bot: Studybot, canned: Canned, fake: FakeDiscord, payloads: Payloads) -> None:
    """Deferred silently (the core was slow), the answer is a follow-up; `@original` would be the public
    message the button was on: only the follow-up is ever edited."""
    await bot.adapter.chat.send(bot.channel, Reply(text="Today's question", choices=(Choice("Hint", "daily:hint:1"),)))
    public = fake.messages[fake.channel_id][0]
    canned.responses["daily:hint:1"] = Response(Reply(text="Your hint"), private_key="hint:bo")
    canned.open.clear()
    mark = fake.mark()
    payload = payloads.button(public, "daily:hint:1")
    deferred = await bot.interact(payload)
    assert deferred.body["type"] == 6  # a silent acknowledgement: @original is now the public message
    canned.open.set()
    followup = await fake.wait_call("POST", rf"/webhooks/\d+/{re.escape(token_of(payload))}", after=mark)
    assert followup.body["flags"] == EPHEMERAL and followup.query.get("wait") in ("1", "true", "True")
    mark = fake.mark()
    assert await bot.adapter.chat.edit_private(bot.community, "hint:bo", Reply(text="A better hint")) is True
    (patch,) = edits(fake, mark)
    assert patch.path.endswith(f"/messages/{followup.response['id']}")
    assert fake.followups[token_of(payload)][followup.response["id"]]["content"] == "A better hint"
    assert fake.messages[fake.channel_id][0]["content"] == public["content"]  # the public message is untouched
    assert "A better hint" not in str(fake.messages[fake.channel_id])


async def test_a_late_private_answer_to_a_public_command_is_kept_by_id(bot: Studybot, canned: Canned,
                                                                      fake: FakeDiscord, payloads: Payloads) -> None:
    """/leaderboard defers publicly; a private answer then replaces the "thinking" message by a follow-up."""
    canned.responses["leaderboard"] = Response(Reply(text="Only you: your rank"), private_key="rank:bo")
    canned.open.clear()
    mark = fake.mark()
    payload = payloads.slash("leaderboard")
    deferred = await bot.interact(payload)
    assert deferred.body["type"] == 5 and not (deferred.body.get("data") or {}).get("flags")
    canned.open.set()
    followup = await fake.wait_call("POST", rf"/webhooks/\d+/{re.escape(token_of(payload))}", after=mark)
    assert followup.body["flags"] == EPHEMERAL
    assert await bot.adapter.chat.edit_private(bot.community, "rank:bo", Reply(text="Your new rank")) is True
    (patch,) = [c for c in edits(fake, mark) if c.body.get("content") == "Your new rank"]
    assert patch.path.endswith(f"/messages/{followup.response['id']}")


async def test_a_deferred_private_answer_is_the_original_response(bot: Studybot, canned: Canned,
                                                                   fake: FakeDiscord, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Your stats"), private_key="stats:bo")
    canned.open.clear()
    payload = payloads.slash("stats")
    mark = fake.mark()
    assert (await bot.interact(payload)).body["type"] == 5
    canned.open.set()
    await fake.wait_call("PATCH", WEBHOOK_EDIT, after=mark)
    chart = FileOut("chart", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", "Your week")
    assert await bot.adapter.chat.edit_private(bot.community, "stats:bo", Reply(text="Updated", files=(chart,)))
    last = edits(fake, mark)[-1]
    assert last.path.endswith("/messages/@original") and [u.filename for u in last.files] == ["chart.png"]
    original = fake.originals[token_of(payload)]
    assert original["content"] == "Updated" and original["attachments"][0]["content_type"] == "image/png"


async def test_replacing_an_only_you_message_keeps_it_editable_and_a_public_one_does_not(
        bot: Studybot, canned: Canned, fake: FakeDiscord, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Ready?", choices=(Choice("Go", "quiz:go:1"),)))
    first = payloads.slash("stats")
    await bot.interact(first)
    only_you = fake.originals[token_of(first)]
    canned.responses["quiz:go:1"] = Response(Reply(text="Question 1"), replace_original=True, private_key="quiz:bo")
    clicked = payloads.button(only_you, "quiz:go:1")
    assert (await bot.interact(clicked)).body["type"] == 7
    mark = fake.mark()
    assert await bot.adapter.chat.edit_private(bot.community, "quiz:bo", Reply(text="Question 2")) is True
    (patch,) = edits(fake, mark)
    assert patch.path.endswith(f"/{token_of(clicked)}/messages/@original")
    assert fake.originals[token_of(clicked)]["content"] == "Question 2"

    # the same, on a message everyone sees: replaced as asked, but not kept as an only-you reply
    await bot.adapter.chat.send(bot.channel, Reply(text="Public", choices=(Choice("Go", "quiz:go:2"),)))
    canned.responses["quiz:go:2"] = Response(Reply(text="Round 2"), replace_original=True, private_key="quiz:two")
    await bot.interact(payloads.button(fake.messages[fake.channel_id][0], "quiz:go:2"))
    canned.responses["stats"] = Response(Reply(text="For all"), Visibility.PUBLIC, private_key="public:bo")
    await bot.interact(payloads.slash("stats"))
    mark = fake.mark()
    assert await bot.adapter.chat.edit_private(bot.community, "quiz:two", LATER) is False
    assert await bot.adapter.chat.edit_private(bot.community, "public:bo", LATER) is False
    assert edits(fake, mark) == []


async def test_a_permanent_refusal_is_false_and_a_rate_limit_is_raised(bot: Studybot, canned: Canned,
                                                                        fake: FakeDiscord, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(Reply(text="Counting down"), private_key="count:bo")
    await bot.interact(payloads.slash("stats"))
    # a 429 that discord.py does not wait out (no Via header): retryable, and the key is kept
    fake.fail("PATCH", WEBHOOK_EDIT, 429, "error_429_rate_limited", headers={"Via": ""})
    with pytest.raises(DeliveryError) as info:
        await bot.adapter.chat.edit_private(bot.community, "count:bo", LATER)
    assert info.value.problem is DeliveryProblem.RATE_LIMITED and info.value.retryable
    fake.fail("PATCH", WEBHOOK_EDIT, 403, "error_50013_missing_permissions")
    assert await bot.adapter.chat.edit_private(bot.community, "count:bo", LATER) is False
    assert await bot.adapter.chat.edit_private(bot.community, "count:bo", LATER) is False  # and forgotten
