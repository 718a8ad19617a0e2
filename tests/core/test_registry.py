"""Features plug in through the registry: a toy feature needs nothing outside its own module and the
composition root's list; the router, the catalogue, jobs and settings all come from its declaration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import toy_feature
from fakes import FakeChat, FakeScheduler, small_bank

from adapters.console.adapter import ConsoleAdapter, list_lines
from bot.bootstrap import FEATURES, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.commands import CommandSpec
from bot.config import Config
from bot.events import Actor, ChoiceSelected, CommandInvoked, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.registry import FeatureSpec, Registry, RegistryError
from bot.scheduler import ClockScheduler

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
COMMUNITY = CommunityRef(Platform.CONSOLE, "guild1")
CHANNEL = ChannelRef(COMMUNITY, "general")


def actor(name: str, admin: bool = False) -> Actor:
    return Actor(MemberRef(COMMUNITY, name), name.title(), is_admin=admin)


async def toy_core(clock: ManualClock, scheduler: FakeScheduler | ClockScheduler):  # type: ignore[no-untyped-def]
    router = ChatRouter()
    router.register(Platform.CONSOLE, FakeChat())
    return await build_core(Config(db=":memory:"), clock=clock, scheduler=scheduler, bank=small_bank(),
                            chat=router, features=[*(m.build for m in FEATURES), toy_feature.build])


async def test_a_toy_feature_is_routed_scheduled_and_configured_from_its_declaration() -> None:
    clock = ManualClock(START)
    scheduler = FakeScheduler()
    core = await toy_core(clock, scheduler)
    try:
        assert core.catalogue.find("toy") is not None
        studybot = core.catalogue.find("studybot")
        assert studybot is not None and studybot.subcommand("toy-reset") is not None
        assert studybot.subcommand("setup") is not None  # other features' subcommands are still there
        resp = await core.bot.handle(CommandInvoked(actor("ann"), CHANNEL, "toy", {"seconds": "20"}))
        assert resp.reply and "Ringing in 20 s at volume 5" in resp.reply.text
        # its job, durable and on time: the wake-up is at the due second, not at the next sweep
        assert scheduler.next_run() == START + timedelta(seconds=20)
        clock.set(START + timedelta(seconds=20))
        await scheduler.fire_due(clock.now())
        assert toy_feature.RINGS[-1] == f"ann@{(START + timedelta(seconds=20)).isoformat()}"
        # its own table (both of its migrations applied) and the signal it published, heard by listeners
        rows = await core.db.read(lambda c: c.execute("SELECT member, volume FROM toy_rings").fetchall())
        assert rows == [("ann", 5)]
        assert toy_feature.HEARD[-1] == "toy:ann"
        # its button and its form (a select) by action prefix; its setting per member, validated
        form = (await core.bot.handle(ChoiceSelected(actor("ann"), CHANNEL, "toy:louder"))).form
        assert form is not None and form.fields[0].is_select
        done = await core.bot.handle(FormSubmitted(actor("ann"), CHANNEL, form.form_id, {}, {"volume": ("11",)}))
        assert done.reply and done.reply.text == "Volume 11."
        again = await core.bot.handle(CommandInvoked(actor("ann"), CHANNEL, "toy", {"seconds": "5"}))
        assert again.reply and "volume 11" in again.reply.text
        # admin-only subcommands are refused by the router, whoever declared them
        refused = await core.bot.handle(CommandInvoked(actor("bob"), CHANNEL, "studybot", {}, "toy-reset"))
        assert refused.reply and "Only admins" in refused.reply.text
        allowed = await core.bot.handle(CommandInvoked(actor("boss", True), CHANNEL, "studybot", {}, "toy-reset"))
        assert allowed.reply and allowed.reply.text == "Reset."
    finally:
        await core.close()


async def test_a_features_own_migrations_run_once_and_a_newer_database_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.store.db import Database

    path = str(tmp_path / "toy.db")
    db = Database(path)
    await db.open()
    try:
        assert await db.migrate_feature("toy", toy_feature.MIGRATIONS[:1]) == 1
        assert await db.migrate_feature("toy", toy_feature.MIGRATIONS) == 1  # only the new one
        assert await db.migrate_feature("toy", toy_feature.MIGRATIONS) == 0
        cols = await db.read(lambda c: [r[1] for r in c.execute("PRAGMA table_info(toy_rings)")])
        assert cols == ["id", "member", "at", "volume"]
        with pytest.raises(RuntimeError, match="newer than this build"):
            await db.migrate_feature("toy", toy_feature.MIGRATIONS[:1])
    finally:
        await db.close()


async def test_a_failing_listener_does_not_stop_the_others() -> None:
    from bot.signals import MemberActive

    heard: list[str] = []

    async def broken(signal: MemberActive) -> None:
        raise RuntimeError("boom")

    async def fine(signal: MemberActive) -> None:
        heard.append(signal.source)

    registry = Registry()
    registry.add(FeatureSpec(name="one", listens={MemberActive: broken}))
    registry.add(FeatureSpec(name="two", listens={MemberActive: fine}))
    await registry.publish(MemberActive(MemberRef(COMMUNITY, "ann"), START, "quiz"))
    assert heard == ["quiz"]


async def test_the_console_parses_a_registered_features_commands() -> None:
    clock = ManualClock(START)
    scheduler = ClockScheduler(clock)
    core = await toy_core(clock, scheduler)
    out: list[str] = []
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(["/toy 3", "/studybot help"]), out.append,
                             echo=True)
    try:
        await adapter.run()
    finally:
        await core.close()
    text = "\n".join(out)
    assert "Ringing in 3 s" in text and "/studybot toy-reset" in text


def test_two_features_cannot_claim_the_same_route_prefix_or_job() -> None:
    registry = Registry()
    spec = CommandSpec("solo", "A command")
    registry.add(FeatureSpec(name="one", catalogue=(spec,), commands={"solo": toy_feature_handler}))
    with pytest.raises(RegistryError, match="two features"):
        registry.add(FeatureSpec(name="two", catalogue=(), commands={"solo": toy_feature_handler}))
    with pytest.raises(RegistryError, match="does not declare"):
        registry.add(FeatureSpec(name="three", commands={"other": toy_feature_handler}))
    with pytest.raises(RegistryError, match="prefix"):
        registry.add(FeatureSpec(name="four", prefixes=("one",)))
    with pytest.raises(RegistryError, match="declared twice"):
        registry.add(FeatureSpec(name="five", catalogue=(CommandSpec("solo", "Again"),)))
        _ = registry.catalogue


async def toy_feature_handler(event: CommandInvoked):  # type: ignore[no-untyped-def]
    raise AssertionError("never called")


async def test_the_console_shows_files_and_selects_and_fills_select_fields(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.messages import FileOut, Reply, Response, Select, SelectOption

    async def show(event: CommandInvoked) -> Response:
        return Response(reply=Reply(text="Pick topics", files=(FileOut("chart.png", b"\x89PNG fake", "image/png"),),
                                    selects=(Select("pick:topics", tuple(SelectOption(t, t) for t in ("ml", "dl", "ms")),
                                                    max_values=2),)))

    async def picked(event: ChoiceSelected, action) -> Response:  # type: ignore[no-untyped-def]
        return Response.private("Picked " + "+".join(event.values))

    def build(services):  # type: ignore[no-untyped-def]
        return FeatureSpec(name="pick", catalogue=(CommandSpec("pick", "Pick"),), commands={"pick": show},
                           on_choice=picked)

    clock = ManualClock(START)
    scheduler = ClockScheduler(clock)
    router = ChatRouter()
    core = await build_core(Config(db=":memory:"), clock=clock, scheduler=scheduler, bank=small_bank(), chat=router,
                            features=[*(m.build for m in FEATURES), build, toy_feature.build])
    out: list[str] = []
    script = ["/pick", "1 1,3", "1 9", "/toy 3", "2", "3"]
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(script), out.append, echo=True,
                             files_dir=tmp_path / "files")
    try:
        await adapter.run()
    finally:
        await core.close()
    text = "\n".join(out)
    assert (tmp_path / "files" / "chart.png").read_bytes() == b"\x89PNG fake"
    assert "file: " in text and "[1] Choose" in text and "1) ml" in text
    assert "Picked ml+ms" in text and "Options go from 1 to 3." in text
    assert "Volume (a number): 1) 5  2) 8  3) 11" in text and "Volume 11." in text


async def test_each_feature_exports_and_erases_one_members_data() -> None:
    from fakes import Harness

    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        await h.run_until(START + timedelta(hours=1))
        await h.answer("alice", "alice's answer")
        await h.answer("bob", "bob's answer")
        await h.command("alice", "studybot", "timezone", zone="Europe/Berlin")
        alice = MemberRef(h.actor("alice").community, "alice")
        exported = await h.core.registry.export_member(alice)
        assert exported["daily"]["answers"][0]["text"] == "alice's answer"
        assert exported["board"]["points"][0]["points"] == 10
        assert exported["admin"]["timezone"] == "Europe/Berlin"
        erased = await h.core.registry.erase_member(alice)
        assert erased["daily"] >= 1 and erased["board"] >= 1 and erased["admin"] >= 1
        after = await h.core.registry.export_member(alice)
        assert after["daily"]["answers"] == [] and after["board"]["points"] == [] and after["admin"] == {}
        board = await h.command("bob", "leaderboard")
        assert board.reply and "{@alice}" not in board.reply.text and "{@bob}" in board.reply.text
        bob = await h.core.registry.export_member(MemberRef(alice.community, "bob"))
        assert bob["daily"]["answers"][0]["text"] == "bob's answer"  # nobody else's data went
    finally:
        await h.close()


async def test_a_features_community_setting_is_listed_validated_and_stored_by_config() -> None:
    clock = ManualClock(START)
    core = await toy_core(clock, FakeScheduler())
    boss = actor("boss", True)
    try:
        listed = await core.bot.handle(CommandInvoked(boss, CHANNEL, "studybot", {}, "config"))
        assert listed.reply and "**toy-tone**: bell" in listed.reply.text and "**channel**" in listed.reply.text
        bad = await core.bot.handle(CommandInvoked(boss, CHANNEL, "studybot", {"key": "toy-tone", "value": "gong"},
                                                   "config"))
        assert bad.reply and "Not changed: tone is bell or chime" in bad.reply.text
        ok = await core.bot.handle(CommandInvoked(boss, CHANNEL, "studybot", {"key": "toy-tone", "value": "Chime"},
                                                  "config"))
        assert ok.reply and ok.reply.text == "toy-tone is now chime."
        shown = await core.bot.handle(CommandInvoked(boss, CHANNEL, "studybot", {"key": "toy-tone"}, "config"))
        assert shown.reply and shown.reply.text.startswith("toy-tone: chime")
        unknown = await core.bot.handle(CommandInvoked(boss, CHANNEL, "studybot", {"key": "colour"}, "config"))
        assert unknown.reply and "Unknown setting 'colour'" in unknown.reply.text and "toy-tone" in unknown.reply.text
    finally:
        await core.close()


async def test_a_members_answer_does_not_wait_for_the_listeners_it_sets_off() -> None:
    """Signals published while the router handles a member's request are handled after the answer."""
    import asyncio

    from bot.registry import deferring
    from bot.signals import MemberActive

    release = asyncio.Event()
    heard: list[str] = []

    async def slow(signal: MemberActive) -> None:
        await release.wait()
        heard.append(signal.source)

    registry = Registry()
    registry.add(FeatureSpec(name="one", listens={MemberActive: slow}))
    signal = MemberActive(MemberRef(COMMUNITY, "ann"), START, "daily")
    with deferring():  # as StudyBot.handle does around a feature's handler
        await asyncio.wait_for(registry.publish(signal), 1)
    assert heard == []
    release.set()
    await registry.settle()
    assert heard == ["daily"]
    await registry.publish(MemberActive(MemberRef(COMMUNITY, "bob"), START, "quiz"))  # outside: before return
    assert heard == ["daily", "quiz"]
