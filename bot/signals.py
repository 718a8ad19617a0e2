"""Things one feature tells the others, in process: the message bus between features.

A feature publishes a signal after its own write has committed (`services.registry.publish(...)`); every
feature that listens for that type is called in registration order. Listeners own their reaction (the
review feature adds a card, the leaderboard counts an active day), so features never import each other.
A listener that fails is logged and does not fail the member's action, which already happened.

Signals are not durable: a listener that must never miss one reads the publisher's data on start-up
instead, or the publisher records it in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.ids import MemberRef


@dataclass(frozen=True, slots=True)
class MemberActive:
    """A member did something that counts as studying (for streaks): a daily answer, a mock session.

    `ItemAttempted` counts as activity too; publish this one for activity without a scored item."""

    member: MemberRef
    at: datetime
    source: str  # "daily", "quiz", "race", "review", "mock"
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class ItemAttempted:
    """A member answered a bank item and we know whether they had it: a quiz or race pick, a review
    rating, the key-point checklist of a daily question (correct = every key point ticked)."""

    member: MemberRef
    item_id: str
    topic: str | None
    source: str
    correct: bool
    at: datetime


Signal = MemberActive | ItemAttempted
