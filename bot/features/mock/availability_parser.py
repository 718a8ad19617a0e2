"""Parse plain weekly ranges ("Mon-Thu 18:00-21:00, Sat 10:00-13:00") into an `Availability`.

Decisions (so the flows and the members see the same rules):
- Grid: times are rounded *inward* to the half hour (a start goes up, an end goes down), so the bot never
  proposes a time the member did not offer. Each rounding is listed in `Availability.notes`, and
  `describe()` shows the result back for confirmation. A range that rounds to nothing is refused.
- Across midnight: "Fri 22:00-01:00" is Fri 22:00-24:00 plus Sat 00:00-01:00; "Sun 22:00-01:00" spills
  into Monday (the local week repeats, so it wraps). A note says so, with the range's length: an end
  before the start may be a slip ("Mon 21:00-18:00" is 21 hours), and the member confirms what was read.
- 12/24 hours: "7pm", "7 p.m.", "19:00", "19.00", "19h", "noon", "midnight". Only one side with am/pm
  ("7-9pm", "10-2pm") takes the reading that gives the shorter range. Bare hours are 24-hour ("7-9" is
  07:00-09:00). An end of "00:00", "24:00" or "midnight" means the end of that day.
- Unicode and words: see availability_tokens.py; anything not understood is named in the error.
- "none" (or "no", "nothing", "never") alone is an empty availability; an empty text is an error.
- Over `MAX_TEXT` characters is refused before any parsing, more than `MAX_RANGES` ranges after it; so
  every availability the parser gives has a `describe()` the parser reads back to the same availability.
"""

from __future__ import annotations

from bot.features.mock.availability import MAX_RANGES, MAX_TEXT, Availability, AvailabilityError
from bot.features.mock.availability_tokens import NONE_WORDS, Tok, normalise, times_first, tokenize
from bot.features.mock.grid import SLOTS_PER_DAY, SLOTS_PER_WEEK, clock_text


def parse_availability(text: str) -> Availability:
    """Parse plain weekly ranges; raise AvailabilityError naming every part that could not be understood."""
    if len(text) > MAX_TEXT:
        raise AvailabilityError([f"the text is {len(text)} characters long; keep it under {MAX_TEXT}"])
    norm, origin = normalise(text)
    if not norm.strip():
        raise AvailabilityError(["there are no days or times in it"])
    if norm.strip().strip(".!") in NONE_WORDS:
        return Availability(())
    return Parser(text, norm, origin).run()


