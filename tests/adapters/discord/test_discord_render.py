"""Rendering for Discord, without a network: markdown, limits and splits, buttons, modals, app commands."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord
import pytest
from fakes import Harness

from adapters.discord.commands import command_payloads, parse_command
from adapters.discord.components import ActionItem, form_modal, modal_selections, modal_values
from adapters.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    render_reply,
    url_key,
)
from adapters.discord.text import markdown, split_text
from bot import markup as mk
from bot.actions import ActionError, decode, encode
from bot.commands import OptionType, default_catalogue
from bot.ids import CommunityRef, MemberRef, Platform
from bot.messages import Choice, Field, Form, FormField, InputKind, Reply, Select, SelectOption, Style

ALICE = MemberRef(CommunityRef(Platform.DISCORD, "1"), "1100000000000000012")


def test_markup_becomes_discord_markdown() -> None:
    when = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    text = (f"{mk.bold('Question')}: {mk.italic('why')} {mk.code('x_1')} [docs](https://example.com/a_b) "
            f"{mk.mention(ALICE)} {mk.timestamp(when, 'R')}")
    assert markdown(text) == ("**Question**: *why* `x_1` [docs](https://example.com/a_b) "
                              "<@1100000000000000012> <t:1748854800:R>")


def test_member_text_cannot_format_or_mention() -> None:
    typed = "*not bold* __no__ <@123> <t:1:R> ~~x~~ ||spoiler|| > quote\n# heading\n-# small"
    rendered = markdown(mk.escape(typed))
    assert re.search(r"(?<!\\)[*_~|<>`\[\]]", rendered) is None  # every marker escaped
    assert "\n\\# heading" in rendered and "\n\\-# small" in rendered
    assert rendered.replace("\\", "") == typed  # every character still there, escaped
    assert markdown("- a bullet\n- another") == "- a bullet\n- another"
    assert markdown("see https://example.com/x_y*z for more") == "see https://example.com/x_y*z for more"


def test_code_with_backticks() -> None:
    assert markdown(mk.code("a`b")) == "`a'b`"


def test_long_text_is_split_on_lines_within_the_limit() -> None:
    text = "\n".join(f"line {i} " + "word " * 30 for i in range(200))
    chunks = split_text(text, CONTENT_LIMIT)
    assert len(chunks) > 1 and all(len(c) <= CONTENT_LIMIT for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())  # only whitespace at cuts goes


def test_a_hard_split_never_cuts_an_escape_or_a_tag() -> None:
    text = "x" * 1999 + "\\*" + "y" * 10
    assert split_text(text, 2000)[0] == "x" * 1999
    tagged = "z" * 1990 + "<t:1748854800:R>" + "z" * 10
    assert split_text(tagged, 2000)[0] == "z" * 1990


def test_a_plain_reply_is_content_split_with_the_buttons_on_the_last_message() -> None:
    reply = Reply(text=("A sentence of the answer. " * 12 + "\n") * 12, choices=(Choice("Kudos", "daily:kudos:3"),))
    parts = render_reply(reply)
    assert len(parts) == 2 and all(p.content and len(p.content) <= CONTENT_LIMIT for p in parts)
    assert not parts[0].embeds and parts[0].view is None and parts[-1].view is not None


def test_an_embed_reply_respects_every_embed_limit() -> None:
    fields = tuple(Field(f"Field {i}", "v" * 2000) for i in range(10))
    reply = Reply(text="Model answer. " * 1200, title="T" * 300, fields=fields, footer="a footer")
    parts = render_reply(reply, key="daily-reveal:4", link="https://discord.com/channels/1/2")
    assert len(parts) >= 3
    for part in parts:
        assert sum(len(e) for e in part.embeds) <= EMBED_TOTAL_LIMIT and len(part.embeds) <= 10
        for embed in part.embeds:
            assert len(embed.description or "") <= DESCRIPTION_LIMIT
            assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)
        assert url_key(part.embeds[0]) == "daily-reveal:4"  # every message carries the key, in one embed
        assert [e.url for e in part.embeds[1:]] == [None] * (len(part.embeds) - 1)  # (no merged embeds)
    first = parts[0].embeds[0]
    assert first.title is not None and len(first.title) == 256
    assert parts[-1].embeds[-1].footer.text == "a footer"  # members never read the key
    assert all(e.footer.text is None for p in parts for e in p.embeds[:-1])
    assert sum(len(e.fields) for p in parts for e in p.embeds) == 10


def test_a_titled_reply_is_one_embed() -> None:
    reply = Reply(text="Question number 1?", title="Daily question · 2025-06-02",
                  fields=(Field("Topic", "ml"), Field("Difficulty", "easy", inline=False)))
    (part,) = render_reply(reply)
    embed = part.embeds[0]
    assert part.content is None and embed.title == "Daily question · 2025-06-02"
    assert [(f.name, f.value, f.inline) for f in embed.fields] == [("Topic", "ml", True),
                                                                   ("Difficulty", "easy", False)]


async def test_choices_are_persistent_buttons_in_rows_of_five() -> None:
    choices = tuple(Choice(f"☐ {i}", f"daily:tick:9:{i}", Style.SUCCESS if i % 2 else Style.SECONDARY)
                    for i in range(7))
    view = render_reply(Reply(text="tick", choices=(*choices, Choice("Done", "daily:done:9", Style.PRIMARY))))[0].view
    assert view is not None and view.timeout is None and view.is_finished()  # dispatched by the DynamicItem
    rows = view.to_components()
    assert [len(r["components"]) for r in rows] == [5, 3]
    flat = [c for r in rows for c in r["components"]]
    assert [c["custom_id"] for c in flat] == [c.action for c in choices] + ["daily:done:9"]
    assert flat[1]["style"] == discord.ButtonStyle.success.value
    assert flat[-1]["style"] == discord.ButtonStyle.primary.value
    assert all(isinstance(item, ActionItem) for item in view.children)


def test_the_button_template_is_the_action_codec() -> None:
    template = ActionItem.__discord_ui_compiled_template__
    for action in ("daily:tick:12:3", "admin:setup", "daily:kudos:a_b.c-d", encode("daily", "post-now", 7)):
        assert decode(action) and template.fullmatch(action)
    for bad in ("Daily:x", "daily:", "daily:tick:", "daily:tick:a b", "daily"):
        with pytest.raises(ActionError):
            decode(bad)
        assert not template.fullmatch(bad)
    assert not template.fullmatch("8f14e45fceea167a5a36dedd4bea2543")  # discord.py's random ids
    with pytest.raises(ValueError):
        ActionItem.button("not an action")


def test_a_form_with_room_shows_its_intro_as_text() -> None:
    form = Form("daily:submit:1", "Your answer", (FormField("answer", "Your answer (private until the reveal)",
                                                             InputKind.LONG, max_length=4000,
                                                             placeholder="Explain", default="draft"),),
                intro="**Question**: why?")
    payload = form_modal(form).to_dict()
    intro, label = payload["components"]
    assert payload["custom_id"] == "daily:submit:1" and payload["title"] == "Your answer"
    assert intro == {"type": 10, "content": "**Question**: why?"}
    assert label["type"] == 18 and label["label"] == "Your answer (private until the reveal)"
    text_input = label["component"]
    assert text_input["custom_id"] == "answer" and text_input["style"] == 2 and text_input["value"] == "draft"
    assert text_input["max_length"] == 4000 and text_input["placeholder"] == "Explain"


async def test_a_full_form_puts_a_short_intro_in_the_first_description() -> None:
    h = await Harness.create(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
    try:
        form = (await h.command("admin", "studybot", "setup", admin=True)).form  # the setup form: five fields
    finally:
        await h.close()
    assert form is not None
    payload = form_modal(form).to_dict()
    assert len(payload["components"]) == 5 and all(c["type"] == 18 for c in payload["components"])
    assert payload["components"][0]["description"] == form.intro
    long = form_modal(Form("admin:setup", "A title that is far too long for a Discord modal window",
                           form.fields, intro="word " * 100)).to_dict()
    assert len(long["title"]) <= 45 and len(long["components"][0]["description"]) <= 100
    assert all(len(c["label"]) <= 45 for c in long["components"])


def test_modal_values_from_labels_and_from_action_rows() -> None:
    assert modal_values([{"type": 10, "id": 1},
                         {"type": 18, "id": 2, "component": {"type": 4, "custom_id": "answer", "value": "a"}},
                         {"type": 1, "components": [{"type": 4, "custom_id": "time", "value": "09:00"}]},
                         {"type": 18, "component": {"type": 3, "custom_id": "days", "values": ["mon", "fri"]}}]) \
        == {"answer": "a", "time": "09:00"}  # a select's picks are not text
    assert modal_selections([{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "a"}},
                             {"type": 18, "component": {"type": 3, "custom_id": "days", "values": ["mon", "fri"]}},
                             {"type": 18, "component": {"type": 3, "custom_id": "topic", "values": []}},
                             {"type": 1, "components": [{"type": 3, "custom_id": "old", "values": ["x"]}]}]) \
        == {"days": ("mon", "fri"), "topic": (), "old": ("x",)}


OPTIONS = tuple(SelectOption(f"Topic {i}", f"t{i}", f"about {i}" if i % 2 else None) for i in range(6))


async def test_selects_are_persistent_string_selects_above_the_buttons() -> None:
    reply = Reply(text="pick", choices=tuple(Choice(f"B{i}", f"quiz:go:{i}") for i in range(7)), selects=(
        Select("quiz:topic:1", OPTIONS, placeholder="One topic"),
        Select("quiz:topics:1", OPTIONS, min_values=0, max_values=3)))
    (part,) = render_reply(reply)
    assert part.view is not None and part.view.is_finished() and part.view.timeout is None
    assert all(isinstance(item, ActionItem) for item in part.view.children)
    rows = part.view.to_components()
    assert [[c["type"] for c in r["components"]] for r in rows] == [[3], [3], [2] * 5, [2] * 2]
    single, multi = rows[0]["components"][0], rows[1]["components"][0]
    assert single["custom_id"] == "quiz:topic:1" and single["placeholder"] == "One topic"
    assert (single["min_values"], single["max_values"]) == (1, 1)
    assert multi["custom_id"] == "quiz:topics:1" and (multi["min_values"], multi["max_values"]) == (0, 3)
    assert [(o["label"], o["value"], o.get("description")) for o in single["options"]] == [
        (o.label, o.value, o.description) for o in OPTIONS]
    template = ActionItem.__discord_ui_compiled_template__
    assert all(template.fullmatch(c["custom_id"]) for r in rows for c in r["components"])


def test_more_than_five_rows_put_the_extra_buttons_on_a_message_of_their_own() -> None:
    selects = tuple(Select(f"quiz:pick:{i}", OPTIONS) for i in range(4))
    reply = Reply(text="pick", title="Four selects", selects=selects,
                  choices=tuple(Choice(f"B{i}", f"quiz:go:{i}") for i in range(12)))
    first, more = render_reply(reply)
    assert first.view is not None and more.view is not None and more.content == "More options:"
    first_rows, more_rows = first.view.to_components(), more.view.to_components()
    assert len(first_rows) == 5 and [len(r["components"]) for r in more_rows] == [5, 2]
    ids = [c["custom_id"] for rows in (first_rows, more_rows) for r in rows for c in r["components"]]
    assert ids == [s.action for s in selects] + [f"quiz:go:{i}" for i in range(12)]  # none lost


def test_a_form_renders_select_fields_as_selects_in_labels() -> None:
    form = Form("quiz:settings:1", "Quiz settings", (
        FormField("note", "A note", required=False),
        FormField("topic", "Topic", InputKind.SELECT, options=OPTIONS, defaults=("t2",), placeholder="Pick one"),
        FormField("days", "Days", InputKind.MULTI_SELECT, required=False, options=OPTIONS[:4],
                  defaults=("t0", "t3"), max_values=0)))
    payload = form_modal(form).to_dict()
    note, topic, days = payload["components"]
    assert note["type"] == 18 and note["component"]["type"] == 4
    assert topic["type"] == 18 and topic["label"] == "Topic"
    single = topic["component"]
    assert single["type"] == 3 and single["custom_id"] == "topic" and single["placeholder"] == "Pick one"
    assert (single["min_values"], single["max_values"], single["required"]) == (1, 1, True)
    assert [o["value"] for o in single["options"] if o.get("default")] == ["t2"]
    multi = days["component"]
    assert multi["type"] == 3 and (multi["min_values"], multi["max_values"], multi["required"]) == (0, 4, False)
    assert [o["value"] for o in multi["options"] if o.get("default")] == ["t0", "t3"]


def test_app_commands_come_from_the_catalogue() -> None:
    payloads = {p["name"]: p for p in command_payloads()}
    assert list(payloads) == [c.name for c in default_catalogue()]
    name_rule = re.compile(r"^[-_a-z0-9]{1,32}$")
    types = {OptionType.STRING: 3, OptionType.INTEGER: 4, OptionType.BOOLEAN: 5, OptionType.MEMBER: 6,
             OptionType.ATTACHMENT: 11}
    for spec in default_catalogue():
        payload = payloads[spec.name]
        assert payload["type"] == 1 and payload["contexts"] == [0] and len(payload["description"]) <= 100
        groups = ([(s.options, o["options"]) for s, o in zip(spec.subcommands, payload["options"], strict=True)]
                  if spec.subcommands else [(spec.options, payload["options"])])
        for sub_spec, sub_payload in zip(spec.subcommands, payload["options"], strict=False):
            assert sub_payload["type"] == 1 and sub_payload["name"] == sub_spec.name
        for specs, options in groups:
            required = [o["required"] for o in options]
            assert required == sorted(required, reverse=True)  # required options first
            by_name = {o["name"]: o for o in options}
            assert set(by_name) == {s.name for s in specs}
            for s in specs:
                o = by_name[s.name]
                assert name_rule.match(o["name"]) and o["type"] == types[s.type]
                assert [c["value"] for c in o.get("choices", [])] == list(s.choices)
                assert o.get("min_value") == s.min_value and o.get("max_value") == s.max_value
    points = next(o for o in payloads["studybot"]["options"] if o["name"] == "points")
    assert [o["name"] for o in points["options"]] == ["member", "amount", "action", "reason"]
    assert payloads["studybot"]["default_member_permissions"] is None  # members use help and timezone


def test_parse_command_types_and_ignores_strangers() -> None:
    data = {"name": "studybot", "options": [{"name": "points", "type": 1, "options": [
        {"name": "member", "type": 6, "value": "42"}, {"name": "amount", "type": 4, "value": "7"},
        {"name": "bogus", "type": 3, "value": "x"}]}]}
    assert parse_command(data) == ("studybot", "points", {"member": "42", "amount": 7})
    assert parse_command({"name": "studybot", "options": [{"name": "nope", "type": 1}]}) is None
    assert parse_command({"name": "nope"}) is None
