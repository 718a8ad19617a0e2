"""The command catalogue, defined once. Discord registers app commands from it, Slack a manifest, and
the console and Slack parse typed text against it with `parse_text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.events import OptionValue


class OptionType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    MEMBER = "member"
    ATTACHMENT = "attachment"  # a file; where a platform has no file options, adapters leave it out


@dataclass(frozen=True, slots=True)
class OptionSpec:
    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    #: filled only when named (`answer: ...` or `answer ...`), never by position, so free text after a
    #: command is not taken for it (`/daily alice` must not save "alice" as an answer)
    named_only: bool = False
    #: an optional word with choices that typed text may leave out: filled by position only when the word
    #: there is one of its choices, else the word goes to the next option (`/studybot points add @bo 5` and
    #: `/studybot points @bo 5` both parse)
    only_if_choice: bool = False


@dataclass(frozen=True, slots=True)
class SubcommandSpec:
    name: str
    description: str
    options: tuple[OptionSpec, ...] = ()
    admin_only: bool = False


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str
    options: tuple[OptionSpec, ...] = ()
    subcommands: tuple[SubcommandSpec, ...] = ()
    admin_only: bool = False
    #: its answer is normally for the whole channel (a leaderboard): a slow one is deferred publicly
    public: bool = False
    #: where text is parsed (Slack, the console), the subcommand that text not starting with a subcommand
    #: name goes to: `/quiz deep-learning` is `/quiz solo deep-learning` (Discord always names one)
    default_subcommand: str | None = None

    def subcommand(self, name: str) -> SubcommandSpec | None:
        return next((s for s in self.subcommands if s.name == name), None)

    def options_of(self, subcommand: str | None) -> tuple[OptionSpec, ...]:
        """The options of a subcommand (or of the command itself when it has none)."""
        sub = self.subcommand(subcommand) if subcommand else None
        return sub.options if sub else self.options

    def usage(self, sub: SubcommandSpec | None = None) -> str:
        def opts(options: tuple[OptionSpec, ...]) -> str:
            return " ".join(f"<{o.name}>" if o.required else f"[{o.name}]" for o in options)

        if sub is not None:
            return f"/{self.name} {sub.name} {opts(sub.options)}".rstrip()
        if self.subcommands:
            return "\n".join(f"/{self.name} {s.name} {opts(s.options)}".rstrip() for s in self.subcommands)
        return f"/{self.name} {opts(self.options)}".rstrip()


ANSWER_LIMIT = 3000  # the daily answer's limit: what every platform's form can hold (Slack: 3,000)


def default_catalogue() -> tuple[CommandSpec, ...]:
    """The commands of the features the composition root builds by default (bot.catalogue.FEATURES), for
    what runs without a core: `studybot discord sync`, the Slack manifest, tests. A running core's own
    catalogue is `Core.catalogue` (it includes features added to that core)."""
    from bot.catalogue import default_catalogue as built

    return tuple(built())


def find(name: str) -> CommandSpec | None:
    """A command of the default catalogue (see `default_catalogue`)."""
    return next((c for c in default_catalogue() if c.name == name), None)


class UsageError(ValueError):
    """Text that does not fit the command; the message is a friendly usage line."""


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str
    subcommand: str | None
    options: dict[str, OptionValue] = field(default_factory=dict)


MemberResolver = Callable[[str], str | None]
_KEYED = re.compile(r"^(?P<key>[a-z][a-z0-9_-]*)[:=](?P<value>.*)$", re.S)


def _convert(spec: OptionSpec, raw: str, resolve_member: MemberResolver) -> OptionValue:
    if spec.type is OptionType.INTEGER:
        try:
            value = int(raw)
        except ValueError as exc:
            raise UsageError(f"'{spec.name}' must be a whole number, got '{raw}'") from exc
        if spec.min_value is not None and value < spec.min_value:
            raise UsageError(f"'{spec.name}' must be at least {spec.min_value}")
        if spec.max_value is not None and value > spec.max_value:
            raise UsageError(f"'{spec.name}' must be at most {spec.max_value}")
        return value
    if spec.type is OptionType.BOOLEAN:
        low = raw.casefold()
        if low in ("yes", "true", "on", "1"):
            return True
        if low in ("no", "false", "off", "0"):
            return False
        raise UsageError(f"'{spec.name}' must be yes or no")
    if spec.type is OptionType.MEMBER:
        member_id = resolve_member(raw)
        if member_id is None:
            raise UsageError(f"'{raw}' is not a member I can find; mention them")
        return member_id
    if spec.choices and raw not in spec.choices:
        raise UsageError(f"'{spec.name}' must be one of: {', '.join(spec.choices)}")
    if spec.max_length is not None and len(raw) > spec.max_length:
        raise UsageError(f"'{spec.name}' is too long ({len(raw)} characters, at most {spec.max_length})")
    return raw


def _take_word(text: str) -> tuple[str, str]:
    """The first word (or quoted phrase) of text, and what follows it."""
    if text[:1] in ("'", '"'):
        close = text.find(text[0], 1)
        if close > 0:
            return text[1:close], text[close + 1 :].strip()
    word, _, after = text.partition(" ")
    return word, after.strip()


def _last_positional(pending: list[OptionSpec]) -> OptionSpec | None:
    return next((o for o in reversed(pending) if o.type is not OptionType.ATTACHMENT), None)


def parse_text(
    command: CommandSpec, text: str, resolve_member: MemberResolver = lambda raw: None
) -> ParsedCommand:
    """Parse `[subcommand] [values...] [key:value...]` against a command's spec.

    Values fill options in order; the last string option takes the rest of the line verbatim, so
    `/daily answer It depends on the bias-variance trade-off` works without quotes.
    """
    text = text.strip()
    sub: SubcommandSpec | None = None
    options_spec = command.options
    if command.subcommands:
        head, _, after = text.partition(" ")
        if not head and command.default_subcommand is None:
            head = "help" if command.subcommand("help") else ""
        sub = command.subcommand(head.casefold())
        if sub is None and command.default_subcommand is not None:
            sub, after = command.subcommand(command.default_subcommand), text
        if sub is None:
            raise UsageError(f"Unknown subcommand '{head}'. Try:\n{command.usage()}")
        options_spec = sub.options
        text = after.strip()
    values: dict[str, OptionValue] = {}
    pending = list(options_spec)
    rest = text
    while rest and pending:
        word, _, after = rest.partition(" ")
        after = after.strip()
        by_name = {o.name: o for o in pending}
        keyed = _KEYED.match(word)
        if keyed and keyed.group("key") in by_name:  # key:value names the option
            spec = by_name[keyed.group("key")]
            rest = (keyed.group("value") + " " + after).strip()
        elif word.casefold() in by_name:  # `answer <text>` names it too; a bare `answer` gives no value
            spec = by_name[word.casefold()]
            rest = after
        else:  # by position; a file is never filled by position (only `file:...`)
            positional = [o for o in pending if o.type is not OptionType.ATTACHMENT and not o.named_only
                          and not (o.only_if_choice and word.casefold() not in o.choices)]
            if not positional:
                named = [o.name for o in pending if o.named_only]
                if named:
                    raise UsageError(f"Name the option: `/{command.name} {named[0]} <text>`. "
                                     f"Usage:\n{command.usage(sub)}")
                break
            spec = positional[0]
        if spec is _last_positional(pending) and spec.type is OptionType.STRING:
            raw_value, rest = rest, ""
            if len(raw_value) >= 2 and raw_value[0] == raw_value[-1] and raw_value[0] in "'\"":
                raw_value = raw_value[1:-1]
        else:
            raw_value, rest = _take_word(rest)
        pending.remove(spec)
        if raw_value:
            values[spec.name] = _convert(spec, raw_value, resolve_member)
    if rest:
        raise UsageError(f"Too many values. Usage:\n{command.usage(sub)}")
    missing = [o.name for o in options_spec if o.required and o.name not in values]
    if missing:
        raise UsageError(f"Missing {', '.join(missing)}. Usage:\n{command.usage(sub)}")
    return ParsedCommand(command.name, sub.name if sub else None, values)


def _option_problem(spec: OptionSpec, value: OptionValue) -> str | None:
    if spec.type is OptionType.INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"'{spec.name}' must be a whole number"
        if spec.min_value is not None and value < spec.min_value:
            return f"'{spec.name}' must be at least {spec.min_value}"
        if spec.max_value is not None and value > spec.max_value:
            return f"'{spec.name}' must be at most {spec.max_value}"
        return None
    if spec.type is OptionType.BOOLEAN:
        return None if isinstance(value, bool) else f"'{spec.name}' must be yes or no"
    if spec.type is OptionType.ATTACHMENT:
        return None  # a file, or text naming one, which the feature explains (files cannot be typed)
    if not isinstance(value, str):
        return f"'{spec.name}' must be text"
    if spec.choices and value not in spec.choices:
        return f"'{spec.name}' must be one of: {', '.join(spec.choices)}"
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"'{spec.name}' is too long ({len(value):,} characters, at most {spec.max_length:,})"
    return None


def option_problems(command: CommandSpec, subcommand: str | None, options: dict[str, OptionValue]) -> list[str]:
    """Everything wrong with a command's options against its spec, checked in the core.

    Platforms check some of this in their clients, but a request can come from anywhere (an old client,
    a hand-made HTTP call), so the core never trusts that it was done.
    """
    if command.subcommands and subcommand is not None and command.subcommand(subcommand) is None:
        return [f"unknown subcommand '{subcommand}'"]
    specs = {o.name: o for o in command.options_of(subcommand)}
    problems = [f"unknown option '{key}'" for key in options if key not in specs]
    problems += [p for key, value in options.items() if key in specs and value is not None
                 and (p := _option_problem(specs[key], value)) is not None]
    return problems
