"""The action-id codec: `feature:verb:arg...`, ASCII, at most 100 characters (Discord's custom_id limit).

State never rides in the id beyond row ids: everything else is read from the database, so a button
keeps working after a restart and a forged id can only name rows the handler then checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 100
_PART = r"[A-Za-z0-9_.\-]+"
_PATTERN = re.compile(rf"^(?P<feature>[a-z]+):(?P<verb>[a-z\-]+)((?::{_PART})*)$")
#: what adapters route to the core (a button's custom_id, a modal's callback_id); the codec checks the rest
ACTION_ID = re.compile(rf"[a-z]+:[a-z\-]+(?::{_PART})*")


class ActionError(ValueError):
    """An id that is not ours, malformed, or too long."""


@dataclass(frozen=True, slots=True)
class Action:
    feature: str
    verb: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        return encode(self.feature, self.verb, *self.args)

    def int_arg(self, index: int) -> int:
        try:
            return int(self.args[index])
        except (IndexError, ValueError) as exc:
            raise ActionError(f"argument {index} of {self.feature}:{self.verb} is not a number") from exc


def encode(feature: str, verb: str, *args: str | int) -> str:
    text = ":".join([feature, verb, *(str(a) for a in args)])
    if len(text) > MAX_LENGTH or not text.isascii() or not _PATTERN.match(text):
        raise ActionError(f"cannot encode action {text!r}")
    return text


def decode(text: str) -> Action:
    if len(text) > MAX_LENGTH or not text.isascii():
        raise ActionError("action id too long or not ASCII")
    m = _PATTERN.match(text)
    if not m:
        raise ActionError(f"malformed action id {text!r}")
    rest = m.group(3)
    args = tuple(rest[1:].split(":")) if rest else ()
    return Action(m.group("feature"), m.group("verb"), args)
