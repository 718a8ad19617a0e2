"""`CoreOnItsWay`: what the adapters hold while the core is built beside their connections. Events that
arrive early wait for the core and are answered by it; a build that fails fails them; a core whose
catalogue differs from the one the adapters parse against is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.catalogue import default_catalogue
from bot.chat import ChatRouter
from bot.commands import CommandSpec
from bot.events import Actor, CommandInvoked
from bot.front import CoreOnItsWay
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.messages import Response
from bot.registry import Catalogue

WHO = Actor(MemberRef(CommunityRef(Platform.CONSOLE, "local"), "ada"), "Ada", False, None)


class FakeCore:
    def __init__(self, catalogue: Catalogue) -> None:
        self.chat = ChatRouter()
        self.catalogue = catalogue
        self.removed: list[str] = []

    async def handle(self, event: Any) -> Response:
        return Response.private(f"answered {event.name}")

    async def community_removed(self, community_key: str) -> None:
        self.removed.append(community_key)


def event(name: str) -> CommandInvoked:
    return CommandInvoked(WHO, ChannelRef(WHO.member.community, "general"), name,
                          occurred_at=datetime(2026, 12, 2, tzinfo=UTC))


def text(response: Response) -> str:
    assert response.reply is not None
    return response.reply.text


async def test_an_event_before_the_core_waits_for_it_and_is_answered_by_it() -> None:
    front = CoreOnItsWay(ChatRouter(), default_catalogue())
    early = asyncio.ensure_future(front.handle(event("daily")))
    removed = asyncio.ensure_future(front.community_removed("discord:1"))
    await asyncio.sleep(0.01)
    assert not early.done() and not removed.done()
    core = FakeCore(default_catalogue())
    front.arrived(core)
    assert text(await early) == "answered daily"
    await removed
    assert core.removed == ["discord:1"]
    assert text(await front.handle(event("stats"))) == "answered stats"  # afterwards: at once


async def test_the_catalogue_is_there_before_the_core() -> None:
    front = CoreOnItsWay(ChatRouter(), default_catalogue())
    assert front.catalogue.find("daily") is not None and front.catalogue.find("mock") is not None


async def test_a_failed_build_fails_what_waited() -> None:
    front = CoreOnItsWay(ChatRouter(), default_catalogue())
    early = asyncio.ensure_future(front.handle(event("daily")))
    await asyncio.sleep(0)
    front.failed(RuntimeError("the bank has problems"))
    with pytest.raises(RuntimeError, match="bank has problems"):
        await early


async def test_a_core_with_another_catalogue_is_refused() -> None:
    front = CoreOnItsWay(ChatRouter(), default_catalogue())
    other = Catalogue((*default_catalogue().commands, CommandSpec("extra", "Not declared in FEATURES")))
    with pytest.raises(RuntimeError, match="catalogue differs"):
        front.arrived(FakeCore(other))
