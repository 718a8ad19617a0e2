"""The pool: joining (a five-field form, then Confirm after the availability is shown back), changing the
availability, pausing, resuming, leaving, and a member's own status.

Nothing is saved from a form until the member confirms what was read: the form's values become a
draft (one per member), and the Confirm button names that draft, so a Confirm from an older form is
recognised as stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

from bot import markup as mk
from bot.actions import Action
from bot.community import SettingError, parse_timezone
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.features.mock.availability import AvailabilityError
from bot.features.mock.availability_parser import parse_availability
from bot.features.mock.context import MockContext, zone_or_utc
from bot.features.mock.forms import availability_form, confirm_reply, join_form
from bot.features.mock.model import (
    CADENCES,
    LEVELS,
    OPEN_STATUSES,
    TRACK_LABELS,
    Draft,
    Profile,
    SessionStatus,
)
from bot.features.mock.views import NOT_YOURS, status_reply
from bot.messages import Reply, Response

MAX_PAUSE = timedelta(days=366)
Planner = Callable[[str], Awaitable[object]]
Leaver = Callable[[str, str], Awaitable[int]]


class Pool:
    def __init__(self, ctx: MockContext, plan_round: Planner, leave_sessions: Leaver) -> None:
        self.ctx = ctx
        self._plan_round = plan_round
        self._leave_sessions = leave_sessions

    async def _zone_default(self, actor: Actor, profile: Profile | None) -> str:
        if actor.timezone:
            return actor.timezone
        if profile is not None:
            return profile.zone
        row = await self.ctx.services.members.get(actor.community.key, actor.member.id)
        if row is not None and row.timezone:
            return row.timezone
        settings = await self.ctx.services.communities.get(actor.community.key)
        return settings.timezone if settings is not None else "UTC"

    # joining and changing ---------------------------------------------------------------------------
    async def join(self, event: CommandInvoked) -> Response:
        if not event.can_open_form:
            return Response.private("Joining takes a short form; run /mock join where forms open "
                                    "(Discord, Slack or the console).")
        profile = await self.ctx.store.profile(event.actor.community.key, event.actor.member.id)
        zone = await self._zone_default(event.actor, profile)
        if profile is None:
            return Response(form=join_form((), None, zone, "", "weekly"))
        return Response(form=join_form(profile.tracks, profile.level, zone, profile.availability, profile.cadence))

    async def availability(self, event: CommandInvoked) -> Response:
        profile = await self.ctx.store.profile(event.actor.community.key, event.actor.member.id)
        if profile is None:
            return Response.private("You are not in the mock interview pool yet: join with /mock join.")
        typed = event.options.get("text")
        if isinstance(typed, str) and typed.strip():
            return await self._check(event.actor, profile.tracks, profile.level, profile.zone, typed,
                                     profile.cadence, joining=False)
        if not event.can_open_form:
            return Response.private("Give your times with the command: `/mock availability Mon-Thu 18:00-21:00`.")
        return Response(form=availability_form(profile))

    async def on_join_form(self, event: FormSubmitted) -> Response:
        tracks = tuple(t for t in event.selections.get("tracks", ()) if t in TRACK_LABELS)
        level = next(iter(event.selections.get("level", ())), "")
        cadence = next(iter(event.selections.get("cadence", ())), "weekly")
        errors: dict[str, str] = {}
        if not tracks or len(tracks) != len(event.selections.get("tracks", ())):
            errors["tracks"] = "Pick at least one track."
        if level not in LEVELS:
            errors["level"] = "Pick junior, mid or senior."
        if cadence not in CADENCES:
            errors["cadence"] = "Pick every week or every two weeks."
        if errors:
            return self._refused(errors, event.values.get("availability", ""))
        return await self._check(event.actor, tracks, level, event.values.get("timezone", ""),
                                 event.values.get("availability", ""), cadence, joining=True)

    async def on_availability_form(self, event: FormSubmitted) -> Response:
        profile = await self.ctx.store.profile(event.actor.community.key, event.actor.member.id)
        if profile is None:
            return Response.private("You are not in the mock interview pool yet: join with /mock join.")
        return await self._check(event.actor, profile.tracks, profile.level, event.values.get("timezone", "")
                                 or profile.zone, event.values.get("availability", ""), profile.cadence,
                                 joining=False)

    async def _check(self, actor: Actor, tracks: tuple[str, ...], level: str, zone_raw: str, text: str,
                     cadence: str, joining: bool) -> Response:
        errors: dict[str, str] = {}
        try:
            zone = parse_timezone(zone_raw or "UTC")
        except SettingError as exc:
            errors["timezone"] = str(exc)
            zone = "UTC"
        try:
            parsed = parse_availability(text)
        except AvailabilityError as exc:
            errors["availability"] = str(exc)
        else:
            if parsed.is_empty:
                errors["availability"] = ("That says you are never free, so nobody could be paired with you. "
                                          "To stop for a while, use /mock pause.")
        if errors:
            return self._refused(errors, text)
        draft = await self.ctx.store.put_draft(Draft(0, actor.community.key, actor.member.id, tracks, level, zone,
                                                     text.strip(), cadence), self.ctx.now())
        return Response(reply=confirm_reply(draft.id, tracks, level, zone, parsed.describe(), parsed.notes, cadence,
                                            joining))

    @staticmethod
    def _refused(errors: dict[str, str], typed: str) -> Response:
        listing = "\n".join(f"- {mk.escape(v)}" for v in errors.values())
        back = f"\n\nWhat you wrote, so you can keep it:\n{mk.escape(typed)}" if typed.strip() else ""
        return Response(form_errors=errors, reply=Reply(text=f"Nothing saved yet:\n{listing}{back}"))

    async def on_choice(self, event: ChoiceSelected, action: Action) -> Response:
        draft = await self.ctx.store.draft(action.int_arg(0))
        if draft is None or draft.community != event.actor.community.key:
            return Response.private("That confirmation is out of date (you changed it since, or it is done). "
                                    "Run /mock join or /mock availability again.")
        if draft.member != event.actor.member.id:
            return Response.private(NOT_YOURS)
        if action.verb == "edit":
            return Response(form=join_form(draft.tracks, draft.level, draft.zone, draft.availability, draft.cadence))
        was = await self.ctx.store.profile(draft.community, draft.member)
        profile = await self.ctx.store.confirm_draft(draft.id, draft.member, self.ctx.now())
        if profile is None:
            return Response.private("That confirmation is already done.")
        nxt = await self._plan_round(draft.community)
        when = f" The next pairing round is {mk.timestamp(nxt, 'f')}." if isinstance(nxt, datetime) else ""
        paused = " You are paused; /mock resume brings you back." if not profile.active_at(self.ctx.now()) else ""
        unset = ("" if await self.ctx.channel(draft.community) is not None else
                 " Rounds start once an admin sets studybot up here (/studybot setup, or /studybot config channel "
                 "here): pairs get their private threads in that channel.")
        text = ("You're in the mock interview pool." if was is None else "Saved.") + when + paused + unset
        return Response(reply=Reply(text=text), replace_original=True)

    # pausing, leaving ------------------------------------------------------------------------------
    async def pause(self, event: CommandInvoked) -> Response:
        community, member = event.actor.community.key, event.actor.member.id
        profile = await self.ctx.store.profile(community, member)
        if profile is None:
            return Response.private("You are not in the mock interview pool, so there is nothing to pause.")
        raw = event.options.get("until")
        until: datetime | None = None
        if isinstance(raw, str) and raw.strip():
            example = (self.ctx.now() + timedelta(days=14)).date().isoformat()
            try:
                day = date.fromisoformat(raw.strip())
            except ValueError:
                return Response.private(f"'{mk.escape(raw)}' is not a date; write it as YYYY-MM-DD, like {example}.")
            until = datetime.combine(day, time(0), zone_or_utc(profile.zone)).astimezone(UTC)
            now = self.ctx.now()
            if until <= now:
                return Response.private(f"That date has passed (in your timezone, {mk.escape(profile.zone)}); give a "
                                        f"date in the future, like {example}.")
            if until - now > MAX_PAUSE:
                return Response.private("Pause for at most a year; to stop for good, use /mock leave.")
        await self.ctx.store.set_paused(community, member, True, until, self.ctx.now())
        upcoming = [s for s in await self.ctx.store.sessions_of(community, member) if s.status in OPEN_STATUSES]
        kept = (" A session already arranged stays; cancel it in its private space if you can't make it."
                if upcoming else "")
        back = f"until {mk.timestamp(until, 'd')}" if until else "until you run /mock resume"
        return Response.private(f"Paused {back}: no new partners meanwhile.{kept}")

    async def resume(self, event: CommandInvoked) -> Response:
        community, member = event.actor.community.key, event.actor.member.id
        profile = await self.ctx.store.profile(community, member)
        if profile is None:
            return Response.private("You are not in the mock interview pool: join with /mock join.")
        await self.ctx.store.set_paused(community, member, False, None, self.ctx.now())
        nxt = await self._plan_round(community)
        when = f" The next round is {mk.timestamp(nxt, 'f')}." if isinstance(nxt, datetime) else ""
        if profile.paused:
            return Response.private(f"Welcome back: you're in the next pairing round.{when}")
        return Response.private(f"You weren't paused: you're in the next pairing round already.{when}")

    async def leave(self, event: CommandInvoked) -> Response:
        community, member = event.actor.community.key, event.actor.member.id
        if not await self.ctx.store.remove_profile(community, member):
            return Response.private("You are not in the mock interview pool.")
        cancelled = await self._leave_sessions(community, member)
        await self._plan_round(community)
        told = ("" if not cancelled else " Your arranged session was cancelled and the others in it were told."
                if cancelled == 1 else f" Your {cancelled} arranged sessions were cancelled and the others in them "
                "were told.")
        return Response.private("You left the mock interview pool; your history and scorecards stay yours "
                                f"(forget-me removes them).{told} Come back any time with /mock join.")

    # status -----------------------------------------------------------------------------------------
    async def status(self, event: CommandInvoked) -> Response:
        community, me = event.actor.community.key, event.actor.member.id
        profile = await self.ctx.store.profile(community, me)
        history = await self.ctx.store.sessions_of(community, me)
        now = self.ctx.now()
        upcoming = next((s for s in reversed(history) if s.status in (SessionStatus.OPENING, SessionStatus.PROPOSED)
                         or (s.status is SessionStatus.BOOKED and s.end_at is not None and s.end_at > now)), None)
        cards = await self.ctx.store.received(community, me)
        described = ""
        if profile is not None:
            try:
                described = parse_availability(profile.availability).describe()
            except AvailabilityError:
                described = f"{profile.availability} (no longer readable: set it again with /mock availability)"
        return Response(reply=status_reply(profile, now, upcoming, history, cards, described, me))
