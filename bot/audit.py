"""What the core records of every admin action, for the audit log: who, when, what, why and what came of it.

`StudyBot` builds one for every command whose catalogue entry is admin-only (and for the buttons and forms
features declare as admin actions, like the setup form), whichever feature handles it, and hands it to the
registry; the features that keep an audit log store it (the leaderboard's `/studybot audit`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.events import Attachment, OptionValue
from bot.ids import MemberRef
from bot.messages import Response, clip

OPTION_LIMIT = 200
OUTCOME_LIMIT = 500


@dataclass(frozen=True, slots=True)
class AdminAction:
    actor: MemberRef
    actor_name: str
    #: the route, as typed: "/studybot points", or "form admin:setup" / "button packs:remove"
    action: str
    at: datetime
    options: Mapping[str, str] = field(default_factory=dict)
    #: why, in the admin's words (the `reason` option), when they gave one
    reason: str | None = None
    #: what the admin was told (clipped), or what went wrong
    outcome: str = ""


def option_texts(options: Mapping[str, OptionValue | str | tuple[str, ...]]) -> dict[str, str]:
    """Options as short text: a file by its name, long text clipped."""
    out: dict[str, str] = {}
    for key, value in options.items():
        if isinstance(value, Attachment):
            text = f"(file {value.filename}, {value.size:,} bytes)"
        elif isinstance(value, tuple):
            text = ", ".join(value)
        else:
            text = str(value)
        out[key] = clip(text, OPTION_LIMIT)
    return out


def outcome_text(response: Response) -> str:
    """What the admin saw, in a line or two."""
    if response.form is not None:
        return clip(f"(opened the form: {response.form.title})", OUTCOME_LIMIT)
    parts = []
    if response.form_errors:
        parts.append("refused: " + "; ".join(f"{k}: {v}" for k, v in response.form_errors.items()))
    if response.reply is not None:
        parts.append(" ".join(p for p in (response.reply.title, response.reply.text) if p))
    return clip(" / ".join(parts) or "(no reply)", OUTCOME_LIMIT)
