"""Selects through discord.py against the fake: posted as string selects whose custom_id is the action id,
picked (one or several values) as ChoiceSelected, also after a restart; and select fields in modals,
submitted into FormSubmitted.selections."""

from __future__ import annotations

import copy
from pathlib import Path

from discord_fake import FakeDiscord, Payloads
from discord_harness import Canned, components, make_studybot

from bot.events import ChoiceSelected, FormSubmitted
from bot.ids import MessageRef
from bot.messages import Choice, Form, FormField, InputKind, Reply, Response, Select, SelectOption

TOPICS = tuple(SelectOption(name.title(), name, f"Questions on {name}") for name in ("ml", "stats", "sql", "dl"))
PICKS = Reply(text="What next?", title="Quiz", selects=(
    Select("quiz:topic:7", TOPICS, placeholder="One topic"),
    Select("quiz:topics:7", TOPICS, min_values=0, max_values=3, placeholder="Up to three")),
    choices=(Choice("Start", "quiz:start:7"),))


async def test_selects_are_posted_and_a_pick_arrives_after_a_restart(fake: FakeDiscord, payloads: Payloads,
                                                                     tmp_path: Path) -> None:
    db = str(tmp_path / "studybot.db")
    first = await make_studybot(fake, db)
    await first.connect()
    try:
        ref = await first.adapter.chat.send(first.channel, PICKS)
    finally:
        await first.stop()
    posted = copy.deepcopy(fake.messages[fake.channel_id][0])  # (the first pick below replaces the stored one)
    rows = posted["components"]
    assert [[c["type"] for c in r["components"]] for r in rows] == [[3], [3], [2]]
    single, multi, start = components(posted)
    assert (single["custom_id"], single["min_values"], single["max_values"]) == ("quiz:topic:7", 1, 1)
    assert (multi["custom_id"], multi["min_values"], multi["max_values"]) == ("quiz:topics:7", 0, 3)
    assert [o["value"] for o in multi["options"]] == ["ml", "stats", "sql", "dl"] and start["type"] == 2

    canned = Canned()
    canned.responses["quiz:topics:7"] = Response(Reply(text="Topics saved"), replace_original=True)
    again = await make_studybot(fake, db, clock=first.clock, wrap=canned.wrap)  # a new process
    await again.connect()
    try:
        picked = await again.interact(payloads.select(posted, "quiz:topics:7", ["stats", "dl"], who="cy"))
        event = again.events[-1]
        assert isinstance(event, ChoiceSelected)
        assert event.action == "quiz:topics:7" and event.values == ("stats", "dl")
        assert event.message == MessageRef(again.channel, ref.id)
        assert event.actor.member.id == payloads.member_id("cy")
        assert picked.body["type"] == 7 and picked.body["data"]["content"] == "Topics saved"

        await again.interact(payloads.select(posted, "quiz:topic:7", ["sql"]))
        single_pick = again.events[-1]
        assert isinstance(single_pick, ChoiceSelected) and single_pick.values == ("sql",)
        await again.interact(payloads.select(posted, "quiz:topics:7", []))  # min 0: nothing picked
        cleared = again.events[-1]
        assert isinstance(cleared, ChoiceSelected) and cleared.values == ()
        await again.interact(payloads.button(posted, "quiz:start:7"))  # a button on the same message
        clicked = again.events[-1]
        assert isinstance(clicked, ChoiceSelected) and clicked.action == "quiz:start:7" and clicked.values == ()
        assert len(again.events) == 4  # one event a pick: a select is not also taken for a button
    finally:
        await again.stop()


