"""Selects in messages and in modals through the real AsyncApp, and the event's own time (occurred_at).

A message select's action_id is the core's action id: a pick arrives as ChoiceSelected(action, values),
also after a restart. A modal's selects come back in FormSubmitted.selections, text in `values`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from slack_fake import ALICE, CHANNEL, click, command, pick, submission
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)

from bot.events import ChoiceSelected, CommandInvoked, Event, FormSubmitted
from bot.messages import Form, FormField, InputKind, Reply, Response, Select, SelectOption, Visibility

LEVELS = tuple(SelectOption(x.title(), x) for x in ("junior", "mid", "senior"))
TOPICS = tuple(SelectOption(f"Topic {t}", t) for t in ("ml", "dl", "stats", "sql", "python", "systems",
                                                      "probability", "linalg", "nlp", "cv", "rl", "mlops"))
DAYS = tuple(SelectOption(d, d.lower()) for d in ("Mon", "Wed", "Fri"))
QUIZ = Reply(text="Set up your quiz", selects=(Select("quiz:level:7", LEVELS, placeholder="Your level"),
                                               Select("quiz:topics:7", TOPICS, max_values=3)))
FORM = Form("quiz:setup:7", "Quiz", fields=(
    FormField("name", "Display name"),
    FormField("level", "Level", InputKind.SELECT, options=LEVELS, defaults=("mid",)),
    FormField("topics", "Topics", InputKind.MULTI_SELECT, options=TOPICS, defaults=("ml", "stats"), max_values=3),
    FormField("days", "Days", InputKind.MULTI_SELECT, required=False, options=DAYS, defaults=("wed",), max_values=0),
    FormField("mentor", "Mentor level", InputKind.SELECT, required=False, options=LEVELS),
))


def quiz(event: Event) -> Response:
    if isinstance(event, CommandInvoked):
        return Response(reply=QUIZ, visibility=Visibility.PUBLIC) if event.name == "stats" else Response(form=FORM)
    return Response.private("noted")


async def test_message_selects_render_and_a_pick_arrives_with_its_values_after_a_restart(
        harness: SlackHarness) -> None:
    harness.script(quiz)
    await harness.send(command(harness.fake, ALICE, "/stats", ""))
    (posted,) = harness.fake.responses()
    selects = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["type"], e["action_id"]) for e in selects] == [("static_select", "quiz:level:7"),
                                                              ("multi_static_select", "quiz:topics:7")]
    assert [o["value"] for o in selects[0]["options"]] == ["junior", "mid", "senior"]
    assert selects[1]["max_selected_items"] == 3

    await harness.restart()  # nothing about the message is remembered in memory: the action id carries it
    harness.events.clear()
    harness.script(quiz)
    await harness.send(pick(harness.fake, ALICE, "quiz:level:7", ("senior",), name="level"))
    await harness.send(pick(harness.fake, ALICE, "quiz:topics:7", ("ml", "nlp"), multi=True,
                            action_ts="1748854999.000300"))
    one, many = harness.events
    assert isinstance(one, ChoiceSelected) and isinstance(many, ChoiceSelected)
    assert (one.action, one.values) == ("quiz:level:7", ("senior",))
    assert (many.action, many.values) == ("quiz:topics:7", ("ml", "nlp"))
    assert one.occurred_at == datetime(2025, 6, 2, 9, 1, 41, 654321, tzinfo=UTC)  # the action's action_ts
    assert many.occurred_at == datetime.fromtimestamp(1748854999.0003, UTC)
    assert one.channel.id == CHANNEL and one.message is not None and one.actor.member.id == ALICE
    assert harness.fake.responses()[-2]["_name"] == "level" and harness.fake.responses()[-2]["text"] == "noted"


async def test_a_button_has_no_values_and_no_action_ts_means_no_time(harness: SlackHarness) -> None:
    harness.script(quiz)
    payload = click(harness.fake, ALICE, "quiz:go:7")
    await harness.send(payload)
    del payload["actions"][0]["action_ts"]
    await harness.send(payload)
    timed, untimed = harness.events
    assert isinstance(timed, ChoiceSelected) and isinstance(untimed, ChoiceSelected)
    assert timed.values == () and timed.occurred_at == datetime.fromtimestamp(1748854900.123456, UTC)
    assert untimed.occurred_at is None


async def test_a_form_with_text_a_select_and_multi_selects_round_trips(harness: SlackHarness) -> None:
    harness.script(quiz)
    signed_at = int(time.time()) - 42
    await harness.send(command(harness.fake, ALICE, "/daily", ""), timestamp=signed_at)
    (opened,) = harness.fake.called("views.open")
    view = opened.params["view"]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert [blocks[k]["type"] for k in ("name", "level", "topics", "days", "mentor")] == [
        "plain_text_input", "static_select", "multi_static_select", "checkboxes", "static_select"]
    assert blocks["level"]["initial_option"]["value"] == "mid"
    assert [o["value"] for o in blocks["topics"]["initial_options"]] == ["ml", "stats"]
    assert blocks["topics"]["max_selected_items"] == 3
    assert [o["value"] for o in blocks["days"]["initial_options"]] == ["wed"]

    response = await harness.send(submission(view, ALICE, {"name": "Ada"},
                                             picks={"level": ("senior",), "topics": ("dl", "nlp", "mlops")}),
                                  timestamp=signed_at + 30)
    assert response.status == 200 and response.body == ""
    command_event, form = harness.events
    assert isinstance(command_event, CommandInvoked) and isinstance(form, FormSubmitted)
    assert command_event.occurred_at == datetime.fromtimestamp(signed_at, UTC)  # the signed request time
    assert form.form_id == "quiz:setup:7" and form.values == {"name": "Ada"}
    assert form.selections == {"level": ("senior",), "topics": ("dl", "nlp", "mlops"), "days": ("wed",),
                               "mentor": ()}
    assert form.occurred_at == datetime.fromtimestamp(signed_at + 30, UTC)
    assert harness.fake.responses()[-1]["text"] == "noted"


SCORES = tuple(SelectOption(f"{n} - {word}", str(n)) for n, word in
               ((1, "weak"), (2, "fair"), (3, "good"), (4, "strong")))
SCORECARD = Form("mock:score:12", "Scorecard", (
    FormField("clarity", "Clarity", InputKind.SELECT, options=SCORES, defaults=("3",)),
    FormField("depth", "Depth", InputKind.SELECT, options=SCORES),
    FormField("structure", "Structure", InputKind.SELECT, options=SCORES, required=False, defaults=("2",)),
    FormField("communication", "Communication", InputKind.SELECT, options=SCORES, required=False),
    FormField("notes", "Notes for the candidate", InputKind.LONG, required=False, max_length=1000)),
    intro="Score the answer you heard, 1 to 4.")


async def test_a_scorecard_of_four_selects_and_a_text_field_round_trips(harness: SlackHarness) -> None:
    """Required selects are required inputs, optional ones optional; defaults are initial options; a pick
    left as it opened comes back as its default, an optional select left empty as an empty tuple."""
    harness.script(lambda e: Response(form=SCORECARD) if isinstance(e, CommandInvoked) else Response.private("ok"))
    await harness.send(command(harness.fake, ALICE, "/daily", ""))
    (opened,) = harness.fake.called("views.open")
    view = opened.params["view"]
    assert view["blocks"][0]["type"] == "section" and "1 to 4" in view["blocks"][0]["text"]["text"]
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [(b["block_id"], b["element"]["type"], b["optional"]) for b in inputs] == [
        ("clarity", "static_select", False), ("depth", "static_select", False),
        ("structure", "static_select", True), ("communication", "static_select", True),
        ("notes", "plain_text_input", True)]
    assert inputs[0]["element"]["initial_option"]["value"] == "3"
    assert "initial_option" not in inputs[1]["element"] and inputs[2]["element"]["initial_option"]["value"] == "2"
    assert [o["value"] for o in inputs[1]["element"]["options"]] == ["1", "2", "3", "4"]
    assert inputs[4]["element"]["multiline"] is True and inputs[4]["element"]["max_length"] == 1000

    await harness.send(submission(view, ALICE, {"notes": "Clear on bias and variance."},
                                  picks={"depth": ("4",)}))  # clarity and structure left as they opened
    form = harness.events[-1]
    assert isinstance(form, FormSubmitted) and form.form_id == "mock:score:12"
    assert form.selections == {"clarity": ("3",), "depth": ("4",), "structure": ("2",), "communication": ()}
    assert form.values == {"notes": "Clear on bias and variance."}
