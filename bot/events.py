"""Inbound events: the three things a member can do. Adapters translate platform payloads into these."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a member attached to a command. The adapter supplies `fetch`, which downloads it."""

    filename: str
    size: int
    fetch: Callable[[], Awaitable[bytes]] = field(compare=False, repr=False)

    async def read(self) -> bytes:
        return await self.fetch()

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.filename).suffix.casefold()


OptionValue = str | int | bool | Attachment


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted. `is_admin` is the platform's own admin right, decided by the adapter."""

    member: MemberRef
    display_name: str
    is_admin: bool = False
    #: the platform told us the member's zone (Slack does); None when unknown
    timezone: str | None = None

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, slots=True)
class CommandInvoked:
    actor: Actor
    channel: ChannelRef
    name: str
    options: dict[str, OptionValue] = field(default_factory=dict)
    subcommand: str | None = None
    #: the adapter can open a form in answer to this event (Discord, Slack, console: yes)
    can_open_form: bool = True
    #: when the platform says it happened (Discord snowflake time, Slack trigger/action ts), for fair ordering
    occurred_at: datetime | None = None
    #: the command came from a direct message with the bot (a DM or group DM), not from a channel
    in_dm: bool = False


@dataclass(frozen=True, slots=True)
class ChoiceSelected:
    actor: Actor
    channel: ChannelRef
    action: str
    message: MessageRef | None = None
    can_open_form: bool = True
    #: what was picked, for a select (empty for a button)
    values: tuple[str, ...] = ()
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FormSubmitted:
    actor: Actor
    channel: ChannelRef
    form_id: str
    values: dict[str, str] = field(default_factory=dict)
    #: picks of select fields, by field id (a single select gives one value); text fields are in `values`
    selections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HomeOpened:
    """The member opened their own page (Slack's App Home); the answer is the page, as a Reply."""

    actor: Actor
    occurred_at: datetime | None = None


Event = CommandInvoked | ChoiceSelected | FormSubmitted | HomeOpened