async def test_a_select_in_an_interaction_response(answering, canned: Canned, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(PICKS)
    call = await answering.interact(payloads.slash("stats"))
    assert [c["custom_id"] for c in components(call.body["data"])] == ["quiz:topic:7", "quiz:topics:7",
                                                                        "quiz:start:7"]


SETTINGS = Form("quiz:settings:7", "Quiz settings", (
    FormField("note", "A note for the group", required=False),
    FormField("level", "Level", InputKind.SELECT, options=(SelectOption("Junior", "junior"),
                                                           SelectOption("Senior", "senior")), defaults=("junior",)),
    FormField("topics", "Topics", InputKind.MULTI_SELECT, options=TOPICS, max_values=2, required=False)))


async def test_a_form_with_text_and_select_fields_round_trips(answering, canned: Canned, payloads: Payloads) -> None:
    canned.responses["stats"] = Response(form=SETTINGS)
    opened = await answering.interact(payloads.slash("stats"))
    assert opened.body["type"] == 9
    modal = opened.body["data"]
    assert modal["custom_id"] == "quiz:settings:7"
    labels = modal["components"]
    assert [c["type"] for c in labels] == [18, 18, 18]
    note, level, topics = (c["component"] for c in labels)
    assert note["type"] == 4 and note["custom_id"] == "note"
    assert level["type"] == 3 and level["custom_id"] == "level" and level["max_values"] == 1
    assert [o["value"] for o in level["options"] if o.get("default")] == ["junior"]
    assert topics["type"] == 3 and (topics["min_values"], topics["max_values"]) == (0, 2)

    await answering.interact(payloads.modal_submit("quiz:settings:7", {"note": "Fridays"},
                                                   selections={"level": ["senior"], "topics": ["ml", "sql"]}))
    event = answering.events[-1]
    assert isinstance(event, FormSubmitted) and event.form_id == "quiz:settings:7"
    assert event.values == {"note": "Fridays"}  # text fields only
    assert event.selections == {"level": ("senior",), "topics": ("ml", "sql")}


SCORES = tuple(SelectOption(f"{n} - {word}", str(n)) for n, word in
               ((1, "weak"), (2, "fair"), (3, "good"), (4, "strong")))
SCORECARD = Form("mock:score:12", "Scorecard", (
    FormField("clarity", "Clarity", InputKind.SELECT, options=SCORES, defaults=("3",)),
    FormField("depth", "Depth", InputKind.SELECT, options=SCORES),
    FormField("structure", "Structure", InputKind.SELECT, options=SCORES, required=False, defaults=("2",)),
    FormField("communication", "Communication", InputKind.SELECT, options=SCORES, required=False),
    FormField("notes", "Notes for the candidate", InputKind.LONG, required=False, max_length=1000)),
    intro="Score the answer you heard, 1 to 4.")


async def test_a_scorecard_of_four_selects_and_a_text_field_round_trips(answering, canned: Canned,
                                                                        payloads: Payloads) -> None:
    """Five inputs fill a modal: the intro moves into the first label's description. Required selects need
    one pick, optional ones may be left empty; defaults are pre-picked; picks come back as typed tuples."""
    canned.responses["stats"] = Response(form=SCORECARD)
    opened = await answering.interact(payloads.slash("stats"))
    modal = opened.body["data"]
    labels = modal["components"]
    assert [c["type"] for c in labels] == [18] * 5
    assert labels[0]["description"] == "Score the answer you heard, 1 to 4."
    assert [c["label"] for c in labels] == ["Clarity", "Depth", "Structure", "Communication",
                                           "Notes for the candidate"]
    inputs = [c["component"] for c in labels]
    assert [(c["type"], c["custom_id"]) for c in inputs] == [(3, "clarity"), (3, "depth"), (3, "structure"),
                                                            (3, "communication"), (4, "notes")]
    selects = inputs[:4]
    assert [(s["min_values"], s["max_values"], s.get("required", True)) for s in selects] == [
        (1, 1, True), (1, 1, True), (0, 1, False), (0, 1, False)]
    assert [[o["value"] for o in s["options"] if o.get("default")] for s in selects] == [["3"], [], ["2"], []]
    assert [o["value"] for o in selects[1]["options"]] == ["1", "2", "3", "4"]
    assert inputs[4]["style"] == 2 and inputs[4]["required"] is False and inputs[4]["max_length"] == 1000

    await answering.interact(payloads.modal_submit(
        "mock:score:12", {"notes": "Clear on bias and variance."},
        selections={"clarity": ["3"], "depth": ["4"], "structure": ["2"], "communication": []}))
    event = answering.events[-1]
    assert isinstance(event, FormSubmitted) and event.form_id == "mock:score:12"
    assert event.selections == {"clarity": ("3",), "depth": ("4",), "structure": ("2",), "communication": ()}
    assert event.values == {"notes": "Clear on bias and variance."}
