"""Only-you replies the core may edit later (Response.private_key -> ChatPort.edit_private).

Discord shows a message to one member only as the answer to their interaction, and only that
interaction's token can edit it: for 15 minutes from the interaction
(https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object).
So the handler keeps the interaction, and which of its messages is the only-you reply, under the core's
key: the original response (`@original`, a PATCH of /webhooks/{app}/{token}/messages/@original) or a
follow-up message by id. Which one matters: after a silent deferral of a button on a public message,
`@original` is that public message, and editing it would show the private reply to everyone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import discord

from adapters.expiring import ExpiringMap
from bot.ids import CommunityRef

#: how long an interaction token lives
TOKEN_LIFETIME_S = 15 * 60.0
#: an edit is not started this close to the end: it must not race the token's expiry
MARGIN_S = 20.0


@dataclass(frozen=True, slots=True)
class HeldReply:
    interaction: discord.Interaction
    #: None: the interaction's original response; else a follow-up message of it
    message_id: int | None
    #: the link an embed carries in a DM (it names the server for buttons clicked there)
    link: str | None = None


class PrivateReplies:
    """Interactions by (community, key) until their token expires; bounded, in memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, capacity: int = 10_000,
                 wall: Callable[[], datetime] = discord.utils.utcnow) -> None:
        self._held: ExpiringMap[HeldReply] = ExpiringMap(capacity, clock)
        self._wall = wall

    @staticmethod
    def _key(community: CommunityRef, key: str) -> str:
        return f"{community.key}/{key}"

    def remember(self, community: CommunityRef, key: str, interaction: discord.Interaction,
                 message_id: int | None = None, link: str | None = None) -> None:
        """The token's 15 minutes count from the interaction (its snowflake), not from now."""
        age = max(0.0, (self._wall() - discord.utils.snowflake_time(interaction.id)).total_seconds())
        self._held.put(self._key(community, key), HeldReply(interaction, message_id, link),
                       TOKEN_LIFETIME_S - MARGIN_S - age)

    def get(self, community: CommunityRef, key: str) -> HeldReply | None:
        return self._held.get(self._key(community, key))

    def forget(self, community: CommunityRef, key: str) -> None:
        self._held.pop(self._key(community, key))

    def __len__(self) -> int:
        return len(self._held)
