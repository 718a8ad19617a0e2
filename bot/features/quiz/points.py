"""Quiz and race points: one place, so the replies and the ledger agree."""

from __future__ import annotations

from datetime import timedelta

QUIZ_CORRECT = 3
#: quiz points for an item only the first time a member gets it right within this window
QUIZ_WINDOW = timedelta(days=30)
RACE_CORRECT = 5
RACE_SPEED = 5  # on top, for a right answer at once; none at the deadline

REASON_QUIZ = "quiz_correct"
REASON_RACE = "race_pick"


def quiz_ref(item_id: str, day: str) -> str:
    """The ledger ref of quiz points earned on an item: the day of the earning answer starts its window,
    and no second answer inside that window earns, so (item, day) is unique per member."""
    return f"quiz:{item_id}:{day}"


def race_ref(question_id: int) -> str:
    return f"race:{question_id}"


def race_points(correct: bool, elapsed: timedelta, limit: timedelta) -> int:
    """Points of one race pick: nothing when wrong; right earns RACE_CORRECT plus a speed share that falls
    linearly from RACE_SPEED (at once) to 0 (at the deadline). `elapsed` is clamped to [0, limit]."""
    if not correct:
        return 0
    if limit <= timedelta():
        return RACE_CORRECT
    share = 1 - min(max(elapsed, timedelta()), limit) / limit
    return RACE_CORRECT + round(RACE_SPEED * share)
