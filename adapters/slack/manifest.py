"""The Slack app manifest, generated from the core's command catalogue (`studybot slack manifest`).

Paste it at https://api.slack.com/apps -> Create New App -> From a manifest. Socket Mode is on by
default (no public URL needed); pass a `request_url` for HTTP mode instead.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.commands import CommandSpec, OptionSpec, OptionType, default_catalogue
from bot.config import Config

#: exactly what the adapter calls, and nothing more
BOT_SCOPES: tuple[str, ...] = (
    "commands",  # the slash commands
    "chat:write",  # daily posts, reveals, ephemeral replies, edits
    "im:write",  # conversations.open for checklist DMs and admin notices
    "mpim:write",  # conversations.open with several users: a private space (group DM) for a few members
    "files:write",  # files_upload_v2: charts, exports, invites attached to replies
    "users:read",  # users.info: display name, workspace admin/owner, timezone
    "channels:history",  # conversations.history/replies: find our own post by its metadata (public channels)
    "groups:history",  # the same in private channels
    "mpim:history",  # the same in a private space (group DM) the bot opened
)
#: app_uninstalled and tokens_revoked need no scope: the community is removed and its token forgotten
BOT_EVENTS: tuple[str, ...] = ("app_home_opened", "app_uninstalled", "tokens_revoked")
MAX_DESCRIPTION = 100
MAX_USAGE_HINT = 1000


def _options(options: tuple[OptionSpec, ...]) -> str:
    """Typed options only: a Slack slash command cannot carry a file."""
    return " ".join(f"<{o.name}>" if o.required else f"[{o.name}]" for o in options
                    if o.type is not OptionType.ATTACHMENT)


def usage_hint(cmd: CommandSpec) -> str:
    if cmd.subcommands:
        parts = [f"{s.name} {_options(s.options)}".strip() for s in cmd.subcommands]
        hint = " | ".join(parts)
    else:
        hint = _options(cmd.options)
    return hint[:MAX_USAGE_HINT]


def manifest(config: Config | None = None, *, name: str = "studybot", request_url: str | None = None) -> dict[str, Any]:
    """The manifest as a dict. With `request_url` (https://host/slack/events) it is for HTTP mode."""
    commands: list[dict[str, Any]] = []
    for cmd in default_catalogue():
        entry: dict[str, Any] = {"command": f"/{cmd.name}", "description": cmd.description[:MAX_DESCRIPTION]}
        hint = usage_hint(cmd)
        if hint:
            entry["usage_hint"] = hint
        entry["should_escape"] = True  # mentions arrive as <@U..|name>, channels as <#C..|name>
        if request_url:
            entry["url"] = request_url
        commands.append(entry)
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": request_url is None,
        "token_rotation_enabled": False,
    }
    if request_url:
        settings["event_subscriptions"]["request_url"] = request_url
        settings["interactivity"]["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "A daily ML-interview question: answer privately, compare at the reveal, earn points.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": True},
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": settings,
    }


def manifest_yaml(config: Config | None = None, *, request_url: str | None = None) -> str:
    header = ("# studybot Slack app manifest: api.slack.com/apps -> Create New App -> From a manifest.\n"
              "# Then: Basic Information -> App-Level Tokens (connections:write) = SLACK_APP_TOKEN;\n"
              "# Install App -> Bot User OAuth Token = SLACK_BOT_TOKEN.\n")
    return header + yaml.safe_dump(manifest(config, request_url=request_url), sort_keys=False, allow_unicode=True)
