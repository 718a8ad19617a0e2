"""Slack payloads -> where an interaction came from (`Origin`) and the core's events.

Slack sends slash-command text with mentions escaped (`<@U123|name>`, because the manifest sets
`should_escape`) and `&`, `<`, `>` as entities; `parse_command` turns it into the catalogue's typed
options with `bot.commands.parse_text`, resolving mentions to member ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from adapters.slack.render import unescape
from bot import commands
from bot.commands import OptionType, ParsedCommand
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MessageRef, Platform

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_BARE_ID = re.compile(r"@?([UW][A-Z0-9]{4,})")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
MAX_METADATA = 3000


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
                                  ("h", 1 if self.home else None)) if v}
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > MAX_METADATA:
            data.pop("u", None)
            text = json.dumps(data, separators=(",", ":"))
        return text

    # constructors --------------------------------------------------------------------------------
    @classmethod
    def from_command(cls, body: dict[str, Any]) -> Origin:
        return cls(team_id=str(body.get("team_id") or ""), user_id=str(body["user_id"]),
                   user_name=str(body.get("user_name") or ""), channel_id=body.get("channel_id"),
                   response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
                   enterprise_id=body.get("enterprise_id"))

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
                   enterprise_id=(body.get("enterprise") or {}).get("id"))

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
                   home=bool(meta.get("h")), enterprise_id=(body.get("enterprise") or {}).get("id"))


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


def parse_command(command: str, text: str) -> ParsedCommand:
    """`/studybot config time 09:00` -> ParsedCommand; raises commands.UsageError with a usage line."""
    name = command.lstrip("/").casefold()
    spec = commands.find(name)
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


def command_event(actor: Actor, origin: Origin, parsed: ParsedCommand) -> CommandInvoked:
    return CommandInvoked(actor, origin.channel(), parsed.name, dict(parsed.options), parsed.subcommand,
                          can_open_form=origin.trigger_id is not None)


# interactions -----------------------------------------------------------------------------------
def action_id(action: dict[str, Any]) -> str:
    """The encoded action a button or select carries."""
    selected = action.get("selected_option") or {}
    if selected.get("value"):
        return str(selected["value"])
    return str(action.get("action_id") or action.get("value") or "")


def choice_event(actor: Actor, origin: Origin, action: dict[str, Any]) -> ChoiceSelected:
    return ChoiceSelected(actor, origin.channel(), action_id(action), origin.message(),
                          can_open_form=origin.trigger_id is not None)


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """`state.values` ({block_id: {action_id: {value}}}) as {field id: text}."""
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action in (actions or {}).values():
            value = action.get("value")
            if value is None and action.get("selected_option"):
                value = action["selected_option"].get("value")
            values[block_id] = "" if value is None else str(value)
    return values


def form_event(actor: Actor, origin: Origin, view: dict[str, Any]) -> FormSubmitted:
    return FormSubmitted(actor, origin.channel(), str(view.get("callback_id") or ""), form_values(view))
