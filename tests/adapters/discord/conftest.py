"""Fixtures for the Discord adapter's tests: a fake Discord on loopback, and studybot against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_fake import FakeDiscord, Payloads
from discord_harness import Canned, Studybot, make_studybot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def payloads(fake: FakeDiscord) -> Payloads:
    return Payloads(fake)


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Studybot]:
    """Logged in over REST, interactions injected through discord.py's parser (no gateway)."""
    studybot = await make_studybot(fake, str(tmp_path / "studybot.db"))
    await studybot.login_only()
    try:
        yield studybot
    finally:
        await studybot.stop()


@pytest.fixture
async def live(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Studybot]:
    """Started for real: the gateway handshake, then interactions pushed over the websocket."""
    studybot = await make_studybot(fake, str(tmp_path / "studybot.db"))
    await studybot.connect()
    try:
        yield studybot
    finally:
        await studybot.stop()


@pytest.fixture
def canned() -> Canned:
    return Canned()


@pytest.fixture
async def answering(fake: FakeDiscord, tmp_path: Path, canned: Canned) -> AsyncIterator[Studybot]:
    """Like `bot`, but the events `canned` names get its prepared Response (the core is held while
    `canned.open` is clear; past 50 ms the adapter defers)."""
    studybot = await make_studybot(fake, str(tmp_path / "studybot.db"), wrap=canned.wrap, defer_after=0.05)
    await studybot.login_only()
    try:
        yield studybot
    finally:
        await studybot.stop()
