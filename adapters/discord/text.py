"""Text for Discord: neutral markup to markdown, escaping, and splitting within the limits."""

from __future__ import annotations

import re

from bot import markup as mk

_URL = re.compile(r"https?://\S+")
_INLINE = re.compile(r"([\\*_~|`<>\[\]])")
_LINE_START = re.compile(r"(?m)^([ \t]*)(#|-#)")


def escape(text: str) -> str:
    """Plain text made literal in Discord markdown; URLs stay clickable, `- ` bullets stay bullets."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_escape_run(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_run(text[pos:]))
    return "".join(out)


def _escape_run(text: str) -> str:
    return _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", text))


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown(text: str) -> str:
    """Neutral markup (bot.markup) as Discord markdown: mentions `<@id>`, timestamps `<t:unix:style>`."""
    out: list[str] = []
    for tok in mk.tokens(text):
        match tok:
            case mk.Plain(t):
                out.append(escape(t))
            case mk.Bold(t):
                out.append(f"**{escape(t)}**")
            case mk.Italic(t):
                out.append(f"*{escape(t)}*")
            case mk.Code(t):
                out.append(_code(t))
            case mk.Link(label, url):
                out.append(f"[{escape(label)}]({url})")
            case mk.Mention(member_id):
                out.append(f"<@{member_id}>" if member_id.isdigit() else escape(f"@{member_id}"))
            case mk.Timestamp(unix, style):
                out.append(f"<t:{unix}:{style}>")
    return "".join(out)


def _safe_cut(text: str, cut: int) -> int:
    """Move a hard cut back so it does not split an escape (`\\*`) or an `<@id>` / `<t:..>` tag."""
    while cut > 1 and text[cut - 1] == "\\" and (len(text[:cut]) - len(text[:cut].rstrip("\\"))) % 2 == 1:
        cut -= 1
    opening = text.rfind("<", max(0, cut - 40), cut)
    if opening > 0 and text.find(">", opening, cut) == -1:
        cut = opening
    return cut


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at a paragraph, a line or a space where possible."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = _safe_cut(rest, limit)
        chunk, rest = rest[:cut].rstrip(), rest[cut:].lstrip("\n")
        if chunk:
            chunks.append(chunk)
    if rest.strip():
        chunks.append(rest)
    return chunks
