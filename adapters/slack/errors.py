"""Slack Web API errors mapped onto the core's DeliveryProblem, each with one clear log line."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.ports import DeliveryError, DeliveryProblem

log = logging.getLogger("adapters.slack")
#: what a Web API or response_url call can raise: Slack's answer, or the network's
FAILURES: tuple[type[BaseException], ...] = (SlackClientError, aiohttp.ClientError, OSError, asyncio.TimeoutError)
#: the same, or a DeliveryError already mapped (a team with no token)
FAILURES_OR_REFUSED: tuple[type[BaseException], ...] = (*FAILURES, DeliveryError)

PROBLEMS: dict[str, DeliveryProblem] = {
    "not_in_channel": DeliveryProblem.MISSING_PERMISSION,
    "restricted_action": DeliveryProblem.MISSING_PERMISSION,
    "restricted_action_read_only_channel": DeliveryProblem.MISSING_PERMISSION,
    "restricted_action_thread_only_channel": DeliveryProblem.MISSING_PERMISSION,
    "restricted_action_non_threadable_channel": DeliveryProblem.MISSING_PERMISSION,
    "no_permission": DeliveryProblem.MISSING_PERMISSION,
    "channel_not_found": DeliveryProblem.CHANNEL_GONE,
    "is_archived": DeliveryProblem.CHANNEL_GONE,
    "message_not_found": DeliveryProblem.CHANNEL_GONE,
    "thread_not_found": DeliveryProblem.CHANNEL_GONE,
    "invalid_auth": DeliveryProblem.AUTH,
    "not_authed": DeliveryProblem.AUTH,
    "token_revoked": DeliveryProblem.AUTH,
    "token_expired": DeliveryProblem.AUTH,
    "account_inactive": DeliveryProblem.AUTH,
    "missing_scope": DeliveryProblem.AUTH,
    "team_access_not_granted": DeliveryProblem.AUTH,
    "ekm_access_denied": DeliveryProblem.AUTH,
    "user_not_found": DeliveryProblem.MEMBER_GONE,
    "user_disabled": DeliveryProblem.MEMBER_GONE,
    "user_not_in_channel": DeliveryProblem.MEMBER_GONE,
    "cannot_dm_bot": DeliveryProblem.DM_CLOSED,
    "messages_tab_disabled": DeliveryProblem.DM_CLOSED,
    "ratelimited": DeliveryProblem.RATE_LIMITED,
    "rate_limited": DeliveryProblem.RATE_LIMITED,
}

HINTS: dict[str, str] = {
    "not_in_channel": "invite the bot to the channel (/invite @studybot)",
    "channel_not_found": "the channel was deleted, or it is private and the bot was never invited",
    "is_archived": "the channel is archived; run /studybot setup in an active channel",
    "invalid_auth": "the bot token was refused; check SLACK_BOT_TOKEN or reinstall the app",
    "not_authed": "no bot token was sent; set SLACK_BOT_TOKEN",
    "token_revoked": "the app was uninstalled or its token revoked; reinstall it and update the token",
    "token_expired": "the token expired; reinstall the app or refresh the token",
    "account_inactive": "the bot user or workspace was deactivated; reinstall the app",
    "missing_scope": "the app lacks a scope; reinstall it from the manifest (`studybot slack manifest`)",
    "ratelimited": "Slack rate limit still hit after retrying; will try again later",
}


def error_code(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        code = exc.response.get("error") if exc.response is not None else None
        if not code and exc.response is not None and exc.response.status_code == 429:
            return "ratelimited"
        return str(code or "unknown_error")
    if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, SlackClientError, OSError)):
        return "connection_error"
    return "unknown_error"


def problem_for(code: str) -> DeliveryProblem:
    return PROBLEMS.get(code, DeliveryProblem.UNAVAILABLE)


def delivery_error(exc: BaseException, method: str, where: str) -> DeliveryError:
    """The DeliveryError for a failed Web API call, logged once with what an operator should do."""
    code = error_code(exc)
    problem = problem_for(code)
    hint = HINTS.get(code, "")
    # an admin must act, or Slack said something we do not expect: error; passing trouble: warning
    passing = problem in (DeliveryProblem.RATE_LIMITED, DeliveryProblem.MEMBER_GONE, DeliveryProblem.DM_CLOSED)
    level = logging.WARNING if passing or code == "connection_error" else logging.ERROR
    log.log(level, "slack %s in %s failed: %s -> %s%s", method, where, code, problem.value,
            f" ({hint})" if hint else "")
    return DeliveryError(problem, f"slack {method}: {code}", retry_after(exc))


def retry_after(exc: BaseException) -> float | None:
    """The seconds a 429's Retry-After header asks for, when Slack sent one."""
    if not isinstance(exc, SlackApiError) or exc.response is None:
        return None
    headers = exc.response.headers or {}
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
