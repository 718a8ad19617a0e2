"""End to end over real HTTP: the adapter listens on 127.0.0.1 and gets signed POSTs like Slack sends."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_fake import (
    ADMIN,
    ALICE,
    THIRD_TEAM,
    THIRD_TOKEN,
    FakeSlack,
    body_for,
    click,
    command,
    home_opened,
    load,
    signed_headers,
)
from slack_harness import SlackHarness, clock_fixture, fake_fixture  # noqa: F401 (pytest fixtures)

from adapters.slack.adapter import EVENTS_PATH


@pytest.fixture
async def served(fake: FakeSlack, clock: Any) -> AsyncIterator[SlackHarness]:
    h = await SlackHarness(fake, clock, ":memory:").boot()
    await h.adapter.connect()
    assert h.adapter.port and not h.adapter.socket_mode
    yield h
    await h.close()


async def post(h: SlackHarness, payload: dict[str, Any], **sign: Any) -> tuple[int, str]:
    body, content_type = body_for(payload)
    headers = signed_headers(body, content_type, **sign)
    url = f"http://127.0.0.1:{h.adapter.port}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session, session.post(url, data=body.encode(), headers=headers) as r:
        text = await r.text()
    await h.adapter.idle()
    return r.status, text


async def test_signed_slash_command_over_http(served: SlackHarness) -> None:
    status, text = await post(served, command(served.fake, ADMIN, "/studybot", "setup"))
    assert status == 200 and text == ""
    (call,) = served.fake.called("views.open")
    assert call.params["view"]["callback_id"] == "admin:setup"


async def test_signed_button_click_over_http(served: SlackHarness) -> None:
    status, _ = await post(served, click(served.fake, ALICE, "daily:hint:999", name="click"))
    assert status == 200
    (resp,) = served.fake.responses()
    assert resp["_name"] == "click" and resp["response_type"] == "ephemeral"


async def test_url_verification_and_health(served: SlackHarness) -> None:
    payload = load("url_verification.json")
    status, text = await post(served, payload)
    assert status == 200 and payload["challenge"] in text
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{served.adapter.port}/healthz") as r:
        assert r.status == 200 and await r.text() == "ok"


@pytest.mark.parametrize("tamper", ["bad signature", "stale timestamp", "no headers"])
async def test_unverified_requests_are_refused_with_no_effect(served: SlackHarness, tamper: str) -> None:
    before = len(served.fake.calls)
    payload = command(served.fake, ADMIN, "/studybot", "setup")
    body, content_type = body_for(payload)
    if tamper == "bad signature":
        headers = signed_headers(body, content_type, secret="not-the-secret")
    elif tamper == "stale timestamp":
        headers = signed_headers(body, content_type, timestamp=int(time.time()) - 6 * 60)
    else:
        headers = {"content-type": content_type}
    url = f"http://127.0.0.1:{served.adapter.port}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session, session.post(url, data=body.encode(), headers=headers) as r:
        assert r.status == 401
    await served.adapter.idle()
    assert len(served.fake.calls) == before  # nothing reached a listener
    assert await served.core.communities.get("slack:T0STUDY01") is None


async def test_a_retried_event_over_http(served: SlackHarness) -> None:
    assert (await post(served, home_opened(ALICE, "Ev0HTTP0001")))[0] == 200
    assert (await post(served, home_opened(ALICE, "Ev0HTTP0001"), retry_num=1))[0] == 200
    assert len(served.fake.called("views.publish")) == 1


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_oauth_distribution_installs_another_workspace(fake: FakeSlack, clock: Any, tmp_path: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1234.5678")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "oauth-secret")
    h = await SlackHarness(fake, clock, str(tmp_path / "studybot.db")).boot()
    try:
        await h.adapter.connect()
        base = f"http://127.0.0.1:{h.adapter.port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/slack/install") as r:
                page = await r.text()
                cookie = r.cookies["slack-app-oauth-state"]  # Secure: a browser sends it back over https
            assert r.status == 200 and "slack.com/oauth/v2/authorize" in page and "chat:write" in page
            state = re.search(r"state=([A-Za-z0-9\-_]+)", page)
            assert state is not None and state.group(1) == cookie.value
            async with session.get(f"{base}/slack/oauth_redirect",
                                   params={"code": "c0de-from-slack", "state": state.group(1)},
                                   headers={"Cookie": f"{cookie.key}={cookie.value}"}) as r:
                assert r.status == 200
        (access,) = fake.called("oauth.v2.access")
        assert access.params["code"] == "c0de-from-slack"
        assert (tmp_path / "studybot.db.slack-installations").exists()
        # the new workspace's commands now work, with its own token
        await post(h, command(fake, "U0THIRDAD", "/studybot", "help", team=THIRD_TEAM, name="third"))
        assert fake.called("users.info")[-1].token == THIRD_TOKEN
        assert "studybot help" in json.dumps(fake.responses()[-1])
    finally:
        await h.close()


def _sign_bytes(raw: bytes, content_type: str, secret: str = "") -> dict[str, str]:
    """Headers for raw bytes: signed over their latin-1 reading (what a forger of non-UTF-8 bytes would do)."""
    from slack_fake import SECRET
    from slack_sdk.signature import SignatureVerifier

    ts = str(int(time.time()))
    sig = SignatureVerifier(secret or SECRET).generate_signature(timestamp=ts, body=raw.decode("latin-1"))
    return {"content-type": content_type, "x-slack-request-timestamp": ts, "x-slack-signature": sig}


@pytest.mark.parametrize(("case", "status"), [
    ("json that is not json", 400),
    ("payload field that is not json", 400),
    ("bytes that are not utf-8", 400),
    ("a timestamp that is not a number", 401),
    ("unsigned garbage", 401),
])
async def test_malformed_requests_get_a_4xx_and_one_log_line(served: SlackHarness, case: str, status: int,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{served.adapter.port}{EVENTS_PATH}"
    if case == "json that is not json":
        raw, ctype = b'{"type": "event_callback", ', "application/json"
        headers = signed_headers(raw.decode(), ctype)
    elif case == "payload field that is not json":
        raw, ctype = b"payload=%7Bnot-json", "application/x-www-form-urlencoded"
        headers = signed_headers(raw.decode(), ctype)
    elif case == "bytes that are not utf-8":
        raw, ctype = b"payload=\xff\xfe\xfd", "application/x-www-form-urlencoded"
        headers = _sign_bytes(raw, ctype)
    elif case == "a timestamp that is not a number":
        raw, ctype = b"token=x&command=%2Fdaily", "application/x-www-form-urlencoded"
        headers = {**signed_headers(raw.decode(), ctype), "x-slack-request-timestamp": "soon"}
    else:
        raw, ctype = b"\x00\x01garbage", "application/json"
        headers = {"content-type": ctype}
    before = len(served.fake.calls)
    async with aiohttp.ClientSession() as session, session.post(url, data=raw, headers=headers) as r:
        assert r.status == status
    assert len(served.fake.calls) == before
    assert "Traceback" not in caplog.text
    refusals = [r for r in caplog.records if "refused a request" in r.getMessage()]
    assert len(refusals) == 1 and not [r for r in caplog.records if r.levelno >= 40]
