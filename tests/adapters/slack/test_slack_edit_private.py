"""Editing an only-you reply later on Slack (Response.private_key -> ChatPort.edit_private), through the real
AsyncApp against the fake: the reply's response_url replaces it (replace_original) for 30 minutes and 5
posts in all; past that, or where that url would replace another message (a button on a public message),
the answer is False and nothing is posted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from slack_fake import ALICE, CHANNEL, TEAM, FakeSlack, click, command, submission
from slack_harness import SlackHarness, clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)

from adapters.slack.translate import Origin
from bot.clock import ManualClock
from bot.events import ChoiceSelected, CommandInvoked, Event, FormSubmitted
from bot.ids import CommunityRef, Platform
from bot.messages import Choice, FileOut, Form, FormField, Reply, Response, Visibility
from bot.ports import DeliveryError, DeliveryProblem

COMMUNITY = CommunityRef(Platform.SLACK, TEAM)
LATER = Reply(text="Time is up", choices=(Choice("Again", "count:again:1"),))
KEPT = Response(Reply(text="Counting down"), private_key="count:alice")


class Ticker:
    """The adapter's monotonic clock, moved by the test (Slack's own clock is the fake's, `clock`)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def harness(fake: FakeSlack, clock: ManualClock, ticker: Ticker) -> AsyncIterator[SlackHarness]:
    h = await SlackHarness(fake, clock, ":memory:", monotonic=ticker).boot()
    yield h
    await h.close()


def answering(response: Response) -> Callable[[Event], Response]:
    return lambda event: response


def posts_to(fake: FakeSlack, name: str) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls if c.method in ("response_url", "response_url_refused")
            and c.params["_name"] == name]


async def test_a_command_s_only_you_answer_is_replaced_through_its_response_url(harness: SlackHarness) -> None:
    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    (first,) = posts_to(harness.fake, "count")
    assert first["response_type"] == "ephemeral" and first["text"] == "Counting down"
    assert await harness.core.chat.edit_private(COMMUNITY, "count:alice", LATER) is True  # through the router
    _, edit = posts_to(harness.fake, "count")
    assert edit["replace_original"] is True and edit["response_type"] == "ephemeral"
    assert edit["text"] == "Time is up" and "count:again:1" in str(edit["blocks"])
    assert harness.fake.posts() == [] and harness.fake.called("chat.postEphemeral") == []


async def test_five_posts_in_all_then_false_without_posting(harness: SlackHarness) -> None:
    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    for n in range(4):  # the answer took one post; four edits are left
        assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", Reply(text=f"edit {n}"))
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", Reply(text="sixth")) is False
    assert [p.get("text") for p in posts_to(harness.fake, "count")][-1] == "edit 3"
    assert len(posts_to(harness.fake, "count")) == 5


async def test_after_thirty_minutes_false_without_posting(harness: SlackHarness, ticker: Ticker) -> None:
    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    ticker.now += 29 * 60
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", LATER) is True
    ticker.now += 60
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", LATER) is False
    assert len(posts_to(harness.fake, "count")) == 2


async def test_a_url_slack_refuses_is_false_and_forgotten(harness: SlackHarness, clock: ManualClock) -> None:
    """Our own count says it still lives (a form kept the url a while); Slack says expired_url."""
    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    clock.set(clock.now().replace(minute=31))
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", LATER) is False
    refused = [c for c in harness.fake.calls if c.method == "response_url_refused"]
    assert [c.params["_error"] for c in refused] == ["expired_url"]
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", LATER) is False
    assert len(posts_to(harness.fake, "count")) == 2  # the answer, the refused edit; nothing after


async def test_trouble_that_may_pass_is_raised_and_the_url_is_kept(harness: SlackHarness) -> None:
    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    harness.fake.fail_response("count", 503)
    with pytest.raises(DeliveryError) as info:
        await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", LATER)
    assert info.value.problem is DeliveryProblem.UNAVAILABLE and info.value.retryable
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", LATER) is True


async def test_a_private_answer_to_a_button_on_a_public_message_is_never_kept(harness: SlackHarness) -> None:
    """That button's response_url replaces the public message: editing through it would show the private
    reply to everyone. The answer went as a new ephemeral message; edit_private says False."""
    harness.script(answering(Response(Reply(text="Your hint"), private_key="hint:alice")))
    await harness.send(click(harness.fake, ALICE, "daily:hint:1", ephemeral=False, name="public-button"))
    (answer,) = posts_to(harness.fake, "public-button")
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert await harness.adapter.chat.edit_private(COMMUNITY, "hint:alice", Reply(text="secret")) is False
    assert len(posts_to(harness.fake, "public-button")) == 1  # nothing replaced the public message


