"""After a session: each interviewer's scorecard for their interviewee (reports.py asks "did it happen?").

A scorecard is written only for a turn that took place (attendance.can_score). It is two forms, because a
Discord modal holds five fields: the four ratings (selects with what a weak and a strong signal look
like), then strengths and one thing to improve. It reaches only the
interviewee, by DM; nothing of it is posted in the space or a channel, no admin command shows it, and the
export carries only counts (see MockRepo.member_data). Where a DM cannot be delivered the interviewee
reads it with /mock feedback, an only-you reply.
"""

from __future__ import annotations

from typing import Any

from bot import markup as mk
from bot.actions import Action
from bot.events import ChoiceSelected, FormSubmitted
from bot.features.daily.views import clean_answer
from bot.features.mock.attendance import can_score
from bot.features.mock.context import MockContext
from bot.features.mock.forms import ratings_form, step_two_reply, words_form
from bot.features.mock.model import MAX_CARD_TEXT, Competency, Scorecard, Session
from bot.features.mock.notices import Notices
from bot.features.mock.points import FEEDBACK_GIVEN, REASON_FEEDBACK
from bot.features.mock.report_views import no_card_text
from bot.features.mock.views import NOT_YOURS, at, scorecard_reply
from bot.messages import Reply, Response

GONE = "That mock interview is no longer here."


