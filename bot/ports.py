"""The ports the core depends on. Adapters and infrastructure implement them; tests use fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Reply


class DeliveryProblem(StrEnum):
    MISSING_PERMISSION = "missing_permission"  # Discord 50013, Slack not_in_channel
    CHANNEL_GONE = "channel_gone"  # deleted channel, channel_not_found
    MEMBER_GONE = "member_gone"  # left the server/workspace
    DM_CLOSED = "dm_closed"  # the member does not accept DMs from the bot
    RATE_LIMITED = "rate_limited"
    AUTH = "auth"  # invalid or revoked token
    UNAVAILABLE = "unavailable"  # network or platform trouble: try again later
    NOT_PRIVATE = "not_private"  # the platform cannot show this to one member only here (no ephemeral)


class DeliveryError(Exception):
    """A ChatPort could not deliver. `retryable` says whether trying later may succeed unaided."""

    def __init__(self, problem: DeliveryProblem, detail: str = "", retry_after: float | None = None) -> None:
        self.problem = problem
        self.detail = detail
        #: seconds the platform asked us to wait (a 429's Retry-After), when it said
        self.retry_after = retry_after
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)

    @property
    def retryable(self) -> bool:
        return self.problem in (DeliveryProblem.RATE_LIMITED, DeliveryProblem.UNAVAILABLE)

    @property
    def needs_admin(self) -> bool:
        return self.problem in (DeliveryProblem.MISSING_PERMISSION, DeliveryProblem.CHANNEL_GONE,
                                DeliveryProblem.AUTH)


class ChatPort(Protocol):
    """What the core sends on its own: scheduled posts, reveals, DMs."""

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef: ...

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef: ...

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        """Something only this member can read, shown in a channel (Slack ephemeral, the console's only-you).

        Privacy contract: where the platform cannot show a message to one member only, raise
        DeliveryError(NOT_PRIVATE); never post it where others can read it.
        """
        ...

    async def edit(self, message: MessageRef, reply: Reply) -> None: ...

    async def delete(self, message: MessageRef) -> None:
        """Remove a message the bot posted; one that is already gone counts as deleted."""
        ...

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """Edit the only-you reply delivered with `Response.private_key == key` in this community.

        True when it was edited. False when the platform no longer allows it (the interaction or
        response_url expired or was used up, the key is unknown, the process restarted since) or refuses
        it for good: nothing was changed, and the caller may fall back (a DM; never a public post).
        Trouble that may pass (a rate limit, the network) raises a retryable DeliveryError; the edit may
        then be tried again.
        """
        ...

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        """A place only these members and the bot can read: a private thread in `channel` with the members
        added (Discord), a multi-person DM (Slack), a labelled section (console). Raises DeliveryError."""
        ...

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        """The private space `open_private_space(channel, members, name)` opened before, if the platform can
        find it (Discord: a private thread of exactly that name in the channel, with the members added again),
        so a retry after a crash does not open a second one; None when there is none, or where opening again
        is harmless (Slack: conversations.open with the same members returns the same group DM)."""
        ...

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        """A thread on a message; platforms without threads return the message's channel."""
        ...

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        """A message carrying this key posted here since `since`, if any (outbox reconciliation)."""
        ...

    async def member_exists(self, member: MemberRef) -> bool | None:
        """Whether this member is in the community now; None when the platform cannot tell just now."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


JobCallback = Callable[[], Awaitable[None]]


class Scheduler(Protocol):
    """Wakes the core at a time. The database stays the truth: a lost job is found again by a sweep."""

    def schedule(self, job_id: str, run_at: datetime, callback: JobCallback) -> None: ...

    def cancel(self, job_id: str) -> None: ...
