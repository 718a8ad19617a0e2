"""The feature registry: every feature declares what it adds, and the core is derived from the declarations.

A feature is a `FeatureSpec`: its commands (catalogue entries; several features may add subcommands to
one command, like `/studybot`), the handlers for its command routes, its action prefix (buttons, selects
and forms whose id starts `prefix:` are its own), its job kinds, its settings, and hooks: export and
erase one member's data, react when an admin changed a community's settings, answer the member's home.
The composition root adds each feature once; the router, the job queue, the command catalogue (and so
Discord's command payloads and Slack's manifest) all come from here. Nothing else lists features.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from bot.actions import Action
from bot.audit import AdminAction
from bot.commands import CommandSpec, SubcommandSpec
from bot.events import ChoiceSelected, CommandInvoked, FormSubmitted, HomeOpened
from bot.ids import CommunityRef, MemberRef
from bot.messages import Field, Response
from bot.precedence import background
from bot.settings import SettingSpec
from bot.signals import Signal
from bot.store.jobs import Job

CommandHandler = Callable[[CommandInvoked], Awaitable[Response]]
ChoiceHandler = Callable[[ChoiceSelected, Action], Awaitable[Response]]
FormHandler = Callable[[FormSubmitted, Action], Awaitable[Response]]
HomeHandler = Callable[[HomeOpened], Awaitable[Response]]
JobHandler = Callable[[Job], Awaitable[None]]
ExportHook = Callable[[MemberRef], Awaitable[dict[str, Any]]]
#: (community, member ids) -> for every one of them, by id, what the feature's ExportHook gives for them
CommunityExportHook = Callable[[CommunityRef, Sequence[str]], Awaitable[Mapping[str, dict[str, Any]]]]
EraseHook = Callable[[MemberRef], Awaitable[int]]
CommunityHook = Callable[[str], Awaitable[None]]
SignalHandler = Callable[[Any], Awaitable[None]]
#: (member, viewer): a hook shows private lines (e.g. mock scorecard averages) only when viewer == member
StatsHook = Callable[[MemberRef, MemberRef], Awaitable[tuple[Field, ...]]]
AdminHook = Callable[[AdminAction], Awaitable[None]]
#: the community's key -> a sentence for the /studybot setup confirmation (None: nothing to say)
SetupHook = Callable[[str], Awaitable[str | None]]
log = logging.getLogger(__name__)
_DEFERRING: contextvars.ContextVar[bool] = contextvars.ContextVar("studybot_signals_deferred", default=False)


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """Within this (a member's request), published signals are handled after the answer (see publish)."""
    token = _DEFERRING.set(True)
    try:
        yield
    finally:
        _DEFERRING.reset(token)


@dataclass(frozen=True, slots=True)
class JobSpec:
    kind: str
    handler: JobHandler
    grace: timedelta
    timeout: timedelta = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """What one feature adds. `commands` keys are routes: "daily", or "studybot post-now"."""

    name: str
    catalogue: tuple[CommandSpec, ...] = ()
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    prefixes: tuple[str, ...] = ()  # action/form id prefixes it owns (default: its name)
    on_choice: ChoiceHandler | None = None
    on_form: FormHandler | None = None
    on_home: HomeHandler | None = None
    jobs: tuple[JobSpec, ...] = ()
    settings: tuple[SettingSpec, ...] = ()
    export_member: ExportHook | None = None
    #: the same for many members at once (a community export), in a few set-based reads; a feature without it
    #: is asked member by member
    export_community: CommunityExportHook | None = None
    erase_member: EraseHook | None = None
    settings_changed: CommunityHook | None = None
    #: signals it reacts to, by type (bot.signals): e.g. {ItemAttempted: add_review_card}
    listens: Mapping[type, SignalHandler] = field(default_factory=dict)
    #: its lines on a member's /stats (e.g. mock scorecard averages), in its own words
    member_stats: StatsHook | None = None
    #: its own tables: numbered SQL scripts applied in order at start (never edit a shipped one), recorded
    #: per feature in `feature_schema`, so features add tables without touching the core's migrations
    migrations: tuple[str, ...] = ()
    #: the feature's own objects, for the composition root to expose to tests and benchmarks by name
    parts: Mapping[str, object] = field(default_factory=dict)
    #: its buttons and forms that are admin actions ("admin:setup"), audited like admin-only commands
    admin_actions: tuple[str, ...] = ()
    #: called with every admin action the core saw (the audit log keeps them)
    on_admin_action: AdminHook | None = None
    #: after /studybot setup saved (and settings_changed ran): what this feature now does there, in a sentence
    setup_summary: SetupHook | None = None

    @property
    def owned_prefixes(self) -> tuple[str, ...]:
        return self.prefixes or (self.name,)


class RegistryError(ValueError):
    """Two features claim the same command route, action prefix, job kind or setting."""


def merge_catalogue(entries: Iterable[CommandSpec]) -> tuple[CommandSpec, ...]:
    """One CommandSpec per name: subcommands several features add to one command are gathered, in order."""
    merged: dict[str, CommandSpec] = {}
    for spec in entries:
        have = merged.get(spec.name)
        if have is None:
            merged[spec.name] = spec
            continue
        if not (have.subcommands and spec.subcommands):
            raise RegistryError(f"/{spec.name} is declared twice")
        names = {s.name for s in have.subcommands}
        clash = [s.name for s in spec.subcommands if s.name in names]
        if clash:
            raise RegistryError(f"/{spec.name} {clash[0]} is declared twice")
        subs: tuple[SubcommandSpec, ...] = (*have.subcommands, *spec.subcommands)
        merged[spec.name] = replace(have, subcommands=subs, public=have.public or spec.public)
    # plain commands first, then groups (`/studybot ...`), each in the order they were first declared
    return tuple(sorted(merged.values(), key=lambda c: bool(c.subcommands)))


class Catalogue:
    """The commands every adapter registers and parses against, in declaration order."""

    def __init__(self, commands: tuple[CommandSpec, ...]) -> None:
        self.commands = commands
        self._by_name = {c.name: c for c in commands}

    def __iter__(self) -> Any:
        return iter(self.commands)

    def __len__(self) -> int:
        return len(self.commands)

    def find(self, name: str) -> CommandSpec | None:
        return self._by_name.get(name)


class Registry:
    def __init__(self) -> None:
        self._pending: set[asyncio.Future[None]] = set()
        self._features: list[FeatureSpec] = []
        self._routes: dict[str, CommandHandler] = {}
        self._prefixes: dict[str, FeatureSpec] = {}
        self._settings: dict[str, SettingSpec] = {}
        self._catalogue: Catalogue | None = None

    def add(self, feature: FeatureSpec) -> None:
        if any(f.name == feature.name for f in self._features):
            raise RegistryError(f"feature {feature.name!r} is registered twice")
        declared = {route for route in _routes_of(feature.catalogue)}
        for route in feature.commands:
            if route in self._routes:
                raise RegistryError(f"command /{route} is handled by two features")
            if route not in declared:
                raise RegistryError(f"feature {feature.name!r} handles /{route} but does not declare it")
        for prefix in feature.owned_prefixes:
            if prefix in self._prefixes:
                raise RegistryError(f"action prefix {prefix!r} is claimed by {self._prefixes[prefix].name!r} "
                                    f"and {feature.name!r}")
        for setting in feature.settings:
            if setting.key in self._settings:
                raise RegistryError(f"setting {setting.key!r} is declared twice")
        self._features.append(feature)
        self._routes.update(feature.commands)
        self._prefixes.update(dict.fromkeys(feature.owned_prefixes, feature))
        self._settings.update({s.key: s for s in feature.settings})
        self._catalogue = None

    @property
    def features(self) -> tuple[FeatureSpec, ...]:
        return tuple(self._features)

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue(merge_catalogue(c for f in self._features for c in f.catalogue))
        return self._catalogue

    @property
    def settings(self) -> Mapping[str, SettingSpec]:
        return self._settings

    def command_handler(self, name: str, subcommand: str | None) -> CommandHandler | None:
        if subcommand is not None and (handler := self._routes.get(f"{name} {subcommand}")) is not None:
            return handler
        return self._routes.get(name)

    def owner_of(self, prefix: str) -> FeatureSpec | None:
        return self._prefixes.get(prefix)

    def jobs(self) -> Iterable[JobSpec]:
        return (job for f in self._features for job in f.jobs)

    def home_handler(self) -> HomeHandler | None:
        return next((f.on_home for f in self._features if f.on_home is not None), None)

    async def settings_changed(self, community: str) -> None:
        for f in self._features:
            if f.settings_changed is not None:
                await f.settings_changed(community)

    async def setup_summaries(self, community: str) -> list[str]:
        """Each feature's sentence for the setup confirmation, in registration order."""
        out: list[str] = []
        for f in self._features:
            if f.setup_summary is not None and (line := await f.setup_summary(community)):
                out.append(line)
        return out

    async def publish(self, signal: Signal) -> None:
        """Tell every feature that listens for this signal's type; a failing listener is logged, not raised.

        Within a member's request (`deferring()`, which the router sets) the listeners run after the answer,
        as a background task doing background database work: a daily answer's reply does not wait for the
        streak and review bookkeeping it sets off (in a burst that halved answer throughput). `settle()`
        waits for them. Elsewhere (jobs, tests) they run before publish returns."""
        if not any(type(signal) in f.listens for f in self._features):
            return
        if _DEFERRING.get():
            task = asyncio.ensure_future(self._dispatch(signal))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return
        await self._dispatch(signal)

    async def _dispatch(self, signal: Signal) -> None:
        token = _DEFERRING.set(False)
        try:
            with background():
                await self._listeners(signal)
        finally:
            _DEFERRING.reset(token)

    async def settle(self) -> None:
        """Until every signal published within members' requests has been handled."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def _listeners(self, signal: Signal) -> None:
        for f in self._features:
            handler = f.listens.get(type(signal))
            if handler is None:
                continue
            try:
                await handler(signal)
            except Exception:
                log.exception("feature %s failed to handle %s", f.name, type(signal).__name__)

    async def member_stats(self, member: MemberRef, viewer: MemberRef) -> tuple[Field, ...]:
        """Every feature's own /stats lines for one member as `viewer` may see them, in registration order."""
        out: list[Field] = []
        for f in self._features:
            if f.member_stats is not None:
                out.extend(await f.member_stats(member, viewer))
        return tuple(out)

    def is_admin_action(self, action: Action) -> bool:
        """Whether a button or form id ("feature:verb") is one a feature declared an admin action."""
        wanted = f"{action.feature}:{action.verb}"
        return any(wanted in f.admin_actions for f in self._features)

    async def admin_action(self, record: AdminAction) -> None:
        """Tell every feature that records admin actions; a failing one is logged (the action happened)."""
        for f in self._features:
            if f.on_admin_action is None:
                continue
            try:
                await f.on_admin_action(record)
            except Exception:
                log.exception("feature %s failed to record the admin action %s", f.name, record.action)

    async def export_member(self, member: MemberRef) -> dict[str, Any]:
        """Everything each feature holds about one member, by feature name."""
        return {f.name: await f.export_member(member) for f in self._features if f.export_member is not None}

    async def export_community(self, community: CommunityRef, members: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`export_member` of each of `members`, by member id: each feature's `export_community` once, or (a
        feature without one) its `export_member` for each member."""
        out: dict[str, dict[str, Any]] = {m: {} for m in members}
        for f in self._features:
            if f.export_community is not None:
                data = await f.export_community(community, members)
                for m in members:
                    out[m][f.name] = data[m]
            elif f.export_member is not None:
                for m in members:
                    out[m][f.name] = await f.export_member(MemberRef(community, m))
        return out

    async def erase_member(self, member: MemberRef) -> dict[str, int]:
        """Delete one member's data in every feature; how many records each removed."""
        return {f.name: await f.erase_member(member) for f in self._features if f.erase_member is not None}


def _routes_of(catalogue: Iterable[CommandSpec]) -> Iterable[str]:
    for spec in catalogue:
        yield spec.name
        for sub in spec.subcommands:
            yield f"{spec.name} {sub.name}"
