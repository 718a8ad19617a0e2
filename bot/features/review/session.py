"""A member's review session: the next due card, its answer, a rating that the fsrs scheduler turns into
the card's next due time. Cards come from other features' ItemAttempted signals (a missed quiz pick, a
daily checklist with key points left unticked).

Every button carries only a card id and the card's rating count (`reps`) when it was drawn; the rating is
one compare-and-set write, so a double click, a stale button or a second process rates a card once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from fsrs import Rating

from bot.actions import Action
from bot.content.bank import Bank
from bot.events import Actor, ChoiceSelected
from bot.features.packs import Packs
from bot.features.review import points
from bot.features.review.model import ReviewCard
from bot.features.review.srs import make_scheduler, new_card, parse_rating, previews, review
from bot.features.review.store import Added, ReviewStore
from bot.features.review.views import (
    FOREIGN,
    GONE,
    STALE,
    answer_reply,
    empty_reply,
    question_reply,
    rated_line,
    set_aside_note,
)
from bot.ids import MemberRef
from bot.messages import Field, Reply, Response
from bot.ports import Clock
from bot.signals import ItemAttempted, Signal
from bot.store.protocols import CommunityStore, LedgerStore, MemberStore

log = logging.getLogger(__name__)
Publish = Callable[[Signal], Awaitable[None]]
BATCH = 20  # due cards read at a time while looking for one whose question still exists
SOURCE = "review"


class ReviewSession:
    def __init__(self, store: ReviewStore, packs: Packs, ledger: LedgerStore, members: MemberStore,
                 communities: CommunityStore, clock: Clock, publish: Publish) -> None:
        self._store = store
        self._packs = packs
        self._ledger = ledger
        self._members = members
        self._communities = communities
        self._clock = clock
        self._publish = publish
        self._scheduler = make_scheduler()

    async def zone_of(self, community: str, member: str, platform_zone: str | None = None) -> ZoneInfo:
        """The member's own zone if they set one, else what the platform says, else the community's."""
        row = await self._members.get(community, member)
        if row is not None and row.timezone:
            return ZoneInfo(row.timezone)
        if platform_zone:
            try:
                return ZoneInfo(platform_zone)
            except (ValueError, KeyError):
                pass
        settings = await self._communities.get(community)
        return settings.zone if settings is not None else ZoneInfo("UTC")

    async def _live(self, community: str) -> Bank:
        """The items members of this community can meet now (removed packs' items are not among them)."""
        return (await self._packs.bank_for(community)).pickable

    # cards from other features -----------------------------------------------------------------
    async def on_attempt(self, signal: ItemAttempted) -> None:
        """A missed item joins the member's queue, due now. One card per (member, item): a card already
        due stays as it is; one scheduled for later (or set aside) is made due again with its fsrs memory
        state kept, so the next rating reschedules it from what the member knew."""
        if signal.source == SOURCE or signal.correct:
            return
        community = signal.member.community.key
        item = (await self._live(community)).entry(signal.item_id)
        if item is None:
            log.info("no review card for %s: item %s is not in %s's bank", signal.member.id, signal.item_id,
                     community)
            return
        now = self._clock.now()
        added = await self._store.add(community, signal.member.id, item.id, item.domain.value, new_card(now), now)
        if added is not Added.KEPT:
            log.debug("review card %s for %s/%s (%s)", added.value, community, signal.member.id, item.id)

    # what the member sees ----------------------------------------------------------------------
    async def due_count(self, community: str, member: str) -> int:
        """Cards due now whose question still exists (the others are set aside)."""
        counts = await self._store.counts(community, member, self._clock.now())
        if counts.due == 0:
            return 0
        live = await self._live(community)
        due = await self._store.due(community, member, self._clock.now(), counts.due)
        gone = [c for c in due if c.item_id not in live]
        for card in gone:
            await self._store.suspend(card.id)
        return len(due) - len(gone)

    async def next_view(self, member: MemberRef, preface: str = "") -> Reply:
        """The next due card's question, or what the queue holds when nothing is due."""
        community = member.community.key
        live = await self._live(community)
        now = self._clock.now()
        set_aside = 0
        while True:
            batch = await self._store.due(community, member.id, now, BATCH)
            for card in batch:
                item = live.get(card.item_id)
                if item is None:
                    await self._store.suspend(card.id)
                    set_aside += 1
                    continue
                counts = await self._store.counts(community, member.id, now)
                return question_reply(card, item, counts.due, _join(preface, set_aside_note(set_aside)))
            if len(batch) < BATCH:
                break
        counts = await self._store.counts(community, member.id, now)
        return empty_reply(counts.total, counts.next_due_at, _join(preface, set_aside_note(set_aside)))

    async def start(self, actor: Actor, replace: bool = False) -> Response:
        return Response(reply=await self.next_view(actor.member), replace_original=replace)

    async def _own_card(self, event: ChoiceSelected, action: Action) -> ReviewCard | Response:
        """The card a button names, or the kind answer when it is gone, foreign or already rated."""
        card = await self._store.get(action.int_arg(0))
        if card is None or card.community != event.actor.community.key:
            return Response.private(GONE + " Run /review for your next card.")
        if card.member != event.actor.member.id:
            return Response.private(FOREIGN)
        if card.reps != action.int_arg(1) or card.suspended:
            return Response.private(STALE + " Run /review for your next card.")
        return card

    async def show(self, event: ChoiceSelected, action: Action) -> Response:
        card = await self._own_card(event, action)
        if isinstance(card, Response):
            return card
        item = (await self._live(card.community)).get(card.item_id)
        if item is None:
            await self._store.suspend(card.id)
            return Response(reply=await self.next_view(event.actor.member, set_aside_note(1)), replace_original=True)
        now = self._clock.now()
        counts = await self._store.counts(card.community, card.member, now)
        return Response(reply=answer_reply(card, item, counts.due, previews(self._scheduler, card.fsrs, now)),
                        replace_original=True)

    async def rate(self, event: ChoiceSelected, action: Action) -> Response:
        rating = parse_rating(action.args[2]) if len(action.args) > 2 else None
        if rating is None:
            return Response.private(STALE)
        card = await self._own_card(event, action)
        if isinstance(card, Response):
            return card
        item = (await self._live(card.community)).get(card.item_id)
        if item is None:
            await self._store.suspend(card.id)
            return Response(reply=await self.next_view(event.actor.member, set_aside_note(1)), replace_original=True)
        now = self._clock.now()
        after = review(self._scheduler, card.fsrs, rating, now)
        zone = await self.zone_of(card.community, card.member, event.actor.timezone)
        today = now.astimezone(zone).date()
        rated_today = await self._store.rate(card, after.to_json(), after.due, int(rating), now, today)
        if rated_today is None:
            return Response.private(STALE + " Run /review for your next card.")
        earned = 0
        if rated_today <= points.DAILY_CARDS and await self._ledger.award(
                card.community, card.member, points.CARD, points.REASON, f"{card.id}:{today.isoformat()}", now,
                topic=card.topic):
            earned = points.CARD
        await self._publish(ItemAttempted(event.actor.member, card.item_id, card.topic, SOURCE,
                                          rating in (Rating.Good, Rating.Easy), now))
        return Response(reply=await self.next_view(event.actor.member, rated_line(rating, after.due, earned)),
                        replace_original=True, refresh_home=bool(earned))

    async def stats(self, member: MemberRef, viewer: MemberRef) -> tuple[Field, ...]:
        counts = await self._store.counts(member.community.key, member.id, self._clock.now())
        if counts.total == 0:
            return ()
        return (Field("Review cards", f"{counts.total} ({counts.due} due)"),)


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)
