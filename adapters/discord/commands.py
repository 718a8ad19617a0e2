"""App commands from the core's catalogue: the JSON Discord registers, and the options it sends back.

Registered as raw application-command payloads (not discord.py's CommandTree, whose commands are
derived from Python signatures): the catalogue is data, so its Discord form is data too.
https://discord.com/developers/docs/interactions/application-commands
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import discord

from bot.commands import CommandSpec, OptionSpec, OptionType, default_catalogue, find
from bot.events import Attachment, OptionValue
from bot.messages import clip
from bot.registry import Catalogue

CHAT_INPUT = 1
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
OPTION_TYPES = {OptionType.STRING: 3, OptionType.INTEGER: 4, OptionType.BOOLEAN: 5, OptionType.MEMBER: 6,
                OptionType.ATTACHMENT: 11}
#: downloads an attachment's CDN url (the adapter passes its client's HTTP session)
UrlFetcher = Callable[[str], Awaitable[bytes]]
GUILD_CONTEXT = 0
GUILD_INSTALL = 0
DESCRIPTION_LIMIT = 100
CHOICES_LIMIT = 25
#: who sees an admin-only command by default; the core checks again on every use
ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)


def option_payload(spec: OptionSpec) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": OPTION_TYPES[spec.type],
        "name": spec.name,
        "description": clip(spec.description, DESCRIPTION_LIMIT),
        "required": spec.required,
    }
    if spec.choices:
        payload["choices"] = [{"name": c, "value": c} for c in spec.choices[:CHOICES_LIMIT]]
    if spec.max_length is not None:
        payload["max_length"] = spec.max_length
    if spec.min_value is not None:
        payload["min_value"] = spec.min_value
    if spec.max_value is not None:
        payload["max_value"] = spec.max_value
    return payload


def _options(specs: Iterable[OptionSpec]) -> list[dict[str, Any]]:
    """Discord wants required options before optional ones; the order is otherwise kept."""
    ordered = sorted(specs, key=lambda s: not s.required)
    return [option_payload(s) for s in ordered]


def command_payload(spec: CommandSpec) -> dict[str, Any]:
    if spec.subcommands:
        options = [{"type": SUB_COMMAND, "name": sub.name, "description": clip(sub.description, DESCRIPTION_LIMIT),
                    "options": _options(sub.options)} for sub in spec.subcommands]
    else:
        options = _options(spec.options)
    return {
        "type": CHAT_INPUT,
        "name": spec.name,
        "description": clip(spec.description, DESCRIPTION_LIMIT),
        "options": options,
        # a command that is admin-only as a whole is hidden from members; /studybot mixes member and
        # admin subcommands, so the core checks those (Manage Server, or the configured role)
        "default_member_permissions": str(ADMIN_PERMISSIONS.value) if spec.admin_only else None,
        "contexts": [GUILD_CONTEXT],
        "integration_types": [GUILD_INSTALL],
        "nsfw": False,
    }


def command_payloads(catalogue: Iterable[CommandSpec] | None = None) -> list[dict[str, Any]]:
    """Every catalogue command (default: the default features'), as the body of a bulk overwrite."""
    return [command_payload(spec) for spec in (default_catalogue() if catalogue is None else catalogue)]


def _attachment(value: Any, resolved: Mapping[str, Any], fetch_url: UrlFetcher | None) -> Attachment | None:
    """An ATTACHMENT option's value is an id; the file itself is in the interaction's resolved data."""
    raw = (resolved.get("attachments") or {}).get(str(value))
    if not isinstance(raw, Mapping) or fetch_url is None:
        return None
    url = str(raw.get("url") or "")
    return Attachment(str(raw.get("filename") or "file"), int(raw.get("size") or 0), lambda: fetch_url(url))


def _convert(spec: OptionSpec | None, value: Any, resolved: Mapping[str, Any],
             fetch_url: UrlFetcher | None) -> OptionValue | None:
    if spec is None:
        return None
    if spec.type is OptionType.ATTACHMENT:
        return _attachment(value, resolved, fetch_url)
    if spec.type is OptionType.INTEGER:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if spec.type is OptionType.BOOLEAN:
        return value if isinstance(value, bool) else str(value).casefold() in ("true", "1", "yes")
    return str(value)  # STRING as typed; MEMBER as the user's id (a snowflake string)


def parse_command(data: Mapping[str, Any], fetch_url: UrlFetcher | None = None,
                  catalogue: Catalogue | None = None) -> tuple[str, str | None, dict[str, OptionValue]] | None:
    """An APPLICATION_COMMAND's data as (name, subcommand, typed options); None if not in the catalogue."""
    name = str(data.get("name", ""))
    spec = catalogue.find(name) if catalogue is not None else find(name)
    if spec is None:
        return None
    raw: list[Mapping[str, Any]] = list(data.get("options") or ())
    specs = spec.options
    subcommand: str | None = None
    if raw and raw[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        sub = spec.subcommand(str(raw[0].get("name", "")))
        if sub is None:
            return None
        subcommand, specs = sub.name, sub.options
        raw = list(raw[0].get("options") or ())
    by_name = {s.name: s for s in specs}
    options: dict[str, OptionValue] = {}
    for opt in raw:
        name = str(opt.get("name", ""))
        value = _convert(by_name.get(name), opt.get("value"), data.get("resolved") or {}, fetch_url)
        if value is not None:
            options[name] = value
    return spec.name, subcommand, options
