"""The neutral markup every reply is written in, and the tokenizer adapters render from.

Syntax: `**bold**`, `__italic__`, `` `code` ``, `[label](https://url)`, `{@member-id}` (a mention),
`{t:UNIX:STYLE}` (a timestamp each platform shows in the reader's local time; STYLE is one of
`f` date and time, `d` date, `t` time, `R` relative), and lines starting `- ` for bullets.
Text from members must pass through `escape()` so it can never forge a mention or markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from bot.ids import MemberRef

TimestampStyle = Literal["f", "d", "t", "R"]
_SPECIAL = re.compile(r"([\\*_`\[\]{}])")
_TOKEN = re.compile(
    r"\\(?P<esc>[\\*_`\[\]{}])"
    r"|\*\*(?P<bold>(?:\\.|[^*\\])+?)\*\*"
    r"|__(?P<italic>(?:\\.|[^_\\])+?)__"
    r"|`(?P<code>[^`]+)`"
    r"|\[(?P<label>(?:\\.|[^\]\\])+)\]\((?P<url>https?://[^)\s]+)\)"
    r"|\{@(?P<mention>[^}\s]+)\}"
    r"|\{t:(?P<ts>-?\d+):(?P<style>[fdtR])\}"
)


_STYLES: dict[str, TimestampStyle] = {"f": "f", "d": "d", "t": "t", "R": "R"}


def escape(text: str) -> str:
    """Member-written text, made inert: it renders exactly as typed."""
    return _SPECIAL.sub(r"\\\1", text)


def unescape(text: str) -> str:
    return re.sub(r"\\([\\*_`\[\]{}])", r"\1", text)


def bold(text: str) -> str:
    return f"**{text}**"


def italic(text: str) -> str:
    return f"__{text}__"


def code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def mention(member: MemberRef) -> str:
    return "{@" + member.id + "}"


def timestamp(when: datetime, style: TimestampStyle = "f") -> str:
    return "{t:" + str(int(when.timestamp())) + ":" + style + "}"


@dataclass(frozen=True, slots=True)
class Plain:
    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    text: str


@dataclass(frozen=True, slots=True)
class Italic:
    text: str


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Mention:
    member_id: str


@dataclass(frozen=True, slots=True)
class Timestamp:
    unix: int
    style: TimestampStyle


Token = Plain | Bold | Italic | Code | Link | Mention | Timestamp


def tokens(text: str) -> Iterator[Token]:
    """Split neutral markup into tokens; plain runs are unescaped and merged."""
    pos = 0
    buf: list[str] = []
    for m in _TOKEN.finditer(text):
        buf.append(text[pos : m.start()])
        pos = m.end()
        if m.group("esc") is not None:
            buf.append(m.group("esc"))
            continue
        if buf and "".join(buf):
            yield Plain("".join(buf))
        buf = []
        if m.group("bold") is not None:
            yield Bold(unescape(m.group("bold")))
        elif m.group("italic") is not None:
            yield Italic(unescape(m.group("italic")))
        elif m.group("code") is not None:
            yield Code(m.group("code"))
        elif m.group("label") is not None:
            yield Link(unescape(m.group("label")), m.group("url"))
        elif m.group("mention") is not None:
            yield Mention(m.group("mention"))
        else:
            yield Timestamp(int(m.group("ts")), _STYLES[m.group("style")])
    buf.append(text[pos:])
    if "".join(buf):
        yield Plain("".join(buf))


def plain_text(text: str) -> str:
    """Markup reduced to readable plain text (timestamps as ISO UTC): for logs and fallbacks."""
    out: list[str] = []
    for tok in tokens(text):
        match tok:
            case Plain(t) | Bold(t) | Italic(t) | Code(t):
                out.append(t)
            case Link(label, url):
                out.append(f"{label} ({url})")
            case Mention(mid):
                out.append(f"@{mid}")
            case Timestamp(unix, _):
                out.append(datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return "".join(out)
