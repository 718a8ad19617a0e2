"""Session start times in a week's common free slots: where a run of `session_slots` free slots starts,
and the few starts a pair is offered (different days first, each day's longest run).

Slots are the 30-minute indices 0..335 of one UTC week; "consecutive" never wraps from Sunday night to
Monday morning of the same week.
"""

from __future__ import annotations

from bot.features.mock.grid import SLOTS_PER_DAY, SLOTS_PER_WEEK


def run_starts(slots: frozenset[int] | set[int], session_slots: int) -> int:
    """Bitmask of the slots where a run of `session_slots` free slots starts (bit j: j..j+n-1 all free)."""
    mask = 0
    for s in slots:
        if not 0 <= s < SLOTS_PER_WEEK:
            raise ValueError(f"slot {s} is not in 0..{SLOTS_PER_WEEK - 1}")
        mask |= 1 << s
    starts = mask
    for k in range(1, session_slots):
        starts &= mask >> k
    return starts



def session_starts(overlap: frozenset[int], session_slots: int, count: int = 3, *,
                   not_before: int = 0) -> list[int]:
    """Up to `count` start slots of `session_slots` consecutive slots in `overlap`, chronological.

    Different UTC days first (spread evenly over the days that have a start), on each day the start of its
    longest run; then, if days run out, the starts farthest from those chosen, never overlapping them.
    `not_before` drops starts before that slot (for a week already under way).
    """
    if session_slots < 1:
        raise ValueError("session_slots must be at least 1")
    starts_mask = run_starts(overlap, session_slots)
    starts = [j for j in range(max(0, not_before), SLOTS_PER_WEEK) if starts_mask >> j & 1]
    if count <= 0 or not starts:
        return []
    by_day: dict[int, list[int]] = {}
    for j in starts:
        by_day.setdefault(j // SLOTS_PER_DAY, []).append(j)
    days = sorted(by_day)
    if len(days) > count:
        days = [days[round(k * (len(days) - 1) / (count - 1))] for k in range(count)] if count > 1 else days[:1]
    chosen = [_longest_run_start(by_day[d]) for d in days]
    rest = [j for j in starts if j not in chosen]
    while len(chosen) < count:
        free = [j for j in rest if all(abs(j - c) >= session_slots for c in chosen)]
        if not free:
            break
        best = max(free, key=lambda j: (min(abs(j - c) for c in chosen), -j))
        chosen.append(best)
    return sorted(chosen)


def _longest_run_start(day_starts: list[int]) -> int:
    best_start, best_len = day_starts[0], 0
    run_start, prev = day_starts[0], day_starts[0] - 1
    for j in [*day_starts, -2]:
        if j != prev + 1:
            if prev - run_start + 1 > best_len:
                best_start, best_len = run_start, prev - run_start + 1
            run_start = j
        prev = j
    return best_start
