"""`studybot run` with Slack tokens (Socket Mode), end to end against the fake Slack: the adapter connects
while the core is built beside it, and a member's slash command reaches the core once it is there."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from pathlib import Path
from typing import Any

import pytest
from fakes import small_bank
from slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack, load
from slack_harness import clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)

from adapters import cli
from bot.config import Config
from bot.content.formats import export_studybot


async def test_run_connects_builds_beside_it_and_answers(fake: FakeSlack, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "small.yaml").write_text(export_studybot(list(small_bank().items), None), encoding="utf-8")
    config = Config(db=str(tmp_path / "studybot.db"), content_dir=str(bank), slack_bot_token=BOT_TOKEN,
                    slack_app_token=APP_TOKEN, slack_api_url=fake.api_url)
    ready = asyncio.Event()
    running = asyncio.create_task(cli.run(config, when_ready=ready.set))
    try:
        await asyncio.wait_for(ready.wait(), 20)
        await fake.wait_sockets(1)
        env: dict[str, Any] = copy.deepcopy(load("socket_envelope_slash_command.json"))
        env["envelope_id"] = "env-run-1"
        await fake.push(env)
        acks = await fake.wait_acks(1)
        assert acks[0] == {"envelope_id": "env-run-1"}
        (view,) = await fake.wait_for("views.open")  # the core answered /studybot setup with its form
        assert view.params["view"]["callback_id"] == "admin:setup"
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(running, 10)
