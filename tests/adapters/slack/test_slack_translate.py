"""Slack payloads into core events: command text parsing, origins, form values."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from slack_fake import load

from adapters.slack.listeners import RecentIds
from adapters.slack.translate import (
    Origin,
    action_id,
    clean_text,
    form_state,
    form_values,
    parse_command,
    picked,
    request_time,
    slack_time,
)
from adapters.slack.workspaces import api_url
from bot.commands import UsageError


def test_parse_subcommands_options_and_mentions() -> None:
    parsed = parse_command("/studybot", "points <@U0BOB0001|bob> -5 late &lt;again&gt;")
    assert parsed.name == "studybot" and parsed.subcommand == "points"
    assert parsed.options == {"member": "U0BOB0001", "amount": -5, "reason": "late <again>"}
    assert parse_command("/stats", "<@W0GRID001>").options == {"member": "W0GRID001"}
    assert parse_command("/stats", "").options == {}
    assert parse_command("/studybot", "").subcommand == "help"


def test_mentions_with_spaces_in_the_name_still_parse() -> None:
    parsed = parse_command("/studybot", "points <@U0BOB0001|Bob Marley> 3 thanks <@U0ALICE01|Alice L>")
    assert parsed.options == {"member": "U0BOB0001", "amount": 3, "reason": "thanks @Alice L"}


def test_answer_text_comes_back_as_typed() -> None:
    parsed = parse_command("/daily", "answer Use <https://en.wikipedia.org/wiki/Bias|this> &amp; "
                                     "<https://x.org> for p &lt; 0.05, cc <!here>")
    assert parsed.options == {"answer": "Use this (https://en.wikipedia.org/wiki/Bias) & https://x.org "
                                        "for p < 0.05, cc @here"}


def test_channel_mentions_stay_for_the_settings_parser() -> None:
    parsed = parse_command("/studybot", "config channel <#C0DAILY01|ml-interview-prep>")
    assert parsed.options == {"key": "channel", "value": "<#C0DAILY01|ml-interview-prep>"}


@pytest.mark.parametrize(("command", "text", "message"), [
    ("/studybot", "points bob 5", "not a member"),
    ("/studybot", "points <@U0BOB0001> many", "whole number"),
    ("/studybot", "timezone", "Missing zone"),
    ("/leaderboard", "year", "must be one of"),
    ("/studybot", "dance", "Unknown subcommand"),
    ("/nope", "", "don't know /nope"),
])
def test_bad_input_is_a_usage_error(command: str, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_command(command, text)


def test_clean_text() -> None:
    assert clean_text("<@U1|ann> &amp; <@U2>", {"U2": "bo"}) == "@ann & @bo"


def test_origin_of_a_command_and_its_private_metadata() -> None:
    origin = Origin.from_command(load("slash_command.json"))
    assert (origin.team_id, origin.user_id, origin.channel_id) == ("T0STUDY01", "U0ADMIN01", "C0DAILY01")
    assert origin.trigger_id and origin.response_url and origin.user_name == "ada"
    meta = json.loads(origin.private_metadata())
    assert meta == {"c": "C0DAILY01", "u": origin.response_url, "k": "command"}
    back = Origin.from_view({"user": {"id": "U0ADMIN01", "team_id": "T0STUDY01"}, "team": {"id": "T0STUDY01"},
                             "view": {"private_metadata": origin.private_metadata()}})
    assert back.channel_id == "C0DAILY01" and back.response_url == origin.response_url and not back.home


def test_origin_of_button_clicks() -> None:
    origin = Origin.from_action(load("block_actions_button.json"))
    assert origin.channel_id == "C0DAILY01" and origin.message_ts == "1748854800.000100"
    assert origin.thread_ts is None and not origin.ephemeral and not origin.home
    ref = origin.message()
    assert ref is not None and ref.key == "C0DAILY01#1748854800.000100"
    payload = load("block_actions_button.json")
    payload["message"]["thread_ts"] = "1748854000.000001"
    threaded = Origin.from_action(payload)
    assert threaded.channel().key == "C0DAILY01/1748854000.000001"
    home = Origin.from_action(load("block_actions_home.json"))
    assert home.home and home.channel_id is None and home.response_url is None
    assert home.channel().id == "U0ALICE01" and home.message() is None
    assert action_id(load("block_actions_static_select.json")["actions"][0]) == "daily:hint:1"
    assert picked(load("block_actions_static_select.json")["actions"][0]) == ("hint",)
    assert picked(load("block_actions_button.json")["actions"][0]) is None


def test_form_values_from_state() -> None:
    view = load("view_submission.json")["view"]
    view["state"]["values"]["reason"] = {"reason": {"type": "plain_text_input", "value": None}}
    assert form_values(view) == {"answer": "Bias: wrong assumptions; variance: sensitivity to the sample.",
                                 "reason": ""}


def test_api_url_gets_its_trailing_slash() -> None:
    assert api_url(None) == "https://slack.com/api/"
    assert api_url("https://slack-gov.com/api") == "https://slack-gov.com/api/"
    assert api_url("http://127.0.0.1:9/api/") == "http://127.0.0.1:9/api/"


def test_recent_event_ids_forget_after_their_ttl() -> None:
    now = [0.0]
    seen = RecentIds(capacity=3, ttl=10, clock=lambda: now[0])
    assert [seen.check_and_add(k) for k in ("a", "b", "a")] == [False, False, True]
    now[0] = 11
    assert seen.check_and_add("a") is False  # expired
    for k in ("c", "d", "e"):
        seen.check_and_add(k)
    assert seen.check_and_add("a") is False  # pushed out by capacity


def test_form_state_splits_text_from_picks() -> None:
    option = {"text": {"type": "plain_text", "text": "Mid"}, "value": "mid"}
    view = {"state": {"values": {
        "name": {"name": {"type": "plain_text_input", "value": "Ada"}},
        "level": {"level": {"type": "static_select", "selected_option": option}},
        "mentor": {"mentor": {"type": "static_select", "selected_option": None}},
        "topics": {"topics": {"type": "multi_static_select", "selected_options": [option, {**option, "value": "x"}]}},
        "days": {"days": {"type": "checkboxes", "selected_options": []}},
    }}}
    values, selections = form_state(view)
    assert values == {"name": "Ada"}
    assert selections == {"level": ("mid",), "mentor": (), "topics": ("mid", "x"), "days": ()}


def test_slack_times() -> None:
    assert slack_time("1748854900.123456") == datetime(2025, 6, 2, 9, 1, 40, 123456, tzinfo=UTC)
    assert slack_time(1748855100) == datetime(2025, 6, 2, 9, 5, tzinfo=UTC)
    assert [slack_time(x) for x in (None, "", "soon", "nan", "-1", True)] == [None] * 6
    assert request_time({"x-slack-request-timestamp": ["1748855100"]}) == datetime(2025, 6, 2, 9, 5, tzinfo=UTC)
    assert request_time({"x-slack-retry-num": ["0"]}) is None