class Parser:
    """One pass over the tokens: days set the current days, each time range adds its slots to them."""

    def __init__(self, original: str, norm: str, origin: list[int]) -> None:
        self.original, self.norm, self.origin = original, norm, origin
        self.problems: list[str] = []
        self.notes: list[str] = []

    def frag(self, start: int, end: int) -> str:
        a = self.origin[start]
        b = self.origin[end - 1] + 1 if end > start else a
        return f"'{self.original[a:b].strip()}'"

    def run(self) -> Availability:
        toks = times_first(tokenize(self.norm))
        slots: set[int] = set()
        pending: set[int] = set()
        pending_span: tuple[int, int] | None = None
        current: set[int] = set()
        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok.kind in ("day", "days"):
                days, i = self.days(toks, i)
                pending |= days
                pending_span = (pending_span[0] if pending_span else tok.start, toks[i - 1].end)
                continue
            if tok.kind in ("time", "allday"):
                span_start = tok.start
                minutes, i = self.time_range(toks, i)
                if pending:
                    current, pending, pending_span = pending, set(), None
                if minutes is None:
                    continue
                if not current:
                    self.problems.append(f"{self.frag(span_start, toks[i - 1].end)} has no day before it (put the days first, like Mon-Fri 18:00-20:00)")
                    continue
                for day in current:
                    slots.update(s % SLOTS_PER_WEEK for s in range(day * SLOTS_PER_DAY + minutes[0] // 30,
                                                                    day * SLOTS_PER_DAY + minutes[1] // 30))
                continue
            if tok.kind == "dash":
                self.problems.append(f"a {self.frag(tok.start, tok.end)} without a day or a time on each side")
            elif tok.kind == "bad":
                self.problems.append(f"{self.frag(tok.start, tok.end)} is not a day or a time")
            i += 1
        if pending and pending_span:
            self.problems.append(f"{self.frag(*pending_span)} has no times after it")
        if self.problems:
            raise AvailabilityError(self.problems)
        if not slots:
            raise AvailabilityError(["there are no days or times in it"])
        result = Availability.from_local_slots(slots, tuple(self.notes))
        if len(result.ranges) > MAX_RANGES:
            raise AvailabilityError([f"that makes {len(result.ranges)} separate ranges in the week; "
                                     f"keep it to {MAX_RANGES} or fewer"])
        return result

    def days(self, toks: list[Tok], i: int) -> tuple[set[int], int]:
        tok = toks[i]
        if tok.kind == "days":
            assert isinstance(tok.value, frozenset)
            return set(tok.value), i + 1
        assert isinstance(tok.value, int)
        if i + 2 < len(toks) and toks[i + 1].kind == "dash" and toks[i + 2].kind == "day":
            last = toks[i + 2].value
            assert isinstance(last, int)
            first = tok.value
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            return set(span), i + 3
        return {tok.value}, i + 1

    def time_range(self, toks: list[Tok], i: int) -> tuple[tuple[int, int] | None, int]:
        """Parse `time - time` (or all day) at toks[i]; minutes from the day's midnight, rounded inward."""
        tok = toks[i]
        if tok.kind == "allday":
            return (0, 1440), i + 1
        if not (i + 2 < len(toks) and toks[i + 1].kind == "dash" and toks[i + 2].kind == "time"):
            self.problems.append(f"{self.frag(tok.start, tok.end)} needs an end time, like 18:00-20:00")
            return None, i + 1
        end_tok = toks[i + 2]
        span = self.frag(tok.start, end_tok.end)
        a, b = self.clock(tok), self.clock(end_tok)
        if a is None or b is None:
            return None, i + 3
        start, end = pick_meridiem(a, b)
        if start == 1440:
            self.problems.append(f"{span} starts at the end of the day")
            return None, i + 3
        if end == 0:
            end = 1440
        if end <= start:
            end += 1440
        if end == start + 1440 and not (start == 0 and end == 1440):
            self.problems.append(f"{span} starts and ends at the same time")
            return None, i + 3
        lo, hi = -(-start // 30) * 30, end // 30 * 30
        if hi <= lo:
            self.problems.append(f"{span} does not cover a whole half hour (:00 to :30 or :30 to :00)")
            return None, i + 3
        if (lo, hi) != (start, end):
            self.notes.append(f"{span} was read as {clock_text(lo // 30)}-{clock_text(hi // 30)}: times go on the "
                              "half-hour grid, rounded inside the range")
        if hi > 1440:  # (a range that ends at midnight is not this)
            hours = (hi - lo) / 60
            length = f"{hours:g} hour{'s' * (hours != 1)}"
            self.notes.append(f"{span} runs past midnight: it ends at {clock_text((hi - 1440) // 30)} the next day "
                              f"({length} in all)")
        return (lo, hi), i + 3

    def clock(self, tok: Tok) -> tuple[int, int, str | None] | None:
        """(hour, minute, 'am'/'pm'/None) checked for range, or None after recording a problem."""
        assert isinstance(tok.value, tuple)
        h_raw, m_raw, ap_raw = tok.value
        hour, minute = int(h_raw), int(m_raw or 0)
        ap = None if ap_raw is None else ("am" if ap_raw.startswith("a") else "pm")
        bad = minute > 59 or (ap is not None and not 1 <= hour <= 12) or hour > 24 or (hour == 24 and minute)
        if bad:
            self.problems.append(f"{self.frag(tok.start, tok.end)} is not a time of day")
            return None
        return hour, minute, ap


def pick_meridiem(a: tuple[int, int, str | None], b: tuple[int, int, str | None]) -> tuple[int, int]:
    """Minutes after midnight for both ends; one side without am/pm takes the reading giving the shorter range."""

    def minutes(h: int, m: int, ap: str | None) -> int:
        if ap == "am":
            h = 0 if h == 12 else h
        elif ap == "pm":
            h = 12 if h == 12 else h + 12
        return h * 60 + m

    def length(start: int, end: int) -> int:
        return (end - start) % 1440 or 1440

    (ha, ma, apa), (hb, mb, apb) = a, b
    if apa is None and apb is not None and 1 <= ha <= 12:
        options = [minutes(ha, ma, ap) for ap in ("am", "pm")]
        end = minutes(hb, mb, apb)
        return min(options, key=lambda s: length(s, end)), end
    if apb is None and apa is not None and 1 <= hb <= 12:
        start = minutes(ha, ma, apa)
        return start, min((minutes(hb, mb, ap) for ap in ("am", "pm")), key=lambda e: length(start, e))
    return minutes(ha, ma, apa), minutes(hb, mb, apb)
