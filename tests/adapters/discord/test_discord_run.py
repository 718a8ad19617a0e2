"""`studybot run` with a Discord token, end to end against the fake Discord: the adapter connects while the
core is built beside it, the catch-up runs once both are done, and a member's command is answered."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest
from discord_fake import FakeDiscord, Payloads
from discord_harness import discord_config
from fakes import small_bank

from adapters import cli
from bot.content.formats import export_studybot
from bot.content.problems import BankError


async def test_run_connects_builds_beside_it_and_answers(fake: FakeDiscord, payloads: Payloads, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "small.yaml").write_text(export_studybot(list(small_bank().items), None), encoding="utf-8")
    config = discord_config(fake, str(tmp_path / "studybot.db"), content_dir=str(bank))
    ready = asyncio.Event()
    caplog.set_level(logging.INFO)
    running = asyncio.create_task(cli.run(config, when_ready=ready.set))
    try:
        await asyncio.wait_for(ready.wait(), 20)
        said = [r.getMessage() for r in caplog.records]
        assert said.index("connecting to discord") < next(i for i, m in enumerate(said) if m.startswith("core built"))
        assert fake.calls_matching("GET", r"/users/@me")  # logged in
        help_command = payloads.command("studybot_help")
        await fake.dispatch("INTERACTION_CREATE", help_command)
        answer = await fake.callback(help_command)
        assert answer.body["type"] == 4 and "`/daily`" in answer.body["data"]["embeds"][0]["description"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(running, 10)


async def test_a_bank_that_does_not_load_ends_the_run_and_closes_the_connection(
        fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "broken.yaml").write_text("domain: mlops\nitems:\n  - id: x\n    kind: essay\n", encoding="utf-8")
    config = discord_config(fake, str(tmp_path / "studybot.db"), content_dir=str(bank))
    with pytest.raises(BankError, match=r"broken\.yaml"):
        await asyncio.wait_for(cli.run(config), 20)
