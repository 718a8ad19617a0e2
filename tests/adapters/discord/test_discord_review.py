"""/review on Discord through the real discord.py against the fake gateway and REST: a session of cards
(ephemeral, each button updating the message in place), a second click, someone else's click, the reminder
settings modal with selects, and the reminder DM whose button starts a review from the DM."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from discord_fake import EPHEMERAL, Call, FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, Studybot, components, custom_ids

from bot.ids import MemberRef
from bot.signals import ItemAttempted

TUESDAY_8 = datetime(2025, 6, 3, 8, 0, tzinfo=UTC)


def message_of(call: Call) -> dict[str, Any]:
    return call.response["resource"]["message"]


def button(message: dict[str, Any], label: str) -> str:
    return next(c["custom_id"] for c in components(message) if c.get("label", "").startswith(label))


async def test_a_review_session_and_its_reminder_on_discord(live: Studybot, fake: FakeDiscord,
                                                            payloads: Payloads) -> None:
    bo = payloads.member_id("bo")
    for item in ("t-ml-algorithms-000", "t-deep-learning-001"):  # two quiz misses
        await live.core.registry.publish(ItemAttempted(MemberRef(live.community, bo), item, None, "quiz", False,
                                                       live.clock.now()))

    # /review: the first due card, only for bo
    front = await live.interact(payloads.slash("review", who="bo"))
    assert front.body["type"] == 4 and front.body["data"]["flags"] == EPHEMERAL
    embed = front.body["data"]["embeds"][0]
    assert embed["title"] == "Review · ml-algorithms" and "Question number 0" in embed["description"]
    assert custom_ids(front.body["data"]) == ["review:show:1:0"]

    # Show answer: the same message, now with the key points and the four ratings
    back = await live.interact(payloads.button(message_of(front), "review:show:1:0", who="bo"))
    assert back.body["type"] == 7
    shown = back.body["data"]
    assert "**Key points**" in shown["embeds"][0]["description"] and "point A0" in shown["embeds"][0]["description"]
    assert [c["label"] for c in components(shown)] == ["Again · 1d", "Hard · 1d", "Good · 2d", "Easy · 8d"]
    assert [c["style"] for c in components(shown)] == [4, 2, 1, 3]  # danger, secondary, primary, success

    # someone else's click on bo's card: refused privately, nothing rated
    foreign = await live.interact(payloads.button(message_of(back), button(shown, "Good"), who="cy"))
    assert foreign.body["type"] == 4 and foreign.body["data"]["flags"] == EPHEMERAL
    assert "belongs to someone else" in foreign.body["data"]["content"]

    # Good: the message moves on to the next card and says when this one comes back
    rated = await live.interact(payloads.button(message_of(back), button(shown, "Good"), who="bo"))
    assert rated.body["type"] == 7
    next_card = rated.body["data"]["embeds"][0]
    assert next_card["description"].startswith("Rated **Good**: that card comes back <t:")
    assert ":R> (<t:" in next_card["description"] and "+1 point" in next_card["description"]
    assert "Question number 1" in next_card["description"] and custom_ids(rated.body["data"]) == ["review:show:2:0"]

    # the same Good button again (a second click): a kind private answer, rated once
    twice = await live.interact(payloads.button(message_of(back), button(shown, "Good"), who="bo"))
    assert twice.body["type"] == 4 and "already rated" in twice.body["data"]["content"]
    exported = (await live.core.registry.export_member(MemberRef(live.community, bo)))["review"]
    assert [c["ratings"] for c in exported["cards"]] == [1, 0] and len(exported["ratings"]) == 1

    # reminder settings: a modal with a select, two text inputs and a multi-select
    opened = await live.interact(payloads.slash("review", [{"name": "show", "type": 3, "value": "settings"}], who="bo"))
    assert opened.body["type"] == 9
    modal = opened.body["data"]
    assert modal["custom_id"] == "review:remind"
    inputs = [c["component"] for c in modal["components"] if c["type"] == 18]
    assert [(c["custom_id"], c["type"]) for c in inputs] == [("remind", 3), ("time", 4), ("timezone", 4),
                                                             ("days_off", 3)]
    assert (inputs[3]["min_values"], inputs[3]["max_values"]) == (0, 6)
    saved = await live.interact(payloads.modal_submit("review:remind", {"time": "08:00", "timezone": "UTC"},
                                                      who="bo", selections={"remind": ["on"], "days_off": ["5", "6"]}))
    assert saved.body["type"] == 4 and saved.body["data"]["flags"] == EPHEMERAL
    assert saved.body["data"]["content"].startswith("Saved. Review reminders are **on**: a DM at **08:00** (UTC)")
    assert f"<t:{int(TUESDAY_8.timestamp())}:f>" in saved.body["data"]["content"]

    # Tuesday 08:00: the reminder DM, with a button that starts the review right there
    mark = fake.mark()
    await live.run_until(TUESDAY_8)
    dm_call = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and c.status == 200
                                  and c.response["channel_id"] == fake.dms[bo]["id"], after=mark)
    dm = dm_call.response
    assert dm["embeds"][0]["title"] == "Review reminder"
    assert "1 review card due" in dm["embeds"][0]["description"]  # the one rated Good is not due yet
    started = await live.interact(payloads.dm_button(dm, "review:next"))
    assert started.body["type"] == 7 and "Question number 1" in started.body["data"]["embeds"][0]["description"]
    assert custom_ids(started.body["data"]) == ["review:show:2:0"]
    # nothing of bo's review reached the channel
    public = fake.messages.get(fake.channel_id, [])
    assert not [m for m in public if "Review" in str(m.get("embeds"))]
