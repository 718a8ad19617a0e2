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
MAX_OPTIONS = 25
MAX_OPTION_LABEL = 75
MAX_OPTION_VALUE = 100
MAX_PLACEHOLDER = 100
MAX_SELECTS = 4  # a message holds 5 rows; buttons take at least one
MAX_FILES = 10
MAX_FILE_BYTES = 8 * 1024 * 1024  # Discord's smallest upload limit; Slack allows more


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
class SelectOption:
    """One entry of a select. `value` is what comes back (ASCII, at most 100 characters)."""

    label: str
    value: str
    description: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", clip(self.label, MAX_OPTION_LABEL))
        if self.description is not None:
            object.__setattr__(self, "description", clip(self.description, MAX_OPTION_LABEL))
        if not 1 <= len(self.value) <= MAX_OPTION_VALUE:
            raise ValueError(f"a select value must be 1-{MAX_OPTION_VALUE} characters: {self.value!r}")


@dataclass(frozen=True, slots=True)
class Select:
    """A dropdown in a message: picking sends ChoiceSelected with `action` and the picked `values`.

    `max_values` > 1 makes it a multi-select. At most 25 options (both platforms' limit)."""

    action: str
    options: tuple[SelectOption, ...]
    placeholder: str = "Choose…"
    min_values: int = 1
    max_values: int = 1

    def __post_init__(self) -> None:
        if not 1 <= len(self.options) <= MAX_OPTIONS:
            raise ValueError(f"a select has 1-{MAX_OPTIONS} options, not {len(self.options)}")
        if not 0 <= self.min_values <= self.max_values <= len(self.options):
            raise ValueError("need 0 <= min_values <= max_values <= number of options")
        object.__setattr__(self, "placeholder", clip(self.placeholder, MAX_PLACEHOLDER))


@dataclass(frozen=True, slots=True)
class FileOut:
    """A file the core sends with a reply: a PNG chart, a CSV/JSON export, an .ics invite."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or "\\" in self.name or self.name.startswith("."):
            raise ValueError(f"a file name is a plain name, not a path: {self.name!r}")
        if len(self.data) > MAX_FILE_BYTES:
            raise ValueError(f"{self.name} is {len(self.data):,} bytes; the limit is {MAX_FILE_BYTES:,}")


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
    #: a stable key that lets a ChatPort recognise this message again after a crash (outbox); adapters carry
    #: it where members do not read it
    idempotency_key: str | None = None
    selects: tuple[Select, ...] = ()
    files: tuple[FileOut, ...] = ()

    def __post_init__(self) -> None:
        if len(self.selects) > MAX_SELECTS:
            raise ValueError(f"a reply holds at most {MAX_SELECTS} selects")
        if len(self.files) > MAX_FILES:
            raise ValueError(f"a reply holds at most {MAX_FILES} files")
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
    SELECT = "select"  # one of `options`
    MULTI_SELECT = "multi_select"  # up to `max_values` of `options`


@dataclass(frozen=True, slots=True)
class FormField:
    id: str
    label: str
    kind: InputKind = InputKind.SHORT
    required: bool = True
    max_length: int = 4000
    placeholder: str | None = None
    default: str | None = None
    #: for SELECT and MULTI_SELECT: the options, and which are picked to begin with
    options: tuple[SelectOption, ...] = ()
    defaults: tuple[str, ...] = ()
    max_values: int = 1

    def __post_init__(self) -> None:
        if self.kind in (InputKind.SELECT, InputKind.MULTI_SELECT):
            if not 1 <= len(self.options) <= MAX_OPTIONS:
                raise ValueError(f"field {self.id}: a select has 1-{MAX_OPTIONS} options")
            known = {o.value for o in self.options}
            if not set(self.defaults) <= known:
                raise ValueError(f"field {self.id}: defaults must be among the options")
            if self.kind is InputKind.SELECT:
                object.__setattr__(self, "max_values", 1)
            elif self.max_values < 1:
                object.__setattr__(self, "max_values", len(self.options))

    @property
    def is_select(self) -> bool:
        return self.kind in (InputKind.SELECT, InputKind.MULTI_SELECT)


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
    #: the member's own view (Slack's App Home) shows state this changed: adapters with one refresh it
    refresh_home: bool = False
    #: remember how to edit this only-you reply later under this key (ChatPort.edit_private), while the
    #: platform allows it (Discord: the interaction's 15 minutes; Slack: its response_url, 30 minutes and
    #: 5 uses). Scoped to the community; a later reply under the same key takes the key over. Ignored on
    #: a public reply, and where the platform cannot edit this reply (edit_private then answers False).
    private_key: str | None = None

    @staticmethod
    def private(text: str) -> Response:
        return Response(reply=Reply(text=text))

    @staticmethod
    def public(reply: Reply) -> Response:
        return Response(reply=reply, visibility=Visibility.PUBLIC)
