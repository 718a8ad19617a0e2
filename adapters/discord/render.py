"""The core's Reply, rendered for Discord: markdown, embeds, limits, and the split of long text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.components import action_view
from adapters.discord.text import markdown, split_text
from bot import markup as mk
from bot.messages import Reply, clip

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
#: what an embed keeps free for its footer (the idempotency key) when fields are sized to fit
FOOTER_ROOM = 200

@dataclass
class Part:
    """One Discord message: content and/or embeds, and the buttons on the last part of a reply."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def send_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"content": self.content, "embeds": self.embeds}
        if self.view is not None:
            kw["view"] = self.view
        return kw

    def edit_kwargs(self) -> dict[str, Any]:
        """Replaces everything on the message: what this part lacks is cleared."""
        return {"content": self.content, "embeds": self.embeds, "view": self.view}

    def text(self) -> str:
        """Everything a reader sees, as one string (for logs and tests)."""
        pieces = [self.content or ""]
        for e in self.embeds:
            pieces += [e.title or "", e.description or ""]
            pieces += [f"{f.name}: {f.value}" for f in e.fields]
            pieces.append(e.footer.text or "")
        return "\n".join(p for p in pieces if p)


def footer_text(footer: str | None, key: str | None) -> str | None:
    pieces = [mk.plain_text(footer) if footer else None, key]
    text = FOOTER_SEPARATOR.join(p for p in pieces if p)
    return clip(text, FOOTER_LIMIT) if text else None


def footer_key(embed: discord.Embed) -> str | None:
    """The idempotency key an embed's footer carries (the last piece), if any."""
    text = embed.footer.text
    return text.rsplit(FOOTER_SEPARATOR, 1)[-1] if text else None


def _embeds(reply: Reply, body: str, key: str | None, link: str | None) -> list[discord.Embed]:
    descriptions: list[str | None] = list(split_text(body, DESCRIPTION_LIMIT)) or [None]
    embeds = [discord.Embed(colour=COLOUR, description=d) for d in descriptions]
    first, last = embeds[0], embeds[-1]
    if reply.title:
        first.title = clip(mk.plain_text(reply.title), TITLE_LIMIT)
    if link:
        first.url = link
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


def render_reply(reply: Reply, *, key: str | None = None, link: str | None = None,
                 force_embed: bool = False) -> list[Part]:
    """A Reply as Discord messages. An embed when it has a title, fields or footer (or must carry a key
    or a link); otherwise plain content. Long text is split across messages; buttons go on the last."""
    body = markdown(reply.text)
    if reply.title or reply.fields or reply.footer or key or link or force_embed:
        room = EMBED_TOTAL_LIMIT - len(footer_text(reply.footer, key) or "")
        parts = _pack(_embeds(reply, body, key, link), room)
        for index, part in enumerate(parts):  # every message of a split reply carries the key
            footer = footer_text(reply.footer if index == len(parts) - 1 else None, key)
            if footer:
                part.embeds[-1].set_footer(text=footer)
    else:
        parts = [Part(content=chunk) for chunk in split_text(body, CONTENT_LIMIT)] or [Part(content=EMPTY)]
    if reply.choices:
        parts[-1].view = action_view(reply)
    return parts
