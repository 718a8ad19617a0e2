"""Peer mock interviews through slack-bolt against the fake Slack: the join modal prefilled with the member's
Slack timezone, the pair's group DM (conversations.open with both members), the booking's .ics shared into
it, the packets in each interviewer's own DM, and the two-step scorecard modal (static selects with
descriptions) whose result reaches only the interviewee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fakes import FakeScheduler, packed
from icalendar import Calendar
from slack_fake import ADMIN, ALICE, BOB, FakeSlack, click, command, submission
from slack_harness import SlackHarness, clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)

from adapters.slack.adapter import SlackAdapter
from bot.bootstrap import build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.content.bank import Bank
from bot.content.item import Item
from bot.content.schema import validate_item

ROUND = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)  # the default round, Thursday 12:00 UTC
RATINGS = {"modeling_judgment": ("3",), "production_readiness": ("2",), "evaluation_rigor": ("4",),
           "communication_clarity": ("3",)}


def bank() -> Bank:
    def item(n: int, level: str) -> Item:
        return validate_item({
            "id": f"smk-{level}-{n}", "domain": "coding", "subtopic": "mocks", "kind": "open",
            "difficulty": "medium", "seniority": level, "prompt": f"Slack mock question {n} for {level}: explain?",
            "key_points": ["first point", "second point", "third point"],
            "model_answer": "Model answer. " + " ".join(f"w{i}" for i in range(90)),
            "follow_ups": ["And then?"], "rubric": ["communication_clarity"]})

    return packed(tuple(item(n, level) for level in ("junior", "mid", "senior") for n in range(3)))


class MockHarness(SlackHarness):
    """The Slack harness with a bank of mock-ready questions."""

    async def boot(self, **config_kw: Any) -> SlackHarness:
        self.scheduler = FakeScheduler()
        self.core = await build_core(self.config(**config_kw), clock=self.clock, scheduler=self.scheduler,
                                     bank=bank(), chat=ChatRouter())
        kw = {"pace_seconds": 0.0, "retry_jitter": 0.0, "host": "127.0.0.1", **self.adapter_kw}
        self.adapter = SlackAdapter(self.core, self.config(**config_kw), **kw)
        return self


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {e["text"]["text"]: e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]
            if e.get("type") == "button"}


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def shown(message: dict[str, Any]) -> str:
    return str(message.get("text", "")) + str(message.get("blocks", ""))


async def join(h: SlackHarness, fake: FakeSlack, user: str, availability: str) -> None:
    await h.send(command(fake, user, "/mock", "join", name=f"join-{user}"))
    view = fake.called("views.open")[-1].params["view"]
    await h.send(submission(view, user, {"availability": availability},
                            picks={"tracks": ("coding",), "level": ("mid",), "cadence": ("weekly",)}))
    checked = fake.responses()[-1]
    assert checked["_name"] == f"join-{user}" and checked["response_type"] == "ephemeral"
    await h.send(click(fake, user, buttons(checked["blocks"])["Confirm and join"], ephemeral=True,
                       name=f"confirm-{user}"))
    assert "mock interview pool" in fake.responses()[-1]["text"]


async def test_a_mock_interview_on_slack(fake: FakeSlack, clock: ManualClock, tmp_path: Path) -> None:
    h = await MockHarness(fake, clock, str(tmp_path / "studybot.db")).boot()
    try:
        await h.send(command(fake, ADMIN, "/studybot", "config channel here", name="setup"))
        assert "channel is now" in fake.responses()[-1]["text"]  # (the daily question stays off)

        # the join modal: the timezone comes from Slack's profile (users.info tz)
        await h.send(command(fake, ALICE, "/mock", "join", name="peek"))
        view = fake.called("views.open")[-1].params["view"]
        fields = inputs(view)
        assert view["callback_id"] == "mock:join"
        assert [fields[k]["type"] for k in ("tracks", "level", "timezone", "availability", "cadence")] == [
            "checkboxes", "static_select", "plain_text_input", "plain_text_input", "static_select"]
        assert fields["timezone"]["initial_value"] == "Europe/Berlin"
        await join(h, fake, ALICE, "Mon-Fri 18:00-22:00")  # Berlin, summer: 16:00-20:00 UTC
        await join(h, fake, BOB, "Mon-Fri 12:00-15:00")  # Jamaica (UTC-5): 17:00-20:00 UTC

        # the round opens a group DM of exactly the pair; the times are posted there
        await h.run_until(ROUND)
        ((space, users),) = [(c, u) for c, u in fake.conversations.items() if len(u) > 1]  # (not the 1:1 DMs)
        assert sorted(users) == sorted([ALICE, BOB])
        (proposal,) = [m for m in fake.messages[space] if "pick" in str(m["blocks"])]
        picks = {k: v for k, v in buttons(proposal["blocks"]).items() if v.startswith("mock:pick:")}
        assert len(picks) == 3 and "<!date^" in shown(proposal)  # each reader sees their own local time
        first = picks["Book time 1"]
        start = datetime.fromtimestamp(int(first.rsplit(":", 1)[1]), UTC)
        assert start.hour >= 17 and start + timedelta(hours=1) <= start.replace(hour=20, minute=0)

        # bob books it from the group DM; the invite is shared into the group DM
        await h.send(click(fake, BOB, first, channel=space, message_ts=proposal["ts"], name="pick"))
        assert fake.responses()[-1]["_name"] == "pick" and fake.responses()[-1]["replace_original"] is True
        (ics,) = fake.files_in(space)
        assert ics.name == "mock-interview.ics"
        assert Calendar.from_ical(ics.data).walk("VEVENT")[0]["DTSTART"].dt == start

        # packets in each interviewer's own DM only; "did it happen?" in the group DM
        await h.run_until(start + timedelta(hours=1, minutes=5))
        interviewer, interviewee = sorted((ALICE, BOB))
        dm_of = {ALICE: "D" + ALICE[1:], BOB: "D" + BOB[1:]}
        packets = [m for m in fake.messages.get(dm_of[interviewer], []) if "Slack mock question" in shown(m)]
        assert len(packets) == 1
        assert [m for m in fake.messages.get(dm_of[interviewee], []) if "Slack mock question" in shown(m)]
        dms = set(dm_of.values())
        assert not [m for c, ms in fake.messages.items() if c not in dms for m in ms
                    if "Slack mock question" in shown(m) or "for you alone" in shown(m)]
        (after,) = [m for m in fake.messages[space] if "Did it happen?" in shown(m)]
        await h.send(click(fake, ALICE, buttons(after["blocks"])["Yes, we met"], channel=space,
                           message_ts=after["ts"], name="met"))
        met = fake.responses()[-1]
        assert "+15 points" in met["text"]

        # the scorecard in two modals: four static selects (weak/strong described), then the words
        await h.send(click(fake, interviewer, buttons(met["blocks"])["Write my scorecard"], channel=space,
                           message_ts=after["ts"], name="card"))
        step_one = fake.called("views.open")[-1].params["view"]
        assert step_one["callback_id"] == "mock:rate:1:0"
        ratings = inputs(step_one)
        assert [e["type"] for e in ratings.values()] == ["static_select"] * 4
        assert [o["value"] for o in ratings["evaluation_rigor"]["options"]] == ["1", "2", "3", "4"]
        assert ratings["evaluation_rigor"]["options"][3]["description"]["text"]
        await h.send(submission(step_one, interviewer, {}, picks=RATINGS))
        step_two_reply = fake.responses()[-1]
        assert step_two_reply["_name"] == "card" and step_two_reply["response_type"] == "ephemeral"
        await h.send(click(fake, interviewer, buttons(step_two_reply["blocks"])["Step 2: write it"], channel=space,
                           ephemeral=True, name="words"))
        step_two = fake.called("views.open")[-1].params["view"]
        assert list(inputs(step_two)) == ["strengths", "improve"]
        secret = "Tested the edge cases first"
        await h.send(submission(step_two, interviewer, {"strengths": secret, "improve": "Name the complexity"}))
        assert "only to them" in fake.responses()[-1]["text"]
        cards = [m for m in fake.messages.get(dm_of[interviewee], []) if secret in shown(m)]
        assert len(cards) == 1
        elsewhere = [m for c, ms in fake.messages.items() if c != dm_of[interviewee] for m in ms]
        assert not [m for m in elsewhere if secret in shown(m)]
        assert not [r for r in fake.responses() if secret in shown(r)]
        assert not [c for c in fake.called("chat.postEphemeral") if secret in str(c.params)]
    finally:
        await h.close()
