"""A feature written only against the registry, as a new feature would be: nothing outside this module
and the composition root's feature list knows it exists."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.actions import Action, encode
from bot.commands import CommandSpec, OptionSpec, SubcommandSpec
from bot.events import ChoiceSelected, CommandInvoked, FormSubmitted
from bot.ids import CommunityRef, MemberRef, Platform
from bot.messages import Choice, Form, FormField, InputKind, Reply, Response, SelectOption
from bot.registry import FeatureSpec, JobSpec
from bot.settings import Scope, SettingSpec, SettingValueError, member_scope
from bot.signals import MemberActive
from bot.store.jobs import Job

if TYPE_CHECKING:
    from bot.services import Services

NAME = "toy"


def _volume(raw: str) -> int:
    if not raw.isdigit() or not 0 <= int(raw) <= 11:
        raise SettingValueError("volume goes from 0 to 11")
    return int(raw)


def _tone(raw: str) -> str:
    if raw.casefold() not in ("bell", "chime"):
        raise SettingValueError("tone is bell or chime")
    return raw.casefold()


TONE = SettingSpec("toy-tone", Scope.COMMUNITY, "bell", "Which sound the toy makes", parse=_tone)
VOLUME = SettingSpec("toy-volume", Scope.MEMBER, 5, "How loud the toy rings", parse=_volume, admin_only=False)
COMMANDS = (
    CommandSpec("toy", "Ring the toy", options=(OptionSpec("seconds", "In how many seconds", max_length=4),)),
    CommandSpec("studybot", "Help, setup and settings",
                subcommands=(SubcommandSpec("toy-reset", "Reset the toy", admin_only=True),)),
)
RINGS: list[str] = []  # what the job did, for the test to read
HEARD: list[str] = []  # the signals it heard from other features
#: its own table, created by the registry from its declaration (version 2 adds a column)
MIGRATIONS = (
    "CREATE TABLE toy_rings (id INTEGER PRIMARY KEY, member TEXT NOT NULL, at TEXT NOT NULL);",
    "ALTER TABLE toy_rings ADD COLUMN volume INTEGER;",
)


def build(services: Services) -> FeatureSpec:
    async def ring(event: CommandInvoked) -> Response:
        seconds = int(str(event.options.get("seconds") or "20"))
        due = services.clock.now() + timedelta(seconds=seconds)
        await services.jobs.schedule("toy.ring", event.actor.member.id, event.actor.community.key, due,
                                     {"who": event.actor.member.id})
        volume = await services.settings.get(VOLUME, member_scope(event.actor.community.key, event.actor.member.id))
        return Response(reply=Reply(text=f"Ringing in {seconds} s at volume {volume}.",
                                    choices=(Choice("Louder", encode(NAME, "louder")),)))

    async def reset(event: CommandInvoked) -> Response:
        return Response.private("Reset.")

    async def on_choice(event: ChoiceSelected, action: Action) -> Response:
        return Response(form=Form(encode(NAME, "volume"), "Volume", (
            FormField("volume", "Volume", InputKind.SELECT,
                      options=tuple(SelectOption(str(v), str(v)) for v in (5, 8, 11))),)))

    async def on_form(event: FormSubmitted, action: Action) -> Response:
        (picked,) = event.selections["volume"]
        value = await services.settings.set(VOLUME, member_scope(event.actor.community.key, event.actor.member.id),
                                           picked, services.clock.now())
        return Response.private(f"Volume {value}.")

    async def run(job: Job) -> None:
        RINGS.append(f"{job.payload['who']}@{services.clock.now().isoformat()}")

        def w(c: object) -> None:
            c.execute("INSERT INTO toy_rings (member, at, volume) VALUES (?, ?, 5)",  # type: ignore[attr-defined]
                      (job.payload["who"], services.clock.now().isoformat()))

        await services.db.write(w)
        await services.registry.publish(MemberActive(MemberRef(CommunityRef(Platform.CONSOLE, "guild1"),
                                                               str(job.payload["who"])),
                                                     services.clock.now(), "toy"))

    async def heard(signal: MemberActive) -> None:
        HEARD.append(f"{signal.source}:{signal.member.id}")

    return FeatureSpec(name=NAME, catalogue=COMMANDS, commands={"toy": ring, "studybot toy-reset": reset},
                       on_choice=on_choice, on_form=on_form, settings=(VOLUME, TONE),
                       jobs=(JobSpec("toy.ring", run, grace=timedelta(seconds=30)),),
                       migrations=MIGRATIONS, listens={MemberActive: heard})
