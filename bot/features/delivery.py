"""Sends what the core posts on its own, exactly once, through the outbox.

Every message has a key. The first process to claim the key sends; a claim left by a crash is
reconciled by asking the platform whether the message is already there. A failure keeps the row
pending for a later try, and a problem only an admin can fix is told to them once.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Reply
from bot.ports import ChatPort, Clock, DeliveryError, DeliveryProblem
from bot.store.communities import CommunityRepo
from bot.store.outbox import ClaimState, OutboxRepo

log = logging.getLogger(__name__)
RETRY_SOON = timedelta(minutes=1)
RETRY_AFTER_ADMIN = timedelta(minutes=15)

ADMIN_ADVICE = {
    DeliveryProblem.MISSING_PERMISSION: "I lack permission to post in that channel. Invite me to it (Slack) "
                                        "or give me Send Messages and Create Threads there (Discord).",
    DeliveryProblem.CHANNEL_GONE: "The daily channel no longer exists. Run /studybot setup in the channel "
                                  "you want to use.",
    DeliveryProblem.AUTH: "My token was refused. Reinstall the app or update the token.",
}


class Delivery:
    def __init__(self, chat: ChatPort, outbox: OutboxRepo, communities: CommunityRepo, clock: Clock) -> None:
        self._chat = chat
        self._outbox = outbox
        self._communities = communities
        self._clock = clock

    async def post(self, key: str, destination: ChannelRef, reply: Reply) -> MessageRef | None:
        """The message under this key, sent now or found sent before; None if not (yet) possible."""
        community = destination.community
        now = self._clock.now()
        claim = await self._outbox.claim(key, community.key, destination.key, now)
        if claim.state is ClaimState.SENT and claim.message:
            return MessageRef.from_key(community, claim.message)
        if claim.state in (ClaimState.BUSY, ClaimState.ABANDONED):
            return None
        if claim.state is ClaimState.RECLAIMED:
            since = (claim.created_at or now) - timedelta(minutes=5)
            try:
                found = await self._chat.find_posted(destination, key, since)
            except DeliveryError as exc:
                await self._failed(key, community, exc)
                return None
            if found is not None:
                log.info("outbox %s: found already posted as %s", key, found.key)
                await self._outbox.mark_sent(key, found.key, self._clock.now())
                return found
        try:
            ref = await self._chat.send(destination, replace(reply, idempotency_key=key))
        except DeliveryError as exc:
            await self._failed(key, community, exc)
            return None
        await self._outbox.mark_sent(key, ref.key, self._clock.now())
        await self._communities.set_admin_notice(community.key, None)
        return ref

    async def direct(self, key: str, member: MemberRef, reply: Reply, fallback: ChannelRef | None) -> bool:
        """A private message; where DMs are closed, a private notice in `fallback` instead.

        True once the message is settled: sent, noticed, or impossible (the member left), so a caller
        waiting for every DM to settle does not wait forever; False while a later try is still due.
        """
        now = self._clock.now()
        claim = await self._outbox.claim(key, member.community.key, f"dm:{member.id}", now)
        if claim.state in (ClaimState.SENT, ClaimState.ABANDONED):
            return True
        if claim.state is ClaimState.BUSY:
            return False
        try:
            ref = await self._chat.send_direct(member, replace(reply, idempotency_key=key))
        except DeliveryError as exc:
            if exc.problem is DeliveryProblem.DM_CLOSED and fallback is not None:
                try:
                    await self._chat.send_private_notice(fallback, member, reply)
                except DeliveryError as exc2:
                    await self._failed(key, member.community, exc2)
                    return False
                await self._outbox.mark_sent(key, f"notice:{fallback.key}", self._clock.now())
                return True
            if exc.problem in (DeliveryProblem.DM_CLOSED, DeliveryProblem.MEMBER_GONE):
                log.info("outbox %s: cannot reach member %s (%s); not sending", key, member.id, exc.problem)
                await self._outbox.mark_abandoned(key, str(exc))
                return True
            await self._failed(key, member.community, exc)
            return False
        await self._outbox.mark_sent(key, ref.key, self._clock.now())
        return True

    async def thread(self, message: MessageRef, name: str) -> ChannelRef:
        """A thread on the message; where that fails (no permission, no threads), the message's channel."""
        try:
            return await self._chat.start_thread(message, name)
        except DeliveryError as exc:
            log.warning("no thread on %s (%s); posting in the channel instead", message.key, exc)
            return message.channel

    async def _failed(self, key: str, community: CommunityRef, exc: DeliveryError) -> None:
        now = self._clock.now()
        log.warning("outbox %s for %s failed: %s", key, community.key, exc)
        if exc.needs_admin:
            await self._outbox.mark_failed(key, str(exc), now + RETRY_AFTER_ADMIN)
            await self.tell_admin(community, exc.problem)
        else:
            await self._outbox.mark_failed(key, str(exc), now + RETRY_SOON)

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