class Scorecards:
    def __init__(self, ctx: MockContext, notices: Notices) -> None:
        self.ctx = ctx
        self.notices = notices
        notices.register("scorecard", self._rebuild_card)

    async def _session(self, event: ChoiceSelected | FormSubmitted, action: Action) -> Session | Response:
        s = await self.ctx.store.session(action.int_arg(0))
        if s is None or s.community != event.actor.community.key:
            return Response.private(GONE)
        if event.actor.member.id not in s.members:
            return Response.private(NOT_YOURS)
        return s

    # the scorecard, in two steps ----------------------------------------------------------------------
    async def _turn(self, event: ChoiceSelected | FormSubmitted, action: Action,
                    with_turn: bool) -> tuple[Session, int] | Response:
        s = await self._session(event, action)
        if isinstance(s, Response):
            return s
        me = event.actor.member.id
        turn = s.turn_of_interviewer(me)
        if with_turn and (turn is None or action.int_arg(1) != turn):
            return Response.private(NOT_YOURS)
        if turn is None:
            return Response.private(NOT_YOURS)
        if not can_score(s, me, s.interviewee(turn)):
            return Response.private(no_card_text(s, me))
        return s, turn

    async def open_card(self, event: ChoiceSelected, action: Action) -> Response:
        got = await self._turn(event, action, with_turn=False)
        if isinstance(got, Response):
            return got
        s, turn = got
        card = await self.ctx.store.scorecard(s.id, turn)
        if card is not None and card.sent:
            await self._award_feedback(s, card)  # idempotent: points a crash may have kept from the sender
            return Response.private("Your scorecard for this session is already sent. Thank you!")
        name = (await self.ctx.names(s.community, (s.interviewee(turn),)))[s.interviewee(turn)]
        if not event.can_open_form:
            return Response.private("Scorecards need a form; open this from Discord, Slack or the console.")
        return Response(form=ratings_form(s, turn, name, card))

    async def rate(self, event: FormSubmitted, action: Action) -> Response:
        got = await self._turn(event, action, with_turn=True)
        if isinstance(got, Response):
            return got
        s, turn = got
        ratings: dict[Competency, int] = {}
        errors: dict[str, str] = {}
        for comp in Competency:
            picked = event.selections.get(comp.value) or ((event.values[comp.value],) if comp.value in event.values
                                                          else ())
            if len(picked) != 1 or picked[0] not in ("1", "2", "3", "4"):
                errors[comp.value] = "Pick one rating from 1 to 4."
            else:
                ratings[comp] = int(picked[0])
        if errors:
            return Response(form_errors=errors, reply=Reply(text="Not saved: every rating needs a value from 1 to 4."))
        turn_row = await self.ctx.store.turn(s.id, turn)
        card = Scorecard(s.id, turn, s.community, s.interviewer(turn), s.interviewee(turn),
                         turn_row.item_id if turn_row else None, ratings, None, None, False)
        if not await self.ctx.store.save_ratings(card, self.ctx.now()):
            return Response.private("Your scorecard for this session is already sent; it can't change now.")
        return Response(reply=step_two_reply(s, turn))

    async def next_step(self, event: ChoiceSelected, action: Action) -> Response:
        got = await self._turn(event, action, with_turn=True)
        if isinstance(got, Response):
            return got
        s, turn = got
        card = await self.ctx.store.scorecard(s.id, turn)
        if card is None:
            return Response.private("Start with the ratings: press \"Write my scorecard\" again.")
        if card.sent:
            return Response.private("Your scorecard for this session is already sent. Thank you!")
        name = (await self.ctx.names(s.community, (s.interviewee(turn),)))[s.interviewee(turn)]
        return Response(form=words_form(s, turn, name))

    async def words(self, event: FormSubmitted, action: Action) -> Response:
        got = await self._turn(event, action, with_turn=True)
        if isinstance(got, Response):
            return got
        s, turn = got
        strengths = clean_answer(event.values.get("strengths", ""))
        improve = clean_answer(event.values.get("improve", ""))
        errors = {k: f"Write something here (at most {MAX_CARD_TEXT:,} characters)." for k, v in
                  (("strengths", strengths), ("improve", improve)) if not v}
        errors.update({k: f"That is {len(v):,} characters; the limit is {MAX_CARD_TEXT:,}." for k, v in
                       (("strengths", strengths), ("improve", improve)) if len(v) > MAX_CARD_TEXT})
        if errors:
            typed = "\n\n".join(mk.escape(v) for v in (strengths, improve) if v)
            back = f"\n\nWhat you wrote, so you can keep it:\n{typed}" if typed else ""
            return Response(form_errors=errors, reply=Reply(text="Not sent: " + " ".join(errors.values()) + back))
        await self.notices.expect_dm(self._card_key(s, turn), s.community, s.interviewee(turn), "scorecard",
                                     session=s.id, turn=turn)
        card = await self.ctx.store.send_scorecard(s.id, turn, strengths, improve, self.ctx.now())
        if card is None:
            existing = await self.ctx.store.scorecard(s.id, turn)
            if existing is not None and existing.sent:
                # a crash may have come between the write and the DM or the points: finish them (each once)
                await self.deliver(s, existing)
                await self._award_feedback(s, existing)
                return Response.private("Your scorecard for this session is already sent. Thank you!")
            return Response.private("Start with the ratings: press \"Write my scorecard\" again.")
        await self.deliver(s, card)
        earned = FEEDBACK_GIVEN if await self._award_feedback(s, card) else 0
        gained = f" +{earned} points." if earned else ""
        return Response(reply=Reply(text=f"Scorecard sent to {at(card.interviewee)}, and only to them.{gained}"))

    async def _award_feedback(self, s: Session, card: Scorecard) -> bool:
        item = await self.ctx.services.packs.item(s.community, card.item_id)
        return bool(await self.ctx.services.ledger.award(
            s.community, s.interviewer(card.turn), FEEDBACK_GIVEN, REASON_FEEDBACK, f"{s.id}:{card.turn}",
            self.ctx.now(), topic=item.domain.value if item is not None else None))

    async def deliver(self, s: Session, card: Scorecard) -> None:
        """To the interviewee alone, by DM (retried by a job while the platform refuses)."""
        await self.notices.dm(self._card_key(s, card.turn), s.community, card.interviewee,
                              await self._card_reply(s, card), "scorecard", session=s.id, turn=card.turn)

    @staticmethod
    def _card_key(s: Session, turn: int) -> str:
        return f"mock:scorecard:{s.id}:{turn}"

    async def _card_reply(self, s: Session | None, card: Scorecard) -> Reply:
        item = await self.ctx.services.packs.item(card.community, card.item_id)
        return scorecard_reply(card, item, s.start_at if s is not None else None)

    async def _rebuild_card(self, p: dict[str, Any]) -> Reply | None:
        card = await self.ctx.store.scorecard(int(p["session"]), int(p["turn"]))
        if card is None or not card.sent or card.interviewee != str(p.get("member")):
            return None  # erased meanwhile
        return await self._card_reply(await self.ctx.store.session(card.session_id), card)

    async def feedback(self, community: str, member: str) -> Response:
        """/mock feedback: the member's own latest scorecards, to them alone."""
        cards = await self.ctx.store.received(community, member)
        if not cards:
            return Response.private("No scorecards yet: they come after your mock interviews.")
        latest = cards[0]
        reply = await self._card_reply(await self.ctx.store.session(latest.session_id), latest)
        more = f"\n\nThat is the latest of {len(cards)}; /mock status shows your averages." if len(cards) > 1 else ""
        return Response(reply=Reply(title=reply.title, text=reply.text + more, fields=reply.fields))
