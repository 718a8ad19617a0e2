"""Sends what the core posts on its own, exactly once, through the outbox.

Every message has a key. The first process to claim the key sends; a claim left by a crash is
reconciled by asking the platform whether the message is already there. A failure keeps the row
pending for a later try, and a problem only an admin can fix is told to them once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot import markup as mk
from bot.actions import encode
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Choice, Reply, Style
from bot.messages_json import reply_to_json
from bot.ports import ChatPort, Clock, DeliveryError, DeliveryProblem
from bot.store.communities import CommunityRepo
from bot.store.drops import DropRepo
from bot.store.outbox import ClaimState, OutboxRepo

log = logging.getLogger(__name__)
DIRECT_AT_ONCE = 8  # DMs in flight at once in `direct_each` (discord.py and slack-sdk wait out rate limits)
INBOX = "inbox"  # the feature whose button shows a waiting private message (bot.features.inbox)
#: waits after the 1st, 2nd, 3rd ... failed try; the last one repeats. A 429's own Retry-After wins.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=3), timedelta(hours=6))


def backoff(attempts: int, exc: DeliveryError) -> timedelta:
    """How long to wait before the next try of a row that has failed `attempts` times."""
    if exc.problem is DeliveryProblem.RATE_LIMITED and exc.retry_after is not None:
        return timedelta(seconds=max(1.0, exc.retry_after))
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


class PostState(StrEnum):
    SENT = "sent"  # sent now, or found sent before
    BUSY = "busy"  # another live claim holds it (another process is sending or checking it)
    WAITING = "waiting"  # it failed before and waits for its retry time
    FAILED = "failed"  # it failed just now; `error` says why
    ABANDONED = "abandoned"  # it can never go out


@dataclass(frozen=True, slots=True)
class Posted:
    """What became of a message the core asked to post."""

    state: PostState
    ref: MessageRef | None = None
    error: DeliveryError | None = None

ADMIN_ADVICE = {
    DeliveryProblem.MISSING_PERMISSION: "I lack permission to post in that channel. Invite me to it (Slack) "
                                        "or give me Send Messages and Create Threads there (Discord).",
    DeliveryProblem.CHANNEL_GONE: "The daily channel no longer exists. Run /studybot setup in the channel "
                                  "you want to use.",
    DeliveryProblem.AUTH: "My token was refused. Reinstall the app or update the token.",
}


def advice(problem: DeliveryProblem) -> str:
    """What an admin is told about a delivery problem."""
    return ADMIN_ADVICE.get(problem) or {
        DeliveryProblem.RATE_LIMITED: "the platform is rate-limiting me.",
        DeliveryProblem.UNAVAILABLE: "the platform did not answer (a network or service problem).",
    }.get(problem, f"{problem.value}.")


class Delivery:
    def __init__(self, chat: ChatPort, outbox: OutboxRepo, communities: CommunityRepo, clock: Clock,
                 owner: str, drops: DropRepo | None = None) -> None:
        self._drops = drops
        self._down: set[str] = set()  # platforms whose last failure was "unavailable"
        #: set by the composition root: run a community's due work again now (its messages were released)
        self.on_recovered: Callable[[str], Awaitable[None]] | None = None
        self._chat = chat
        self._outbox = outbox
        self._communities = communities
        self._clock = clock
        self._owner = owner  # names this process on every claim it takes

    async def post(self, key: str, destination: ChannelRef, reply: Reply) -> MessageRef | None:
        """The message under this key, sent now or found sent before; None if not (yet) possible."""
        return (await self.post_outcome(key, destination, reply)).ref

    async def post_outcome(self, key: str, destination: ChannelRef, reply: Reply, force: bool = False) -> Posted:
        """Post under this key, at most once; `force` skips a retry wait (an admin asked to try now)."""
        community = destination.community
        now = self._clock.now()
        claim = await self._outbox.claim(key, community.key, destination.key, now, self._owner, force)
        if claim.state is ClaimState.SENT and claim.message:
            return Posted(PostState.SENT, MessageRef.from_key(community, claim.message))
        if claim.state is ClaimState.ABANDONED:
            return Posted(PostState.ABANDONED)
        if claim.state is ClaimState.BUSY:
            return Posted(PostState.BUSY if await self._outbox.is_claimed(key) else PostState.WAITING)
        if claim.state is ClaimState.RECLAIMED:
            since = (claim.created_at or now) - timedelta(minutes=5)
            try:
                found = await self._chat.find_posted(destination, key, since)
            except DeliveryError as exc:
                await self._failed(key, community, exc)
                return Posted(PostState.FAILED, error=exc)
            if found is not None:
                log.info("outbox %s: found already posted as %s", key, found.key)
                await self._outbox.mark_sent(key, found.key, self._clock.now())
                return Posted(PostState.SENT, found)
        try:
            ref = await self._chat.send(destination, replace(reply, idempotency_key=key))
        except DeliveryError as exc:
            await self._failed(key, community, exc)
            return Posted(PostState.FAILED, error=exc)
        await self._outbox.mark_sent(key, ref.key, self._clock.now(), delivered_to=community.key)
        await self._recovered(community)
        return Posted(PostState.SENT, ref)

    async def _recovered(self, community: CommunityRef) -> None:
        """A send went through on a platform that was unavailable: what waited for it goes now, not at
        the end of its backoff (which may be hours after a long outage)."""
        platform = community.platform.value
        if platform not in self._down:
            return
        self._down.discard(platform)
        waiting = await self._outbox.retry_after_outage(platform, self._clock.now())
        if waiting:
            log.info("%s answers again: retrying %d communities' waiting messages now", platform, len(waiting))
        if self.on_recovered is not None:
            for key in waiting:
                await self.on_recovered(key)

    async def retry_now(self, community: CommunityRef) -> None:
        """An admin changed something: what waits for a retry of this community is due now."""
        await self._outbox.retry_waiting(community.key, self._clock.now())

    async def next_retry(self, community: CommunityRef) -> datetime | None:
        return await self._outbox.next_retry(community.key, self._clock.now())

    async def direct(self, key: str, member: MemberRef, reply: Reply, fallback: ChannelRef | None) -> bool:
        """A private message; where DMs are closed, a private notice in `fallback` instead.

        True once the message is settled: sent, noticed, or impossible (the member left), so a caller
        waiting for every DM to settle does not wait forever; False while a later try is still due.
        """
        now = self._clock.now()
        claim = await self._outbox.claim(key, member.community.key, f"dm:{member.id}", now, self._owner)
        if claim.state in (ClaimState.SENT, ClaimState.ABANDONED):
            return True
        if claim.state is ClaimState.BUSY:
            return False
        try:
            ref = await self._chat.send_direct(member, replace(reply, idempotency_key=key))
        except DeliveryError as exc:
            if exc.problem is DeliveryProblem.DM_CLOSED and fallback is not None:
                return await self._private_fallback(key, member, reply, fallback)
            if exc.problem in (DeliveryProblem.DM_CLOSED, DeliveryProblem.MEMBER_GONE):
                log.info("outbox %s: cannot reach member %s (%s); not sending", key, member.id, exc.problem)
                await self._outbox.mark_abandoned(key, str(exc))
                return True
            await self._failed(key, member.community, exc)
            return False
        await self._outbox.mark_sent(key, ref.key, self._clock.now())
        return True

    async def direct_each(self, messages: Iterable[tuple[str, MemberRef, Reply, ChannelRef | None]],
                          at_once: int = DIRECT_AT_ONCE) -> bool:
        """`direct` for many members, `at_once` in flight: a reveal's checklists for a thousand members take
        seconds, not the minutes one at a time would (each DM is a round trip to the platform), and their
        outbox writes share commits. True once every one is settled (see `direct`)."""
        pending = iter(messages)
        settled = True

        async def worker() -> None:
            nonlocal settled
            for key, member, reply, fallback in pending:  # one shared iterator: each message taken once
                settled &= await self.direct(key, member, reply, fallback)

        await asyncio.gather(*(worker() for _ in range(max(1, at_once))))
        return settled

    async def _private_fallback(self, key: str, member: MemberRef, reply: Reply, channel: ChannelRef) -> bool:
        """DMs are closed: show it to the member alone in the channel (Slack ephemeral); where the platform
        cannot (Discord outside an interaction), post only a pointer with a button that shows it privately.
        The private content itself is never posted where others can read it."""
        try:
            await self._chat.send_private_notice(channel, member, reply)
        except DeliveryError as exc:
            if exc.problem is not DeliveryProblem.NOT_PRIVATE:
                await self._failed(key, member.community, exc)
                return False
        else:
            await self._outbox.mark_sent(key, f"notice:{channel.key}", self._clock.now())
            return True
        if self._drops is None:
            await self._outbox.mark_abandoned(key, "DMs closed and no private notice possible")
            return True
        drop = await self._drops.put(key, member.community.key, member.id, reply_to_json(reply), self._clock.now())
        pointer = Reply(text=f"{mk.mention(member)} I couldn't send you a direct message (your DMs are closed "
                             f"to me), so {mk.bold(reply.title or 'something for you')} is waiting here. Only you "
                             "can open it.",
                        choices=(Choice("Show it to me", encode(INBOX, "show", drop), Style.PRIMARY),))
        shown = await self.post_outcome(f"{key}:pointer", channel, pointer)
        if shown.state is PostState.SENT:
            await self._outbox.mark_sent(key, f"drop:{drop}", self._clock.now())
            return True
        return False

    async def sent(self, community: CommunityRef, keys: list[str]) -> dict[str, MessageRef]:
        """Where the messages of these keys went, for those that were sent (to delete them: forget-me)."""
        found = await self._outbox.sent_messages(keys)
        return {key: MessageRef.from_key(community, ref) for key, ref in found.items()}

    async def forget(self, keys: list[str]) -> int:
        """Drop the outbox rows of these keys (a forgotten member's messages); how many went."""
        return await self._outbox.forget(keys) if keys else 0

    async def erase_member(self, member: MemberRef) -> int:
        """Drop the outbox rows of every direct message to this member; how many went."""
        return await self._outbox.erase_member(member.community.key, member.id)

    async def thread(self, message: MessageRef, name: str) -> ChannelRef:
        """A thread on the message; where that fails (no permission, no threads), the message's channel."""
        try:
            return await self._chat.start_thread(message, name)
        except DeliveryError as exc:
            log.warning("no thread on %s (%s); posting in the channel instead", message.key, exc)
            return message.channel

    async def _failed(self, key: str, community: CommunityRef, exc: DeliveryError) -> None:
        if exc.problem is DeliveryProblem.UNAVAILABLE:
            self._down.add(community.platform.value)
        now = self._clock.now()
        attempts = await self._outbox.attempts(key)
        wait = backoff(attempts, exc)
        log.warning("outbox %s for %s failed (try %d): %s; next try in %s", key, community.key, attempts, exc,
                    wait)
        await self._outbox.mark_failed(key, str(exc), now + wait)
        if exc.needs_admin:
            await self.tell_admin(community, exc.problem)

    async def tell_admin(self, community: CommunityRef, problem: DeliveryProblem) -> None:
        """Tell the admin who set studybot up, once per distinct problem."""
        advice = ADMIN_ADVICE.get(problem)
        if advice is None or not await self._communities.set_admin_notice(community.key, problem.value):
            return
        admin = await self._communities.admin_member(community.key)
        log.error("community %s needs an admin: %s", community.key, advice)
        if admin is None:
            return
        try:
            await self._chat.send_direct(MemberRef(community, admin),
                                         Reply(text=f"studybot needs your help: {advice}", title="Action needed"))
        except DeliveryError as exc:
            log.error("could not tell the admin of %s either: %s", community.key, exc)
