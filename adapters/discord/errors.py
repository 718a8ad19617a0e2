"""Discord failures, mapped onto the core's DeliveryProblem and logged with their context."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.ports import DeliveryError, DeliveryProblem

log = logging.getLogger(__name__)

# JSON error codes: https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_MEMBER = 10007
UNKNOWN_USER = 10013
UNKNOWN_INTERACTION = 10062
UNKNOWN_WEBHOOK = 10015
INVALID_WEBHOOK_TOKEN = 50027  # an interaction token past its 15 minutes
MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
THREAD_ALREADY_EXISTS = 160004

_BY_CODE = {
    UNKNOWN_CHANNEL: DeliveryProblem.CHANNEL_GONE,
    UNKNOWN_MESSAGE: DeliveryProblem.CHANNEL_GONE,
    UNKNOWN_MEMBER: DeliveryProblem.MEMBER_GONE,
    UNKNOWN_USER: DeliveryProblem.MEMBER_GONE,
    MISSING_ACCESS: DeliveryProblem.MISSING_PERMISSION,
    CANNOT_DM: DeliveryProblem.DM_CLOSED,
    MISSING_PERMISSIONS: DeliveryProblem.MISSING_PERMISSION,
}


def problem_of(exc: BaseException) -> DeliveryProblem:
    """The DeliveryProblem a discord.py (or network) exception means."""
    if isinstance(exc, discord.RateLimited):
        return DeliveryProblem.RATE_LIMITED
    if isinstance(exc, discord.LoginFailure):
        return DeliveryProblem.AUTH
    if isinstance(exc, discord.HTTPException):
        if exc.code in _BY_CODE:
            return _BY_CODE[exc.code]
        if exc.status == 401:
            return DeliveryProblem.AUTH
        if exc.status == 429:
            return DeliveryProblem.RATE_LIMITED
        if isinstance(exc, discord.Forbidden):
            return DeliveryProblem.MISSING_PERMISSION
        if isinstance(exc, discord.NotFound):
            return DeliveryProblem.CHANNEL_GONE
        return DeliveryProblem.UNAVAILABLE  # 5xx, and 4xx we did not expect (logged with the body)
    return DeliveryProblem.UNAVAILABLE


def retry_after(exc: BaseException) -> float | None:
    """Seconds Discord asked us to wait, from discord.py's RateLimited or a 429's Retry-After header."""
    if isinstance(exc, discord.RateLimited):
        return float(exc.retry_after)
    if isinstance(exc, discord.HTTPException) and exc.status == 429:
        headers = getattr(exc.response, "headers", None) or {}
        try:
            return float(headers.get("Retry-After", ""))
        except ValueError:
            return None
    return None


def describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status} code {exc.code}: {exc.text}"
    return f"{type(exc).__name__}: {exc}"


NETWORK_ERRORS = (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError)


@asynccontextmanager
async def delivery(operation: str, target: str) -> AsyncIterator[None]:
    """Run a Discord call; a failure becomes a DeliveryError, logged with what we were doing where."""
    try:
        yield
    except NETWORK_ERRORS as exc:
        problem = problem_of(exc)
        level = logging.ERROR if problem in (DeliveryProblem.AUTH, DeliveryProblem.UNAVAILABLE) else logging.WARNING
        log.log(level, "discord %s to %s failed (%s): %s", operation, target, problem.value, describe(exc))
        raise DeliveryError(problem, f"{operation} {target}: {describe(exc)}", retry_after(exc)) from exc
