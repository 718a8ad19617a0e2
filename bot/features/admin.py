"""`/studybot`: help, setup, config and a member's own timezone."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot import markup as mk
from bot.actions import Action, encode
from bot.commands import CommandSpec, OptionSpec, SubcommandSpec
from bot.community import CommunitySettings, SettingError, parse_timezone
from bot.events import CommandInvoked, FormSubmitted
from bot.features import points
from bot.ids import CommunityRef, MemberRef
from bot.messages import Field, Form, FormField, Reply, Response, Visibility
from bot.ports import Clock
from bot.registry import FeatureSpec
from bot.settings import Scope, SettingSpec, SettingsStore, SettingValueError, SetupField, member_scope
from bot.store.communities import Member
from bot.store.protocols import CommunityStore, MemberStore

if TYPE_CHECKING:
    from bot.services import Services

NAME = "admin"
#: the setup form's own field (a shared setting of the community row); every other field is a community
#: setting a feature declared with a `setup` place, ordered with this one by `SetupField.order`
CORE_SETUP = {"timezone": SetupField("Timezone (IANA, e.g. Europe/Berlin)", order=20)}
MAX_SETUP_FIELDS = 5  # Discord modals hold at most five fields
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "studybot",
        "Help, setup and settings",
        subcommands=(
            SubcommandSpec("help", "What studybot does and how to use it"),
            SubcommandSpec("setup", "Start the daily question in this channel", admin_only=True),
            SubcommandSpec(
                "config",
                "Show or change a setting",
                options=(
                    OptionSpec("key", "Which setting (omit to list them all)", max_length=40),
                    OptionSpec("value", "The new value (omit to show the current one)", max_length=200),
                ),
                admin_only=True,
            ),
            SubcommandSpec(
                "timezone",
                "Your own timezone, for streaks (e.g. Europe/Berlin)",
                options=(OptionSpec("zone", "An IANA zone name", required=True, max_length=64),),
            ),
        ),
    ),
)
SettingsChanged = Callable[[str], Awaitable[None]]
Summaries = Callable[[str], Awaitable[list[str]]]
#: (key, where it goes in the form, the declared setting, or None for the core's own)
SetupSlot = tuple[str, SetupField, SettingSpec | None]


def help_text(catalogue: Iterable[CommandSpec]) -> str:
    lines = ["studybot posts a daily ML-interview question; answer privately, then compare at the reveal.",
             f"Points: {points.ANSWER_ON_TIME} for an answer before the reveal ({points.ANSWER_LATE} after), "
             f"{points.KEY_POINT_COVERED} per key point you covered, {points.KUDOS_RECEIVED} per kudos.", ""]
    for cmd in catalogue:
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
    """Setting a community up and changing its settings: the community row's own (channel, timezone,
    enabled), and every community setting a feature declared (from the registry). Every change is
    announced to the registry, so each feature can act on it (the daily question retries what waited and
    reschedules)."""

    def __init__(self, communities: CommunityStore, members: MemberStore, clock: Clock,
                 settings_changed: SettingsChanged, catalogue: Callable[[], Iterable[CommandSpec]],
                 store: SettingsStore, declared: Callable[[], Mapping[str, SettingSpec]],
                 summaries: Summaries) -> None:
        self._store = store
        self._declared = declared
        self._communities = communities
        self._members = members
        self._clock = clock
        self._reschedule = settings_changed
        self._catalogue = catalogue
        self._summaries = summaries

    async def _settings(self, community: str) -> CommunitySettings:
        return await self._communities.get(community) or CommunitySettings(community=community)

    def _community_settings(self) -> dict[str, SettingSpec]:
        """Features' community settings, in registration order (each feature's in its own order)."""
        return {k: s for k, s in self._declared().items() if s.scope is Scope.COMMUNITY}

    def _setup_slots(self) -> list[SetupSlot]:
        slots: list[SetupSlot] = [(k, f, None) for k, f in CORE_SETUP.items()]
        slots += [(k, s.setup, s) for k, s in self._community_settings().items() if s.setup is not None]
        return sorted(slots, key=lambda slot: slot[1].order)[:MAX_SETUP_FIELDS]

    async def help(self, event: CommandInvoked) -> Response:
        return Response(reply=Reply(title="studybot help", text=help_text(self._catalogue())))

    async def setup(self, event: CommandInvoked) -> Response:
        settings = await self._settings(event.actor.community.key)
        if not event.can_open_form:
            keys = [*CommunitySettings.KEYS, *self._community_settings()]
            return Response.private("Use `/studybot config <key> <value>` here; keys: " + ", ".join(keys))
        slots = self._setup_slots()
        current = await self._store.get_many([s for _, _, s in slots if s is not None], settings.community)
        shown = settings.describe()
        defaults = {key: shown[key] if spec is None else spec.show(current[key]) for key, _, spec in slots}
        return Response(form=setup_form([(key, field, defaults[key]) for key, field, _ in slots]))

    async def config(self, event: CommandInvoked) -> Response:
        return await self._config(event, await self._settings(event.actor.community.key))

    async def timezone(self, event: CommandInvoked) -> Response:
        return await self._member_timezone(event)

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
        declared = self._community_settings()
        if not key:
            if not declared:
                return Response(reply=Reply(title="Settings", text="Change one with `/studybot config <key> <value>`.",
                                            fields=tuple(Field(k, v) for k, v in shown.items())))
            values = {**shown, **await self._store.shown(declared.values(), settings.community)}
            listing = "\n".join(f"- {mk.bold(k)}: {mk.escape(v)}" for k, v in values.items())
            return Response(reply=Reply(title="Settings",
                                        text=f"{listing}\n\nChange one with `/studybot config <key> <value>`."))
        key = str(key).strip().casefold()
        if key in declared:
            return await self._declared_setting(declared[key], settings.community, value)
        if key not in shown:
            return Response.private(f"Unknown setting '{key}'. Settings: {', '.join([*shown, *declared])}")
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

    async def _declared_setting(self, spec: SettingSpec, community: str, value: object) -> Response:
        """A setting a feature declared (bot.settings): shown, or parsed, stored and announced."""
        if value is None or str(value).strip() == "":
            current = await self._store.get(spec, community)
            return Response.private(f"{spec.key}: {spec.show(current)} ({spec.description})")
        try:
            stored = await self._store.set(spec, community, str(value), self._clock.now())
        except SettingValueError as exc:
            return Response.private(f"Not changed: {exc}")
        await self._reschedule(community)
        return Response.private(f"{spec.key} is now {spec.show(stored)}.")

    async def on_form(self, event: FormSubmitted, action: Action) -> Response:
        if action.verb != "setup":
            return Response.private("That form has ended. Run the command again.")
        if not event.actor.is_admin:
            return Response.private("Only admins can set studybot up.")
        settings = await self._settings(event.actor.community.key)
        errors: dict[str, str] = {}
        declared: list[tuple[SettingSpec, str]] = []
        for key, _, spec in self._setup_slots():  # everything checked before anything is saved
            raw = event.values.get(key, "").strip()
            if not raw:
                continue  # left empty: kept as it is
            try:
                if spec is None:
                    settings = settings.with_value(key, raw)
                else:
                    spec.parse(raw)
                    declared.append((spec, raw))
            except ValueError as exc:
                errors[key] = str(exc)
        if errors:
            listing = "\n".join(f"- {k}: {mk.escape(v)}" for k, v in errors.items())
            return Response(form_errors=errors, reply=Reply(text=f"Setup not saved:\n{listing}"))
        now = self._clock.now()
        settings = replace(settings, channel=event.channel.without_thread().id, enabled=True,
                           active_since=settings.active_since if settings.enabled else now)
        await self._store.set_many(declared, settings.community, now)
        await self._communities.save(settings, now)  # switched on last: nothing runs on half the settings
        await self._communities.set_admin_member(settings.community, event.actor.member.id)
        await self._reschedule(settings.community)
        said = await self._summaries(settings.community)
        text = " ".join(said) or "studybot will post in this channel."
        return Response(reply=Reply(title="studybot is set up", text=text), visibility=Visibility.PUBLIC)


def setup_form(fields: Sequence[tuple[str, SetupField, str]]) -> Form:
    """The setup form from its fields: (key, place, current value shown as its default)."""
    return Form(
        form_id=encode("admin", "setup"),
        title="Set up the daily question",
        intro="The daily question will be posted in this channel.",
        fields=tuple(FormField(key, field.label, max_length=100, default=default, required=field.required)
                     for key, field, default in fields),
        submit_label="Start",
    )


def _record(row: Member | None) -> dict[str, Any]:
    """A member's record as their export shows it ({} when studybot has none)."""
    return {} if row is None else {"display_name": row.display_name, "timezone": row.timezone}


def build(services: Services) -> FeatureSpec:
    registry = services.registry
    admin = Admin(services.communities, services.members, services.clock, registry.settings_changed,
                  lambda: registry.catalogue, services.settings, lambda: registry.settings,
                  registry.setup_summaries)

    async def export(member: MemberRef) -> dict[str, Any]:
        return _record(await services.members.get(member.community.key, member.id))

    async def export_all(community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export` of many members in one query (the community's member records), whatever their number."""
        rows = await services.members.records(community.key)
        return {m: _record(rows.get(m)) for m in members}

    async def erase(member: MemberRef) -> int:
        gone = await services.settings.erase(Scope.MEMBER, member_scope(member.community.key, member.id))
        gone += await services.communities.clear_admin_member(member.community.key, member.id)
        return gone + await services.members.erase(member.community.key, member.id)
    return FeatureSpec(
        name=NAME, catalogue=COMMANDS,
        commands={"studybot": admin.help, "studybot help": admin.help, "studybot setup": admin.setup,
                  "studybot config": admin.config, "studybot timezone": admin.timezone},
        on_form=admin.on_form, export_member=export, export_community=export_all, erase_member=erase,
        parts={"admin": admin},
        admin_actions=("admin:setup",))
