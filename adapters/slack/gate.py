"""The door in front of bolt in HTTP mode: a request that is not a well-formed, signed Slack request is
answered 400 or 401 with one log line, before bolt parses it.

bolt parses the body before it checks the signature, and a body it cannot parse (bad JSON, a `payload=`
field that is not JSON, bytes that are not UTF-8, a timestamp that is not a number) raises inside it:
aiohttp then answers 500 with a traceback, even to an unsigned request. Checking here keeps that out.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from slack_sdk.signature import Clock, SignatureVerifier

log = logging.getLogger("adapters.slack")
MAX_BODY = 1 << 20  # Slack's payloads are far smaller; anything bigger is not Slack


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_request(raw: bytes, headers: dict[str, str], content_type: str, signing_secret: str,
                  now: float | None = None) -> str:
    """The body as text, when this is a signed, parseable Slack request; else raises Refused."""
    if len(raw) > MAX_BODY:
        raise Refused(413, f"body of {len(raw)} bytes")
    stamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not stamp or not signature:
        raise Refused(401, "unsigned request (no X-Slack-Signature or timestamp)")
    if not stamp.isdigit():
        raise Refused(401, f"timestamp header is not a number: {stamp[:40]!r}")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    verifier = SignatureVerifier(signing_secret, clock=_Clock(now)) if now is not None else SignatureVerifier(
        signing_secret)
    if not verifier.is_valid(body=body, timestamp=stamp, signature=signature):
        raise Refused(401, "bad signature or stale timestamp")
    if "application/json" in content_type:
        _json_object(body, "JSON body")
    else:
        form = parse_qs(body, keep_blank_values=True)
        if "payload" in form:
            _json_object(form["payload"][0], "payload field")
    return body


def _json_object(text: str, what: str) -> None:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is not a JSON object")


class _Clock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def log_refusal(refused: Refused, peer: str | None) -> None:
    log.warning("slack: refused a request from %s with %d: %s", peer or "?", refused.status, refused.reason)

