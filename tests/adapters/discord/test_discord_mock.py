"""Peer mock interviews through discord.py against the fake Discord: the join modal (five components, select
fields), the pair's private thread (type 12, members added, not invitable), the booking's .ics upload, the
packets by DM only, and the two-step scorecard modal (string selects in labels), reaching only the interviewee."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from discord_fake import EPHEMERAL, Call, FakeDiscord, Payloads
from discord_harness import Studybot, custom_ids, discord_config
from fakes import FakeScheduler, packed
from icalendar import Calendar

from adapters.discord.adapter import DiscordAdapter
from bot.bootstrap import build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.content.bank import Bank
from bot.content.item import Item
from bot.content.schema import validate_item
from bot.events import Event
from bot.messages import Response

MONDAY = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
ROUND = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)  # the default round, Thursday 12:00 UTC
RATINGS = {"modeling_judgment": ["3"], "production_readiness": ["2"], "evaluation_rigor": ["4"],
           "communication_clarity": ["3"]}


def bank() -> Bank:
    def item(n: int, level: str) -> Item:
        return validate_item({
            "id": f"dmk-{level}-{n}", "domain": "ml-algorithms", "subtopic": "mocks", "kind": "open",
            "difficulty": "medium", "seniority": level, "prompt": f"Discord mock question {n} for {level}: explain?",
            "key_points": ["first point", "second point", "third point"],
            "model_answer": "Model answer. " + " ".join(f"w{i}" for i in range(90)),
            "follow_ups": ["And then?"], "rubric": ["evaluation_rigor"]})

    return packed(tuple(item(n, level) for level in ("junior", "mid", "senior") for n in range(3)))


@pytest.fixture
async def studybot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Studybot]:
    """Logged in over REST (interactions injected), with a bank of mock-ready questions."""
    config = discord_config(fake, str(tmp_path / "studybot.db"))
    clock = ManualClock(MONDAY)
    scheduler = FakeScheduler()
    core = await build_core(config, clock=clock, scheduler=scheduler, bank=bank(), chat=ChatRouter())
    events: list[Event] = []

    async def handle(event: Event) -> Response:
        events.append(event)
        return await core.bot.handle(event)

    adapter = DiscordAdapter(core, config, handle=handle, guild_ready_timeout=0.01)
    bot = Studybot(fake, core, adapter, clock, scheduler, events)
    await bot.login_only()
    try:
        yield bot
    finally:
        await bot.stop()


def message_of(call: Call) -> dict[str, Any]:
    return call.response["resource"]["message"]


def inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    return [c["component"] for c in modal["components"] if c["type"] == 18]


def attachments(fake: FakeDiscord, message: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(a["filename"], fake.files[a["url"].split(str(fake.port), 1)[1]]) for a in message["attachments"]]


def text(message: dict[str, Any]) -> str:
    return "\n".join([message.get("content") or ""] + [f"{e.get('title', '')}\n{e.get('description', '')}"
                                                      for e in message.get("embeds") or []])


def titled(messages: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    return [m for m in messages if any(e.get("title") == title for e in m.get("embeds") or [])]


async def join(bot: Studybot, payloads: Payloads, who: str) -> None:
    opened = await bot.interact(payloads.slash("mock", subcommand="join", who=who))
    assert opened.body["type"] == 9
    checked = await bot.interact(payloads.modal_submit(
        "mock:join", {"timezone": "Europe/Berlin", "availability": "Mon-Fri 18:00-21:00"}, who=who,
        selections={"tracks": ["ml-fundamentals"], "level": ["mid"], "cadence": ["weekly"]}))
    assert checked.body["type"] == 4 and checked.body["data"]["flags"] == EPHEMERAL
    assert "Mon-Fri 18:00-21:00" in text(checked.body["data"])
    confirm = next(c for c in custom_ids(checked.body["data"]) if c.startswith("mock:confirm:"))
    done = await bot.interact(payloads.button(message_of(checked), confirm, who=who))
    assert done.body["type"] == 7 and "mock interview pool" in done.body["data"]["content"]


async def test_a_mock_interview_on_discord(studybot: Studybot, fake: FakeDiscord, payloads: Payloads) -> None:
    bo, cy = payloads.member_id("bo"), payloads.member_id("cy")
    here = await studybot.interact(payloads.slash("studybot", [{"name": "key", "type": 3, "value": "channel"},
                                                             {"name": "value", "type": 3, "value": "here"}],
                                                  who="ada", subcommand="config"))
    assert "channel is now" in here.body["data"]["content"]  # (the daily question stays off)

    # the join modal: five components (Discord's limit), selects inside labels, the intro in a description
    opened = await studybot.interact(payloads.slash("mock", subcommand="join", who="bo"))
    modal = opened.body["data"]
    assert modal["custom_id"] == "mock:join" and len(modal["components"]) == 5
    tracks, level, zone, availability, cadence = inputs(modal)
    assert tracks["type"] == 3 and (tracks["min_values"], tracks["max_values"]) == (1, 4)
    assert [o["label"] for o in tracks["options"]] == ["ML fundamentals", "ML system design", "Coding", "Behavioural"]
    assert level["type"] == 3 and level["max_values"] == 1 and cadence["type"] == 3
    assert zone["type"] == 4 and availability["type"] == 4 and availability["style"] == 2
    assert modal["components"][0]["description"].startswith("Each round pairs you")
    refused = await studybot.interact(payloads.modal_submit(
        "mock:join", {"timezone": "UTC", "availability": "Blursday 9-5"}, who="bo",
        selections={"tracks": ["coding"], "level": ["mid"], "cadence": ["weekly"]}))
    assert refused.body["data"]["flags"] == EPHEMERAL and "Blursday" in text(refused.body["data"])
    await join(studybot, payloads, "bo")
    await join(studybot, payloads, "cy")

    # the round opens a private thread in the studybot channel, with both members added
    await studybot.run_until(ROUND)
    ((thread_id, thread),) = [(tid, t) for tid, t in fake.threads.items() if t["type"] == 12]  # (reveals: public)
    assert thread["parent_id"] == fake.channel_id
    assert thread["thread_metadata"]["invitable"] is False and thread["name"].startswith("Mock interview · ")
    assert sorted(fake.thread_members[thread_id]) == sorted([bo, cy])
    (proposal,) = fake.messages[thread_id]
    picks = [c for c in custom_ids(proposal) if c.startswith("mock:pick:")]
    assert len(picks) == 3 and "<t:" in text(proposal)  # each reader sees their own local time
    assert f"<@{bo}>" in text(proposal) and f"<@{cy}>" in text(proposal)

    # cy books the first time from the thread; the booking carries the .ics
    booked_call = await studybot.interact(payloads.button(proposal, picks[0], who="cy"))
    assert booked_call.body["type"] == 7 and "Booked" in booked_call.body["data"]["content"]
    (booked,) = titled(fake.messages[thread_id], "Mock interview booked")
    ((name, data),) = attachments(fake, booked)
    assert name == "mock-interview.ics"
    start = datetime.fromtimestamp(int(picks[0].rsplit(":", 1)[1]), UTC)
    assert Calendar.from_ical(data).walk("VEVENT")[0]["DTSTART"].dt == start

    # the packets go to each interviewer's DM, never to the thread or the channel
    await studybot.run_until(start + timedelta(hours=1, minutes=5))
    first, second = sorted((bo, cy))
    packet_dm = titled(fake.messages[fake.dms[first]["id"]], "Your interviewer packet")
    assert len(packet_dm) == 1 and "Discord mock question" in text(packet_dm[0])
    assert titled(fake.messages[fake.dms[second]["id"]], "Your interviewer packet")
    ask = text(packet_dm[0]).split("**Ask**\n", 1)[1].split("\n", 1)[0]
    dm_channels = {dm["id"] for dm in fake.dms.values()}
    assert not [m for cid, ms in fake.messages.items() if cid not in dm_channels for m in ms
                if ask in text(m) or "for you alone" in text(m)]
    (after,) = titled(fake.messages[thread_id], "Did it happen?")
    met = await studybot.interact(payloads.button(after, "mock:met:1", who="bo"))
    assert met.body["type"] == 7 and "+15 points" in text(met.body["data"])

    # the scorecard: four ratings as string selects (with the text above them), then the words
    who = "bo" if first == bo else "cy"
    card_modal = await studybot.interact(payloads.button(message_of(met), "mock:card:1", who=who))
    assert card_modal.body["type"] == 9
    step_one = card_modal.body["data"]
    assert step_one["custom_id"] == "mock:rate:1:0" and step_one["components"][0]["type"] == 10
    ratings = inputs(step_one)
    assert [r["type"] for r in ratings] == [3, 3, 3, 3] and [o["value"] for o in ratings[0]["options"]] == [
        "1", "2", "3", "4"]
    assert ratings[0]["options"][0]["description"] and ratings[0]["options"][3]["description"]
    saved = await studybot.interact(payloads.modal_submit("mock:rate:1:0", {}, who=who, selections=RATINGS))
    assert saved.body["data"]["flags"] == EPHEMERAL and "step 1 of 2" in saved.body["data"]["content"]
    words = await studybot.interact(payloads.button(message_of(saved), "mock:next:1:0", who=who))
    assert words.body["type"] == 9 and [c["custom_id"] for c in inputs(words.body["data"])] == ["strengths",
                                                                                                 "improve"]
    secret = "Framed the metric before the model"
    sent = await studybot.interact(payloads.modal_submit(
        "mock:words:1:0", {"strengths": secret, "improve": "Check for leakage"}, who=who))
    assert sent.body["data"]["flags"] == EPHEMERAL and "only to them" in sent.body["data"]["content"]
    (card,) = titled(fake.messages[fake.dms[second]["id"]], "Your mock interview scorecard")
    assert secret in text(card)
    dm_ids = {dm["id"] for dm in fake.dms.values()}
    everywhere_else = [m for cid, ms in fake.messages.items() if cid != fake.dms[second]["id"] for m in ms]
    assert not [m for m in everywhere_else if secret in text(m)]
    assert fake.dms[first]["id"] in dm_ids  # (the interviewer's own DM holds only their packet)
