"""End to end over Socket Mode against a local fake: hello, envelopes, acks, a refresh that reconnects."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_fake import APP_TOKEN, FakeSlack, load, uninstalled
from slack_harness import SlackHarness, clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)

from adapters.slack.adapter import SlackAdapter, SlackStartError
from bot.events import ChoiceSelected, CommandInvoked
from bot.messages import Response


@pytest.fixture
async def socket(fake: FakeSlack, clock: Any) -> AsyncIterator[SlackHarness]:
    h = await SlackHarness(fake, clock, ":memory:").boot(slack_app_token=APP_TOKEN, slack_signing_secret=None)
    await h.adapter.connect()
    assert h.adapter.socket_mode
    yield h
    await h.close()


def envelope(name: str, fake: FakeSlack, envelope_id: str, **payload: Any) -> dict[str, Any]:
    env = copy.deepcopy(load(name))
    env["envelope_id"] = envelope_id
    if "response_url" in env["payload"]:
        env["payload"]["response_url"] = fake.response_url(envelope_id)
    env["payload"].update(payload)
    return env


async def test_socket_mode_envelopes_are_acked_and_handled(socket: SlackHarness) -> None:
    fake = socket.fake
    await fake.wait_sockets(1)
    (opened,) = fake.called("apps.connections.open")
    assert opened.token == APP_TOKEN
    await fake.push(envelope("socket_envelope_slash_command.json", fake, "env-1"))
    acks = await fake.wait_acks(1)
    assert acks[0] == {"envelope_id": "env-1"}  # an empty ack, at once
    (view,) = await fake.wait_for("views.open")
    assert view.params["view"]["callback_id"] == "admin:setup"

    await fake.push(envelope("socket_envelope_slash_command.json", fake, "env-2", text="points nobody x"))
    acks = await fake.wait_acks(2)
    assert acks[1]["envelope_id"] == "env-2" and "not a member" in acks[1]["payload"]["text"]

    await fake.push(envelope("socket_envelope_interactive.json", fake, "env-3"))
    await fake.wait_acks(3)
    (resp,) = await fake.wait_for("response_url")
    assert resp.params["_name"] == "env-3" and resp.params["response_type"] == "ephemeral"


async def test_events_and_their_retries_over_socket_mode(socket: SlackHarness) -> None:
    fake = socket.fake
    await fake.wait_sockets(1)
    await fake.push(envelope("socket_envelope_event.json", fake, "env-ev-1"))
    await fake.wait_for("views.publish")
    retry = envelope("socket_envelope_event.json", fake, "env-ev-2")
    retry.update(retry_attempt=1, retry_reason="timeout")
    await fake.push(retry)
    acks = await fake.wait_acks(2)
    assert [a["envelope_id"] for a in acks] == ["env-ev-1", "env-ev-2"]
    await socket.adapter.idle()
    assert len(fake.called("views.publish")) == 1  # acknowledged, not handled twice
    assert socket.adapter.handlers.duplicate_events == 1


async def test_a_disconnect_refresh_reconnects(socket: SlackHarness) -> None:
    fake = socket.fake
    await fake.wait_sockets(1)
    await fake.push(load("socket_disconnect.json"))
    await fake.wait_sockets(2)
    await fake.wait_for("apps.connections.open", count=2)  # a fresh URL for the new connection
    await fake.push(envelope("socket_envelope_interactive.json", fake, "env-after"), socket=1)
    acks = await fake.wait_acks(1)
    assert acks[0]["envelope_id"] == "env-after"
    await fake.wait_for("response_url")


async def test_a_refused_app_token_fails_loudly(fake: FakeSlack, clock: Any) -> None:
    h = await SlackHarness(fake, clock, ":memory:").boot(slack_app_token="xapp-wrong", slack_signing_secret=None)
    try:
        with pytest.raises(SlackStartError, match="SLACK_APP_TOKEN"):
            await h.adapter.connect()
    finally:
        await h.close()


async def test_a_refused_bot_token_fails_loudly(fake: FakeSlack, clock: Any) -> None:
    h = await SlackHarness(fake, clock, ":memory:").boot(slack_bot_token="xoxb-revoked")
    try:
        with pytest.raises(SlackStartError, match="invalid_auth"):
            await h.adapter.connect()
    finally:
        await h.close()


async def test_start_runs_until_cancelled(fake: FakeSlack, clock: Any) -> None:
    import asyncio

    h = await SlackHarness(fake, clock, ":memory:").boot(slack_app_token=APP_TOKEN)
    adapter: SlackAdapter = h.adapter
    task = asyncio.create_task(adapter.start())
    await asyncio.wait_for(adapter.ready.wait(), 5)
    await fake.wait_sockets(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not adapter.ready.is_set()
    await h.core.close()


async def test_socket_mode_times_and_an_uninstall(socket: SlackHarness) -> None:
    """No signed request header in Socket Mode: a command has no time, an action has its action_ts."""
    fake = socket.fake
    socket.script(lambda event: Response.private("ok"))
    await fake.wait_sockets(1)
    await fake.push(envelope("socket_envelope_slash_command.json", fake, "env-t1"))
    await fake.push(envelope("socket_envelope_interactive.json", fake, "env-t2"))
    await fake.wait_for("response_url", count=2)
    await socket.adapter.idle()
    command_event, choice = sorted(socket.events, key=lambda e: isinstance(e, ChoiceSelected))
    assert isinstance(command_event, CommandInvoked) and command_event.occurred_at is None
    assert isinstance(choice, ChoiceSelected)
    assert choice.occurred_at == datetime.fromtimestamp(1748854900.123456, UTC)
    await fake.push({"envelope_id": "env-t3", "type": "events_api", "accepts_response_payload": False,
                     "retry_attempt": 0, "retry_reason": "", "payload": uninstalled("Ev0SOCKGONE")})
    await fake.wait_acks(3)
    await socket.adapter.idle()
    assert await socket.adapter.workspaces.find("T0STUDY01") is None
