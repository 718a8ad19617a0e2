"""Signed requests dispatched into the real AsyncApp; assertions on the Web API calls the fake recorded."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from slack_fake import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    FakeSlack,
    click,
    command,
    dispatch,
    home_opened,
    load,
    submission,
)
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)

from bot.ids import ChannelRef, CommunityRef, Platform

TEAM_REF = CommunityRef(Platform.SLACK, "T0STUDY01")


async def set_up(h: SlackHarness) -> None:
    """/studybot setup by the workspace admin, and the modal submitted with the defaults."""
    await h.send(command(h.fake, ADMIN, "/studybot", "setup"))
    opened = (await h.fake.wait_for("views.open"))[-1].params["view"]
    await h.send(submission(opened, ADMIN, {"time": "09:00"}))


async def test_url_verification_answers_the_challenge(harness: SlackHarness) -> None:
    payload = load("url_verification.json")
    response = await dispatch(harness.adapter.app, payload)
    assert response.status == 200 and payload["challenge"] in response.body
    assert harness.fake.calls == []


async def test_slash_command_opens_the_setup_modal_for_an_admin(harness: SlackHarness) -> None:
    payload = load("slash_command.json")
    payload["response_url"] = harness.fake.response_url("setup")
    response = await harness.send(payload)
    assert response.status == 200 and response.body == ""  # acked at once, empty
    info = harness.fake.called("users.info")
    assert [c.params["user"] for c in info] == [ADMIN]
    (call,) = harness.fake.called("views.open")
    assert call.params["trigger_id"] == payload["trigger_id"]
    view = call.params["view"]
    assert view["type"] == "modal" and view["callback_id"] == "admin:setup"
    assert len(view["title"]["text"]) <= 24
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == \
        ["time", "timezone", "days", "topics", "reveal"]
    meta = json.loads(view["private_metadata"])
    assert meta == {"c": CHANNEL, "u": payload["response_url"], "k": "command"}  # "k": what the url replaces
    assert view["blocks"][0]["type"] == "section"  # Form.intro


async def test_a_member_who_is_not_admin_is_refused_privately(harness: SlackHarness) -> None:
    await harness.send(command(harness.fake, ALICE, "/studybot", "setup", name="alice-setup"))
    assert harness.fake.called("views.open") == []
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "ephemeral" and "Only admins" in resp["text"]
    assert resp["_name"] == "alice-setup"


async def test_configured_admin_users_count_as_admins(fake: FakeSlack, clock: Any) -> None:
    h = await SlackHarness(fake, clock, ":memory:").boot(slack_admin_users=(ALICE,))
    try:
        await h.send(command(fake, ALICE, "/studybot", "setup"))
        assert len(fake.called("views.open")) == 1
    finally:
        await h.close()


async def test_bad_input_gets_a_usage_reply_in_the_ack(harness: SlackHarness) -> None:
    response = await harness.send(command(harness.fake, ADMIN, "/studybot", "points <@U0BOB0001|bob> lots"))
    assert response.status == 200
    assert "whole number" in response.body
    assert [c.method for c in harness.fake.calls] == ["auth.test"]  # authorize only: nothing else happened
    response = await harness.send(command(harness.fake, ADMIN, "/studybot", "frobnicate"))
    assert "Unknown subcommand" in response.body and "&lt;zone&gt;" in response.body  # usage, escaped


async def test_mentions_resolve_to_member_ids(harness: SlackHarness) -> None:
    payload = load("slash_command_mention.json")
    payload["response_url"] = harness.fake.response_url("points")
    await harness.send(payload)
    (resp,) = harness.fake.responses()
    assert "Added 5 points to <@U0BOB0001>" in resp["text"]
    assert "great write-up &amp; diagrams" in resp["text"]  # Slack's &amp; undone, then escaped again once


async def test_empty_text_is_the_bare_command(harness: SlackHarness) -> None:
    payload = load("slash_command_empty_text.json")
    payload["response_url"] = harness.fake.response_url("daily")
    await harness.send(payload)
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "ephemeral" and "No daily question yet" in resp["text"]
    assert resp["blocks"][0]["type"] == "section"


async def test_view_submission_success_closes_the_modal_and_replies_publicly(harness: SlackHarness) -> None:
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup", name="setup"))
    opened = harness.fake.called("views.open")[0].params["view"]
    response = await harness.send(submission(opened, ADMIN, {"time": "09:30", "timezone": "Europe/Berlin"}))
    assert response.status == 200 and response.body == ""  # no response_action: the modal closes
    (resp,) = harness.fake.responses()
    assert resp["_name"] == "setup" and resp["response_type"] == "in_channel"
    assert resp["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "studybot is set up",
                                                             "emoji": True}}
    assert "<!date^" in resp["text"]  # the first post time, in each reader's zone
    settings = await harness.core.communities.get(TEAM_REF.key)
    assert settings is not None and settings.channel == CHANNEL and settings.timezone == "Europe/Berlin"


async def test_view_submission_errors_are_shown_in_the_modal(harness: SlackHarness) -> None:
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup"))
    opened = harness.fake.called("views.open")[0].params["view"]
    response = await harness.send(submission(opened, ADMIN, {"time": "25:99", "timezone": "Mars/Olympus"}))
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"time", "timezone"} and "HH:MM" in body["errors"]["time"]
    assert harness.fake.responses() == []  # nothing posted: the member fixes it in place
    assert await harness.core.communities.get(TEAM_REF.key) is None


async def test_a_slow_submission_is_acked_in_time_and_answered_after(fake: FakeSlack, clock: Any) -> None:
    h = await SlackHarness(fake, clock, ":memory:", ack_budget=0.05).boot()
    gate = asyncio.Event()
    real = h.core.bot.handle

    async def slow(event: Any) -> Any:
        await gate.wait()
        return await real(event)

    h.core.bot.handle = slow  # type: ignore[method-assign]
    try:
        view = load("view_submission.json")["view"]
        view["callback_id"] = "admin:setup"
        view["private_metadata"] = json.dumps({"c": CHANNEL, "u": fake.response_url("slow")})
        view["blocks"] = [{"type": "input", "block_id": "time", "element": {"type": "plain_text_input",
                                                                          "action_id": "time"}}]
        payload = submission(view, ADMIN, {"time": "25:00"})
        response = await dispatch(h.adapter.app, payload)
        assert response.status == 200 and response.body == ""  # acked within the budget; modal closed
        gate.set()
        await h.adapter.idle()
        (resp,) = fake.responses()  # the errors arrive as a private reply instead
        assert resp["response_type"] == "ephemeral" and "Setup not saved" in resp["text"]
    finally:
        await h.close()


async def test_block_actions_button_answers_privately_via_response_url(harness: SlackHarness) -> None:
    await set_up(harness)
    await harness.send(command(harness.fake, ADMIN, "/studybot", "post-now"))
    post = harness.fake.posts(CHANNEL)[-1]
    hint = next(e["action_id"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["text"]["text"] == "Hint")
    before = len(harness.fake.responses())
    await harness.send(click(harness.fake, BOB, hint, name="hint"))
    resp = harness.fake.responses()[before:]
    assert len(resp) == 1 and resp[0]["_name"] == "hint"
    assert resp[0]["response_type"] == "ephemeral" and resp[0]["replace_original"] is False
    assert resp[0]["text"].startswith("Hint:")


async def test_static_select_and_home_tab_actions(harness: SlackHarness) -> None:
    await set_up(harness)
    await harness.send(command(harness.fake, ADMIN, "/studybot", "post-now"))
    payload = load("block_actions_static_select.json")
    payload["response_url"] = harness.fake.response_url("select")
    await harness.send(payload)
    assert harness.fake.responses()[-1]["_name"] == "select"
    assert harness.fake.responses()[-1]["text"].startswith("Hint:")
    # from the App Home tab there is no channel: the reply is a DM; a hint changes nothing the tab shows
    await harness.send(load("block_actions_home.json"))
    (opened,) = harness.fake.called("conversations.open")
    assert opened.params["users"] == ALICE
    dm = harness.fake.posts("D0ALICE01")[-1]
    assert dm["text"].startswith("Hint:")
    assert not harness.fake.called("views.publish")  # the core did not ask for it (Response.refresh_home)


async def test_answer_button_opens_the_modal_and_the_submission_saves(harness: SlackHarness) -> None:
    await set_up(harness)
    await harness.send(command(harness.fake, ADMIN, "/studybot", "post-now"))
    post = harness.fake.posts(CHANNEL)[-1]
    answer = post["blocks"][-1]["elements"][0]["action_id"]
    assert answer == "daily:answer:1"
    await harness.send(click(harness.fake, ALICE, answer, name="answer-click"))
    view = harness.fake.called("views.open")[-1].params["view"]
    assert view["callback_id"] == "daily:submit:1" and view["submit"]["text"] == "Save answer"
    assert view["blocks"][-1]["element"]["multiline"] is True
    assert view["blocks"][-1]["element"]["max_length"] == 3000
    response = await harness.send(submission(view, ALICE, {"answer": "Because variance < bias & more."}))
    assert response.body == ""
    saved = harness.fake.responses()[-1]
    assert saved["_name"] == "answer-click" and saved["response_type"] == "ephemeral"
    assert "Saved" in saved["text"] and "+10 points" in saved["text"]
    assert harness.fake.called("views.publish", user_id=ALICE)  # the home tab shows it answered


async def test_app_home_opened_publishes_the_home_tab(harness: SlackHarness) -> None:
    await set_up(harness)
    await harness.send(command(harness.fake, ADMIN, "/studybot", "post-now"))
    response = await harness.send(home_opened(ALICE, "Ev0HOME0001"))
    assert response.status == 200
    (call,) = harness.fake.called("views.publish")
    view = call.params["view"]
    assert call.params["user_id"] == ALICE and view["type"] == "home"
    text = json.dumps(view)
    assert "Streak" in text and "Points this week" in text and "You have not answered yet" in text
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["action_id"] == "daily:answer:1" and buttons[0]["text"]["text"] == "Answer"


async def test_a_retried_event_is_acked_and_not_processed_twice(harness: SlackHarness) -> None:
    first = await harness.send(home_opened(ALICE, "Ev0RETRY01"))
    again = await harness.send(home_opened(ALICE, "Ev0RETRY01"), retry_num=1)
    assert first.status == again.status == 200
    assert len(harness.fake.called("views.publish")) == 1
    assert harness.adapter.handlers.duplicate_events == 1
    # a retry of an event this process never saw (it was down) is handled
    await harness.send(home_opened(ALICE, "Ev0RETRY02"), retry_num=2)
    assert len(harness.fake.called("views.publish")) == 2


async def test_events_we_do_not_handle_cause_no_calls(harness: SlackHarness) -> None:
    for name in ("event_message.json", "event_message_thread_reply.json", "event_message_bot.json"):
        await harness.send(load(name))
    assert [c.method for c in harness.fake.calls if c.method != "auth.test"] == []


async def test_the_setup_reply_when_the_response_url_has_expired(harness: SlackHarness) -> None:
    """response_url gone (404): the public reply goes through chat.postMessage instead."""
    payload = command(harness.fake, ADMIN, "/studybot", "setup")
    payload["response_url"] = f"http://127.0.0.1:{harness.fake.port}/expired/hook"
    await harness.send(payload)
    opened = harness.fake.called("views.open")[0].params["view"]
    await harness.send(submission(opened, ADMIN, {}))
    post = harness.fake.posts(CHANNEL)[-1]
    assert post["blocks"][0]["text"]["text"] == "studybot is set up"


async def test_a_modal_that_cannot_open_in_time_says_so(harness: SlackHarness) -> None:
    harness.fake.fail("views.open", "expired_trigger_id")
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup", name="late"))
    (resp,) = harness.fake.responses()
    assert resp["response_type"] == "ephemeral" and "too long" in resp["text"]


async def test_reply_channel_is_the_command_channel(harness: SlackHarness) -> None:
    await set_up(harness)
    await harness.send(command(harness.fake, ADMIN, "/studybot", "config channel here", channel="C0OTHER01"))
    settings = await harness.core.communities.get(TEAM_REF.key)
    assert settings is not None and settings.channel == "C0OTHER01"
    assert ChannelRef(TEAM_REF, "C0OTHER01").key == "C0OTHER01"


async def test_member_lookups_are_cached_and_a_failed_lookup_is_not_fatal(harness: SlackHarness) -> None:
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="s1"))
    await harness.send(command(harness.fake, ALICE, "/leaderboard", "", name="s2"))
    assert len(harness.fake.called("users.info", user=ALICE)) == 1
    await harness.send(command(harness.fake, "U0GHOST01", "/studybot", "setup", name="ghost"))
    assert harness.fake.called("views.open") == []  # unknown to users.info: an ordinary member
    assert "Only admins" in harness.fake.responses()[-1]["text"]


async def test_an_action_that_is_not_ours_is_acknowledged_quietly(harness: SlackHarness) -> None:
    response = await harness.send(click(harness.fake, ALICE, "legacy_button_1"))
    assert response.status == 200
    assert [c.method for c in harness.fake.calls] == ["auth.test"]


PACK_TEXT = "\n".join([
    'domain: "mlops"', "items:", '  - id: "team-q1"', '    subtopic: "our stack"', '    kind: "open"',
    '    difficulty: "medium"', '    tags: ["team"]',
    '    prompt: "How does our feature pipeline backfill late events without double counting?"',
    "    key_points:", '      - "watermark"', '      - "idempotent upsert"', '      - "replay window"',
    '    model_answer: "' + " ".join(f"word{i}" for i in range(90)) + '"',
    "    follow_ups:", '      - "What if the source replays a whole day?"', ""])


async def test_a_pack_is_pasted_into_a_modal_and_a_bad_one_is_refused_in_place(harness: SlackHarness) -> None:
    await harness.send(command(harness.fake, ADMIN, "/studybot", "pack add team-ops"))
    view = harness.fake.called("views.open")[0].params["view"]
    assert view["callback_id"] == "packs:add"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["name", "format", "topic", "content"]
    assert inputs[3]["element"]["multiline"] and inputs[3]["element"]["max_length"] <= 3000
    bad = await harness.send(submission(view, ADMIN, {"name": "team-ops", "format": "studybot",
                                                      "content": PACK_TEXT.replace('"open"', '"essay"')}))
    body = json.loads(bad.body)
    assert body["response_action"] == "errors" and "content" in body["errors"]
    assert await harness.core.packs.active(TEAM_REF.key) == []  # nothing half-loaded
    ok = await harness.send(submission(view, ADMIN, {"name": "team-ops", "format": "studybot",
                                                     "content": PACK_TEXT}))
    assert ok.status == 200
    assert [p.name for p in await harness.core.packs.active(TEAM_REF.key)] == ["team-ops"]
    # a file named in the text cannot be attached on Slack: the member is told how to add one
    await harness.send(command(harness.fake, ADMIN, "/studybot", "pack add x file:pack.yaml", name="file"))
    assert any("paste the questions" in r.get("text", "") for r in harness.fake.responses())


async def test_a_slow_users_info_never_holds_up_a_modal(harness: SlackHarness) -> None:
    await set_up(harness)
    harness.clock.set(harness.clock.now().replace(hour=9, minute=1))
    await harness.run_until(harness.clock.now())
    # first contact with BOB, and users.info takes longer than a trigger id lives
    harness.fake.slow("users.info", 5.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await harness.send(command(harness.fake, BOB, "/daily", ""))
    opened = harness.fake.called("views.open")[-1]
    assert loop.time() - started < 3.0  # well within the trigger id's 3 s
    assert opened.params["view"]["callback_id"].startswith("daily:submit:")
    # a member seen before is answered from the cache, even when it is stale, with no lookup first
    harness.fake.slow("users.info", 5.0)
    harness.adapter.directory.ttl = 0.0  # every entry is stale from now on
    started = loop.time()
    await harness.send(command(harness.fake, ADMIN, "/studybot", "setup", name="again"))
    assert loop.time() - started < 1.0
    assert [c.params["view"]["callback_id"] for c in harness.fake.called("views.open")][-1] == "admin:setup"
