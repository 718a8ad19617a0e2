"""The channel race, as members meet it: `/quiz race [topic] [count] [seconds]` in a channel (one race per
channel at a time), private picks on the posted questions (the first counts), and stopping it (the starter
or an admin). The questions, reveals and standings are the race's job (bot.features.quiz.race_run).
"""

from __future__ import annotations

import random
from datetime import timedelta

from bot import markup as mk
from bot.actions import Action
from bot.content.vocabulary import CHOICE_COUNT
from bot.events import Actor, ChoiceSelected, CommandInvoked
from bot.features.packs import Packs
from bot.features.quiz.model import PickStatus, Race
from bot.features.quiz.options import BadInput, Wanted, describe, quiz_items, race_wanted, topics_listing
from bot.features.quiz.picking import pick_for_race
from bot.features.quiz.race_run import STALE, START_DELAY, RaceRunner
from bot.features.quiz.race_store import RaceStore
from bot.features.quiz.views import ENDED, announce_reply, choice_text
from bot.ids import CommunityRef, MemberRef
from bot.messages import Reply, Response
from bot.ports import Clock

NOT_IN_DM = ("A race is for a channel, where everyone can join in: start one there with /quiz race. "
             "Here you can take a quiz of your own with /quiz.")


class Races:
    """What members do with races: start one, stop one, pick. The race's own job is `runner`'s."""

    def __init__(self, store: RaceStore, packs: Packs, clock: Clock, runner: RaceRunner,
                 rng: random.Random | None = None) -> None:
        self._store = store
        self._packs = packs
        self._clock = clock
        self._runner = runner
        self._rng = rng or random.Random()

    # commands ---------------------------------------------------------------------------------
    async def command(self, event: CommandInvoked) -> Response:
        if event.in_dm:
            return Response.private(NOT_IN_DM)
        community, channel = event.actor.community.key, event.channel.key
        items = quiz_items((await self._packs.bank_for(community)).pickable.entries)
        try:
            wanted = race_wanted(event.options, items)
        except BadInput as exc:
            return Response.private(str(exc))
        pool = [it for it in items if wanted.topic is None or it.domain is wanted.topic]
        if not pool:
            return Response.private(f"No quiz questions match {describe(wanted)}, so no race was started. "
                                    f"Topics with quiz questions: {topics_listing(items)}.")
        running = await self._store.running(community, channel)
        if running is not None:
            return await self._busy(running)
        chosen = pick_for_race(pool, wanted.count, self._rng)
        now = self._clock.now()
        first_at = now + START_DELAY
        race, created = await self._store.create(
            community, channel, event.actor.member.id, wanted.topic.value if wanted.topic else None, wanted.seconds,
            [(it.id, it.domain.value, it.correct_index or 0) for it in chosen], now, first_at)
        if not created:
            return await self._busy(race)
        await self._runner.wake(race, first_at)
        about = wanted.topic.value if wanted.topic else "any topic"
        reply = announce_reply(race.id, event.actor.member, len(chosen), wanted.seconds, about, first_at)
        if len(chosen) < wanted.count:
            reply = Reply(title=reply.title, text=reply.text + f"\n(Only {len(chosen)} quiz questions match "
                          f"{describe(Wanted(wanted.topic, None, wanted.count))}.)", choices=reply.choices)
        return Response.public(reply)

    async def _busy(self, race: Race) -> Response:
        questions = await self._store.questions(race.id)
        now = self._clock.now()
        marks = [race.first_at, *(t for q in questions for t in (q.deadline, q.closed_at) if t is not None)]
        if now - max(marks) > STALE + timedelta(seconds=race.seconds):
            await self._runner.wake(race, now)  # a race whose job was lost or long delayed: wrap it up now
            return Response.private("The race in this channel stalled; I am closing it now. Try again in a "
                                    "moment.")
        starter = f" by {mk.mention(MemberRef(CommunityRef.from_key(race.community), race.started_by))}" \
            if race.started_by else ""
        open_q = next((q for q in questions if q.posted and q.settled_at is None), None)
        where = (f" It is at question {open_q.idx + 1} of {race.count}, which closes "
                 f"{mk.timestamp(open_q.deadline, 'R')}." if open_q is not None and open_q.deadline else "")
        return Response.private(f"A race is already running in this channel (started{starter} "
                                f"{mk.timestamp(race.created_at, 'R')}).{where} One race per channel at a time: "
                                "join in, or its starter or an admin can end it with /quiz stop.")

    async def stop_command(self, event: CommandInvoked) -> Response:
        race = await self._store.running(event.actor.community.key, event.channel.key)
        if race is None:
            return Response.private("No race is running in this channel.")
        return await self._stop(event.actor, race)

    async def _stop(self, actor: Actor, race: Race) -> Response:
        if race.finished_at is not None:
            return Response.private("That race has already ended.")
        if actor.member.id != race.started_by and not actor.is_admin:
            who = (mk.mention(MemberRef(actor.community, race.started_by)) if race.started_by
                   else "whoever started it")
            return Response.private(f"Only {who} or an admin can stop this race.")
        if not await self._store.stop(race.id, actor.member.id, self._clock.now()):
            return Response.private("The race is already stopping.")
        await self._runner.wake(race, self._clock.now())
        return Response.private("Stopping the race: the open question closes now, then the standings are posted "
                                "in the channel.")

    # clicks -----------------------------------------------------------------------------------
    async def on_choice(self, event: ChoiceSelected, action: Action) -> Response:
        if action.verb == "stop":
            race = await self._store.race(action.int_arg(0))
            if race is None or race.community != event.actor.community.key:
                return Response.private(ENDED)
            return await self._stop(event.actor, race)
        if action.verb == "pick":
            return await self._pick(event, action.int_arg(0), action.int_arg(1))
        return Response.private(ENDED)

    async def _pick(self, event: ChoiceSelected, question_id: int, choice: int) -> Response:
        if not 0 <= choice < CHOICE_COUNT:
            return Response.private(ENDED)
        now = self._clock.now()
        community = event.actor.community.key
        # the platform's time orders picks; a time ahead of ours (clock skew) counts as now, so no pick is
        # refused as late, or ranked after a slower one, for the platform's clock running fast
        at = min(event.occurred_at or now, now)
        outcome = await self._store.pick(question_id, community, event.actor.member.id, choice, at, now)
        if outcome.status is PickStatus.MISSING:
            return Response.private(ENDED)
        item = await self._packs.item(community, outcome.item_id)
        closes = (f" It closes {mk.timestamp(outcome.deadline, 'R')}." if outcome.deadline and outcome.deadline > now
                  else " It has closed; the answer shows on the message." if outcome.deadline else "")

        def named(index: int) -> str:
            return mk.bold(mk.escape(choice_text(item, index) if item is not None else "ABCD"[index]))

        match outcome.status:
            case PickStatus.LOCKED:
                return Response.private(f"Locked in {named(choice)}. Nobody sees who picked what until the "
                                        f"question closes.{closes}")
            case PickStatus.ALREADY if outcome.choice == choice:
                return Response.private(f"You already locked in {named(choice)}; it counts once.{closes}")
            case PickStatus.ALREADY:
                return Response.private(f"Your first pick counts: you locked in {named(outcome.choice or 0)} "
                                        f"before, so this one was not taken.{closes}")
            case PickStatus.LATE:
                return Response.private("Time's up for this question, so that pick was not taken. The answer "
                                        "shows on the message in a moment.")
        return Response.private("This question has closed; its answer is on the message.")
