"""The daily question: post, answer privately, reveal, checklist, kudos.

Everything is driven from database state: `run_due` looks at a community's rounds and the clock and
does whatever is due, so a scheduler wake-up, a startup sweep and an admin's post-now all take the same
idempotent path.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from bot import markup as mk
from bot.actions import Action, encode
from bot.commands import ANSWER_LIMIT
from bot.content.schema import Item
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.features import points
from bot.features.delivery import Delivery, Posted, PostState, advice
from bot.features.packs import Packs
from bot.features.picker import pick_daily
from bot.features.schedule import last_occurrence, next_occurrence
from bot.features.settings import CommunitySettings
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Choice, Field, Form, FormField, InputKind, Reply, Response, Style, clip
from bot.ports import Clock
from bot.store.communities import CommunityRepo
from bot.store.daily import Answer, DailyRepo, Round, RoundStatus, SaveOutcome
from bot.store.db import StoreUnavailable
from bot.store.ledger import LedgerRepo

log = logging.getLogger(__name__)
# One limit every form can round-trip: Slack's plain-text input holds at most 3,000 characters (Discord
# 4,000), so an answer saved anywhere can be opened for editing anywhere without losing text.
MAX_ANSWER = ANSWER_LIMIT
LATE_ANSWER_WINDOW = timedelta(days=7)
# control characters (category Cc) except tab and newline, bidi overrides and isolates, zero-width space, BOM
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\ufeff]")

ENDED = "This question has ended, or that button is no longer mine. Try /daily for today's question."
ALREADY = {
    RoundStatus.POSTED: "Today's question is already posted.",
    RoundStatus.REVEALING: "Today's question has already been revealed.",
    RoundStatus.REVEALED: "Today's question has already been revealed.",
    RoundStatus.SKIPPED: "Today's question was skipped (its time passed while I could not post it).",
}
KEPT = ("The reveal has happened, so your saved answer can no longer be edited; it stays as you last "
        "saved it before the reveal.")


def handed_back(text: str) -> str:
    """The member's own text, shown back to them so nothing they wrote is lost."""
    return "\n\nHere is what you sent, so you can keep it:\n" + mk.escape(clip(text, MAX_ANSWER))


def clean_answer(text: str) -> str:
    """NFC, no control or bidi-override characters, trimmed; newlines and emoji kept."""
    return _UNWANTED.sub("", unicodedata.normalize("NFC", text)).strip()


WakeHook = Callable[[str, datetime | None], Awaitable[None]]


class DailyQuestions:
    def __init__(self, packs: Packs, communities: CommunityRepo, rounds: DailyRepo, ledger: LedgerRepo,
                 delivery: Delivery, clock: Clock, on_next_wake: WakeHook) -> None:
        self._packs = packs
        self._communities = communities
        self._rounds = rounds
        self._ledger = ledger
        self._delivery = delivery
        self._clock = clock
        self._on_next_wake = on_next_wake
        self._fixed_rounds: dict[int, Round] = {}
        self._round_reads: dict[int, asyncio.Future[Round | None]] = {}

    # scheduled work ---------------------------------------------------------------------------
    async def run_due(self, community_key: str) -> None:
        """Do whatever is due for this community now, then ask to be woken for the next thing."""
        settings = await self._communities.get(community_key)
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

    async def next_wake(self, settings: CommunitySettings) -> datetime | None:
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

    async def _create_round(self, settings: CommunitySettings, local_date: date, due_at: datetime,
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
        self._remember_round(rnd)  # the answers that follow the post need no read
        return rnd

    async def _advance(self, rnd: Round, settings: CommunitySettings, now: datetime) -> None:
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
        for ans in (a for a in answers if not a.late):  # a late answer got its checklist when it was saved
            member = MemberRef(channel.community, ans.member)
            complete &= await self._delivery.direct(f"daily-checklist:{ans.id}", member,
                                                    checklist_reply(ans, item), fallback=channel)
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
    async def post_now(self, settings: CommunitySettings) -> str:
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

    async def reveal_now(self, settings: CommunitySettings) -> str:
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
        settings = await self._communities.get(community)
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
            self._remember_round(rnd)
        return rnd

    def _remember_round(self, rnd: Round) -> None:
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
                                                   points.REASON_ANSWER)
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

    async def _finish_checklist(self, ans: Answer) -> Response:
        if not await self._rounds.finish_checklist(ans.id):
            return Response.private("You already submitted this checklist.")
        now = self._clock.now()
        earned = 0
        for index in sorted(ans.covered):
            if await self._ledger.award(ans.community, ans.member, points.KEY_POINT_COVERED,
                                        points.REASON_KEY_POINT, f"{ans.id}:{index}", now):
                earned += points.KEY_POINT_COVERED
        n = len(ans.covered)
        return Response(reply=Reply(text=f"Checklist saved: {n} key point{'s' * (n != 1)} covered, "
                                         f"+{earned} points."), replace_original=True, refresh_home=True)

    async def _kudos(self, voter: Actor, ans: Answer) -> Response:
        if ans.member == voter.member.id:
            return Response.private("That's your own answer: kudos are for others.")
        if not ans.shared:
            return Response.private(ENDED)
        if not await self._rounds.add_kudos(ans.id, voter.member.id, self._clock.now()):
            return Response.private("You already gave kudos to this answer.")
        await self._ledger.award(ans.community, ans.member, points.KUDOS_RECEIVED, points.REASON_KUDOS,
                                 f"{ans.id}:{voter.member.id}", self._clock.now())
        author = MemberRef(voter.community, ans.member)
        return Response.private(f"Kudos sent to {mk.mention(author)}.")


