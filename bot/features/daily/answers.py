"""Members and the daily question: read it, answer privately, edit until the reveal, answer late,
share, tick the checklist, give kudos. Every reply says what really happened to what they sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot import markup as mk
from bot.actions import Action
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.features import points
from bot.features.daily.model import Answer, Round, RoundStatus, SaveOutcome
from bot.features.daily.settings import DailySettings
from bot.features.daily.store import DailyStore
from bot.features.daily.views import (
    ENDED,
    KEPT,
    LATE_ANSWER_WINDOW,
    MAX_ANSWER,
    answer_form,
    checklist_reply,
    clean_answer,
    handed_back,
    late_reply,
    question_reply,
    saved_reply,
    too_long,
)
from bot.features.packs import Packs
from bot.features.schedule import next_occurrence
from bot.ids import CommunityRef, MemberRef
from bot.messages import Reply, Response
from bot.ports import Clock
from bot.signals import ItemAttempted, MemberActive, Signal
from bot.store.db import StoreUnavailable
from bot.store.protocols import LedgerStore

Publish = Callable[[Signal], Awaitable[None]]

log = logging.getLogger(__name__)


class DailyAnswers:
    def __init__(self, packs: Packs, schedules: DailySettings, rounds: DailyStore, ledger: LedgerStore,
                 clock: Clock, publish: Publish) -> None:
        self._publish = publish
        self._packs = packs
        self._schedules = schedules  # for "the next one comes ..." only: answering reads no settings
        self._rounds = rounds
        self._ledger = ledger
        self._clock = clock
        self._fixed_rounds: dict[int, Round] = {}
        self._round_reads: dict[int, asyncio.Future[Round | None]] = {}

    async def on_command(self, event: CommandInvoked) -> Response:
        community = event.actor.community.key
        rnd = await self._answerable_round(community)
        text = event.options.get("answer")
        if isinstance(text, str) and text.strip():
            if rnd is None:
                return Response.private("There is no open question to answer right now, so nothing was saved."
                                        + handed_back(text))
            return await self._save(event.actor, rnd, text)
        if rnd is not None:
            item = await self._packs.item(rnd.community, rnd.item_id)
            if item is None:
                return Response.private(ENDED)
            mine = await self._rounds.answer_of(rnd.id, event.actor.member.id)
            if rnd.open_for_answers or mine is None:
                if event.can_open_form:
                    return Response(form=answer_form(rnd, item, mine))
                return Response(reply=question_reply(rnd, item, mine))
        latest = await self._rounds.latest_round(community)
        settings = await self._schedules.get(community)
        nxt = None
        if settings is not None and settings.enabled:
            occ = next_occurrence(self._clock.now(), settings.post_time, settings.zone, settings.days)
            nxt = occ.at if occ else None
        when = f" The next one comes {mk.timestamp(nxt, 'R')}." if nxt else ""
        if latest is not None and latest.item_id and (item := await self._packs.item(community, latest.item_id)):
            return Response.private(f"No open question right now.{when}\n\nThe last one was:\n"
                                    + mk.escape(item.prompt))
        hint = "" if settings and settings.enabled else " An admin can start it with /studybot setup."
        return Response.private(f"No daily question yet.{when}{hint}")

    async def _answerable_round(self, community: str) -> Round | None:
        """The open round, or else the last one while it still takes late answers."""
        latest = await self._rounds.latest_round(community)
        if latest is None:
            return None
        if latest.status is RoundStatus.POSTED or self._late_allowed(latest):
            return latest
        return None

    async def on_choice(self, event: ChoiceSelected, action: Action) -> Response:
        match action.verb:
            case "answer" | "skip" | "hint" | "share" | "private":
                rnd = await self._rounds.get_round(action.int_arg(0))
                if rnd is None or rnd.community != event.actor.community.key:
                    return Response.private(ENDED)
                return await self._round_choice(event, action.verb, rnd)
            case "tick" | "done" | "kudos":
                ans = await self._rounds.get_answer(action.int_arg(0))
                if ans is None or ans.community != event.actor.community.key:
                    return Response.private(ENDED)
                if action.verb == "kudos":
                    return await self._kudos(event.actor, ans)
                if ans.member != event.actor.member.id:
                    return Response.private("That checklist belongs to someone else.")
                if action.verb == "tick":
                    return await self._tick(ans, action.int_arg(1))
                return await self._finish_checklist(ans)
        return Response.private(ENDED)

    async def _round_choice(self, event: ChoiceSelected, verb: str, rnd: Round) -> Response:
        item = await self._packs.item(rnd.community, rnd.item_id)
        if item is None:
            return Response.private(ENDED)
        member = event.actor.member.id
        if verb == "hint":
            return Response.private(f"Hint: {mk.escape(item.hint)}" if item.hint else "No hint for this one.")
        if verb == "answer":
            if rnd.status is RoundStatus.PENDING or (not rnd.open_for_answers and not self._late_allowed(rnd)):
                return Response.private("This question has closed. Try /daily for today's question.")
            mine = await self._rounds.answer_of(rnd.id, member)
            if mine is not None and not rnd.open_for_answers:
                return Response.private(KEPT)
            if event.can_open_form:
                return Response(form=answer_form(rnd, item, mine))
            return Response.private("Type your answer with `/daily answer <your answer>`.")
        if verb == "skip":
            mine = await self._rounds.answer_of(rnd.id, member)
            if mine is not None:
                return Response.private("You already answered this one; skipping keeps your answer.")
            fresh = await self._rounds.skip(rnd.id, member, self._clock.now())
            return Response.private("Skipped. See you at the next question." if fresh else "Already skipped.")
        mine = await self._rounds.answer_of(rnd.id, member)
        if mine is None:
            return Response.private("Answer first; then you can choose to share it.")
        if not rnd.open_for_answers:
            return Response.private("The reveal has happened; sharing is settled for this question.")
        want = verb == "share"
        await self._rounds.set_shared(mine.id, want)
        mine = await self._rounds.answer_of(rnd.id, member)
        assert mine is not None
        return Response(reply=saved_reply(rnd, mine, 0), replace_original=True, refresh_home=True)

    async def _round_facts(self, round_id: int) -> Round | None:
        """A round for what never changes once created (community, item, channel, reveal due time).

        Cached, so the hot answer path costs one write; status is decided inside that write. Concurrent
        misses for one round share a single read (a burst of answers right after the post would otherwise
        each read the same row).
        """
        cached = self._fixed_rounds.get(round_id)
        if cached is not None:
            return cached
        pending = self._round_reads.get(round_id)
        if pending is None:
            pending = asyncio.ensure_future(self._load_round(round_id))
            self._round_reads[round_id] = pending
            pending.add_done_callback(lambda _: self._round_reads.pop(round_id, None))
        return await asyncio.shield(pending)  # one waiter giving up does not cancel the others' read

    async def _load_round(self, round_id: int) -> Round | None:
        rnd = await self._rounds.get_round(round_id)
        if rnd is not None:
            self.remember_round(rnd)
        return rnd

    def remember_round(self, rnd: Round) -> None:
        if len(self._fixed_rounds) > 1024:
            self._fixed_rounds.clear()
        self._fixed_rounds[rnd.id] = rnd

    def _late_allowed(self, rnd: Round) -> bool:
        return rnd.revealed_at is not None and self._clock.now() - rnd.revealed_at <= LATE_ANSWER_WINDOW

    async def on_form(self, event: FormSubmitted, action: Action) -> Response:
        rnd = await self._round_facts(action.int_arg(0))
        if rnd is None or rnd.community != event.actor.community.key:
            return Response.private(ENDED)
        return await self._save(event.actor, rnd, event.values.get("answer", ""))

    async def _save(self, actor: Actor, rnd: Round, raw: str) -> Response:
        text = clean_answer(raw)
        if not text:
            return Response(form_errors={"answer": "Your answer is empty. Write a few sentences, then submit."},
                            reply=Reply(text="Your answer was empty, so nothing was saved."))
        if len(text) > MAX_ANSWER:
            return too_long(text)
        now = self._clock.now()
        try:
            saved = await self._rounds.save_answer(rnd.id, actor.member.id, text, now, LATE_ANSWER_WINDOW,
                                                   points.ANSWER_ON_TIME, points.ANSWER_LATE,
                                                   points.REASON_ANSWER, topic=await self._topic(rnd))
        except StoreUnavailable:
            log.error("answer of %s to round %s not saved: the database stayed busy", actor.member.id, rnd.id)
            return Response(form_errors={"answer": "I could not save this just now; please submit it again."},
                            reply=Reply(text="I could not save your answer just now: my database is busy. "
                                             "Nothing was saved; please submit it again in a minute."
                                             + handed_back(text)))
        if saved is None:
            return Response.private("This question has closed, so your answer was not saved. "
                                    "Try /daily for today's question." + handed_back(text))
        ans, outcome = saved
        if outcome is SaveOutcome.KEPT:
            unchanged = "" if ans.text == text else handed_back(text)
            return Response(form_errors={"answer": "The reveal has happened; your answer can no longer change."},
                            reply=Reply(text=KEPT + unchanged))
        earned = 0
        if outcome is SaveOutcome.CREATED:
            earned = points.ANSWER_LATE if ans.late else points.ANSWER_ON_TIME
            await self._publish(MemberActive(actor.member, now, "daily", await self._topic(rnd)))
        if ans.late:
            item = await self._packs.item(rnd.community, rnd.item_id)
            if item is not None:
                return Response(reply=late_reply(ans, item, earned), refresh_home=True)
        return Response(reply=saved_reply(rnd, ans, earned), refresh_home=True)

    async def _tick(self, ans: Answer, index: int) -> Response:
        rnd = await self._rounds.get_round(ans.round_id)
        item = await self._packs.item(rnd.community, rnd.item_id) if rnd else None
        if item is None or not 0 <= index < len(item.key_points or ()):
            return Response.private(ENDED)
        if ans.checklist_done:
            return Response.private("You already submitted this checklist.")
        updated = await self._rounds.toggle_covered(ans.id, index)
        assert updated is not None
        return Response(reply=checklist_reply(updated, item), replace_original=True, refresh_home=True)

    async def _topic(self, rnd: Round) -> str | None:
        """The domain of the round's question, which every ledger row earned on it carries."""
        item = await self._packs.item(rnd.community, rnd.item_id)
        return item.domain.value if item is not None else None

    async def _finish_checklist(self, ans: Answer) -> Response:
        if not await self._rounds.finish_checklist(ans.id):
            return Response.private("You already submitted this checklist.")
        now = self._clock.now()
        earned = 0
        rnd = await self._rounds.get_round(ans.round_id)
        topic = await self._topic(rnd) if rnd is not None else None
        for index in sorted(ans.covered):
            if await self._ledger.award(ans.community, ans.member, points.KEY_POINT_COVERED,
                                        points.REASON_KEY_POINT, f"{ans.id}:{index}", now, topic=topic):
                earned += points.KEY_POINT_COVERED
        n = len(ans.covered)
        if rnd is not None and rnd.item_id is not None:
            item = await self._packs.item(rnd.community, rnd.item_id)
            every = len(item.key_points or ()) if item is not None else 0
            member = MemberRef(CommunityRef.from_key(ans.community), ans.member)
            await self._publish(ItemAttempted(member, rnd.item_id, topic, "daily", n >= every, now))
        return Response(reply=Reply(text=f"Checklist saved: {n} key point{'s' * (n != 1)} covered, "
                                         f"+{earned} points."), replace_original=True, refresh_home=True)

    async def _kudos(self, voter: Actor, ans: Answer) -> Response:
        if ans.member == voter.member.id:
            return Response.private("That's your own answer: kudos are for others.")
        if not ans.shared:
            return Response.private(ENDED)
        if not await self._rounds.add_kudos(ans.id, voter.member.id, self._clock.now()):
            return Response.private("You already gave kudos to this answer.")
        rnd = await self._round_facts(ans.round_id)
        await self._ledger.award(ans.community, ans.member, points.KUDOS_RECEIVED, points.REASON_KUDOS,
                                 f"{ans.id}:{voter.member.id}", self._clock.now(),
                                 topic=await self._topic(rnd) if rnd is not None else None)
        author = MemberRef(voter.community, ans.member)
        return Response.private(f"Kudos sent to {mk.mention(author)}.")


