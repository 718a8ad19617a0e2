"""Slack payloads -> where an interaction came from (`Origin`) and the core's events.

Slack sends slash-command text with mentions escaped (`<@U123|name>`, because the manifest sets
`should_escape`) and `&`, `<`, `>` as entities; `parse_command` turns it into the catalogue's typed
options with `bot.commands.parse_text`, resolving mentions to member ids.

A button's or a select's `action_id` is the core's action id; a select's picks come as its
`selected_option(s)` values (ChoiceSelected.values). In a submitted modal, text inputs go to
FormSubmitted.values and select, multi-select and checkbox picks to `selections`. `occurred_at` is
Slack's own time for the event: an action's `action_ts`, else the request's signed
X-Slack-Request-Timestamp (HTTP mode); Socket Mode commands and submissions carry no time (None).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from adapters.slack.render import unescape
from bot import commands
from bot.commands import OptionType, ParsedCommand
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MessageRef, Platform
from bot.registry import Catalogue

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_BARE_ID = re.compile(r"@?([UW][A-Z0-9]{4,})")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
MAX_METADATA = 3000
SOURCES = frozenset({"command", "ephemeral", "message"})


def community(team_id: str) -> CommunityRef:
    return CommunityRef(Platform.SLACK, team_id)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an interaction came from, and what it lets us answer with."""

    team_id: str
    user_id: str
    user_name: str = ""
    channel_id: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    ephemeral: bool = False
    response_url: str | None = None
    trigger_id: str | None = None
    home: bool = False
    enterprise_id: str | None = None
    #: a slash command typed in a DM or group DM with the app, not in a channel
    direct: bool = False
    #: the message `response_url` replaces (see adapters.slack.private): "command" (the one the command
    #: produces), "ephemeral" (the only-you message a button was on), "message" (a message others see),
    #: None (unknown)
    response_source: str | None = None

    @property
    def community(self) -> CommunityRef:
        return community(self.team_id)

    def channel(self) -> ChannelRef:
        """The channel (thread) of the interaction; from the App Home tab, the member's own id stands in:
        the core only needs a channel for channel settings, which come from commands in channels."""
        return ChannelRef(self.community, self.channel_id or self.user_id, self.thread_ts)

    def message(self) -> MessageRef | None:
        if self.channel_id is None or self.message_ts is None:
            return None
        return MessageRef(self.channel(), self.message_ts)

    def private_metadata(self) -> str:
        """What a modal needs to answer after its submission, in the view's private_metadata."""
        data = {k: v for k, v in (("c", self.channel_id), ("t", self.thread_ts), ("u", self.response_url),
                                  ("k", self.response_source if self.response_url else None),
                                  ("h", 1 if self.home else None)) if v}
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > MAX_METADATA:
            data.pop("u", None)
            data.pop("k", None)
            text = json.dumps(data, separators=(",", ":"))
        return text

    # constructors --------------------------------------------------------------------------------
    @classmethod
    def from_command(cls, body: dict[str, Any]) -> Origin:
        return cls(team_id=str(body.get("team_id") or ""), user_id=str(body["user_id"]),
                   user_name=str(body.get("user_name") or ""), channel_id=body.get("channel_id"),
                   response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
                   enterprise_id=body.get("enterprise_id"), direct=is_direct(body),
                   response_source="command")

    @classmethod
    def from_action(cls, body: dict[str, Any]) -> Origin:
        user = body.get("user") or {}
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        view = body.get("view") or {}
        ts = container.get("message_ts") or message.get("ts")
        thread = message.get("thread_ts") or container.get("thread_ts")
        return cls(team_id=_team(body), user_id=str(user.get("id")),
                   user_name=str(user.get("username") or user.get("name") or ""), channel_id=channel,
                   thread_ts=thread if thread and thread != ts else None, message_ts=ts,
                   ephemeral=bool(container.get("is_ephemeral")), response_url=body.get("response_url"),
                   trigger_id=body.get("trigger_id"), home=view.get("type") == "home",
                   enterprise_id=(body.get("enterprise") or {}).get("id"),
                   response_source=(None if container.get("type") != "message"
                                    else "ephemeral" if container.get("is_ephemeral") else "message"))

    @classmethod
    def from_view(cls, body: dict[str, Any]) -> Origin:
        user = body.get("user") or {}
        view = body.get("view") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        if not isinstance(meta, dict):
            meta = {}
        return cls(team_id=_team(body), user_id=str(user.get("id")),
                   user_name=str(user.get("username") or user.get("name") or ""), channel_id=meta.get("c"),
                   thread_ts=meta.get("t"), response_url=meta.get("u"), trigger_id=body.get("trigger_id"),
                   home=bool(meta.get("h")), enterprise_id=(body.get("enterprise") or {}).get("id"),
                   response_source=meta.get("k") if meta.get("k") in SOURCES else None)


def is_direct(body: dict[str, Any]) -> bool:
    """A slash command from a DM (`directmessage`, a D... id) or a group DM (`mpdm-...`) with the app."""
    name = str(body.get("channel_name") or "")
    return name == "directmessage" or name.startswith("mpdm-") or str(body.get("channel_id") or "").startswith("D")


