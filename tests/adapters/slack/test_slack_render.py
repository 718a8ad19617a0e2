"""Block Kit and mrkdwn from the neutral model, within Slack's limits; the manifest from the catalogue."""

from __future__ import annotations

from datetime import UTC, datetime

import slack_fake  # noqa: F401 (the real adapters package first on sys.path)
import yaml

from adapters.slack import render
from adapters.slack.manifest import BOT_SCOPES, manifest, manifest_yaml
from bot import markup as mk
from bot.commands import default_catalogue
from bot.config import Config
from bot.ids import CommunityRef, MemberRef, Platform
from bot.messages import Choice, Field, Form, FormField, InputKind, Reply, Select, SelectOption, Style

ALICE = MemberRef(CommunityRef(Platform.SLACK, "T0STUDY01"), "U0ALICE01")


def test_markup_becomes_mrkdwn() -> None:
    when = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    text = (f"{mk.bold('Model answer')} and {mk.italic('why')}: `x < y` [docs](https://ex.com/a?b=1&c=2) "
            f"{mk.mention(ALICE)} at {mk.timestamp(when)}\n- first\n- second")
    out = render.mrkdwn(text)
    assert out.startswith("*Model answer* and _why_: `x &lt; y` <https://ex.com/a?b=1&amp;c=2|docs> <@U0ALICE01> at ")
    unix = int(when.timestamp())
    assert f"<!date^{unix}^{{date_short_pretty}} {{time}}|2025-06-02 09:00 UTC>" in out
    assert out.endswith("\n• first\n• second")
    assert render.mrkdwn(mk.timestamp(when, "t")) == f"<!date^{unix}^{{time}}|2025-06-02 09:00 UTC>"


def test_member_text_cannot_forge_mentions_or_formatting() -> None:
    typed = "<@U0BOSS001> <!here> **not bold** & co"
    out = render.mrkdwn(mk.escape(typed))
    assert "<@" not in out and "<!" not in out
    assert out == "&lt;@U0BOSS001&gt; &lt;!here&gt; **not bold** &amp; co"


def test_bold_keeps_spaces_outside_the_markers() -> None:
    assert render.mrkdwn("**  spaced **") == "  *spaced* "


def test_reply_blocks_header_sections_fields_actions_footer() -> None:
    choices = tuple(Choice(f"Option {i}" + "x" * (80 if i == 0 else 0), f"daily:tick:7:{i}",
                           Style.PRIMARY if i == 1 else Style.DANGER if i == 2 else Style.SECONDARY)
                    for i in range(12))
    reply = Reply(title="Daily question · 2025-06-02", text="Explain **bias**.", footer="see /daily",
                  fields=(Field("Topic", "ml · testing"), Field("Difficulty", "medium")), choices=choices)
    (msg,) = render.messages(reply)
    types = [b["type"] for b in msg.blocks]
    assert types == ["header", "section", "section", "actions", "actions", "actions", "context"]
    assert msg.blocks[2]["fields"][0]["text"] == "*Topic*\nml · testing"
    rows = [b["elements"] for b in msg.blocks if b["type"] == "actions"]
    assert [len(r) for r in rows] == [5, 5, 2]
    first = rows[0][0]
    assert len(first["text"]["text"]) <= 75 and first["action_id"] == first["value"] == "daily:tick:7:0"
    assert rows[0][1]["style"] == "primary" and rows[0][2]["style"] == "danger" and "style" not in rows[0][3]
    assert msg.text.startswith("Daily question · 2025-06-02\nExplain *bias*.")