async def test_an_only_you_message_replaced_by_its_button_stays_editable(harness: SlackHarness) -> None:
    harness.script(answering(Response(Reply(text="Question 1"), replace_original=True, private_key="quiz:alice")))
    await harness.send(click(harness.fake, ALICE, "quiz:go:1", ephemeral=True, name="only-you-button"))
    assert await harness.adapter.chat.edit_private(COMMUNITY, "quiz:alice", Reply(text="Question 2")) is True
    first, edit = posts_to(harness.fake, "only-you-button")
    assert first["replace_original"] is True and edit["replace_original"] is True
    assert edit["text"] == "Question 2"


def form_flow(reply_key: str) -> Callable[[Event], Response]:
    form = Form("quiz:setup:7", "Quiz", (FormField("name", "Name"),))

    def answer(event: Event) -> Response:
        if isinstance(event, CommandInvoked | ChoiceSelected):
            return Response(form=form)
        assert isinstance(event, FormSubmitted)
        return Response(Reply(text=f"Saved, {event.values['name']}"), private_key=reply_key)

    return answer


async def test_a_form_opened_by_a_command_answers_through_the_command_s_url_and_stays_editable(
        harness: SlackHarness) -> None:
    harness.script(form_flow("quiz:alice"))
    await harness.send(command(harness.fake, ALICE, "/daily", "", name="form-cmd"))
    (opened,) = harness.fake.called("views.open")
    view = opened.params["view"]
    await harness.send(submission(view, ALICE, {"name": "Ada"}))
    (saved,) = posts_to(harness.fake, "form-cmd")
    assert saved["text"] == "Saved, Ada" and saved["response_type"] == "ephemeral"
    assert await harness.adapter.chat.edit_private(COMMUNITY, "quiz:alice", Reply(text="Saved again")) is True
    assert posts_to(harness.fake, "form-cmd")[-1]["replace_original"] is True


async def test_a_form_opened_from_a_public_message_is_not_kept(harness: SlackHarness) -> None:
    harness.script(form_flow("quiz:bob"))
    await harness.send(click(harness.fake, ALICE, "quiz:open:1", ephemeral=False, name="form-btn"))
    (opened,) = harness.fake.called("views.open")
    meta_origin = Origin.from_view({"user": {"id": ALICE}, "team": {"id": TEAM},
                                    "view": {"private_metadata": opened.params["view"]["private_metadata"]}})
    assert meta_origin.response_source == "message"
    await harness.send(submission(opened.params["view"], ALICE, {"name": "Ada"}))
    assert len(posts_to(harness.fake, "form-btn")) == 1
    assert await harness.adapter.chat.edit_private(COMMUNITY, "quiz:bob", Reply(text="secret")) is False
    assert len(posts_to(harness.fake, "form-btn")) == 1


async def test_what_cannot_be_replaced_exactly_is_not_kept(harness: SlackHarness) -> None:
    """A reply in several messages (a url replaces one), a reply sent by chat.postEphemeral (no url),
    a public reply, and everything after a restart."""
    harness.script(answering(Response(Reply(text="word " * 4000), private_key="long:alice")))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="long"))
    assert len(posts_to(harness.fake, "long")) > 1
    assert await harness.adapter.chat.edit_private(COMMUNITY, "long:alice", LATER) is False

    harness.script(answering(Response(Reply(text="later"), private_key="eph:alice")))
    payload = command(harness.fake, ALICE, "/stats", "")
    payload["response_url"] = f"http://127.0.0.1:{harness.fake.port}/expired/hook"
    await harness.send(payload)
    assert len(harness.fake.called("chat.postEphemeral")) == 1
    assert await harness.adapter.chat.edit_private(COMMUNITY, "eph:alice", LATER) is False

    harness.script(answering(Response(Reply(text="for all"), Visibility.PUBLIC, private_key="pub:alice")))
    await harness.send(command(harness.fake, ALICE, "/leaderboard", "", name="pub"))
    assert await harness.adapter.chat.edit_private(COMMUNITY, "pub:alice", LATER) is False

    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    await harness.restart()
    assert await harness.core.chat.edit_private(COMMUNITY, "count:alice", LATER) is False
    assert len(posts_to(harness.fake, "count")) == 1 and len(posts_to(harness.fake, "pub")) == 1


async def test_an_edit_with_a_file_sends_the_file_by_dm_and_says_so(harness: SlackHarness) -> None:
    harness.script(answering(KEPT))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="count"))
    csv = FileOut("scores.csv", b"q,score\n1,3\n", "text/csv", "Your scores")
    assert await harness.adapter.chat.edit_private(COMMUNITY, "count:alice", Reply(text="Done", files=(csv,)))
    edit = posts_to(harness.fake, "count")[-1]
    assert edit["replace_original"] is True and "I sent the file to you in a DM" in edit["text"]
    assert [f.name for f in harness.fake.files_in("D0ALICE01")] == ["scores.csv"]
    assert harness.fake.files_in(CHANNEL) == []
