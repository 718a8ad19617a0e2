"""Neutral replies as terminal text: numbered choices, marked visibility, times in the reader's zone."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.messages import Form, Reply

BOLD, ITALIC, CODE, UNDERLINE, DIM, RESET = "\x1b[1m", "\x1b[3m", "\x1b[36m", "\x1b[4m", "\x1b[2m", "\x1b[0m"


def render_markup(text: str, name_of: Callable[[str], str], zone: ZoneInfo, now: datetime,
                  styles: bool = False) -> str:
    """Markup as terminal text: ANSI styles on a terminal (`styles`), else plain words (no asterisks).

    A relative time shows its date beside it, as platforms do on hover, but never as brackets inside
    brackets: within parentheses it reads "in 5 days, Mon 07 Dec 18:00 UTC"; and where the text already
    gave that moment in full (`{f} ({R})`), only "in 5 days".
    """

    def styled(code: str, t: str) -> str:
        return f"{code}{t}{RESET}" if styles else t

    out: list[str] = []
    shown_in_full: set[int] = set()
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
            case mk.Timestamp(unix, "R"):
                at = datetime.fromtimestamp(unix, UTC)
                rel = relative(at, now)
                if unix in shown_in_full:
                    out.append(rel)
                elif _open_parens("".join(out)):
                    out.append(f"{rel}, {_short(at, zone)}")
                else:
                    out.append(f"{rel} ({_short(at, zone)})")
            case mk.Timestamp(unix, style):
                if style == "f":
                    shown_in_full.add(unix)
                out.append(_when(datetime.fromtimestamp(unix, UTC), style, zone))
    return "".join(out)


def _open_parens(before: str) -> bool:
    """Whether the text so far (on this line) leaves a parenthesis open."""
    depth = 0
    for ch in before[before.rfind("\n") + 1:]:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
    return depth > 0


# (unit, its length in seconds, the largest rounded count shown in it before the next unit takes over)
_UNITS = (("second", 1, 59), ("minute", 60, 59), ("hour", 3600, 36), ("day", 86400, 45),
          ("month", 2_629_746, 18), ("year", 31_556_952, None))


def relative(at: datetime, now: datetime) -> str:
    """"in 5 minutes", "3 hours ago": rounded to the nearest whole unit, never down past the truth
    (47 hours is "in 2 days", 23 h 59 m 59 s is "in 24 hours")."""
    secs = (at - now).total_seconds()
    size = abs(secs)
    if size < 0.5:
        return "now"
    for unit, length, most in _UNITS:
        count = math.floor(size / length + 0.5)
        if most is None or count <= most:
            amount = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {amount}" if secs > 0 else f"{amount} ago"
    raise AssertionError("unreachable: the last unit has no limit")


def _short(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%a %d %b %H:%M %Z}"


def _when(at: datetime, style: str, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
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
