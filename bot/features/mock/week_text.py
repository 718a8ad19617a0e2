"""How a weekly availability reads back to the member: "Mon-Thu 18:00-21:00, Sat 10:00-13:00".

Normalised (merged, grouped by the days that share the same hours, midnight runs shown as one range where
they cross it), and always readable again by availability_parser.py to the same week.
"""

from __future__ import annotations

from bot.features.mock.grid import DAY_SHORT, SLOTS_PER_DAY, SLOTS_PER_WEEK, clock_text


def describe_slots(slots: frozenset[int]) -> str:
    """The text of a week of local half-hour slots (0 = Mon 00:00); "none" for an empty week."""
    if not slots:
        return "none"
    if len(slots) == SLOTS_PER_WEEK:
        return "every day 00:00-24:00"
    groups: dict[tuple[int, int], set[int]] = {}
    for start, length in circular_runs(slots):
        day, first = divmod(start, SLOTS_PER_DAY)
        if first and length < SLOTS_PER_DAY and first + length > SLOTS_PER_DAY:
            groups.setdefault((first, first + length), set()).add(day)  # one range across midnight
            continue
        pos, stop = start, start + length
        while pos < stop:  # split at midnights
            day, first = divmod(pos, SLOTS_PER_DAY)
            piece_end = min(stop, (pos // SLOTS_PER_DAY + 1) * SLOTS_PER_DAY)
            groups.setdefault((first, first + piece_end - pos), set()).add(day % 7)
            pos = piece_end
    by_days: dict[frozenset[int], list[tuple[int, int]]] = {}
    for pair, days in groups.items():
        by_days.setdefault(frozenset(days), []).append(pair)
    items = sorted(by_days.items(), key=lambda kv: (min(kv[0]), sorted(kv[1])))
    return ", ".join(f"{describe_days(set(days))} " + ", ".join(f"{clock_text(a)}-{clock_text(b)}"
                                                             for a, b in sorted(pairs))
                     for days, pairs in items)


def circular_runs(slots: frozenset[int]) -> list[tuple[int, int]]:
    """(start, length) of each maximal run, where a run may wrap from Sunday night into Monday."""
    runs = []
    for s in sorted(slots):
        if (s - 1) % SLOTS_PER_WEEK in slots:
            continue
        length = 1
        while (s + length) % SLOTS_PER_WEEK in slots:
            length += 1
        runs.append((s, length))
    return runs


def describe_days(days: set[int]) -> str:
    if len(days) == 7:
        return "every day"
    ordered = sorted(days)
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{DAY_SHORT[ordered[i]]}-{DAY_SHORT[ordered[j]]}")
        else:
            parts.extend(DAY_SHORT[d] for d in ordered[i:j + 1])
        i = j + 1
    return "/".join(parts)

