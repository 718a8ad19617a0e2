"""The opt-in daily review DM: settings (a form, or typed options), and the durable per-member job.

The job runs at the member's local time in their zone (DST-correct through bot.features.schedule) and
plans its own next run. It sends only if an occurrence really is due now (a changed time, zone or days
off is followed, not a stale plan), only when cards are due, at most once per member and local date
(the outbox key), and never to a member who has not turned it on."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.actions import encode
from bot.community import SettingError, parse_days, parse_time, parse_timezone
from bot.events import Actor, CommandInvoked, FormSubmitted
from bot.features.delivery import Delivery
from bot.features.review import JOB, NAME
from bot.features.review.model import ReminderPrefs, format_days_off
from bot.features.review.session import ReviewSession
from bot.features.review.store import ReviewStore
from bot.features.review.views import reminder_reply
from bot.features.schedule import last_occurrence, next_occurrence
from bot.ids import CommunityRef, MemberRef
from bot.jobs import JobQueue
from bot.messages import Form, FormField, InputKind, Reply, Response, SelectOption
from bot.ports import Clock
from bot.settings import member_scope
from bot.store.jobs import Job
from bot.store.protocols import CommunityStore, MemberStore

log = logging.getLogger(__name__)
#: a reminder found more than this late (the bot was down) is not sent; the next day's is planned
LATE_LIMIT = timedelta(hours=6)
RETRY = timedelta(minutes=15)  # a DM that could not go out yet is tried again (same key: sent once)
FIELDS = ("remind", "time", "timezone", "days_off")
WHAT_IT_DOES = ("Once a day, at your time, I DM you how many review cards are due. No DM on your days off, "
                "and none on days when nothing is due. Nothing is sent until you turn it on.")
DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def job_key(community: str, member: str) -> str:
    return member_scope(community, member)


def parse_days_off(raw: str) -> frozenset[int]:
    text = raw.strip().casefold()
    if text in ("", "none", "no", "-"):
        return frozenset()
    return parse_days(text)


class Reminders:
    def __init__(self, store: ReviewStore, session: ReviewSession, jobs: JobQueue, delivery: Delivery,
                 members: MemberStore, communities: CommunityStore, clock: Clock) -> None:
        self._store = store
        self._session = session
        self._jobs = jobs
        self._delivery = delivery
        self._members = members
        self._communities = communities
        self._clock = clock

    # settings ----------------------------------------------------------------------------------
    async def form(self, actor: Actor) -> Form:
        community, member = actor.community.key, actor.member.id
        prefs = await self._store.prefs(community, member)
        zone = await self._session.zone_of(community, member, actor.timezone)
        return Form(encode(NAME, "remind"), "Review reminders", intro=WHAT_IT_DOES, submit_label="Save", fields=(
            FormField("remind", "Daily review DM", InputKind.SELECT,
                      options=(SelectOption("On: DM me when cards are due", "on"), SelectOption("Off", "off")),
                      defaults=("on" if prefs.enabled else "off",)),
            FormField("time", "Time of day, 24h HH:MM (your time)", max_length=5, default=prefs.at.strftime("%H:%M")),
            FormField("timezone", "Your timezone (IANA, e.g. Europe/Berlin)", max_length=64, default=str(zone)),
            FormField("days_off", "Days off (no DM)", InputKind.MULTI_SELECT, required=False, max_values=6,
                      options=tuple(SelectOption(label, str(d)) for d, label in enumerate(DAY_LABELS)),
                      defaults=tuple(str(d) for d in sorted(prefs.days_off))),
        ))

    async def current(self, actor: Actor) -> Response:
        """The settings as text, and how to change them where no form can open."""
        prefs = await self._store.prefs(actor.community.key, actor.member.id)
        zone = await self._session.zone_of(actor.community.key, actor.member.id, actor.timezone)
        usage = ("Change them with `/review settings remind:on time:07:30 timezone:Europe/Berlin "
                 "days_off:sat,sun` (any of these; `days_off:none` clears them).")
        return Response.private(f"{self._describe(prefs, zone, None)}\n\n{WHAT_IT_DOES}\n\n{usage}")

    async def on_form(self, event: FormSubmitted) -> Response:
        def pick(name: str) -> str | None:
            if name in event.selections:
                return ",".join(event.selections[name])
            return event.values.get(name)

        return await self._apply(event.actor, {name: raw for name in FIELDS if (raw := pick(name)) is not None},
                                 from_form=True)

    async def from_options(self, event: CommandInvoked) -> Response:
        given = {name: str(event.options[name]) for name in FIELDS if event.options.get(name) is not None}
        return await self._apply(event.actor, given, from_form=False)

    async def _apply(self, actor: Actor, raw: dict[str, str], from_form: bool) -> Response:
        community, member = actor.community.key, actor.member.id
        prefs = await self._store.prefs(community, member)
        zone = await self._session.zone_of(community, member, actor.timezone)
        errors: dict[str, str] = {}
        enabled, at, days_off, chosen = prefs.enabled, prefs.at, prefs.days_off, str(zone)
        if "remind" in raw:
            value = raw["remind"].strip().casefold()
            if value not in ("on", "off"):
                errors["remind"] = "choose on or off"
            enabled = value == "on"
        try:
            at = parse_time(raw["time"]) if raw.get("time", "").strip() else at
        except SettingError as exc:
            errors["time"] = str(exc)
        try:
            chosen = parse_timezone(raw["timezone"]) if raw.get("timezone", "").strip() else chosen
        except SettingError as exc:
            errors["timezone"] = str(exc)
        try:
            if "days_off" in raw:
                days_off = (frozenset(int(d) for d in raw["days_off"].split(",") if d.strip().isdigit()
                                      and int(d) < 7) if from_form else parse_days_off(raw["days_off"]))
        except SettingError as exc:
            errors["days_off"] = str(exc)
        if len(days_off) == 7 and "days_off" not in errors:
            errors["days_off"] = "leave at least one day without a day off, or turn the reminder off"
        if errors:
            listing = "\n".join(f"- {k}: {mk.escape(v)}" for k, v in errors.items())
            return Response(form_errors=errors, reply=Reply(text=f"Nothing was saved:\n{listing}"))
        if chosen != str(await self._session.zone_of(community, member)):  # what the job would go by
            await self._members.set_timezone(community, member, chosen)  # their own zone, for streaks too
        saved = replace(prefs, enabled=enabled, at=at, days_off=days_off)
        await self._store.save_prefs(saved, self._clock.now())
        nxt = await self.plan(saved, ZoneInfo(chosen))
        return Response.private("Saved. " + self._describe(saved, ZoneInfo(chosen), nxt))

    @staticmethod
    def _describe(prefs: ReminderPrefs, zone: ZoneInfo, nxt: datetime | None) -> str:
        if not prefs.enabled:
            return (f"Review reminders are {mk.bold('off')}: I will not DM you about reviews. "
                    f"(Your time zone: {zone}.)")
        off = f", except on {format_days_off(prefs.days_off)}" if prefs.days_off else ", every day"
        when = f" The next one is {mk.timestamp(nxt, 'f')} (only if cards are due then)." if nxt else ""
        return (f"Review reminders are {mk.bold('on')}: a DM at {mk.bold(prefs.at.strftime('%H:%M'))} "
                f"({zone}){off}, when cards are due; no DM on days with nothing due.{when}")

    async def plan(self, prefs: ReminderPrefs, zone: ZoneInfo) -> datetime | None:
        """Schedule the member's next reminder (or cancel it when off); when it is."""
        key = job_key(prefs.community, prefs.member)
        occ = next_occurrence(self._clock.now(), prefs.at, zone, prefs.days_on) if prefs.enabled else None
        if occ is None:
            await self._jobs.cancel(JOB, key)
            return None
        await self._jobs.schedule(JOB, key, prefs.community, occ.at, {"member": prefs.member})
        return occ.at

    # the job -----------------------------------------------------------------------------------
    async def run(self, job: Job) -> None:
        community = job.community
        member = str(job.payload.get("member") or job.key.partition("/")[2])
        prefs = await self._store.prefs(community, member)
        if not prefs.enabled:
            return
        zone = await self._session.zone_of(community, member)
        now = self._clock.now()
        occ = last_occurrence(now, prefs.at, zone, prefs.days_on)
        if occ is not None and now - occ.at <= LATE_LIMIT:
            due = await self._session.due_count(community, member)
            if due:
                key = f"review-remind:{community}:{member}:{occ.local_date.isoformat()}"
                ref = MemberRef(CommunityRef.from_key(community), member)
                if not await self._delivery.direct(key, ref, reminder_reply(due), None):
                    await self._jobs.schedule(JOB, job.key, community, now + RETRY, {"member": member})
                    return
        await self.plan(prefs, zone)

    async def forget(self, community: str, member: str) -> None:
        await self._jobs.cancel(JOB, job_key(community, member))

