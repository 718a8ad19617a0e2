from __future__ import annotations

import pytest

from bot import markup as mk
from bot.actions import ActionError, decode, encode
from bot.commands import UsageError, default_catalogue, find, parse_text
from bot.messages import MAX_CHOICES, Choice, Reply

CATALOGUE = default_catalogue()


def test_action_round_trip_and_limits() -> None:
    text = encode("daily", "tick", 12, 3)
    action = decode(text)
    assert (action.feature, action.verb, action.args) == ("daily", "tick", ("12", "3"))
    with pytest.raises(ActionError):
        encode("daily", "answer", "x" * 100)
    for bad in ("", "daily", "DAILY:answer", "daily:answer:ü", "daily::1", "daily:answer:1 2"):
        with pytest.raises(ActionError):
            decode(bad)


def test_catalogue_fits_platform_limits() -> None:
    names = [c.name for c in CATALOGUE]
    assert {"daily", "leaderboard", "stats", "studybot"} <= set(names)
    assert len(names) == len(set(names)) and len(names) <= 50  # Slack: 50 slash commands an app
    for cmd in CATALOGUE:
        assert len(cmd.description) <= 100 and cmd.name.islower() and len(cmd.name) <= 32
        assert len(cmd.subcommands) <= 25 and len(cmd.options) <= 25  # Discord's limits
        for sub in cmd.subcommands:
            assert len(sub.description) <= 100 and len(sub.options) <= 25
            for opt in sub.options:
                assert len(opt.description) <= 100 and len(opt.choices) <= 25
        assert not (cmd.options and cmd.subcommands)


def test_text_parsing_fills_options_and_explains_mistakes() -> None:
    studybot = find("studybot")
    assert studybot is not None
    assert parse_text(studybot, "config time 09:30").options == {"key": "time", "value": "09:30"}
    assert parse_text(studybot, "config key:days value:'mon, wed'").options == {"key": "days", "value": "mon, wed"}
    assert parse_text(studybot, "").subcommand == "help"
    with pytest.raises(UsageError, match="Unknown subcommand"):
        parse_text(studybot, "launch")
    with pytest.raises(UsageError, match="must be one of"):
        parse_text(studybot, "pack frobnicate")
    with pytest.raises(UsageError, match="Missing zone"):
        parse_text(studybot, "timezone")
    with pytest.raises(UsageError, match="whole number"):
        parse_text(studybot, "points <@U1> lots", lambda raw: raw.strip("<@>"))
    daily = find("daily")
    assert daily is not None
    assert parse_text(daily, "answer it depends: on the data").options == {"answer": "it depends: on the data"}
    assert parse_text(daily, "").options == {}


def test_markup_tokens_and_escape() -> None:
    text = "**Hi** {@U1}, see [docs](https://x.io) at {t:1700000000:R} `code` " + mk.escape("*{@x}*")
    toks = list(mk.tokens(text))
    assert toks[0] == mk.Bold("Hi") and mk.Mention("U1") in toks and mk.Link("docs", "https://x.io") in toks
    assert mk.Timestamp(1700000000, "R") in toks and mk.Code("code") in toks
    assert toks[-1] == mk.Plain(" *{@x}*")


def test_reply_keeps_within_choice_limits() -> None:
    choices = tuple(Choice("c" * 100, f"daily:answer:{i}") for i in range(30))
    reply = Reply(text="pick", choices=choices)
    assert len(reply.choices) <= MAX_CHOICES and all(len(c.label) <= 75 for c in reply.choices)
    assert "More options" in reply.text and all(len(row) <= 5 for row in reply.rows())


def test_a_bare_option_name_gives_no_value_and_files_are_never_positional() -> None:
    from bot.commands import find, parse_text

    daily, studybot = find("daily"), find("studybot")
    assert daily is not None and studybot is not None
    assert parse_text(daily, "answer").options == {}  # would otherwise save the word "answer" as the answer
    assert parse_text(daily, "answer It depends").options == {"answer": "It depends"}
    assert parse_text(studybot, "pack add team-nlp gift").options == {
        "action": "add", "name": "team-nlp", "format": "gift"}
    assert parse_text(studybot, "pack add team-nlp file:p.yaml").options == {
        "action": "add", "name": "team-nlp", "file": "p.yaml"}
