"""The neutral model as Slack mrkdwn and Block Kit, within Slack's limits.

A Reply becomes one message or, past 50 blocks or ~12k characters, several (its pages): a header for
the title, mrkdwn sections for the text (at most 3000 characters each), a fields section, one actions
block per select (`static_select`, or `multi_static_select` when more than one may be picked), actions
blocks of at most five buttons, and a context block for the footer. Every message carries a `text`
fallback (notifications, screen readers, old clients). A Reply's files are not blocks: `chat` uploads
them (files_upload_v2) after the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot import markup as mk
from bot.messages import (
    CHOICES_PER_ROW,
    Choice,
    Form,
    FormField,
    InputKind,
    Reply,
    Select,
    SelectOption,
    Style,
    clip,
)

MAX_BLOCKS = 50
MAX_MESSAGE_CHARS = 12_000
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_FALLBACK = 3000
MAX_VIEW_TITLE = 24
MAX_INPUT = 3000
MAX_PLACEHOLDER = 150
MAX_VIEW_BLOCKS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_CHECKBOXES = 10  # Slack's limit for a checkboxes element

DATE_FORMATS = {
    "f": "{date_short_pretty} {time}",
    "d": "{date_short_pretty}",
    "t": "{time}",
    "R": "{date_short_pretty} {time}",
}

Block = dict[str, Any]


def escape(text: str) -> str:
    """Plain text made inert for mrkdwn: no forged mentions, links or `<!here>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrap(marker: str, text: str) -> str:
    """`*bold*` needs its marker next to a non-space character: keep the spaces outside."""
    inner = text.strip()
    if not inner:
        return escape(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{escape(inner)}{marker}{trail}"


def _date(unix: int, style: str) -> str:
    fallback = datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{unix}^{DATE_FORMATS.get(style, DATE_FORMATS['f'])}|{fallback}>"


def mrkdwn_inline(markup: str) -> str:
    out: list[str] = []
    for tok in mk.tokens(markup):
        match tok:
            case mk.Plain(t):
                out.append(escape(t))
            case mk.Bold(t):
                out.append(_wrap("*", t))
            case mk.Italic(t):
                out.append(_wrap("_", t))
            case mk.Code(t):
                out.append("`" + escape(t) + "`")
            case mk.Link(label, url):
                out.append(f"<{escape(url)}|{escape(label)}>")
            case mk.Mention(member_id):
                out.append(f"<@{member_id}>")
            case mk.Timestamp(unix, style):
                out.append(_date(unix, style))
    return "".join(out)


def mrkdwn(markup: str) -> str:
    """Neutral markup as Slack mrkdwn; `- ` bullets become `• `."""
    lines = []
    for line in markup.split("\n"):
        if line.startswith("- "):
            lines.append("• " + mrkdwn_inline(line[2:]))
        else:
            lines.append(mrkdwn_inline(line))
    return "\n".join(lines)


def plain(markup: str) -> str:
    return mk.plain_text(markup)


def safe_cut(text: str, limit: int) -> int:
    """Where to cut `text` to at most `limit` characters: at whitespace, never inside `<...>` or `&..;`."""
    if len(text) <= limit:
        return len(text)
    cut = limit
    opened = text.rfind("<", 0, cut)
    if opened != -1 and text.find(">", opened, cut) == -1:
        cut = opened
    amp = text.rfind("&", max(0, cut - 6), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    space = max(text.rfind("\n", 0, cut), text.rfind(" ", 0, cut))
    if space > cut // 2:
        cut = space
    return max(cut, 1)


def clip_mrkdwn(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = safe_cut(text, limit - 1)
    return text[:cut].rstrip() + "…"


def clip_words(text: str, limit: int) -> str:
    """Short plain text (a modal title) clipped at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return (text[:cut] if cut > limit // 2 else text[: limit - 1]).rstrip() + "…"


def split_mrkdwn(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = line if not current else current + "\n" + line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line) > limit:
            cut = safe_cut(line, limit)
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        current = line
    if current.strip():
        pieces.append(current)
    return pieces


def button(choice: Choice) -> Block:
    element: Block = {
        "type": "button",
        "action_id": choice.action,
        "value": choice.action,
        "text": {"type": "plain_text", "text": clip(choice.label, MAX_BUTTON), "emoji": True},
    }
    if choice.style in (Style.PRIMARY, Style.SUCCESS):
        element["style"] = "primary"
    elif choice.style is Style.DANGER:
        element["style"] = "danger"
    return element


def option(o: SelectOption) -> Block:
    """A Block Kit option object; the same object is used as initial_option so Slack matches it."""
    element: Block = {"text": {"type": "plain_text", "text": clip(o.label, MAX_OPTION_TEXT), "emoji": True},
                      "value": o.value[:MAX_OPTION_VALUE]}
    if o.description:
        element["description"] = {"type": "plain_text", "text": clip(o.description, MAX_OPTION_TEXT)}
    return element


def select(sel: Select) -> Block:
    """A message select: its action_id is the select's action id, so a pick needs no state of ours."""
    element: Block = {
        "type": "multi_static_select" if sel.max_values > 1 else "static_select",
        "action_id": sel.action,
        "placeholder": {"type": "plain_text", "text": clip(sel.placeholder, MAX_PLACEHOLDER), "emoji": True},
        "options": [option(o) for o in sel.options],
    }
    if sel.max_values > 1:
        element["max_selected_items"] = sel.max_values
    return element


def _block_chars(block: Block) -> int:
    n = 0
    for key in ("text", "fields", "elements"):
        value = block.get(key)
        if isinstance(value, dict):
            n += len(str(value.get("text", "")))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    inner = item.get("text")
                    n += len(str(inner.get("text", ""))) if isinstance(inner, dict) else len(str(inner or ""))
    return n


def reply_blocks(reply: Reply) -> list[Block]:
    """Every block of the reply, in order (not yet split into messages)."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append({"type": "header",
                       "text": {"type": "plain_text", "text": clip(plain(reply.title), MAX_HEADER),
                                "emoji": True}})
    for piece in split_mrkdwn(mrkdwn(reply.text)):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
    if reply.fields:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": clip_mrkdwn(f"*{escape(plain(f.name))}*\n{mrkdwn(f.value)}", MAX_FIELD)}
            for f in reply.fields[:MAX_FIELDS]
        ]})
    for sel in reply.selects:
        blocks.append({"type": "actions", "elements": [select(sel)]})
    for row in reply.rows():
        blocks.append({"type": "actions", "elements": [button(c) for c in row[:CHOICES_PER_ROW]]})
    if reply.footer:
        blocks.append({"type": "context",
                       "elements": [{"type": "mrkdwn", "text": clip_mrkdwn(mrkdwn(reply.footer), MAX_SECTION)}]})
    return blocks


def _fallback(blocks: list[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if block["type"] == "header":
            parts.append(escape(block["text"]["text"]))
        elif block["type"] == "section" and "text" in block:
            parts.append(block["text"]["text"])
        elif block["type"] == "section":
            parts.append("\n".join(f["text"] for f in block["fields"]))
    return clip_mrkdwn("\n".join(parts), MAX_FALLBACK)


@dataclass
class Message:
    """One Slack message: `text` (the fallback) and its blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def messages(reply: Reply, max_blocks: int = MAX_BLOCKS, max_chars: int = MAX_MESSAGE_CHARS) -> list[Message]:
    """The reply as one or more messages, each within `max_blocks` and about `max_chars` characters."""
    pages: list[list[Block]] = [[]]
    size = 0
    for block in reply_blocks(reply):
        chars = _block_chars(block)
        if pages[-1] and (len(pages[-1]) >= max_blocks or size + chars > max_chars):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += chars
    first = _fallback(pages[0]) or "studybot"
    return [Message(_fallback(page) or first, page) for page in pages]


def text_input(f: FormField) -> Block:
    limit = min(f.max_length, MAX_INPUT)
    element: Block = {"type": "plain_text_input", "action_id": f.id, "multiline": f.kind is InputKind.LONG,
                      "max_length": limit}
    if f.placeholder:
        element["placeholder"] = {"type": "plain_text", "text": clip(f.placeholder, MAX_PLACEHOLDER)}
    if f.default:
        element["initial_value"] = f.default[:limit]
    return element


def select_input(f: FormField) -> Block:
    """A select field: `static_select`; a multi-select is `checkboxes` when it is small and unlimited
    (at most 10 options, any number may be ticked), else `multi_static_select` with max_selected_items."""
    options = {o.value: option(o) for o in f.options}
    initial = [options[v] for v in f.defaults if v in options]
    if f.kind is InputKind.SELECT:
        element: Block = {"type": "static_select", "action_id": f.id, "options": list(options.values())}
        if initial:
            element["initial_option"] = initial[0]
    elif len(f.options) <= MAX_CHECKBOXES and f.max_values >= len(f.options):
        element = {"type": "checkboxes", "action_id": f.id, "options": list(options.values())}
        if initial:
            element["initial_options"] = initial
        return element  # checkboxes take no placeholder
    else:
        element = {"type": "multi_static_select", "action_id": f.id, "options": list(options.values()),
                   "max_selected_items": f.max_values}
        if initial:
            element["initial_options"] = initial[: f.max_values]
    element["placeholder"] = {"type": "plain_text", "text": clip(f.placeholder or "Choose…", MAX_PLACEHOLDER)}
    return element


def modal(form: Form, private_metadata: str = "") -> dict[str, Any]:
    """A form as a modal view; each input's block_id and action_id is the field id."""
    blocks: list[Block] = []
    if form.intro:
        blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
                   for piece in split_mrkdwn(mrkdwn(form.intro))]
    for f in form.fields:
        element = select_input(f) if f.is_select else text_input(f)
        blocks.append({"type": "input", "block_id": f.id, "optional": not f.required,
                       "label": {"type": "plain_text", "text": clip(f.label, 2000)}, "element": element})
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": {"type": "plain_text", "text": clip_words(form.title, MAX_VIEW_TITLE)},
        "submit": {"type": "plain_text", "text": clip_words(form.submit_label, MAX_VIEW_TITLE)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata,
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }


def home_view(reply: Reply) -> dict[str, Any]:
    return {"type": "home", "blocks": reply_blocks(reply)[:MAX_VIEW_BLOCKS]}


_ENTITY = re.compile(r"&(amp|lt|gt);")


def unescape(text: str) -> str:
    """Slack's escaping of `&`, `<`, `>` in text it sends us, undone."""
    return _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)