# rendering ----------------------------------------------------------------------------------------
def too_long(text: str) -> Response:
    """Refuse an over-long answer but hand the text back, so the member loses nothing."""
    problem = f"Your answer is {len(text):,} characters; the limit is {MAX_ANSWER:,}, so it was not saved."
    overflow = text[MAX_ANSWER - 200 :]
    return Response(
        form_errors={"answer": f"That is {len(text):,} characters; the limit is {MAX_ANSWER:,}."},
        reply=Reply(text=f"{problem} Shorten it and submit again. The part past the limit was:\n"
                         + mk.escape(clip(overflow, 1500))),
    )


def _meta(item: Item) -> tuple[Field, ...]:
    return (Field("Topic", f"{item.domain.value} · {item.subtopic}"),
            Field("Difficulty", item.difficulty.value))


def question_reply(rnd: Round, item: Item, mine: Answer | None = None) -> Reply:
    choices = [Choice("Edit my answer" if mine else "Answer", encode("daily", "answer", rnd.id), Style.PRIMARY)]
    if mine is None:
        choices.append(Choice("Skip", encode("daily", "skip", rnd.id)))
    if item.hint:
        choices.append(Choice("Hint", encode("daily", "hint", rnd.id)))
    reveal = (f"\n\nAnswers stay private until the reveal {mk.timestamp(rnd.reveal_due_at, 'R')}."
              if rnd.reveal_due_at else "")
    return Reply(title=f"Daily question · {rnd.local_date.isoformat()}", text=mk.escape(item.prompt) + reveal,
                 fields=_meta(item), choices=tuple(choices))


def answer_form(rnd: Round, item: Item, mine: Answer | None) -> Form:
    late = not rnd.open_for_answers
    intro = ("The reveal has happened: this is a late answer, and you get the model answer once it is saved."
             "\n\n" if late else "") + mk.escape(item.prompt)
    label = "Your late answer" if late else "Your answer (private until the reveal)"
    return Form(
        form_id=encode("daily", "submit", rnd.id),
        title="Your late answer" if late else "Your answer",
        intro=intro,
        fields=(FormField("answer", label, InputKind.LONG,
                          max_length=MAX_ANSWER, placeholder="Explain as you would in an interview",
                          default=mine.text if mine else None),),
        submit_label="Save answer",
    )


def saved_reply(rnd: Round, ans: Answer, earned: int) -> Reply:
    share = (Choice("Keep private", encode("daily", "private", rnd.id)) if ans.shared
             else Choice("Share at the reveal", encode("daily", "share", rnd.id), Style.SUCCESS))
    when = f" until the reveal {mk.timestamp(rnd.reveal_due_at, 'R')}" if rnd.reveal_due_at else ""
    sharing = ("It will be shared in the reveal thread." if ans.shared
               else "It stays private; share it if you'd like kudos.")
    gained = f" +{earned} points." if earned else ""
    return Reply(text=f"Saved. Only you can see your answer{when}. {sharing}{gained}\n"
                      "You can edit it until the reveal.",
                 choices=(Choice("Edit my answer", encode("daily", "answer", rnd.id)), share))


def late_reply(ans: Answer, item: Item, earned: int) -> Reply:
    gained = f" (+{earned} points for a late answer)" if earned else ""
    body = (f"Saved{gained}. The reveal has happened, so here is the model answer:\n\n"
            f"{mk.escape(item.model_answer or '')}")
    return Reply(text=body, title="Late answer saved", choices=checklist_choices(ans, item))


def reveal_reply(rnd: Round, item: Item, answers: list[Answer], shared: list[Answer]) -> Reply:
    on_time = [a for a in answers if not a.late]
    key_points = "\n".join(f"- {mk.escape(k)}" for k in item.key_points or ())
    n = len(on_time)
    if n:
        thread = f"; {len(shared)} shared their answer in the thread" if shared else ""
        people = (f"{n} member{'s' * (n != 1)} answered{thread}. If you answered, check your DMs to tick the "
                  "key points you covered.")
    else:
        people = "Nobody answered this one before the reveal. You can still answer it late with /daily."
    text = (f"{bold_prompt(item)}\n\n{mk.bold('Model answer')}\n{mk.escape(item.model_answer or '')}\n\n"
            f"{mk.bold('Key points')}\n{key_points}\n\n{people}")
    return Reply(title=f"Reveal · {rnd.local_date.isoformat()}", text=text, fields=_meta(item))


def bold_prompt(item: Item) -> str:
    return f"{mk.bold('Question')}: {mk.escape(item.prompt)}"


def shared_answer_reply(ans: Answer, author: MemberRef) -> Reply:
    return Reply(text=f"{mk.mention(author)} answered:\n{mk.escape(ans.text)}",
                 choices=(Choice("Kudos", encode("daily", "kudos", ans.id), Style.SUCCESS),))


def checklist_choices(ans: Answer, item: Item) -> tuple[Choice, ...]:
    ticks = tuple(
        Choice(f"{'☑' if i in ans.covered else '☐'} {i + 1}", encode("daily", "tick", ans.id, i),
               Style.SUCCESS if i in ans.covered else Style.SECONDARY)
        for i in range(len(item.key_points or ()))
    )
    return (*ticks, Choice("Done", encode("daily", "done", ans.id), Style.PRIMARY))


def checklist_reply(ans: Answer, item: Item) -> Reply:
    listing = "\n".join(f"{i + 1}. {mk.escape(k)}" for i, k in enumerate(item.key_points or ()))
    return Reply(title="Your checklist",
                 text=f"Which key points did your answer cover? Tick them, then press Done "
                      f"(+{points.KEY_POINT_COVERED} points each).\n\n{listing}",
                 choices=checklist_choices(ans, item))

