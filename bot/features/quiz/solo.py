"""The solo quiz: `/quiz [topic] [difficulty] [count]`, one private question at a time.

Every click carries only row ids; what it means is decided by the session's rows, inside one write, so a
double click, a stale button from an earlier quiz or somebody else's button changes nothing and is told so.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable

from bot.actions import Action
from bot.content.bank import Entry
from bot.content.vocabulary import CHOICE_COUNT, Difficulty, Domain
from bot.events import Actor, ChoiceSelected, CommandInvoked
from bot.features.packs import Packs
from bot.features.quiz import points
from bot.features.quiz.model import AnswerStatus, Question, SessionStatus, SessionView
from bot.features.quiz.options import BadInput, Wanted, describe, quiz_items, solo_wanted, topics_listing
from bot.features.quiz.picking import pick_for_member
from bot.features.quiz.solo_store import SoloStore
from bot.features.quiz.views import ENDED, offer_reply, question_reply, result_reply, summary_reply
from bot.ids import MemberRef
from bot.messages import Reply, Response
from bot.ports import Clock
from bot.signals import ItemAttempted, Signal
from bot.store.protocols import LedgerStore

Publish = Callable[[Signal], Awaitable[None]]
FOREIGN = "That quiz belongs to someone else, so nothing changed. Start your own with /quiz."
SOURCE = "quiz"


class SoloQuiz:
    def __init__(self, store: SoloStore, packs: Packs, ledger: LedgerStore, clock: Clock, publish: Publish,
                 review_on: Callable[[], bool], rng: random.Random | None = None) -> None:
        self._store = store
        self._packs = packs
        self._ledger = ledger
        self._clock = clock
        self._publish = publish
        self._review_on = review_on  # whether a review feature takes the misses
        self._rng = rng or random.Random()

    # starting ---------------------------------------------------------------------------------
    async def command(self, event: CommandInvoked) -> Response:
        items = await self._items(event.actor.community.key)
        try:
            wanted = solo_wanted(event.options, items)
        except BadInput as exc:
            return Response.private(str(exc))
        return await self._start(event.actor, wanted, items)

    async def _items(self, community: str) -> list[Entry]:
        return quiz_items((await self._packs.bank_for(community)).pickable.entries)

    async def _start(self, actor: Actor, wanted: Wanted, items: list[Entry]) -> Response:
        pool = [it for it in items if (wanted.topic is None or it.domain is wanted.topic)
                and (wanted.difficulty is None or it.difficulty is wanted.difficulty)]
        if not pool:
            listing = topics_listing(items)
            return Response.private(f"No quiz questions match {describe(wanted)}, so no quiz was started."
                                    + (f" Topics with quiz questions: {listing}." if listing else ""))
        community, member = actor.community.key, actor.member.id
        seen = await self._store.last_seen(community, member)
        chosen = pick_for_member(pool, wanted.count, seen, self._rng, mixed=wanted.difficulty is None)
        planned = [(it.id, it.domain.value, it.correct_index or 0) for it in chosen]
        started = await self._store.start(community, member, wanted.topic.value if wanted.topic else None,
                                          wanted.difficulty.value if wanted.difficulty else None, planned,
                                          self._clock.now())
        note = (f"Only {len(chosen)} quiz questions match {describe(wanted)}, so this quiz has {len(chosen)}.\n\n"
                if len(chosen) < wanted.count else "")
        if started.status is SessionStatus.PENDING and started.open_id is not None:
            open_view = await self._store.view(started.open_id)
            if open_view is not None:
                answered = sum(q.answered for q in open_view.questions)
                s = open_view.session
                about = describe(Wanted(_domain(s.topic), _difficulty(s.difficulty), s.count))
                return Response(reply=offer_reply(s.id, started.session_id, answered, len(open_view.questions),
                                                  about))
        view = await self._store.view(started.session_id)
        if view is None:
            return Response.private(ENDED)
        return await self._show(view, replace=False, note=note)

    # showing ----------------------------------------------------------------------------------
    async def _show(self, view: SessionView, replace: bool, note: str = "") -> Response:
        """The session as it stands: its current question, or its results once every one is answered."""
        while (current := view.current) is not None:
            item = await self._packs.item(view.session.community, current.item_id)
            if item is not None:
                reply = question_reply(view.session.id, current.idx, len(view.questions), item)
                if note:
                    reply = dataclasses.replace(reply, text=note + reply.text)
                return Response(reply=reply, replace_original=replace)
            await self._store.skip(view.session.id, current.idx)  # its pack was removed: pass over it
            fresh = await self._store.view(view.session.id)
            if fresh is None:
                return Response.private(ENDED)
            view = fresh
        return Response(reply=await self._summary(view), replace_original=replace)

    async def _summary(self, view: SessionView) -> Reply:
        scored = [q for q in view.questions if q.scored]
        right = sum(q.correct for q in scored)
        session = view.session
        end = session.finished_at or self._clock.now()
        taken = end - (session.started_at or session.created_at)
        missed = len(scored) - right
        return summary_reply(session.id, right, len(scored), taken, sum(q.earned for q in scored),
                             await self._weakest(session.community, scored),
                             missed if self._review_on() else None)

    async def _weakest(self, community: str, scored: list[Question]) -> tuple[str, int, int] | None:
        """The topic with the lowest share right (by subtopic when the quiz had one topic); None if no miss."""
        if all(q.correct for q in scored):
            return None
        by_topic = len({q.topic for q in scored}) > 1
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for q in scored:
            item = await self._packs.item(community, q.item_id) if not by_topic else None
            name = q.topic if by_topic or item is None else f"{q.topic} · {item.subtopic}"
            tally[name][0] += int(q.correct)
            tally[name][1] += 1
        name, (got, of) = min(tally.items(), key=lambda kv: (kv[1][0] / kv[1][1], -kv[1][1], kv[0]))
        return name, got, of

    # clicks -----------------------------------------------------------------------------------
    async def on_choice(self, event: ChoiceSelected, action: Action) -> Response:
        match action.verb:
            case "ans":
                return await self._answer(event.actor, action.int_arg(0), action.int_arg(1), action.int_arg(2))
            case "next":
                return await self._next(event.actor, action.int_arg(0))
            case "cont":
                return await self._continue(event.actor, action.int_arg(0), action.int_arg(1))
            case "new":
                return await self._switch(event.actor, action.int_arg(1))
            case "again":
                return await self._again(event.actor, action.int_arg(0))
        return Response.private(ENDED)

    async def _answer(self, actor: Actor, session_id: int, idx: int, picked: int) -> Response:
        if not 0 <= picked < CHOICE_COUNT:  # a malformed button: record nothing
            return Response.private(ENDED)
        now = self._clock.now()
        community, member = actor.community.key, actor.member.id
        outcome = await self._store.answer(session_id, idx, member, community, picked, now,
                                           now - points.QUIZ_WINDOW, points.QUIZ_CORRECT)
        if outcome.status is AnswerStatus.FOREIGN:
            return Response.private(FOREIGN)
        if outcome.status is AnswerStatus.MISSING or outcome.question is None:
            return Response.private(ENDED)
        question = outcome.question
        view = await self._store.view(session_id)
        if view is None:
            return Response.private(ENDED)
        if outcome.status is AnswerStatus.CLOSED:
            return Response.private("That quiz has ended (a newer one replaced it), so this click changed "
                                    "nothing. Run /quiz for a new one.")
        if outcome.status is AnswerStatus.NOT_CURRENT:
            shown = await self._show(view, replace=False)
            if shown.reply is None:
                return shown
            return Response(reply=dataclasses.replace(shown.reply, text="Answer this one first.\n\n" + shown.reply.text))
        item = await self._packs.item(community, question.item_id)
        if item is None or question.picked is None:
            return Response.private(ENDED)
        if question.earned:  # also after a crash between the answer and its points (the ref is idempotent)
            day = (question.answered_at or now).date().isoformat()
            await self._ledger.award(community, member, question.earned, points.REASON_QUIZ,
                                     points.quiz_ref(question.item_id, day), question.answered_at or now,
                                     topic=item.domain.value)
        finished = view.current is None
        repeat = outcome.status is AnswerStatus.ALREADY
        if not repeat:
            await self._publish(ItemAttempted(actor.member, question.item_id, item.domain.value, SOURCE,
                                              question.correct, now))
        return Response(reply=result_reply(session_id, question.idx, len(view.questions), item, question.picked,
                                           question.correct, question.earned, finished, repeat=repeat),
                        replace_original=True, refresh_home=not repeat)

    async def _mine(self, actor: Actor, session_id: int) -> SessionView | Response:
        view = await self._store.view(session_id)
        if view is None or view.session.community != actor.community.key:
            return Response.private(ENDED)
        if view.session.member != actor.member.id:
            return Response.private(FOREIGN)
        return view

    async def _next(self, actor: Actor, session_id: int) -> Response:
        view = await self._mine(actor, session_id)
        if isinstance(view, Response):
            return view
        if view.session.status in (SessionStatus.OPEN, SessionStatus.FINISHED):
            return await self._show(view, replace=True)
        replaced = "That quiz was replaced by a newer one."
        return await self._current_or(actor, replaced, note=f"{replaced} Here is the one you have open.\n\n")

    async def _continue(self, actor: Actor, open_id: int, new_id: int) -> Response:
        view = await self._mine(actor, open_id)
        if isinstance(view, Response):
            return view
        await self._store.drop(new_id, actor.member.id)
        return await self._current_or(actor, "That quiz has ended.", replace=True)

    async def _switch(self, actor: Actor, new_id: int) -> Response:
        view = await self._store.activate(new_id, actor.member.id, self._clock.now())
        if view is None:
            mine = await self._mine(actor, new_id)
            return mine if isinstance(mine, Response) else Response.private(ENDED)
        if view.session.status is SessionStatus.DROPPED:  # Continue was chosen before: the open quiz goes on
            kept = "You chose to continue your open quiz."
            return await self._current_or(actor, kept, replace=True, note=f"{kept}\n\n")
        if view.session.status is SessionStatus.ABANDONED:  # a newer quiz replaced this one meanwhile
            return await self._current_or(actor, "That quiz was replaced by a newer one.", replace=True)
        return await self._show(view, replace=True)

    async def _current_or(self, actor: Actor, why: str, replace: bool = False, note: str = "") -> Response:
        """The member's open quiz where it stands (after `note`); else `why` and how to start one."""
        view = await self._store.open_session(actor.community.key, actor.member.id)
        if view is None:
            return Response.private(f"{why} No quiz is open now: run /quiz to start one.")
        return await self._show(view, replace=replace, note=note)

    async def _again(self, actor: Actor, session_id: int) -> Response:
        view = await self._mine(actor, session_id)
        if isinstance(view, Response):
            return view
        s = view.session
        wanted = Wanted(_domain(s.topic), _difficulty(s.difficulty), s.count)
        return await self._start(actor, wanted, await self._items(actor.community.key))

    # stats ------------------------------------------------------------------------------------
    async def accuracy(self, member: MemberRef) -> tuple[int, int]:
        return await self._store.accuracy(member.community.key, member.id)


def _domain(value: str | None) -> Domain | None:
    return Domain(value) if value else None


def _difficulty(value: str | None) -> Difficulty | None:
    return Difficulty(value) if value else None
