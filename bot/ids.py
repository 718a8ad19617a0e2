"""Typed, platform-qualified identities. Ids are opaque strings; storage keys derive from them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    DISCORD = "discord"
    SLACK = "slack"
    CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class CommunityRef:
    """A Discord guild, a Slack team, or the console's one community."""

    platform: Platform
    id: str

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.id}"

    @classmethod
    def from_key(cls, key: str) -> CommunityRef:
        platform, _, ident = key.partition(":")
        return cls(Platform(platform), ident)


@dataclass(frozen=True, slots=True)
class ChannelRef:
    community: CommunityRef
    id: str
    thread_id: str | None = None

    @property
    def key(self) -> str:
        return self.id if self.thread_id is None else f"{self.id}/{self.thread_id}"

    def in_thread(self, thread_id: str) -> ChannelRef:
        return ChannelRef(self.community, self.id, thread_id)

    def without_thread(self) -> ChannelRef:
        return ChannelRef(self.community, self.id)

    @classmethod
    def from_key(cls, community: CommunityRef, key: str) -> ChannelRef:
        channel, _, thread = key.partition("/")
        return cls(community, channel, thread or None)


@dataclass(frozen=True, slots=True)
class MemberRef:
    community: CommunityRef
    id: str


@dataclass(frozen=True, slots=True)
class MessageRef:
    channel: ChannelRef
    id: str

    @property
    def key(self) -> str:
        return f"{self.channel.key}#{self.id}"

    @classmethod
    def from_key(cls, community: CommunityRef, key: str) -> MessageRef:
        channel, _, ident = key.rpartition("#")
        return cls(ChannelRef.from_key(community, channel), ident)
