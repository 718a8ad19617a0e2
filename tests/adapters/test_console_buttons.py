"""Console buttons: a click's edit is labelled by who sees the message the button was on (a pair's private
space: its members, as on Discord and Slack; an only-you reply: the member alone), and a button's number
still presses it after the console restarts on the same database."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fakes import small_bank

from adapters.console.adapter import ConsoleAdapter, list_lines
from bot.actions import Action, encode
from bot.bootstrap import FEATURES, build_core
from bot.clock import ManualClock
from bot.commands import CommandSpec
from bot.config import Config
from bot.events import ChoiceSelected, CommandInvoked
from bot.ids import MemberRef
from bot.messages import Choice, Reply, Response
from bot.registry import FeatureSpec
from bot.scheduler import ClockScheduler

if TYPE_CHECKING:
    from bot.services import Services

START = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)


def pairing(services: Services) -> FeatureSpec:
    """/pair opens a space for the member and bob with a button in it; /solo answers only-you with one."""

    async def pair(event: CommandInvoked) -> Response:
        members = (event.actor.member, MemberRef(event.actor.community, "bob"))
        space = await services.chat.open_private_space(event.channel, members, "pair")
        await services.chat.send(space, Reply(text="Your pair session.",
                                              choices=(Choice("Confirm", encode("pairing", "ok")),)))
        return Response.private("Opened a space for you two.")

    async def solo(event: CommandInvoked) -> Response:
        return Response(reply=Reply(text="Just for you.", choices=(Choice("Confirm", encode("pairing", "ok")),)),
                        private_key="solo")

    async def confirm(event: ChoiceSelected, action: Action) -> Response:
        where = event.channel.id
        return Response(reply=Reply(text=f"Confirmed by {event.actor.member.id} in {where}."),
                        replace_original=True, private_key="solo")

    return FeatureSpec(name="pairing", catalogue=(CommandSpec("pair", "Pair up"), CommandSpec("solo", "Alone")),
                       commands={"pair": pair, "solo": solo}, on_choice=confirm)


async def session(lines: list[str], db: str = ":memory:") -> str:
    out: list[str] = []
    clock = ManualClock(START)
    scheduler = ClockScheduler(clock)
    core = await build_core(Config(db=db), clock=clock, scheduler=scheduler, bank=small_bank(),
                            features=[*(m.build for m in FEATURES), pairing])
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(lines), out.append, user="you", echo=True)
    try:
        await adapter.run()
    finally:
        await core.close()
    return "\n".join(out)


def number_of(text: str, label: str) -> str:
    found = re.findall(rf"\[(\d+)\] {label}", text)
    assert found, text
    return found[-1]


async def test_a_click_in_a_shared_space_edits_the_message_its_members_see() -> None:
    text = await session(["/as ann", "/pair", "1"])
    space = re.search(r"\[private space (private-\w+) 'pair' for @ann, @bob\]", text)
    assert space, text
    assert f"[#{space[1]} for @ann, @bob] Your pair session." in text
    # the edit is of the space's message, for both of them; and the click came from the space
    assert f"[#{space[1]} for @ann, @bob, edited] Confirmed by ann in {space[1]}." in text
    assert "[only ann] (updated)" not in text


async def test_a_truly_only_you_reply_keeps_its_only_you_label() -> None:
    text = await session(["/as bob", "/solo", "1"])
    assert "[only bob] Just for you." in text
    assert "[only bob] (updated) Confirmed by bob in general." in text


async def test_button_numbers_still_press_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "console.db")
    first = await session(["/as ann", "/pair"], db)
    number = number_of(first, "Confirm")
    again = await session(["/as ann", number, "/solo", "999"], db)
    assert "No button with that number." in again.split("/solo")[-1]  # a number never shown is still refused
    space = re.search(r"\[private space (private-\w+)", first)
    assert space, first
    assert f"[#{space[1]}, edited] Confirmed by ann in {space[1]}." in again
    # numbering goes on where the earlier run stopped: the new button does not take the old number
    assert int(number_of(again.split("/solo")[-1], "Confirm")) > int(number)


async def test_an_only_you_button_after_a_restart_is_labelled_only_you(tmp_path: Path) -> None:
    db = str(tmp_path / "console.db")
    number = number_of(await session(["/as bob", "/solo"], db), "Confirm")
    again = await session(["/as bob", number], db)
    assert "[only bob] (updated) Confirmed by bob in general." in again


async def test_odd_numbers_are_refused_not_fatal(tmp_path: Path) -> None:
    db = str(tmp_path / "console.db")
    number = number_of(await session(["/as ann", "/pair"], db), "Confirm")
    again = await session(["/as ann", "9" * 30, f"{number} 1", "²", "/solo"], db)
    assert again.count("No button with that number.") == 1  # the long one: never shown, and no database error
    assert "That dropdown" not in again  # a button from before the restart, typed with options, is no dropdown
    assert "[only ann] Just for you." in again  # the session went on to the end
