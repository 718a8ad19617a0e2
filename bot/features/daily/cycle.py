"""The daily cycle: post at the community's time, reveal, deliver shared answers and checklists.

Everything is driven from database state: `run_due` looks at a community's rounds and the clock and
does whatever is due, so a job, a start-up catch-up and an admin's post-now all take the same
idempotent path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from bot import markup as mk
from bot.features.daily.model import Round, RoundStatus
from bot.features.daily.settings import DailySchedule, DailySettings
from bot.features.daily.store import DailyStore
from bot.features.daily.views import (
    ALREADY,
    checklist_reply,
    question_reply,
    reveal_reply,
    shared_answer_reply,
)
from bot.features.delivery import Delivery, Posted, PostState, advice
from bot.features.packs import Packs
from bot.features.picker import pick_daily
from bot.features.schedule import last_occurrence, next_occurrence
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.ports import Clock

log = logging.getLogger(__name__)
WakeHook = Callable[[str, datetime | None], Awaitable[None]]
RoundHook = Callable[[Round], None]


class DailyCycle:
    def __init__(self, packs: Packs, schedules: DailySettings, rounds: DailyStore, delivery: Delivery,
                 clock: Clock, on_next_wake: WakeHook, on_new_round: RoundHook) -> None:
        self._packs = packs
        self._schedules = schedules
        self._rounds = rounds
        self._delivery = delivery
        self._clock = clock
        self._on_next_wake = on_next_wake
        self._on_new_round = on_new_round  # the answers that follow the post need no read

    # scheduled work ---------------------------------------------------------------------------
    async def run_due(self, community_key: str) -> None:
        """Do whatever is due for this community now, then ask to be woken for the next thing."""
        settings = await self._schedules.get(community_key)
        if settings is None or not settings.enabled or not settings.channel:
            await self._on_next_wake(community_key, None)
            return
        now = self._clock.now()
        for rnd in await self._rounds.unfinished_rounds(community_key):
            await self._advance(rnd, settings, now)
        occ = last_occurrence(now, settings.post_time, settings.zone, settings.days)
        if occ is not None and (settings.active_since is None or occ.at >= settings.active_since):
            if await self._rounds.round_on(community_key, occ.local_date) is None:
                if now - occ.at <= timedelta(minutes=settings.grace_minutes):
                    rnd = await self._create_round(settings, occ.local_date, occ.at, now)
                    await self._advance(rnd, settings, now)
                else:
                    log.warning("%s: missed the %s post by %s; recording it as skipped",
                                community_key, occ.local_date, now - occ.at)
                    await self._rounds.create_round(community_key, occ.local_date, RoundStatus.SKIPPED, None,
                                                    settings.channel, occ.at, None)
        await self._on_next_wake(community_key, await self.next_wake(settings))

    async def settings_changed(self, community_key: str) -> None:
        """An admin changed settings: whatever waits for a retry is tried now, then the usual run."""
        await self._delivery.retry_now(CommunityRef.from_key(community_key))
        await self.run_due(community_key)

    async def next_wake(self, settings: DailySchedule) -> datetime | None:
        now = self._clock.now()
        candidates: list[datetime] = []
        occ = next_occurrence(now, settings.post_time, settings.zone, settings.days)
        if occ is not None:
            candidates.append(occ.at)
        for rnd in await self._rounds.unfinished_rounds(settings.community):
            if rnd.status is RoundStatus.POSTED and rnd.reveal_due_at is not None:
                candidates.append(rnd.reveal_due_at)
            elif rnd.status in (RoundStatus.PENDING, RoundStatus.REVEALING):  # a delivery to retry
                retry = await self._delivery.next_retry(CommunityRef.from_key(settings.community))
                candidates.append(retry if retry is not None else now + timedelta(minutes=1))
                if rnd.status is RoundStatus.PENDING and rnd.reveal_due_at is not None:
                    candidates.append(rnd.reveal_due_at)  # a post still not out by then is skipped
        return min(candidates, default=None)

    async def _create_round(self, settings: DailySchedule, local_date: date, due_at: datetime,
                            now: datetime) -> Round:
        history = [item_id for item_id, _ in await self._rounds.history(settings.community)]
        bank = await self._packs.bank_for(settings.community)
        item = pick_daily(bank.pickable, settings, history, bank.pack_ids)
        start = max(due_at, now)
        if settings.reveal_hours is not None:
            reveal_at: datetime | None = start + timedelta(hours=settings.reveal_hours)
        else:
            nxt = next_occurrence(start, settings.post_time, settings.zone, settings.days)
            reveal_at = nxt.at if nxt else start + timedelta(days=1)
        status = RoundStatus.PENDING if item is not None else RoundStatus.SKIPPED
        if item is None:
            log.error("%s: the question bank has nothing to post", settings.community)
        rnd = await self._rounds.create_round(settings.community, local_date, status,
                                              item.id if item else None, settings.channel, due_at, reveal_at)
        self._on_new_round(rnd)
        return rnd

    async def _advance(self, rnd: Round, settings: DailySchedule, now: datetime) -> None:
        if rnd.status is RoundStatus.PENDING:
            if rnd.reveal_due_at is not None and now >= rnd.reveal_due_at:
                log.warning("%s: the %s question could not be posted before its reveal; skipping it",
                            rnd.community, rnd.local_date)
                await self._rounds.mark_skipped(rnd.id)  # else it would be retried (and woken for) forever
                return
            await self._post(rnd)
        elif rnd.status is RoundStatus.POSTED and rnd.reveal_due_at is not None and now >= rnd.reveal_due_at:
            await self._reveal(rnd)
        elif rnd.status is RoundStatus.REVEALING:
            await self._reveal(rnd)

    def _channel(self, rnd: Round) -> ChannelRef:
        community = CommunityRef.from_key(rnd.community)
        return ChannelRef.from_key(community, rnd.channel or "")

    async def _post(self, rnd: Round, force: bool = False) -> Posted | None:
        """Post the round's question; None when its item is gone and the day was skipped."""
        item = await self._packs.item(rnd.community, rnd.item_id)
        if item is None:  # e.g. its pack no longer validates: skip the day rather than retry it every minute
            log.error("round %s names unknown item %s; skipping it", rnd.id, rnd.item_id)
            await self._rounds.mark_skipped(rnd.id)
            return None
        posted = await self._delivery.post_outcome(f"daily-post:{rnd.id}", self._channel(rnd),
                                                   question_reply(rnd, item), force=force)
        if posted.ref is not None:
            await self._rounds.mark_posted(rnd.id, posted.ref.key, self._clock.now())
        return posted

    async def _reveal(self, rnd: Round, force: bool = False) -> Posted | None:
        """Reveal, then deliver shared answers and checklists. The reveal post's outcome (None when the
        round had no question to reveal with); the round is finished once everything is delivered."""
        if rnd.status is RoundStatus.POSTED:
            await self._rounds.start_reveal(rnd.id, self._clock.now())
        item = await self._packs.item(rnd.community, rnd.item_id)
        if item is None:  # nothing to reveal with; finish, or the round would be retried every minute
            log.error("round %s names unknown item %s; closing it without a reveal", rnd.id, rnd.item_id)
            await self._rounds.finish_reveal(rnd.id)
            return None
        answers = await self._rounds.answers(rnd.id)
        channel = self._channel(rnd)
        shared = [a for a in answers if a.shared and not a.late]
        posted = await self._delivery.post_outcome(f"daily-reveal:{rnd.id}", channel,
                                                   reveal_reply(rnd, item, answers, shared), force=force)
        if posted.ref is None:
            return posted
        thread = await self._thread_for(rnd, posted.ref)
        complete = True
        for ans in shared:
            member = MemberRef(channel.community, ans.member)
            complete &= await self._delivery.post(f"daily-shared:{ans.id}", thread,
                                                  shared_answer_reply(ans, member)) is not None
        complete &= await self._delivery.direct_each(  # a late answer got its checklist when it was saved
            (f"daily-checklist:{ans.id}", MemberRef(channel.community, ans.member), checklist_reply(ans, item),
             channel) for ans in answers if not ans.late)
        if complete:
            await self._rounds.finish_reveal(rnd.id)
        return posted if complete else Posted(PostState.WAITING, posted.ref)

    async def _thread_for(self, rnd: Round, reveal: MessageRef) -> ChannelRef:
        if rnd.thread:
            return ChannelRef.from_key(reveal.channel.community, rnd.thread)
        thread = await self._delivery.thread(reveal, f"Answers · {rnd.local_date.isoformat()}")
        await self._rounds.set_thread(rnd.id, thread.key)
        return thread

    # admin shortcuts ---------------------------------------------------------------------------
    async def post_now(self, settings: DailySchedule) -> str:
        """An admin's "post it now": retries at once whatever waits, and says what really happened."""
        now = self._clock.now()
        community = CommunityRef.from_key(settings.community)
        await self._delivery.retry_now(community)
        today = now.astimezone(settings.zone).date()
        existing = await self._rounds.round_on(settings.community, today)
        if existing is not None and existing.status is not RoundStatus.PENDING:
            return ALREADY[existing.status]
        for rnd in await self._rounds.unfinished_rounds(settings.community):
            if rnd.status is RoundStatus.POSTED and rnd.local_date != today:
                await self._reveal(rnd)
        rnd = existing or await self._create_round(settings, today, now, now)
        posted = await self._post(rnd, force=True) if rnd.status is RoundStatus.PENDING else None
        await self._on_next_wake(settings.community, await self.next_wake(settings))
        if posted is None:
            return ("There was no question to post (the bank or the pack it came from has nothing left), so "
                    "today is skipped.")
        return await self._said(posted, "today's question", "posted it", community)

    async def reveal_now(self, settings: DailySchedule) -> str:
        rnd = await self._open_round(settings.community)
        if rnd is None:
            return "There is no open question to reveal."
        community = CommunityRef.from_key(settings.community)
        await self._delivery.retry_now(community)
        posted = await self._reveal(rnd, force=True)
        await self._on_next_wake(settings.community, await self.next_wake(settings))
        if posted is None:
            return "The open question's item is no longer in the bank, so it was closed without a reveal."
        if posted.state is PostState.WAITING and posted.ref is not None:
            return ("Revealed. Some shared answers or checklists could not be delivered yet; I will keep "
                    "trying.")
        return await self._said(posted, "the reveal", "revealed", community)

    async def _said(self, posted: Posted, what: str, done: str, community: CommunityRef) -> str:
        if posted.state is PostState.SENT:
            return f"Done: {done}."
        if posted.state is PostState.BUSY:
            return (f"Another studybot process is sending {what} right now, or checking whether it already "
                    "went out; it will show in the channel within a few minutes. Nothing will be posted twice.")
        if posted.state is PostState.ABANDONED:
            return f"I gave up on {what}: it can never be delivered there."
        retry = await self._delivery.next_retry(community)
        when = f" I will try again {mk.timestamp(retry, 'R')}" if retry else " I will try again later"
        why = advice(posted.error.problem) if posted.error else "it failed before and waits for its next try."
        return f"I could not post {what}: {why}{when}, or run this again once it is fixed."

    async def _open_round(self, community: str) -> Round | None:
        """The round a reveal-now acts on: open, or with a reveal started that has not got out yet."""
        latest = await self._rounds.latest_round(community)
        if latest is not None and latest.status in (RoundStatus.POSTED, RoundStatus.REVEALING):
            return latest
        return None

    # member actions ----------------------------------------------------------------------------