def test_more_than_25_choices_stay_within_the_limit() -> None:
    reply = Reply(text="Pick", choices=tuple(Choice(f"c{i}", f"daily:tick:1:{i}") for i in range(30)))
    (msg,) = render.messages(reply)
    elements = [e for b in msg.blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(elements) <= 25 and all(len(b["elements"]) <= 5 for b in msg.blocks if b["type"] == "actions")
    assert "More options" in msg.blocks[0]["text"]["text"]


def test_long_text_splits_into_sections_and_messages_within_limits() -> None:
    para = "word " * 500  # 2500 characters a line
    reply = Reply(title="Long", text="\n".join([para] * 30), choices=(Choice("OK", "daily:done:1"),))
    pages = render.messages(reply)
    assert len(pages) > 1
    for page in pages:
        assert 0 < len(page.blocks) <= render.MAX_BLOCKS
        assert page.text.strip() and len(page.text) <= render.MAX_FALLBACK
        sections = [b["text"]["text"] for b in page.blocks if b["type"] == "section" and "text" in b]
        assert all(len(s) <= render.MAX_SECTION for s in sections)
        assert sum(len(s) for s in sections) <= render.MAX_MESSAGE_CHARS
    assert pages[-1].blocks[-1]["type"] == "actions"  # the buttons come with the last part
    many = Reply(text="\n\n".join(["x" * 2900] * 60))
    assert all(len(p.blocks) <= 50 for p in render.messages(many))


def test_a_long_line_is_cut_between_tokens() -> None:
    line = " ".join(["<@U0ALICE01>"] * 400)  # 5199 characters without a line break
    pieces = render.split_mrkdwn(line, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert all(p.count("<") == p.count(">") for p in pieces)
    assert " ".join(pieces) == line


def test_modal_from_a_form() -> None:
    form = Form(form_id="admin:setup", title="Set up the daily question", intro="Posted **here**.",
                fields=(FormField("time", "Post time", default="09:00"),
                        FormField("answer", "Your answer", InputKind.LONG, required=False, max_length=4000,
                                  placeholder="p" * 200, default="y" * 3500)),
                submit_label="Start")
    view = render.modal(form, '{"c":"C1"}')
    assert view["type"] == "modal" and view["callback_id"] == "admin:setup"
    assert view["title"]["text"] == "Set up the daily…" and len(view["title"]["text"]) <= 24
    assert view["submit"]["text"] == "Start" and view["private_metadata"] == '{"c":"C1"}'
    intro, time, answer = view["blocks"]
    assert intro == {"type": "section", "text": {"type": "mrkdwn", "text": "Posted *here*."}}
    assert time["block_id"] == time["element"]["action_id"] == "time" and time["optional"] is False
    assert time["element"]["initial_value"] == "09:00" and time["element"]["multiline"] is False
    assert answer["optional"] is True and answer["element"]["multiline"] is True
    assert answer["element"]["max_length"] == 3000 and len(answer["element"]["initial_value"]) == 3000
    assert len(answer["element"]["placeholder"]["text"]) <= 150


def test_selects_in_a_message_are_static_and_multi_static_selects() -> None:
    one = Select("quiz:level:7", (SelectOption("Junior", "junior", "first job"), SelectOption("Senior", "senior")),
                 placeholder="Your level")
    many = Select("quiz:topics:7", tuple(SelectOption(f"Topic {i}", f"t{i}") for i in range(6)), max_values=3)
    reply = Reply(text="Pick", selects=(one, many), choices=(Choice("Go", "quiz:go:7"),))
    (msg,) = render.messages(reply)
    assert [b["type"] for b in msg.blocks] == ["section", "actions", "actions", "actions"]
    single = msg.blocks[1]["elements"]
    assert len(single) == 1 and single[0]["type"] == "static_select" and single[0]["action_id"] == "quiz:level:7"
    assert single[0]["placeholder"]["text"] == "Your level" and "max_selected_items" not in single[0]
    assert single[0]["options"][0] == {"text": {"type": "plain_text", "text": "Junior", "emoji": True},
                                       "value": "junior", "description": {"type": "plain_text", "text": "first job"}}
    assert "description" not in single[0]["options"][1]
    (multi,) = msg.blocks[2]["elements"]
    assert multi["type"] == "multi_static_select" and multi["action_id"] == "quiz:topics:7"
    assert multi["max_selected_items"] == 3 and [o["value"] for o in multi["options"]] == [f"t{i}" for i in range(6)]
    assert msg.blocks[3]["elements"][0]["type"] == "button"  # buttons after the selects


def test_select_fields_in_a_modal() -> None:
    levels = tuple(SelectOption(x.title(), x) for x in ("junior", "mid", "senior"))
    topics = tuple(SelectOption(f"Topic {i}", f"t{i}") for i in range(12))
    days = tuple(SelectOption(d, d.lower()) for d in ("Mon", "Wed", "Fri"))
    form = Form(form_id="quiz:setup:1", title="Quiz", fields=(
        FormField("name", "Name"),
        FormField("level", "Level", InputKind.SELECT, options=levels, defaults=("mid",), placeholder="Pick one"),
        FormField("topics", "Topics", InputKind.MULTI_SELECT, options=topics, defaults=("t1", "t4"), max_values=3),
        FormField("days", "Days", InputKind.MULTI_SELECT, required=False, options=days, defaults=("wed",),
                  max_values=0),
        FormField("mentor", "Mentor", InputKind.SELECT, required=False, options=levels),
    ))
    blocks = {b["block_id"]: b for b in render.modal(form)["blocks"]}
    assert blocks["name"]["element"]["type"] == "plain_text_input"
    level = blocks["level"]["element"]
    assert level["type"] == "static_select" and level["action_id"] == "level"
    assert level["initial_option"] == level["options"][1] and level["initial_option"]["value"] == "mid"
    assert level["placeholder"]["text"] == "Pick one" and blocks["level"]["optional"] is False
    many = blocks["topics"]["element"]
    assert many["type"] == "multi_static_select" and many["max_selected_items"] == 3
    assert [o["value"] for o in many["initial_options"]] == ["t1", "t4"]
    small = blocks["days"]["element"]  # three options, no limit: checkboxes
    assert small["type"] == "checkboxes" and "placeholder" not in small and blocks["days"]["optional"] is True
    assert small["initial_options"] == [small["options"][1]]
    mentor = blocks["mentor"]["element"]
    assert mentor["type"] == "static_select" and "initial_option" not in mentor


def test_home_view() -> None:
    view = render.home_view(Reply(title="Your studybot", text="hi", choices=(Choice("Answer", "daily:answer:1"),)))
    assert view["type"] == "home" and view["blocks"][0]["type"] == "header"


def test_manifest_is_generated_from_the_catalogue() -> None:
    text = manifest_yaml(Config())
    data = yaml.safe_load(text)
    commands = data["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [f"/{c.name}" for c in default_catalogue()]
    by_name = {c["command"]: c for c in commands}
    assert by_name["/daily"]["usage_hint"] == "[answer]"
    assert "timezone <zone>" in by_name["/studybot"]["usage_hint"]
    assert all(c["description"] and c["should_escape"] is True and "url" not in c for c in commands)
    assert data["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert set(BOT_SCOPES) == {"commands", "chat:write", "im:write", "mpim:write", "files:write", "users:read",
                               "channels:history", "groups:history", "mpim:history"}
    settings = data["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"] == {"bot_events": ["app_home_opened", "app_uninstalled",
                                                              "tokens_revoked"]}
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_for_http_mode() -> None:
    data = manifest(request_url="https://bot.example.org/slack/events")
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["interactivity"]["request_url"] == "https://bot.example.org/slack/events"
    assert data["settings"]["event_subscriptions"]["request_url"] == "https://bot.example.org/slack/events"
    assert {c["url"] for c in data["features"]["slash_commands"]} == {"https://bot.example.org/slack/events"}
