"""What the core says: replies with choices, forms, and the Response that wraps them.

Platform limits are enforced here once, so every adapter can render a Reply as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.ids import ChannelRef, MemberRef

MAX_CHOICES = 25
CHOICES_PER_ROW = 5
MAX_LABEL = 75
MAX_FIELDS = 10


class Style(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


class Visibility(StrEnum):
    PUBLIC = "public"
    ONLY_YOU = "only_you"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. `action` is an encoded action id (see bot.actions)."""

    label: str
    action: str
    style: Style = Style.SECONDARY

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", clip(self.label, MAX_LABEL))


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Reply:
    """A message in neutral markup (see bot.markup). Choices are laid out in rows of five."""

    text: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    choices: tuple[Choice, ...] = ()
    footer: str | None = None
    #: a stable key that lets a ChatPort recognise this message again after a crash (outbox)
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        if len(self.choices) > MAX_CHOICES:
            extra = self.choices[MAX_CHOICES - 1 :]
            listing = "\n".join(f"- {c.label}" for c in extra)
            object.__setattr__(self, "choices", self.choices[: MAX_CHOICES - 1])
            object.__setattr__(self, "text", self.text + "\n\nMore options (use the command form):\n" + listing)
        object.__setattr__(self, "fields", self.fields[:MAX_FIELDS])

    def rows(self) -> list[tuple[Choice, ...]]:
        return [self.choices[i : i + CHOICES_PER_ROW] for i in range(0, len(self.choices), CHOICES_PER_ROW)]


class InputKind(StrEnum):
    SHORT = "short"
    LONG = "long"


@dataclass(frozen=True, slots=True)
class FormField:
    id: str
    label: str
    kind: InputKind = InputKind.SHORT
    required: bool = True
    max_length: int = 4000
    placeholder: str | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A modal. `form_id` is an encoded action id; `intro` is read-only text shown above the inputs."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    intro: str | None = None
    submit_label: str = "Submit"


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """A follow-up the core asks the adapter to post somewhere other than where the event came from."""

    destination: ChannelRef
    reply: Reply


@dataclass(frozen=True, slots=True)
class DirectMessage:
    member: MemberRef
    reply: Reply


FollowUp = ChannelPost | DirectMessage


@dataclass(frozen=True, slots=True)
class Response:
    """What a handler returns. The adapter decides how to deliver it (ack, defer, modal, ephemeral).

    Exactly one of `reply` and `form` is normally set; `form_errors` answers a form submission whose
    values were refused (shown inside the modal where the platform can, else as a reply).
    """

    reply: Reply | None = None
    visibility: Visibility = Visibility.ONLY_YOU
    replace_original: bool = False
    form: Form | None = None
    form_errors: dict[str, str] = field(default_factory=dict)
    follow_ups: tuple[FollowUp, ...] = ()

    @staticmethod
    def private(text: str) -> Response:
        return Response(reply=Reply(text=text))

    @staticmethod
    def public(reply: Reply) -> Response:
        return Response(reply=reply, visibility=Visibility.PUBLIC)
