"""Does a multiple-choice answer give itself away by its length? Pure statistics for `content check`.

For each file (and the whole bank) we count how often the answer is the strictly longest choice and
the strictly shortest one. If answers were placed without regard to length, either would happen at
most once in `len(choices)` items (less when lengths tie), so a one-sided exact binomial test against
that chance level says whether a file is clearly above it.

The opposite mistake is a cue too: answers that are never the longest nor the shortest make "drop the
two extremes, pick from the middle" win half the time or more. So the share of answers that are neither is
tested against its own chance level (per item: the share of choices that are neither, by their lengths).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

#: a file with fewer multiple-choice items than this is shown but never failed
MIN_ITEMS = 8
#: p-value below which a file fails
FILE_ALPHA = 0.01
#: p-value below which the whole bank fails (stricter: many files, one bank)
BANK_ALPHA = 0.001
#: p-value below which a file is flagged "watch" without failing
WATCH_ALPHA = 0.05


def binomial_tail(k: int, n: int, p: Fraction | float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), computed exactly in rational arithmetic, then rounded."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    q = Fraction(p).limit_denominator(10**6) if isinstance(p, float) else Fraction(p)
    if not 0 <= q <= 1:
        raise ValueError(f"p must be in [0, 1], is {p}")
    a, b = q.numerator, q.denominator
    total = sum(math.comb(n, i) * a**i * (b - a) ** (n - i) for i in range(k, n + 1))
    return float(Fraction(total, b**n))


def length_cue(choices: Sequence[str], answer: str) -> tuple[bool, bool]:
    """(answer is strictly the longest choice, answer is strictly the shortest), by stripped length."""
    lengths = [len(c.strip()) for c in choices]
    if answer not in choices or len(choices) < 2:
        return False, False
    own = len(answer.strip())
    others = lengths.copy()
    others.pop(list(choices).index(answer))
    return own > max(others), own < min(others)


@dataclass(frozen=True)
class CueStats:
    """Length cues of the multiple-choice items of one file (or the bank)."""

    label: str
    n: int
    longest: int
    shortest: int
    chance: Fraction
    #: answers that are neither strictly longest nor strictly shortest, and how often that happens by chance
    middle: int = 0
    middle_chance: Fraction = Fraction(1, 2)

    @property
    def p_longest(self) -> float:
        return binomial_tail(self.longest, self.n, self.chance)

    @property
    def p_shortest(self) -> float:
        return binomial_tail(self.shortest, self.n, self.chance)

    @property
    def p_middle(self) -> float:
        return binomial_tail(self.middle, self.n, self.middle_chance)

    @property
    def p_value(self) -> float:
        return min(self.p_longest, self.p_shortest, self.p_middle)

    def share(self, count: int) -> float:
        return count / self.n if self.n else 0.0

    def worst_cue(self) -> str:
        return min((self.p_longest, "longest"), (self.p_shortest, "shortest"), (self.p_middle, "middle"))[1]

    def fails(self, alpha: float = FILE_ALPHA, min_items: int = MIN_ITEMS) -> bool:
        """Clearly above chance: enough items and p < alpha for either cue."""
        return self.n >= min_items and self.p_value < alpha

    def verdict(self, alpha: float = FILE_ALPHA, min_items: int = MIN_ITEMS) -> str:
        if self.n < min_items:
            return f"too few (< {min_items})"
        if self.fails(alpha, min_items):
            return f"ABOVE CHANCE: {self.worst_cue()}"
        if self.p_value < WATCH_ALPHA:
            return f"watch: {self.worst_cue()}"
        return "ok"


def cue_stats(label: str, questions: Iterable[tuple[Sequence[str], str]]) -> CueStats:
    """Statistics over (choices, answer) pairs; chance is the mean of 1/len(choices)."""
    n = longest = shortest = middle = 0
    chance = middle_chance = Fraction(0)
    for choices, answer in questions:
        if len(choices) < 2:
            continue
        is_long, is_short = length_cue(choices, answer)
        n += 1
        longest += is_long
        shortest += is_short
        middle += not (is_long or is_short)
        chance += Fraction(1, len(choices))
        extremes = sum(any(length_cue(choices, c)) for c in choices)
        middle_chance += Fraction(len(choices) - extremes, len(choices))
    return CueStats(label, n, longest, shortest, chance / n if n else Fraction(1, 4), middle,
                    middle_chance / n if n else Fraction(1, 2))
