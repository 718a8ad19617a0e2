"""Neutral replies as terminal text: numbered choices, marked visibility, times in the reader's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.messages import Form, Reply

BOLD, ITALIC, CODE, UNDERLINE, DIM, RESET = "\x1b[1m", "\x1b[3m", "\x1b[36m", "\x1b[4m", "\x1b[2m", "\x1b[0m"


def render_markup(text: str, name_of: Callable[[str], str], zone: ZoneInfo, now: datetime,
                  styles: bool = False) -> str:
    """Markup as terminal text: ANSI styles on a terminal (`styles`), else plain words (no asterisks)."""

    def styled(code: str, t: str) -> str:
        return f"{code}{t}{RESET}" if styles else t

    out: list[str] = []
    for tok in mk.tokens(text):
        match tok:
            case mk.Plain(t):
                out.append(t)
            case mk.Bold(t):
                out.append(styled(BOLD, t))
            case mk.Italic(t):
                out.append(styled(ITALIC, t))
            case mk.Code(t):
                out.append(styled(CODE, t) if styles else f"`{t}`")
            case mk.Link(label, url):
                out.append(f"{styled(UNDERLINE, label)} <{url}>")
            case mk.Mention(member_id):
                out.append("@" + name_of(member_id))
            case mk.Timestamp(unix, style):
                out.append(_when(datetime.fromtimestamp(unix, UTC), style, zone, now))
    return "".join(out)


def _when(at: datetime, style: str, zone: ZoneInfo, now: datetime) -> str:
    local = at.astimezone(zone)
    if style == "R":
        delta = at - now
        secs = int(abs(delta.total_seconds()))
        amount = (f"{secs // 86400}d" if secs >= 86400 else f"{secs // 3600}h" if secs >= 3600
                  else f"{secs // 60}m" if secs >= 60 else f"{secs}s")
        rel = f"in {amount}" if delta.total_seconds() >= 0 else f"{amount} ago"
        return f"{rel} ({local:%a %d %b %H:%M %Z})"
    if style == "d":
        return f"{local:%a %d %b %Y}"
    if style == "t":
        return f"{local:%H:%M %Z}"
    return f"{local:%a %d %b %Y %H:%M %Z}"


def render_reply(reply: Reply, numbers: list[int], render: Callable[[str], str]) -> str:
    """The reply as lines; `numbers` are the choice numbers to show, in order."""
    lines: list[str] = []
    if reply.title:
        lines.append(f"== {render(reply.title)} ==")
    lines.append(render(reply.text))
    for f in reply.fields:
        lines.append(f"  {f.name}: {render(f.value)}")
    if reply.choices:
        lines.append("  " + "  ".join(f"[{n}] {c.label}" for n, c in zip(numbers, reply.choices, strict=True)))
    if reply.footer:
        lines.append(render(reply.footer))
    return "\n".join(lines)


def render_form_intro(form: Form, render: Callable[[str], str]) -> str:
    lines = [f"-- {form.title} --"]
    if form.intro:
        lines.append(render(form.intro))
    lines.append("(type each value on one line; an empty line keeps the default or cancels)")
    return "\n".join(lines)
