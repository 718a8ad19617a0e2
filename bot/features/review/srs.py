"""The spaced-repetition schedule, decided by the `fsrs` library: day-granular (no learning or relearning
steps, so every rating schedules whole days), without fuzz, so a card's next due time follows from its
history alone. Nothing here computes an interval itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
LABELS = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good", Rating.Easy: "Easy"}


def make_scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def new_card(now: datetime) -> str:
    """A new card due now, as the library serialises it (its own id is unused: the row id names a card)."""
    return Card(card_id=0, due=now.astimezone(UTC)).to_json()


def parse_rating(raw: str) -> Rating | None:
    return next((r for r in RATINGS if str(int(r)) == raw), None)


def review(scheduler: Scheduler, stored: str, rating: Rating, now: datetime) -> Card:
    """The card after this rating at `now`, as the library schedules it."""
    card, _log = scheduler.review_card(Card.from_json(stored), rating, now.astimezone(UTC))
    return card


def previews(scheduler: Scheduler, stored: str, now: datetime) -> dict[Rating, timedelta]:
    """How long until the card would come back after each rating (for the rating buttons' labels)."""
    return {r: review(scheduler, stored, r, now).due - now for r in RATINGS}


def span(delta: timedelta) -> str:
    """A rough length for a button label: 1d, 12d, 3mo, 1.5y."""
    days = max(1, round(delta / timedelta(days=1)))
    if days < 31:
        return f"{days}d"
    if days < 365:
        return f"{round(days / 30.4)}mo"
    return f"{days / 365:.1f}y"
