"""The App Home tab: what it shows, and answering from it (no channel there: replies come by DM)."""

from __future__ import annotations

import json
from typing import Any

from slack_fake import ADMIN, ALICE, command, home_opened, load, submission
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)


def home_text(call: Any) -> str:
    return json.dumps(call.params["view"])


async def test_home_before_setup(harness: SlackHarness) -> None:
    await harness.send(home_opened(ALICE, "Ev0HOME0010"))
    (call,) = harness.fake.called("views.publish")
    text = home_text(call)
    assert "not set up in this workspace yet" in text and "0 days" in text
    assert not [b for b in call.params["view"]["blocks"] if b["type"] == "actions"]


async def test_messages_tab_opened_publishes_nothing(harness: SlackHarness) -> None:
    payload = home_opened(ALICE, "Ev0HOME0011")
    payload["event"]["tab"] = "messages"
    await harness.send(payload)
    assert harness.fake.called("views.publish") == []


async def test_answering_from_the_home_tab(harness: SlackHarness) -> None:
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup"))
    await harness.send(submission(harness.fake.called("views.open")[0].params["view"], ADMIN, {}))
    await harness.send(command(harness.fake, ADMIN, "/studybot", "post-now"))
    await harness.send(home_opened(ALICE, "Ev0HOME0012"))
    home = harness.fake.called("views.publish")[-1].params["view"]
    answer = next(e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["text"]["text"] == "Answer")
    click = load("block_actions_home.json")
    click["actions"][0].update(action_id=answer["action_id"], value=answer["action_id"])
    await harness.send(click)
    modal = harness.fake.called("views.open")[-1].params["view"]
    assert json.loads(modal["private_metadata"]) == {"h": 1}
    await harness.send(submission(modal, ALICE, {"answer": "An answer typed in the home tab."}))
    dm = harness.fake.posts("D0ALICE01")[-1]
    assert "Saved" in dm["text"] and "+10 points" in dm["text"]
    view = harness.fake.called("views.publish")[-1].params["view"]
    assert "You answered it" in json.dumps(view) and "Edit my answer" in json.dumps(view)
    fields = next(b["fields"] for b in view["blocks"] if "fields" in b)
    assert {"type": "mrkdwn", "text": "*Points this week*\n10"} in fields
