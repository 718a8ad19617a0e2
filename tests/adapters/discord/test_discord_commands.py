"""Every catalogue command, fast: a fixture payload through discord.py's own interaction parser
(`parse_interaction_create`), checked as the neutral event the core got and as the answer Discord got."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from discord_fake import DISCORD_EPOCH_MS, EPHEMERAL, Call, FakeDiscord, Payloads, cache_guild, fixture
from discord_harness import NINE, Studybot, make_studybot, set_up

from bot.events import Attachment, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Choice, Reply


def last_command(bot: Studybot) -> CommandInvoked:
    event = bot.events[-1]
    assert isinstance(event, CommandInvoked)
    return event


def private_text(call: Call) -> str:
    assert call.body["type"] == 4 and call.body["data"]["flags"] == EPHEMERAL, call.body
    return call.body["data"]["content"] or ""


async def test_daily(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("daily"))
    event = last_command(bot)
    community = CommunityRef(Platform.DISCORD, "1100000000000000001")
    assert event.name == "daily" and event.subcommand is None and event.options == {}
    assert event.channel == ChannelRef(community, "1100000000000000002")
    assert event.actor.member == MemberRef(community, payloads.member_id("bo"))
    assert event.actor.display_name == "Bo" and not event.actor.is_admin and event.can_open_form
    assert "No daily question yet" in private_text(call)


async def test_daily_with_an_answer_option(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("daily_answer"))
    assert last_command(bot).options == {
        "answer": "Bias is error from wrong assumptions; variance is sensitivity to the sample."}
    assert "no open question" in private_text(call)


async def test_leaderboard_is_a_public_embed(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("leaderboard"))
    assert last_command(bot).options == {"period": "all"}
    assert call.body["type"] == 4 and not call.body["data"].get("flags")
    assert call.body["data"]["embeds"][0]["title"] == "Leaderboard · All time"


async def test_stats_of_a_member(bot, payloads: Payloads) -> None:
    bo = payloads.member_id("bo")
    call = await bot.interact(payloads.command("stats_member"))
    assert last_command(bot).options == {"member": bo}
    embed = call.body["data"]["embeds"][0]
    assert embed["title"] == "Stats" and embed["description"].startswith(f"<@{bo}>'s study stats")
    assert [f["name"] for f in embed["fields"]][:4] == ["Points this week", "This month", "All time", "Streak"]
    assert call.body["data"]["flags"] == EPHEMERAL


async def test_studybot_help(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("studybot_help"))
    assert last_command(bot).subcommand == "help"
    embed = call.body["data"]["embeds"][0]
    assert embed["title"] == "studybot help" and "`/studybot setup`" in embed["description"]


async def test_studybot_setup_opens_a_modal_for_an_admin_only(bot, payloads: Payloads) -> None:
    modal = await bot.interact(payloads.command("studybot_setup", who="ada"))
    assert last_command(bot).actor.is_admin and modal.body["type"] == 9
    refused = await bot.interact(payloads.command("studybot_setup", who="cy"))
    assert not last_command(bot).actor.is_admin and "Only admins" in private_text(refused)


async def test_the_configured_admin_role_counts_as_admin(fake: FakeDiscord, payloads: Payloads,
                                                          tmp_path: Path) -> None:
    for role in ("Study Admin", "1100000000000000021"):  # by name or by id
        studybot = await make_studybot(fake, str(tmp_path / "db.sqlite"), settings={"discord_admin_role": role})
        await studybot.login_only()
        cache_guild(studybot.adapter.client, fake.guild)  # roles come with GUILD_CREATE
        try:
            modal = await studybot.interact(payloads.command("studybot_setup", who="cy"))
            assert studybot.events[-1].actor.is_admin and modal.body["type"] == 9
        finally:
            await studybot.stop()


async def test_studybot_config(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("studybot_config"))
    event = last_command(bot)
    assert event.subcommand == "config" and event.options == {"key": "time", "value": "07:30"}
    assert private_text(call) == "time is now 07:30."


async def test_studybot_post_now_and_reveal_now(bot, payloads: Payloads) -> None:
    assert private_text(await bot.interact(payloads.command("studybot_post_now"))) == (
        "studybot is not set up here yet: run /studybot setup first.")
    assert last_command(bot).subcommand == "post-now"
    reveal = await bot.interact(payloads.command("studybot_reveal_now"))
    assert last_command(bot).subcommand == "reveal-now"
    assert private_text(reveal) == "There is no open question to reveal."


async def test_studybot_timezone(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("studybot_timezone"))
    assert last_command(bot).options == {"zone": "Europe/Berlin"}
    assert private_text(call).startswith("Your timezone is now Europe/Berlin")


async def test_studybot_points_has_typed_options(bot, payloads: Payloads) -> None:
    bo = payloads.member_id("bo")
    call = await bot.interact(payloads.command("studybot_points"))
    options = last_command(bot).options
    assert options == {"member": bo, "amount": 5, "reason": "great mock interview"}
    assert type(options["amount"]) is int
    assert private_text(call) == f"Added 5 points to <@{bo}> (great mock interview)."


async def test_a_command_no_longer_in_the_catalogue(bot, payloads: Payloads) -> None:
    call = await bot.interact(payloads.slash("trivia"))
    assert "don't know that command" in private_text(call) and not bot.events


async def test_autocomplete_gets_an_empty_answer(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    call = await bot.interact(payloads.command("studybot_help") | fixture("interaction_autocomplete")
                              | {"id": fake.snowflake(), "token": "YXV0b2NvbXBsZXRl"})
    assert call.body == {"type": 8, "data": {"choices": []}}


async def test_a_modal_submit_with_action_rows_is_read_too(bot, payloads: Payloads) -> None:
    payload = payloads.command("studybot_help") | fixture("interaction_modal_answer_action_rows")
    payload |= {"id": bot.fake.snowflake(), "token": "bGVnYWN5bW9kYWw"}
    call = await bot.interact(payload)
    event = bot.events[-1]
    assert isinstance(event, FormSubmitted)
    assert event.form_id == "daily:submit:1" and event.values == {"answer": "An answer from an older client."}
    assert call.body["type"] == 4  # the round does not exist: a private "ended" reply


async def test_the_answer_modal_fixture(bot, payloads: Payloads) -> None:
    await set_up(bot, payloads)
    await bot.run_until(NINE)
    payload = payloads.command("studybot_help") | fixture("interaction_modal_answer")
    payload |= {"id": bot.fake.snowflake(), "token": "YW5zd2VybW9kYWw"}
    call = await bot.interact(payload)
    event = bot.events[-1]
    assert isinstance(event, FormSubmitted) and event.values["answer"].startswith("Bias is error")
    assert "Saved" in private_text(call)


async def test_a_button_in_a_dm_belongs_to_the_server_its_embed_links_to(bot, payloads: Payloads) -> None:
    payload = fixture("interaction_button_dm") | {"id": bot.fake.snowflake(), "token": "ZG1idXR0b24"}
    call = await bot.interact(payload)
    event = bot.events[-1]
    assert isinstance(event, ChoiceSelected) and event.action == "daily:tick:1:0"
    community = CommunityRef(Platform.DISCORD, "1100000000000000001")
    assert event.actor.member == MemberRef(community, payloads.member_id("bo")) and not event.actor.is_admin
    assert event.message == MessageRef(ChannelRef(community, "1100000000000000700"), "1380000000000000200")
    assert "has ended" in private_text(call)  # no such answer in this database


async def test_a_dm_button_without_our_link_is_refused_kindly(bot, payloads: Payloads) -> None:
    payload = fixture("interaction_button_dm") | {"id": bot.fake.snowflake(), "token": "bm9saW5r"}
    payload["message"]["embeds"][0].pop("url")
    call = await bot.interact(payload)
    assert "from the server" in private_text(call) and not bot.events


async def test_a_button_in_a_thread_is_placed_in_the_thread(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    message = fake.messages.setdefault("1100000000000000555", [])
    posted = fixture("interaction_button")["message"] | {"channel_id": "1100000000000000555"}
    message.append(posted)
    payload = payloads.button(posted, "daily:skip:1")
    payload["channel"] = {**payload["channel"], "id": "1100000000000000555", "type": 11, "name": "Answers",
                          "parent_id": fake.channel_id, "owner_id": fake.app_id, "message_count": 1,
                          "member_count": 2, "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                                                 "archive_timestamp": "2025-06-03T09:00:00+00:00",
                                                                 "locked": False}}
    await bot.interact(payload)
    event = bot.events[-1]
    assert isinstance(event, ChoiceSelected)
    assert event.channel.id == fake.channel_id and event.channel.thread_id == "1100000000000000555"


PACK = b'''domain: "mlops"
items:
  - id: "team-q1"
    subtopic: "our stack"
    kind: "open"
    difficulty: "medium"
    tags: ["team"]
    prompt: "How does our feature pipeline backfill late events without double counting?"
    key_points:
      - "watermark"
      - "idempotent upsert"
      - "replay window"
    model_answer: "''' + b" ".join(b"word%d" % i for i in range(90)) + b'''"
    follow_ups:
      - "What if the source replays a whole day?"
'''


async def test_pack_add_downloads_the_attached_file(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    attachment = fake.attach("Team Ops.yaml", PACK)
    payload = payloads.slash("studybot", [{"name": "action", "type": 3, "value": "add"},
                                          {"name": "file", "type": 11, "value": attachment["id"]}],
                             who="ada", subcommand="pack")
    payload["data"]["resolved"] = {"attachments": {attachment["id"]: attachment}}
    call = await bot.interact(payload)
    event = last_command(bot)
    assert event.subcommand == "pack" and event.options["action"] == "add"
    file = event.options["file"]
    assert isinstance(file, Attachment) and file.filename == "Team Ops.yaml" and file.size == len(PACK)
    assert fake.cdn_requests == [attachment["url"].split("?")[0].split(str(fake.port))[1]]
    assert "Added pack `team-ops`: 1 question" in private_text(call)
    packs = await bot.core.packs.active(event.actor.community.key)
    assert [p.name for p in packs] == ["team-ops"]

    # a file the CDN no longer has: nothing added, and the member is told
    gone = fake.attach("gone.yaml", PACK)
    fake.files.clear()
    payload = payloads.slash("studybot", [{"name": "action", "type": 3, "value": "add"},
                                          {"name": "file", "type": 11, "value": gone["id"]}],
                             who="ada", subcommand="pack")
    payload["data"]["resolved"] = {"attachments": {gone["id"]: gone}}
    assert "could not download" in private_text(await bot.interact(payload))


async def test_pack_add_without_a_file_opens_the_paste_modal(bot, payloads: Payloads) -> None:
    payload = payloads.slash("studybot", [{"name": "action", "type": 3, "value": "add"},
                                          {"name": "name", "type": 3, "value": "team-ops"}],
                             who="ada", subcommand="pack")
    call = await bot.interact(payload)
    assert call.body["type"] == 9, call.body
    form = call.body["data"]
    assert form["custom_id"].endswith(":add") and len(form["components"]) <= 5  # the packs feature's form
    inputs = [c["component"] for c in form["components"] if c["type"] == 18]
    assert [i["custom_id"] for i in inputs] == ["name", "format", "topic", "content"]
    assert inputs[0]["value"] == "team-ops" and inputs[3]["style"] == 2 and inputs[3]["max_length"] == 4000
    done = await bot.interact(payloads.modal_submit(form["custom_id"], {
        "name": "team-ops", "format": "studybot", "topic": "", "content": PACK.decode()}, who="ada"))
    assert "Added pack `team-ops`" in private_text(done)


def snowflake_at(when: datetime, n: int) -> str:
    """A Discord id minted at `when` (ms since the Discord epoch, in the top 42 bits)."""
    return str(((int(when.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | n)


async def test_every_event_carries_when_discord_says_it_happened(bot, fake: FakeDiscord, payloads: Payloads) -> None:
    """occurred_at is the interaction's snowflake time, not the time we got round to it."""
    await bot.adapter.chat.send(bot.channel, Reply(text="pick", choices=(Choice("Go", "quiz:go:1"),)))
    posted = fake.messages[fake.channel_id][0]
    moments = [datetime(2025, 6, 2, 8, 59, 58, 125000, tzinfo=UTC), datetime(2025, 6, 2, 8, 59, 59, 7000, tzinfo=UTC),
               datetime(2025, 6, 2, 9, 0, 0, 999000, tzinfo=UTC)]
    sent = [payloads.command("daily"), payloads.button(posted, "quiz:go:1"), payloads.modal_submit("quiz:form:1", {})]
    for n, (payload, when) in enumerate(zip(sent, moments, strict=True)):
        payload["id"] = snowflake_at(when, n)
        await bot.interact(payload)
    assert [type(e) for e in bot.events] == [CommandInvoked, ChoiceSelected, FormSubmitted]
    assert [e.occurred_at for e in bot.events] == moments
