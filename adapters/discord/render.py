"""The core's Reply, rendered for Discord: markdown, embeds, limits, the split of long text, files,
and where the outbox key rides (the embed's url, which members do not read)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import discord

from adapters.discord.components import action_views
from adapters.discord.text import markdown, split_text
from adapters.files import upload_name
from bot import markup as mk
from bot.messages import FileOut, Reply, clip

# https://discord.com/developers/docs/resources/message#create-message and the embed limits
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
COLOUR = discord.Colour.blurple()
FOOTER_SEPARATOR = " · "
EMPTY = "\u200b"
#: what an embed keeps free for its footer when fields are sized to fit
FOOTER_ROOM = 200
#: the query parameter of an embed url that carries a message's idempotency key (outbox reconciliation)
KEY_PARAM = "studybot_key"
MORE_OPTIONS = "More options:"


@dataclass
class Part:
    """One Discord message: content and/or embeds; components and files go on the last text part."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    files: tuple[FileOut, ...] = ()

    def uploads(self) -> list[discord.File]:
        """Fresh discord.File objects: discord.py closes a file once it is sent.

        discord.py uploads every file as application/octet-stream and takes no content type (its
        multipart builder, http.handle_message_parameters, sets it), and Discord types an attachment by
        its file name anyway: the name carries the FileOut's MIME type (adapters.files.upload_name). The
        description is the attachment's alt text (shown for images)."""
        return [discord.File(io.BytesIO(f.data), filename=upload_name(f), description=f.description or None)
                for f in self.files]

    def send_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"content": self.content, "embeds": self.embeds}
        if self.view is not None:
            kw["view"] = self.view
        if self.files:
            kw["files"] = self.uploads()
        return kw

    def edit_kwargs(self) -> dict[str, Any]:
        """Replaces everything on the message: what this part lacks is cleared, and its files are
        uploaded again (the attachments are the reply's, as the text is)."""
        return {"content": self.content, "embeds": self.embeds, "view": self.view, "attachments": self.uploads()}

    def text(self) -> str:
        """Everything a reader sees, as one string (for logs and tests)."""
        pieces = [self.content or ""]
        for e in self.embeds:
            pieces += [e.title or "", e.description or ""]
            pieces += [f"{f.name}: {f.value}" for f in e.fields]
            pieces.append(e.footer.text or "")
        return "\n".join(p for p in pieces if p)


def footer_text(footer: str | None) -> str | None:
    return clip(mk.plain_text(footer), FOOTER_LIMIT) if footer else None


def keyed_url(link: str, key: str | None) -> str:
    """`link` with the idempotency key as a query parameter: a working link if clicked (the channel or
    the server), and read back by `url_key` (Discord's history returns embeds, never nonces)."""
    if not key:
        return link
    return f"{link}{'&' if '?' in link else '?'}{urlencode({KEY_PARAM: key})}"


def url_key(embed: discord.Embed) -> str | None:
    """The idempotency key an embed's url carries, if any."""
    found = parse_qs(urlsplit(embed.url or "").query).get(KEY_PARAM)
    return found[0] if found else None


def footer_key(embed: discord.Embed) -> str | None:
    """The key as messages posted before it moved to the url carried it: the footer's last piece."""
    text = embed.footer.text
    return text.rsplit(FOOTER_SEPARATOR, 1)[-1] if text else None


def _embeds(reply: Reply, body: str) -> list[discord.Embed]:
    descriptions: list[str | None] = list(split_text(body, DESCRIPTION_LIMIT)) or [None]
    embeds = [discord.Embed(colour=COLOUR, description=d) for d in descriptions]
    first, last = embeds[0], embeds[-1]
    if reply.title:
        first.title = clip(mk.plain_text(reply.title), TITLE_LIMIT)
    fields = reply.fields[:FIELDS_LIMIT]
    if fields:
        names = [clip(mk.plain_text(f.name), FIELD_NAME_LIMIT) or EMPTY for f in fields]
        values = [markdown(f.value) or EMPTY for f in fields]
        room = EMBED_TOTAL_LIMIT - FOOTER_ROOM - len(last) - sum(len(n) for n in names)
        holder = last
        if sum(min(len(v), FIELD_VALUE_LIMIT) for v in values) > room:  # fields get an embed of their own
            holder = discord.Embed(colour=COLOUR)
            embeds.append(holder)
            room = EMBED_TOTAL_LIMIT - FOOTER_ROOM - sum(len(n) for n in names)
        cap = max(16, min(FIELD_VALUE_LIMIT, room // len(values)))
        for name, value, spec in zip(names, values, fields, strict=True):
            holder.add_field(name=name, value=clip(value, cap), inline=spec.inline)
    return embeds


def _pack(embeds: list[discord.Embed], limit: int) -> list[Part]:
    """Embeds into messages: at most ten a message and `limit` characters in all."""
    parts: list[Part] = []
    size = 0
    for embed in embeds:
        if not parts or len(parts[-1].embeds) >= EMBEDS_PER_MESSAGE or size + len(embed) > limit:
            parts.append(Part())
            size = 0
        parts[-1].embeds.append(embed)
        size += len(embed)
    return parts


def render_reply(reply: Reply, *, key: str | None = None, link: str | None = None) -> list[Part]:
    """A Reply as Discord messages. An embed when it has a title, fields or footer (or must carry a
    link: `link`, with `key` in its query); otherwise plain content. Long text is split across
    messages, each of which carries the link on its first embed (one embed a message: Discord merges
    embeds sharing a url); selects, buttons and files go on the last (buttons beyond five rows on a
    message of their own)."""
    if key and not link:
        raise ValueError("an idempotency key rides in an embed's url: pass the link it extends")
    body = markdown(reply.text)
    if reply.title or reply.fields or reply.footer or link:
        room = EMBED_TOTAL_LIMIT - len(footer_text(reply.footer) or "")
        parts = _pack(_embeds(reply, body), room)
        footer = footer_text(reply.footer)
        if footer:
            parts[-1].embeds[-1].set_footer(text=footer)
        if link:
            for part in parts:
                part.embeds[0].url = keyed_url(link, key)
    else:
        parts = [Part(content=chunk) for chunk in split_text(body, CONTENT_LIMIT)] or [Part(content=EMPTY)]
    views = action_views(reply) if reply.choices or reply.selects else []
    if views:
        parts[-1].view = views[0]
        parts += [Part(content=MORE_OPTIONS, view=view) for view in views[1:]]
    parts[-1 if len(views) <= 1 else -len(views)].files = reply.files
    return parts


def render_edit(reply: Reply, *, key: str | None = None, link: str | None = None) -> Part:
    """A Reply as one message, for an edit (which cannot add messages): its first text part, with
    the first view of components and the files."""
    parts = render_reply(reply, key=key, link=link)
    first = parts[0]
    views = [p.view for p in parts if p.view is not None]
    first.view = views[0] if views else None
    first.files = reply.files
    return first
