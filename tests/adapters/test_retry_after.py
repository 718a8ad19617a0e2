"""A platform's "retry after N seconds" reaches the core, so a 429 is retried when it asked, not on a fixed timer."""

from __future__ import annotations

import discord
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.discord.errors import delivery
from adapters.slack.errors import delivery_error
from bot.ports import DeliveryError, DeliveryProblem


async def test_discord_rate_limit_carries_its_retry_time() -> None:
    with pytest.raises(DeliveryError) as caught:
        async with delivery("send", "channel 1"):
            raise discord.RateLimited(90.0)
    assert caught.value.problem is DeliveryProblem.RATE_LIMITED and caught.value.retry_after == 90.0


def test_slack_rate_limit_carries_its_retry_time() -> None:
    response = AsyncSlackResponse(client=AsyncWebClient(token="xoxb-test"), http_verb="POST",
                                  api_url="http://127.0.0.1/api/chat.postMessage", req_args={},
                                  data={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "90"},
                                  status_code=429)
    err = delivery_error(SlackApiError("ratelimited", response), "chat.postMessage", "T1/C1")
    assert err.problem is DeliveryProblem.RATE_LIMITED and err.retry_after == 90.0
