"""Only-you replies the core may edit later (Response.private_key -> ChatPort.edit_private), and posting
to a response_url.

An ephemeral message cannot be changed through the Web API (chat.update refuses it); only the
`response_url` of the interaction it answered can replace it, with `replace_original`, for 30 minutes
and at most 5 posts (https://api.slack.com/interactivity/handling#message_responses). And a
response_url replaces one message only: the message its interaction came from (the one with the
button), or, for a slash command, the message the command produced. So a reply is kept for editing only
where it *is* that message:

- the answer to a slash command (or to a form opened from one), posted as one ephemeral message;
- an ephemeral message a button was on, replaced by the reply.

A private reply to a button on a public message is never kept: its response_url would replace the
public message, showing the private reply to everyone. Nor is one sent by chat.postEphemeral.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.expiring import ExpiringMap
from adapters.slack.errors import FAILURES
from adapters.slack.pacing import retry_handlers
from bot.ids import CommunityRef, MemberRef

log = logging.getLogger("adapters.slack")
#: a response_url's life and its number of posts
URL_LIFETIME_S = 30 * 60.0
URL_USES = 5
#: an edit is not started this close to the end of the window
MARGIN_S = 30.0


@dataclass(frozen=True, slots=True)
class HeldUrl:
    url: str
    member: MemberRef
    used: int  # posts made to the url so far


@dataclass(frozen=True, slots=True)
class Posted:
    """What a response_url answered: its HTTP status (None: no answer at all) and body."""

    status: int | None
    body: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


async def post_response(url: str, body: dict[str, Any], jitter: float = 1.0) -> Posted:
    """One post to a response_url (429s retried as Retry-After says; nothing else is)."""
    try:
        resp = await AsyncWebhookClient(url, retry_handlers=retry_handlers(jitter)).send_dict(body)
    except FAILURES as exc:
        log.warning("slack: response_url failed: %s", exc)
        return Posted(None, str(exc))
    if resp.status_code != 200:
        log.warning("slack: response_url answered %s %s", resp.status_code, (resp.body or "")[:200])
    return Posted(resp.status_code, resp.body or "")


class PrivateReplies:
    """response_urls by (community, key) while they live and have posts left; bounded, in memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, capacity: int = 10_000) -> None:
        self._held: ExpiringMap[HeldUrl] = ExpiringMap(capacity, clock)

    @staticmethod
    def _key(community: CommunityRef, key: str) -> str:
        return f"{community.key}/{key}"

    def remember(self, member: MemberRef, key: str, url: str, used: int) -> None:
        """Kept from now: the url came with the interaction we just answered (or the form it opened)."""
        if used >= URL_USES:
            return
        self._held.put(self._key(member.community, key), HeldUrl(url, member, used), URL_LIFETIME_S - MARGIN_S)

    def take(self, community: CommunityRef, key: str) -> HeldUrl | None:
        """The url for one more post, counted; None when it expired, is used up or was never kept."""
        k = self._key(community, key)
        held = self._held.get(k)
        if held is None or held.used >= URL_USES:
            self._held.pop(k)
            return None
        self._held.put(k, replace(held, used=held.used + 1), self._held.remaining(k))
        return held

    def forget(self, community: CommunityRef, key: str) -> None:
        self._held.pop(self._key(community, key))

    def __len__(self) -> int:
        return len(self._held)
