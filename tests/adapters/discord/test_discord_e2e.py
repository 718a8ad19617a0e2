"""studybot on Discord, end to end: discord.py connects to the fake gateway for real (HELLO, IDENTIFY,
READY, GUILD_CREATE); members act through INTERACTION_CREATE events; we check what the bot sends back
over REST and what the core stored."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
from discord_fake import EPHEMERAL, Call, FakeDiscord, Payloads
from discord_harness import CHANNEL_POSTS, NINE, SETUP, components, custom_ids, make_studybot, set_up

from bot.features.daily.store import DailyRepo


def message_of(call: Call) -> dict[str, Any]:
    return call.response["resource"]["message"]


async def test_the_bot_connects_for_real(live, fake: FakeDiscord) -> None:
    identify = fake.identifies[0]
    assert identify["token"] == live.adapter.config.discord_token
    intents = discord.Intents.none()
    intents.value = identify["intents"]
    assert intents.guilds and not (intents.members or intents.presences or intents.message_content)
    assert live.adapter.client.user is not None and str(live.adapter.client.user.id) == fake.app_id
    assert fake.calls_matching("GET", "/users/@me") and fake.calls_matching("GET", "/oauth2/applications/@me")


async def test_setup_daily_post_answer_reveal_thread_leaderboard(live, fake: FakeDiscord, payloads: Payloads) -> None:
    bo, cy = payloads.member_id("bo"), payloads.member_id("cy")
    fake.closed_dms.add(cy)

    # a member may not set studybot up
    refused = await live.interact(payloads.command("studybot_setup", who="bo"))
    assert refused.body["type"] == 4 and refused.body["data"]["flags"] == EPHEMERAL
    assert "Only admins" in refused.body["data"]["content"]

    # an admin (Manage Server) gets the setup modal, the first response, and submits it
    modal = await live.interact(payloads.command("studybot_setup", who="ada"))
    assert modal.body["type"] == 9
    form = modal.body["data"]
    assert form["custom_id"] == "admin:setup"
    assert [c["component"]["custom_id"] for c in form["components"]] == list(SETUP)
    assert form["components"][0]["description"].startswith("The daily question will be posted")
    done = await live.interact(payloads.modal_submit("admin:setup", SETUP, who="ada"))
    assert done.body["type"] == 4 and not done.body["data"].get("flags")  # public
    embed = done.body["data"]["embeds"][0]
    assert embed["title"] == "studybot is set up" and "<t:" in embed["description"]

    # the scheduler fires at 09:00: the daily question arrives in the channel with its buttons
    mark = fake.mark()
    await live.run_until(NINE)
    post = (await fake.wait_call("POST", CHANNEL_POSTS, after=mark)).response
    assert post["channel_id"] == fake.channel_id
    assert post["embeds"][0]["title"] == "Daily question · 2025-06-02"
    assert "footer" not in post["embeds"][0]  # the outbox key is not for members to read
    assert post["embeds"][0]["url"] == (f"https://discord.com/channels/{fake.guild_id}/{fake.channel_id}"
                                        "?studybot_key=daily-post%3A1")
    assert custom_ids(post)[:2] == ["daily:answer:1", "daily:skip:1"]
    sent = fake.calls_matching("POST", CHANNEL_POSTS, after=mark)[0].body
    assert sent["nonce"] == "daily-post:1" and sent["enforce_nonce"] is True

    # Answer opens a modal with the question above the input
    opened = await live.interact(payloads.button(post, "daily:answer:1", who="bo"))
    assert opened.body["type"] == 9
    answer_form = opened.body["data"]
    assert answer_form["custom_id"] == "daily:submit:1"
    intro, field = answer_form["components"]
    assert intro["type"] == 10 and "Question number" in intro["content"]
    assert field["component"]["custom_id"] == "answer" and field["component"]["style"] == 2

    # the submission is stored and acknowledged privately
    text = "Bias is error from wrong assumptions; variance is sensitivity to the sample."
    saved = await live.interact(payloads.modal_submit("daily:submit:1", {"answer": text}, who="bo", message=post))
    assert saved.body["type"] == 4 and saved.body["data"]["flags"] == EPHEMERAL
    assert "Saved" in saved.body["data"]["content"] and "+10 points" in saved.body["data"]["content"]
    stored = await DailyRepo(live.core.db).answer_of(1, bo)
    assert stored is not None and stored.text == text

    # "Share at the reveal" on that private message updates it in place
    share = await live.interact(payloads.button(message_of(saved), "daily:share:1", who="bo"))
    assert share.body["type"] == 7 and "daily:private:1" in custom_ids(share.body["data"])

    # another member answers with the command's option instead of the form
    typed = payloads.slash("daily", [{"name": "answer", "type": 3, "value": "Trade-off between the two."}], who="cy")
    assert "Saved" in (await live.interact(typed)).body["data"]["content"]

    # the reveal: a channel post, a thread on it with the shared answer, checklists by DM
    mark = fake.mark()
    await live.run_until(NINE + timedelta(days=1))
    reveal_call = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and c.response["embeds"]
                                      and c.response["embeds"][0]["title"].startswith("Reveal"), after=mark)
    reveal = reveal_call.response
    assert "2 members answered" in reveal["embeds"][0]["description"]
    thread_call = await fake.wait_call("POST", rf"/channels/{fake.channel_id}/messages/{reveal['id']}/threads",
                                       after=mark)
    assert thread_call.body["name"] == "Answers · 2025-06-02"
    in_thread = (await fake.wait_call("POST", rf"/channels/{reveal['id']}/messages", after=mark)).response
    assert f"<@{bo}> answered" in in_thread["embeds"][0]["description"]
    kudos_id = custom_ids(in_thread)[0]
    dm_call = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and c.response["channel_id"]
                                  == fake.dms[bo]["id"], after=mark)
    checklist = dm_call.response
    assert checklist["embeds"][0]["title"] == "Your checklist"
    assert checklist["embeds"][0]["url"].startswith(f"https://discord.com/channels/{fake.guild_id}?studybot_key=")
    # cy's DMs are closed: Discord cannot show a message to cy alone outside an interaction, so cy's
    # checklist is not posted where others can read it
    await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and c.status == 403
                        and c.response["code"] == 50007, after=mark)
    dm_ids = {dm["id"] for dm in fake.dms.values()}
    public = [m for cid, ms in fake.messages.items() if cid not in dm_ids for m in ms]
    assert not [m for m in public if any(e.get("title") == "Your checklist" for e in m["embeds"])]
    # only a pointer is public, and its button shows cy the checklist privately (an ephemeral reply)
    pointer_call = await fake.wait_for(lambda c: c.matches("POST", CHANNEL_POSTS) and c.status == 200
                                       and "Show it to me" in str(c.response.get("components")), after=mark)
    pointer = pointer_call.response
    key_points = checklist["embeds"][0]["description"].split("\n\n", 1)[1]  # the same item's, from bo's DM
    assert key_points and key_points not in str(pointer)
    show_id = custom_ids(pointer)[0]
    refused = await live.interact(payloads.button(pointer, show_id, who="bo"))
    assert "someone else" in refused.body["data"]["content"]
    shown = await live.interact(payloads.button(pointer, show_id, who="cy"))
    assert shown.body["data"]["flags"] == EPHEMERAL
    assert shown.body["data"]["embeds"][0]["title"] == "Your checklist"

    # kudos from the thread, a tick from the DM (no guild id there: the embed link names the server)
    kudos = await live.interact(payloads.button(in_thread, kudos_id, who="cy"))
    assert f"Kudos sent to <@{bo}>" in kudos.body["data"]["content"]
    tick_id = custom_ids(checklist)[0]
    ticked = await live.interact(payloads.dm_button(checklist, tick_id))
    assert ticked.body["type"] == 7 and custom_ids(ticked.body["data"])[0] == tick_id
    assert components(ticked.body["data"])[0]["label"].startswith("☑")
    edited = fake.find_message(checklist["id"])  # still names its server, so the next click works too
    assert edited is not None and edited["embeds"][0]["url"] == checklist["embeds"][0]["url"]
    finished = await live.interact(payloads.dm_button(edited, custom_ids(edited)[-1]))
    assert finished.body["type"] == 7 and "Checklist saved: 1 key point covered" in finished.body["data"]["content"]

    # the leaderboard renders publicly, members mentioned, highest first
    board = await live.interact(payloads.command("leaderboard", who="ada"))
    assert board.body["type"] == 4 and not board.body["data"].get("flags")
    shown = board.body["data"]["embeds"][0]
    assert shown["title"] == "Leaderboard · All time"
    assert shown["description"].index(f"<@{bo}>") < shown["description"].index(f"<@{cy}>")
    assert "**15**" in shown["description"]  # 10 for the answer, 3 for the kudos, 2 for a key point


async def test_a_button_still_works_after_a_restart(fake: FakeDiscord, payloads: Payloads, tmp_path: Path) -> None:
    db = str(tmp_path / "studybot.db")
    first = await make_studybot(fake, db)
    await first.connect()
    try:
        await set_up(first, payloads)
        mark = fake.mark()
        await first.run_until(NINE)
        post = (await fake.wait_call("POST", CHANNEL_POSTS, after=mark)).response
    finally:
        await first.stop()

    again = await make_studybot(fake, db, clock=first.clock)  # a new process: new client, same database
    await again.connect()
    try:
        assert len(fake.identifies) == 2
        opened = await again.interact(payloads.button(post, "daily:answer:1", who="bo"))
        assert opened.body["type"] == 9 and opened.body["data"]["custom_id"] == "daily:submit:1"
        saved = await again.interact(payloads.modal_submit("daily:submit:1", {"answer": "Still works."}, who="bo"))
        assert "Saved" in saved.body["data"]["content"]
    finally:
        await again.stop()


async def test_sharded_when_asked(fake: FakeDiscord, tmp_path: Path) -> None:
    sharded = await make_studybot(fake, str(tmp_path / "db.sqlite"), settings={"discord_shards": "auto"})
    assert isinstance(sharded.adapter.client, discord.AutoShardedClient)
    await sharded.connect()
    try:
        assert fake.calls_matching("GET", "/gateway/bot")  # asked Discord how many shards
        assert fake.identifies[-1]["shard"] == [0, 1]  # and connected to the configured gateway
    finally:
        await sharded.stop()


async def test_a_fixed_number_of_shards(fake: FakeDiscord, tmp_path: Path) -> None:
    sharded = await make_studybot(fake, str(tmp_path / "db.sqlite"), settings={"discord_shards": "2"},
                                  identify_interval=0)
    await sharded.connect()
    try:
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
        assert not fake.calls_matching("GET", "/gateway/bot")
    finally:
        await sharded.stop()


async def test_removed_from_a_server_studybot_stops_there(live, fake: FakeDiscord, payloads: Payloads) -> None:
    await set_up(live, payloads)
    key = live.community.key
    settings = await live.core.communities.get(key)
    assert settings is not None and settings.enabled
    client = live.adapter.client
    wired = client.studybot_removed  # what the adapter wired up: the core's community_removed
    assert wired is not None
    removed: list[str] = []
    done = asyncio.Event()

    async def observed(community_key: str) -> None:
        await wired(community_key)
        removed.append(community_key)
        done.set()

    client.studybot_removed = observed
    # an outage is not a removal: GUILD_DELETE with unavailable=true
    outage = asyncio.ensure_future(client.wait_for("guild_unavailable", timeout=5))
    await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id, "unavailable": True})
    await outage
    settings = await live.core.communities.get(key)
    assert not removed and settings is not None and settings.enabled

    await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id})  # kicked
    await asyncio.wait_for(done.wait(), 5)
    assert removed == [key]
    settings = await live.core.communities.get(key)
    assert settings is not None and not settings.enabled
    assert client.get_guild(int(fake.guild_id)) is None
