"""A Reply as JSON and back, for what must wait in the database to be shown later (a private message a
member could not receive by DM). Files are not kept: what waits is text and choices."""

from __future__ import annotations

import json
from typing import Any

from bot.messages import Choice, Field, Reply, Select, SelectOption, Style


def reply_to_json(reply: Reply) -> str:
    return json.dumps({
        "text": reply.text, "title": reply.title, "footer": reply.footer,
        "fields": [[f.name, f.value, f.inline] for f in reply.fields],
        "choices": [[c.label, c.action, c.style.value] for c in reply.choices],
        "selects": [{"action": s.action, "placeholder": s.placeholder, "min": s.min_values, "max": s.max_values,
                     "options": [[o.label, o.value, o.description] for o in s.options]} for s in reply.selects],
    }, ensure_ascii=False)


def reply_from_json(text: str) -> Reply:
    data: dict[str, Any] = json.loads(text)
    return Reply(
        text=str(data["text"]), title=data.get("title"), footer=data.get("footer"),
        fields=tuple(Field(str(n), str(v), bool(i)) for n, v, i in data.get("fields", [])),
        choices=tuple(Choice(str(label), str(action), Style(style)) for label, action, style in data.get("choices", [])),
        selects=tuple(Select(str(s["action"]), tuple(SelectOption(str(lb), str(v), d) for lb, v, d in s["options"]),
                             str(s["placeholder"]), int(s["min"]), int(s["max"])) for s in data.get("selects", [])),
    )
