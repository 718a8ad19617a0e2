"""The race's durable job: one per race (kind JOB, key the race id), looking at the race's rows and the
clock and doing whatever is due: post the next question, close the open one at its deadline (edit it to
show the answer, how many got it and the fastest right pickers, award points, tell other features), or
post the final standings. Every step is idempotent (outbox keys, ledger refs, "closed once" rows), so a
run repeated after a crash, or resumed by another process after a restart, carries on where the rows say.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot import markup as mk
from bot.features.delivery import Delivery, Posted, PostState
from bot.features.packs import Packs
from bot.features.quiz import JOB, points
from bot.features.quiz.model import Ended, Race, RaceQuestion
from bot.features.quiz.race_store import RaceStore
from bot.features.quiz.views import race_question_reply, reveal_reply, standings_reply
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.jobs import JobQueue
from bot.messages import Reply
from bot.ports import ChatPort, Clock, DeliveryError
from bot.signals import ItemAttempted, Signal
from bot.store.jobs import Job
from bot.store.protocols import LedgerStore

log = logging.getLogger(__name__)
Publish = Callable[[Signal], Awaitable[None]]
SOURCE = "race"
START_DELAY = timedelta(seconds=5)  # between the announcement and the first question
PAUSE = timedelta(seconds=4)  # between a reveal and the next question
RETRY = timedelta(seconds=5)  # a post the platform did not take just now
STALE = timedelta(minutes=10)  # a race this far behind (the bot was away) ends instead of going on
FASTEST = 3


class RaceRunner:
    def __init__(self, store: RaceStore, packs: Packs, ledger: LedgerStore, clock: Clock, delivery: Delivery,
                 chat: ChatPort, jobs: JobQueue, publish: Publish) -> None:
        self._store = store
        self._packs = packs
        self._ledger = ledger
        self._clock = clock
        self._delivery = delivery
        self._chat = chat
        self._jobs = jobs
        self._publish = publish

    async def run(self, job: Job) -> None:
        await self.advance(int(job.key))

    async def wake(self, race: Race, when: datetime) -> None:
        await self._jobs.schedule(JOB, str(race.id), race.community, when)

    async def advance(self, race_id: int) -> None:
        """Do whatever is due for this race now, then ask to be woken for the next step."""
        race = await self._store.race(race_id)
        if race is None or race.finished_at is not None:
            return
        community = CommunityRef.from_key(race.community)
        channel = ChannelRef.from_key(community, race.channel)
        while True:
            now = self._clock.now()
            questions = await self._store.questions(race.id)
            open_q = next((q for q in questions if q.posted and q.settled_at is None), None)
            if open_q is not None and open_q.deadline is not None:
                if race.stop_at is None and now < open_q.deadline:
                    await self.wake(race, open_q.deadline)
                    return
                await self._close(race, open_q, channel, len(questions), now)
                if now - open_q.deadline > STALE:
                    await self._finish(race, channel, Ended.INTERRUPTED)
                    return
                continue
            nxt = next((q for q in questions if not q.posted), None)
            if race.stop_at is not None or nxt is None:
                await self._finish(race, channel, Ended.STOPPED if race.stop_at is not None else Ended.COMPLETED)
                return
            closed = [q.closed_at for q in questions if q.closed_at is not None]
            due = max(closed) + PAUSE if closed else race.first_at
            if now < due:
                await self.wake(race, due)
                return
            if now - due > STALE:
                await self._finish(race, channel, Ended.INTERRUPTED)
                return
            if not await self._post(race, nxt, channel, len(questions), now):
                return

    async def _post(self, race: Race, q: RaceQuestion, channel: ChannelRef, total: int, now: datetime) -> bool:
        """Post a question; False when it could not go out now (a retry is arranged, or the race ended)."""
        item = await self._packs.item(race.community, q.item_id)
        if item is None:
            log.error("race %s: item %s is not in the bank any more; ending the race", race.id, q.item_id)
            await self._finish(race, channel, Ended.FAILED)
            return False
        seconds = timedelta(seconds=race.seconds)
        deadline = q.deadline
        if deadline is None or deadline - now < seconds / 2:  # a first try, or one that waited long
            deadline = now + seconds
            await self._store.plan_deadline(q.id, deadline)
        posted = await self._delivery.post_outcome(f"quiz-race:{q.id}", channel,
                                                   race_question_reply(q.id, q.idx, total, item, deadline))
        if posted.ref is not None:
            await self._store.mark_posted(q.id, posted.ref.key)
            return True
        if not retryable(posted):
            log.error("race %s: question %d could not be posted (%s); ending the race", race.id, q.idx + 1,
                      posted.error or posted.state.value)
            await self._finish(race, channel, Ended.FAILED)
            return False
        await self.wake(race, now + RETRY)
        return False

    async def _close(self, race: Race, q: RaceQuestion, channel: ChannelRef, total: int, now: datetime) -> None:
        """Close a question once: the reveal first (on time), then points and signals."""
        picks = await self._store.close(q.id, now)
        item = await self._packs.item(race.community, q.item_id)
        community = channel.community
        right = [p for p in picks if p.choice == q.answer]
        opened = (q.deadline or now) - timedelta(seconds=race.seconds)
        fastest = [(MemberRef(community, p.member), max(p.event_at - opened, timedelta())) for p in right[:FASTEST]]
        if item is not None and q.message:
            reveal = reveal_reply(q.idx, total, item, len(picks), len(right), fastest)
            await self._show_reveal(q, channel, Reply(title=reveal.title, text=reveal.text, fields=reveal.fields,
                                                      idempotency_key=f"quiz-race:{q.id}"))
        limit = timedelta(seconds=race.seconds)
        topic = item.domain.value if item is not None else q.topic
        earned = [(p, points.race_points(p.choice == q.answer, p.event_at - opened, limit)) for p in picks]
        await asyncio.gather(*(self._ledger.award(race.community, p.member, pts, points.REASON_RACE,
                                           points.race_ref(q.id), now, topic=topic)
                               for p, pts in earned if pts > 0))
        if await self._store.settle(q.id, now):
            await asyncio.gather(*(self._publish(ItemAttempted(MemberRef(community, p.member), q.item_id, topic,
                                                               SOURCE, p.choice == q.answer, p.event_at))
                                   for p in picks))

    async def _show_reveal(self, q: RaceQuestion, channel: ChannelRef, reveal: Reply) -> None:
        """Edit the question into its reveal; where the edit is refused, post the reveal instead."""
        assert q.message is not None
        try:
            await self._chat.edit(MessageRef.from_key(channel.community, q.message), reveal)
            return
        except DeliveryError as exc:
            log.warning("race question %s: editing in the reveal failed (%s); posting it instead", q.id, exc)
        await self._delivery.post_outcome(f"quiz-reveal:{q.id}", channel, reveal)

    async def _finish(self, race: Race, channel: ChannelRef, ended: Ended) -> None:
        questions = [q for q in await self._store.questions(race.id) if q.settled_at is not None]
        if ended is not Ended.FAILED:
            reply = standings_reply(channel.community, await self._standings(race, questions), len(questions),
                                    self._ending(race, ended, len(questions)))
            posted = await self._delivery.post_outcome(f"quiz-race-final:{race.id}", channel, reply)
            now = self._clock.now()
            span = STALE + (START_DELAY + PAUSE + timedelta(seconds=race.seconds)) * race.count
            if posted.ref is None and retryable(posted) and now - race.created_at < span:
                await self.wake(race, now + RETRY)
                return
        await self._store.finish(race.id, ended, self._clock.now())
        await self._jobs.cancel(JOB, str(race.id))

    async def _standings(self, race: Race, questions: list[RaceQuestion]) -> list[tuple[str, int, int]]:
        picks = await self._store.picks(race.id)
        limit = timedelta(seconds=race.seconds)
        totals: dict[str, list[int]] = {}
        for q in questions:
            opened = (q.deadline or race.first_at) - limit
            for p in picks.get(q.id, []):
                row = totals.setdefault(p.member, [0, 0])
                row[0] += points.race_points(p.choice == q.answer, p.event_at - opened, limit)
                row[1] += int(p.choice == q.answer)
        return sorted(((m, pts, right) for m, (pts, right) in totals.items()), key=lambda r: (-r[1], -r[2], r[0]))

    @staticmethod
    def _ending(race: Race, ended: Ended, asked: int) -> str:
        of = f"{asked} of {race.count} question{'s' * (race.count != 1)}"
        if ended is Ended.STOPPED:
            who = (mk.mention(MemberRef(CommunityRef.from_key(race.community), race.stop_by)) if race.stop_by
                   else "Someone")
            return f"{who} stopped the race after {of}."
        if ended is Ended.INTERRUPTED:
            return f"The race ended early after {of}: I was away too long to carry on."
        return f"The race is over: {of}."


def retryable(posted: Posted) -> bool:
    """A post that did not go out now but may on a later try (busy elsewhere, waiting, rate limited, down)."""
    if posted.state in (PostState.BUSY, PostState.WAITING):
        return True
    return posted.state is PostState.FAILED and posted.error is not None and posted.error.retryable
