"""Interviewer packets: before each turn the interviewer alone gets, by DM, a question for the
interviewee's track and level that the interviewee has not met, with its key points, follow-ups and
rubric. The first packet comes before the start; at each swap the next interviewer gets theirs.

A packet never goes to the shared space or a channel. Where a DM cannot be delivered, the interviewer
presses "Show my packet" in the space, and the answer is shown to them alone (an only-you reply).
The question of each turn is chosen once and stored, so a rerun, a restart or the button show the same one.
"""

from __future__ import annotations

import random

from bot import markup as mk
from bot.actions import Action
from bot.content.bank import Entry
from bot.content.item import Item
from bot.events import ChoiceSelected
from bot.features.mock.booking import turn_open
from bot.features.mock.context import DeliveryPending, MockContext
from bot.features.mock.model import LEVELS, PACKET_LEAD, Session, SessionStatus
from bot.features.mock.views import NOT_YOURS, packet_reply, swap_reply
from bot.messages import Reply, Response
from bot.store.jobs import Job

NO_QUESTION = ("I have no mock-ready question for this track in the bank, so there is no packet. Ask your "
               "partner about a project of theirs instead, and score it the same way.")


class Packets:
    def __init__(self, ctx: MockContext) -> None:
        self.ctx = ctx

    async def question(self, s: Session, turn: int) -> Item | None:
        """The turn's question: chosen once (stored), then always the same."""
        store, packs = self.ctx.store, self.ctx.services.packs
        row = await store.turn(s.id, turn)
        if row is not None and row.item_id is not None:
            return await packs.item(s.community, row.item_id)
        bank = await packs.bank_for(s.community)
        ready = [it for it in bank.pickable.entries if it.mock_ready and it.track.value == s.track]
        if not ready:
            return None
        interviewee = s.interviewee(turn)
        seen = await store.seen_items(s.community, interviewee)
        posted = {item for item, _ in await self.ctx.services.rounds.history(s.community)}
        others = {row.item_id for t in range(s.turns) if t != turn
                  and (row := await store.turn(s.id, t)) is not None and row.item_id}
        level = LEVELS.index(s.levels[(turn + 1) % s.turns])
        rng = random.Random(f"{s.id}:{turn}")

        def fit(items: list[Entry]) -> list[Entry]:
            """The closest level there is among these (the interviewee's own when it exists)."""
            if not items:
                return []
            best = min(abs(LEVELS.index(it.seniority.value) - level) for it in items if it.seniority)
            return sorted((it for it in items if it.seniority and abs(LEVELS.index(it.seniority.value) - level)
                           == best), key=lambda it: it.id)

        unseen = [it for it in ready if it.id not in seen and it.id not in others]
        choices = (fit([it for it in unseen if it.id not in posted]) or fit(unseen)
                   or fit([it for it in ready if it.id not in others]) or fit(ready))
        chosen = rng.choice(choices)
        row = await store.choose_item(s.id, turn, chosen.id, self.ctx.now())
        return await packs.item(s.community, row.item_id)  # another process may have chosen first

    async def job(self, job: Job) -> None:
        sid, _, turn_text = job.key.partition(":")
        s = await self.ctx.store.session(int(sid))
        turn = int(turn_text)
        if s is None or s.status is not SessionStatus.BOOKED or s.version != int(job.payload.get("version", 0)):
            return
        if not turn_open(s, turn, self.ctx.now()):
            return  # that turn is over
        item = await self.question(s, turn)
        start = s.start_at + turn * s.turn_length if s.start_at is not None else None
        reply = packet_missing_reply() if item is None else packet_reply(s, turn, item, start)
        if not await self.ctx.dm(f"mock:packet:{s.id}:{turn}", s.community, s.interviewer(turn), reply):
            raise DeliveryPending(f"the packet of session {s.id} turn {turn} is not delivered yet")
        if turn > 0:
            await self.ctx.post(f"mock:swap:{s.id}:{s.version}:{turn}", s, swap_reply(s, turn))

    async def show(self, event: ChoiceSelected, action: Action) -> Response:
        """"Show my packet": the clicking interviewer's packet, to them alone, once its time has come."""
        s = await self.ctx.store.session(action.int_arg(0))
        me = event.actor.member.id
        if s is None or s.community != event.actor.community.key:
            return Response.private("That mock interview is no longer here.")
        if me not in s.members:
            return Response.private(NOT_YOURS)
        turn = s.turn_of_interviewer(me)
        assert turn is not None
        if s.status is not SessionStatus.BOOKED or s.start_at is None:
            return Response.private("There is no booked session, so no packet yet.")
        row = await self.ctx.store.turn(s.id, turn)
        if row is None or row.item_id is None:
            due = s.start_at - PACKET_LEAD if turn == 0 else s.start_at + turn * s.turn_length
            when = "before the session starts" if turn == 0 else "when your turn as interviewer starts (the swap)"
            return Response.private(f"Your packet comes by DM {mk.timestamp(due, 'R')}, {when}. Press this again "
                                    "then if it has not arrived.")
        item = await self.ctx.services.packs.item(s.community, row.item_id)
        if item is None:
            return Response.private(NO_QUESTION)
        return Response(reply=packet_reply(s, turn, item, s.start_at + turn * s.turn_length))


def packet_missing_reply() -> Reply:
    return Reply(title="Your interviewer packet", text=NO_QUESTION)
