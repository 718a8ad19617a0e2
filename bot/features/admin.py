"""`/studybot`: help, setup, config, post-now, reveal-now, timezone and points adjustments."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot import markup as mk
from bot.actions import Action, encode
from bot.commands import CATALOGUE, CONFIG_KEYS
from bot.events import CommandInvoked, FormSubmitted
from bot.features import points
from bot.features.daily import DailyQuestions
from bot.features.members import known_member
from bot.features.pack_admin import PackAdmin
from bot.features.schedule import next_occurrence
from bot.features.settings import CommunitySettings, SettingError, format_days, parse_timezone
from bot.ids import MemberRef
from bot.messages import Field, Form, FormField, Reply, Response, Visibility
from bot.ports import ChatPort, Clock
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.ledger import LedgerRepo

SETUP_FIELDS = (("time", "Post time (24h HH:MM)"), ("timezone", "Timezone (IANA, e.g. Europe/Berlin)"),
                ("days", "Days (weekdays, every day, or mon,wed,fri)"), ("topics", "Topics (all, or a list)"),
                ("reveal", "Reveal (next = at the next post, or 8h)"))
Reschedule = Callable[[str], Awaitable[None]]


def help_text() -> str:
    lines = ["studybot posts a daily ML-interview question; answer privately, then compare at the reveal.",
             f"Points: {points.ANSWER_ON_TIME} for an answer before the reveal ({points.ANSWER_LATE} after), "
             f"{points.KEY_POINT_COVERED} per key point you covered, {points.KUDOS_RECEIVED} per kudos.", ""]
    for cmd in CATALOGUE:
        if cmd.subcommands:
            for sub in cmd.subcommands:
                admin = " (admins)" if sub.admin_only else ""
                lines.append(f"- `/{cmd.name} {sub.name}`: {sub.description}{admin}")
        else:
            lines.append(f"- `/{cmd.name}`: {cmd.description}")
    return "\n".join(lines)


def _channel_value(raw: str) -> str:
    """A channel from a mention (`<#123>`, `<#C1|name>`) or a bare id."""
    m = re.fullmatch(r"<#([A-Za-z0-9]+)(?:\|[^>]*)?>|#?([A-Za-z0-9_\-]+)", raw.strip())
    if not m:
        raise SettingError(f"'{raw}' is not a channel; mention it, or say here")
    return m.group(1) or m.group(2)


class Admin:
    def __init__(self, communities: CommunityRepo, members: MemberRepo, ledger: LedgerRepo,
                 daily: DailyQuestions, packs: PackAdmin, clock: Clock, reschedule: Reschedule,
                 chat: ChatPort) -> None:
        self._chat = chat
        self._packs = packs
        self._communities = communities
        self._members = members
        self._ledger = ledger
        self._daily = daily
        self._clock = clock
        self._reschedule = reschedule

    async def _settings(self, community: str) -> CommunitySettings:
        return await self._communities.get(community) or CommunitySettings(community=community)

    async def on_command(self, event: CommandInvoked) -> Response:
        sub = event.subcommand or "help"
        if sub == "help":
            return Response(reply=Reply(title="studybot help", text=help_text()))
        if sub == "timezone":
            return await self._member_timezone(event)
        spec = next(c for c in CATALOGUE if c.name == "studybot").subcommand(sub)
        if spec is None:
            return Response.private(f"Unknown subcommand '{sub}'. Try /studybot help.")
        if spec.admin_only and not event.actor.is_admin:
            return Response.private(f"Only admins can use /studybot {sub}.")
        settings = await self._settings(event.actor.community.key)
        match sub:
            case "setup":
                if not event.can_open_form:
                    return Response.private("Use `/studybot config <key> <value>` here; keys: "
                                            + ", ".join(CONFIG_KEYS))
                return Response(form=setup_form(settings))
            case "config":
                return await self._config(event, settings)
            case "post-now":
                if not settings.channel:
                    return Response.private("studybot is not set up here yet: run /studybot setup first.")
                if not settings.enabled:
                    return Response.private("studybot is paused here, so nothing was posted. Turn it back on "
                                            "with `/studybot config enabled yes`.")
                return Response.private(await self._daily.post_now(settings))
            case "reveal-now":
                return Response.private(await self._daily.reveal_now(settings))
            case "points":
                return await self._points(event)
            case "pack":
                return await self._packs.on_command(event)
        return Response.private("Try /studybot help.")

    async def _member_timezone(self, event: CommandInvoked) -> Response:
        try:
            zone = parse_timezone(str(event.options.get("zone", "")))
        except SettingError as exc:
            return Response.private(f"Not changed: {exc}")
        await self._members.set_timezone(event.actor.community.key, event.actor.member.id, zone)
        return Response.private(f"Your timezone is now {zone}; streaks count your local days.")

    async def _config(self, event: CommandInvoked, settings: CommunitySettings) -> Response:
        key = event.options.get("key")
        value = event.options.get("value")
        shown = settings.describe()
        if not key:
            return Response(reply=Reply(title="Settings", text="Change one with `/studybot config <key> <value>`.",
                                        fields=tuple(Field(k, v) for k, v in shown.items())))
        key = str(key)
        if key not in shown:
            return Response.private(f"Unknown setting '{key}'. Settings: {', '.join(CONFIG_KEYS)}")
        if value is None or str(value).strip() == "":
            return Response.private(f"{key}: {shown[key]}")
        raw = str(value)
        try:
            if key == "channel":
                raw = event.channel.without_thread().id if raw.strip().casefold() == "here" else _channel_value(raw)
            updated = settings.with_value(key, raw)
        except SettingError as exc:
            return Response.private(f"Not changed: {exc}")
        if key == "enabled" and updated.enabled and not updated.channel:
            return Response.private("Not changed: set a channel first (`/studybot config channel here`).")
        if updated.enabled and not settings.enabled:
            updated = replace(updated, active_since=self._clock.now())
        await self._communities.save(updated, self._clock.now())
        await self._reschedule(settings.community)
        return Response.private(f"{key} is now {updated.describe()[key]}.")

    async def on_form(self, event: FormSubmitted, action: Action) -> Response:
        if action.verb not in ("setup", "pack-add"):
            return Response.private("That form has ended.")
        if not event.actor.is_admin:
            return Response.private("Only admins can set studybot up or add packs.")
        if action.verb == "pack-add":
            return await self._packs.on_form(event)
        settings = await self._settings(event.actor.community.key)
        errors: dict[str, str] = {}
        for key, _ in SETUP_FIELDS:
            raw = event.values.get(key, "").strip()
            if not raw:
                continue
            try:
                settings = settings.with_value(key, raw)
            except SettingError as exc:
                errors[key] = str(exc)
        if errors:
            listing = "\n".join(f"- {k}: {mk.escape(v)}" for k, v in errors.items())
            return Response(form_errors=errors, reply=Reply(text=f"Setup not saved:\n{listing}"))
        now = self._clock.now()
        settings = replace(settings, channel=event.channel.without_thread().id, enabled=True,
                           active_since=settings.active_since if settings.enabled else now)
        await self._communities.save(settings, now)
        await self._communities.set_admin_member(settings.community, event.actor.member.id)
        await self._reschedule(settings.community)
        occ = next_occurrence(now, settings.post_time, settings.zone, settings.days)
        first = f" The first question comes {mk.timestamp(occ.at, 'f')}." if occ else ""
        text = (f"The daily question will be posted here {format_days(settings.days)} at "
                f"{settings.post_time.strftime('%H:%M')} ({settings.timezone}).{first} "
                "Answer with the buttons or /daily.")
        return Response(reply=Reply(title="studybot is set up", text=text), visibility=Visibility.PUBLIC)

    async def _points(self, event: CommandInvoked) -> Response:
        target = str(event.options.get("member", ""))
        amount = event.options.get("amount")
        if not target or not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            return Response.private("Give a member and a non-zero whole number of points.")
        if not await known_member(self._members, self._chat, MemberRef(event.actor.community, target)):
            return Response.private(f"I can't find {mk.mention(MemberRef(event.actor.community, target))} in "
                                    "this community, so no points were changed.")
        reason = str(event.options.get("reason") or "adjustment")
        await self._ledger.award(event.actor.community.key, target, amount, points.REASON_ADMIN,
                                 f"{uuid.uuid4().hex}:{reason[:60]}", self._clock.now())
        who = mk.mention(MemberRef(event.actor.community, target))
        return Response.private(f"{'Added' if amount > 0 else 'Removed'} {abs(amount)} points "
                                f"{'to' if amount > 0 else 'from'} {who} ({mk.escape(reason)}).")


def setup_form(settings: CommunitySettings) -> Form:
    shown = settings.describe()
    defaults = {"time": shown["time"], "timezone": settings.timezone, "days": shown["days"],
                "topics": shown["topics"], "reveal": "next" if settings.reveal_hours is None
                else f"{settings.reveal_hours}h"}
    return Form(
        form_id=encode("admin", "setup"),
        title="Set up the daily question",
        intro="The daily question will be posted in this channel.",
        fields=tuple(FormField(key, label, max_length=100, default=defaults[key], required=key == "time")
                     for key, label in SETUP_FIELDS),
        submit_label="Start",
    )