def _team(body: dict[str, Any]) -> str:
    team = body.get("team") or {}
    user = body.get("user") or {}
    view = body.get("view") or {}
    return str(team.get("id") or user.get("team_id") or view.get("team_id") or body.get("team_id") or "")


# commands ---------------------------------------------------------------------------------------
def resolve_member(raw: str) -> str | None:
    m = _MENTION.fullmatch(raw.strip())
    if m:
        return m.group(1)
    m = _BARE_ID.fullmatch(raw.strip())
    return m.group(1) if m else None


def clean_text(text: str, names: dict[str, str] | None = None) -> str:
    """Slack-escaped text as the member typed it: mentions as @name, links as their URL, no entities.
    Channel mentions (`<#C1|name>`) stay as they are: settings parse them."""
    names = names or {}

    def member(m: re.Match[str]) -> str:
        return "@" + (m.group(2) or names.get(m.group(1)) or m.group(1))

    def link(m: re.Match[str]) -> str:
        url, label = m.group(1), m.group(2)
        return url if not label or label == url else f"{label} ({url})"

    text = _MENTION.sub(member, text)
    text = _LINK.sub(link, text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    return unescape(text)


def parse_command(command: str, text: str, catalogue: Catalogue | None = None) -> ParsedCommand:
    """`/studybot config time 09:00` -> ParsedCommand; raises commands.UsageError with a usage line."""
    name = command.lstrip("/").casefold()
    spec = catalogue.find(name) if catalogue is not None else commands.find(name)
    if spec is None:
        raise commands.UsageError(f"I don't know /{name}. Try /studybot help.")
    names: dict[str, str] = {}

    def keep(m: re.Match[str]) -> str:
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return f"<@{m.group(1)}>"

    normalised = _MENTION.sub(keep, text or "")
    parsed = commands.parse_text(spec, normalised, resolve_member)
    sub = spec.subcommand(parsed.subcommand) if parsed.subcommand else None
    specs = {o.name: o for o in (sub.options if sub else spec.options)}
    options = {k: clean_text(v, names) if isinstance(v, str) and specs[k].type is OptionType.STRING else v
               for k, v in parsed.options.items()}
    return replace(parsed, options=options)


def command_event(actor: Actor, origin: Origin, parsed: ParsedCommand,
                  occurred_at: datetime | None = None) -> CommandInvoked:
    return CommandInvoked(actor, origin.channel(), parsed.name, dict(parsed.options), parsed.subcommand,
                          can_open_form=origin.trigger_id is not None, occurred_at=occurred_at,
                          in_dm=origin.direct)


# times ------------------------------------------------------------------------------------------
def slack_time(raw: object) -> datetime | None:
    """A Slack timestamp (`"1748854900.123456"`, or seconds as a number) as an aware UTC datetime."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        seconds = float(str(raw))
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def request_time(headers: Mapping[str, Sequence[str] | str]) -> datetime | None:
    """When Slack sent an HTTP request: its signed X-Slack-Request-Timestamp (absent in Socket Mode)."""
    raw = headers.get("x-slack-request-timestamp")
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else None
    return slack_time(raw)


# interactions -----------------------------------------------------------------------------------
def action_id(action: dict[str, Any]) -> str:
    """The encoded action a button or select carries: its action_id."""
    return str(action.get("action_id") or action.get("value") or "")


def picked(state: dict[str, Any]) -> tuple[str, ...] | None:
    """What a select, multi-select, checkboxes or radio element holds, or None for any other element."""
    if "selected_options" in state:
        return tuple(str(o.get("value")) for o in state.get("selected_options") or [] if o.get("value"))
    if "selected_option" in state or str(state.get("type")) in ("static_select", "radio_buttons"):
        chosen = state.get("selected_option") or {}
        return (str(chosen["value"]),) if chosen.get("value") else ()
    return None


def choice_event(actor: Actor, origin: Origin, action: dict[str, Any]) -> ChoiceSelected:
    return ChoiceSelected(actor, origin.channel(), action_id(action), origin.message(),
                          can_open_form=origin.trigger_id is not None, values=picked(action) or (),
                          occurred_at=slack_time(action.get("action_ts")))


def form_state(view: dict[str, Any]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """`state.values` ({block_id: {action_id: state}}) as ({field id: text}, {field id: picks})."""
    values: dict[str, str] = {}
    selections: dict[str, tuple[str, ...]] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for state in (actions or {}).values():
            picks = picked(state)
            if picks is not None:
                selections[block_id] = picks
            else:
                value = state.get("value")
                values[block_id] = "" if value is None else str(value)
    return values, selections


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """The text inputs of a submitted view, by field id."""
    return form_state(view)[0]


def form_event(actor: Actor, origin: Origin, view: dict[str, Any],
               occurred_at: datetime | None = None) -> FormSubmitted:
    values, selections = form_state(view)
    return FormSubmitted(actor, origin.channel(), str(view.get("callback_id") or ""), values, selections,
                         occurred_at=occurred_at)
