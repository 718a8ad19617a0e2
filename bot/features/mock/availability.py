"""Weekly availability for peer mocks: parse plain ranges, show them back, map them onto UTC half-hours.

A member writes local wall-clock ranges ("Mon-Thu 18:00-21:00, Sat 10:00-13:00"). They are kept as a
repeating local week on a 30-minute grid; `utc_slots` turns that week into the 336 half-hour slots of one
concrete UTC week, with the real offsets of that week.

Decisions (so the flows and the members see the same rules):
- Grid: times are rounded *inward* to the half hour (a start goes up, an end goes down), so the bot never
  proposes a time the member did not offer. Each rounding is listed in `Availability.notes`, and
  `describe()` shows the result back for confirmation. A range that rounds to nothing is refused.
- Across midnight: "Fri 22:00-01:00" is Fri 22:00-24:00 plus Sat 00:00-01:00; "Sun 22:00-01:00" spills
  into Monday (the local week repeats, so it wraps).
- 12/24 hours: "7pm", "7 p.m.", "19:00", "19.00", "19h", "noon", "midnight". Only one side with am/pm
  ("7-9pm", "10-2pm") takes the reading that gives the shorter range. Bare hours are 24-hour ("7-9" is
  07:00-09:00). An end of "00:00", "24:00" or "midnight" means the end of that day.
- Unicode: NFKC (full-width digits and colons, non-breaking and thin spaces), every dash or tilde
  (- – — − ～ 〜) and "to"/"till"/"until" separate a range, other scripts' digits are read as digits,
  invisible format characters are dropped; anything else not understood is named in the error.
- "none" (or "no", "nothing", "never") alone is an empty availability; an empty text is an error.
- Over `MAX_TEXT` characters is refused before any parsing, more than `MAX_RANGES` ranges after it; so
  every availability the parser gives has a `describe()` the parser reads back to the same availability.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

SLOT = timedelta(minutes=30)
SLOTS_PER_DAY = 48
SLOTS_PER_WEEK = 336
MAX_TEXT = 1000
#: separate ranges a week may hold (after merging, split at midnight); with it `describe()` stays < MAX_TEXT
MAX_RANGES = 30
EXAMPLE = "Mon-Thu 18:00-21:00, Sat 10:00-13:00"

DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_EXTRA = {"weds": 2, "thur": 3, "thurs": 3, "tues": 1}
_PRESETS = {"weekdays": range(5), "weekday": range(5), "weekends": range(5, 7), "weekend": range(5, 7),
            "daily": range(7), "everyday": range(7)}
_FILLERS = {"on", "from", "at", "each", "also", "between", "hrs", "h"}
_SEPARATORS = {"and", "plus"}
_NONE = {"none", "no", "nothing", "never", "n/a"}
_DASHES = "‐‑‒–—―−﹘﹣－~～〜⁓"


class AvailabilityError(ValueError):
    """What could not be understood, said kindly, with an example. `problems` holds the parts one by one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(problems)
        super().__init__(f"I couldn't read all of that: {listed}. "
                         f"Write days and local times like: {EXAMPLE} (or weekdays 7pm-9pm).")


@dataclass(frozen=True)
class WeeklyRange:
    weekday: int  # 0=Mon..6=Sun
    start: time
    end: time  # local wall time; end after start, or time(0) meaning midnight at the end of that day

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0 (Mon) to 6 (Sun)")
        for t in (self.start, self.end):
            if t.tzinfo is not None or t.second or t.microsecond or t.minute % 30:
                raise ValueError(f"{t} is not a naive time on the half-hour grid")
        if self.end != time(0) and self.end <= self.start:
            raise ValueError(f"{self.start}-{self.end}: the end must be after the start (or time(0))")

    @property
    def first_slot(self) -> int:
        """Index of the first local half-hour of the week this range covers."""
        return self.weekday * SLOTS_PER_DAY + _slot_of_day(self.start)

    @property
    def stop_slot(self) -> int:
        """One past the last local half-hour (a midnight end counts as the day's 48th slot)."""
        end = SLOTS_PER_DAY if self.end == time(0) else _slot_of_day(self.end)
        return self.weekday * SLOTS_PER_DAY + end


@dataclass(frozen=True)
class Availability:
    """A repeating local week. Ranges are normalised on construction: merged, split at midnight, sorted.

    `notes` (not part of equality) says how the parser adjusted the text, e.g. rounding to the grid.
    """

    ranges: tuple[WeeklyRange, ...]
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        slots: set[int] = set()
        for r in self.ranges:
            if not isinstance(r, WeeklyRange):
                raise TypeError(f"{r!r} is not a WeeklyRange")
            slots.update(range(r.first_slot, r.stop_slot))
        object.__setattr__(self, "ranges", _ranges_of(frozenset(slots)))

    @classmethod
    def from_local_slots(cls, slots: frozenset[int] | set[int], notes: tuple[str, ...] = ()) -> Availability:
        """From local half-hour indices of the week (0 = Mon 00:00, wrapping modulo 336)."""
        return cls(_ranges_of(frozenset(s % SLOTS_PER_WEEK for s in slots)), notes)

    @property
    def is_empty(self) -> bool:
        return not self.ranges

    def local_slots(self) -> frozenset[int]:
        return frozenset(s for r in self.ranges for s in range(r.first_slot, r.stop_slot))

    def describe(self) -> str:
        """Readable and normalised: "Mon-Thu 18:00-21:00, Sat 10:00-13:00", "Mon/Wed 07:00-08:00, 18:00-20:00".

        `parse_availability(a.describe()) == a` for every availability of at most MAX_RANGES ranges.
        """
        slots = self.local_slots()
        if not slots:
            return "none"
        if len(slots) == SLOTS_PER_WEEK:
            return "every day 00:00-24:00"
        groups: dict[tuple[int, int], set[int]] = {}
        for start, length in _circular_runs(slots):
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
        return ", ".join(f"{_describe_days(set(days))} " + ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in sorted(pairs))
                         for days, pairs in items)


def parse_availability(text: str) -> Availability:
    """Parse plain weekly ranges; raise AvailabilityError naming every part that could not be understood."""
    if len(text) > MAX_TEXT:
        raise AvailabilityError([f"the text is {len(text)} characters long; keep it under {MAX_TEXT}"])
    norm, origin = _normalise(text)
    if not norm.strip():
        raise AvailabilityError(["there are no days or times in it"])
    if norm.strip().strip(".!") in _NONE:
        return Availability(())
    return _Parser(text, norm, origin).run()


def check_week_start(week_start_utc: datetime) -> None:
    if (week_start_utc.tzinfo is None or week_start_utc.utcoffset() != timedelta(0)
            or week_start_utc.weekday() != 0 or week_start_utc.time() != time(0)):
        raise ValueError(f"{week_start_utc!r} is not a Monday 00:00 UTC")


def week_start_of(at: datetime) -> datetime:
    """The Monday 00:00 UTC that starts the UTC week containing `at` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError("need an aware datetime")
    day = at.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), UTC)


def slot_start(week_start_utc: datetime, index: int) -> datetime:
    check_week_start(week_start_utc)
    if not 0 <= index < SLOTS_PER_WEEK:
        raise ValueError(f"slot {index} is not in 0..{SLOTS_PER_WEEK - 1}")
    return week_start_utc + index * SLOT


def slot_index(week_start_utc: datetime, at: datetime) -> int:
    """The slot of that week containing `at` (may be outside 0..335 when `at` is in another week)."""
    check_week_start(week_start_utc)
    return int((at - week_start_utc) // SLOT)


def utc_slots(availability: Availability, zone: ZoneInfo, week_start_utc: datetime) -> frozenset[int]:
    """The half-hours of the UTC week starting at `week_start_utc` that the member is free, all of each one.

    Each UTC slot is converted with the offset the zone really has at that instant, so a DST change inside
    the week moves the later slots. Going from UTC to local, every instant has one wall time: a wall time
    skipped by a spring-forward gap is simply never reached (the member loses it), and an hour repeated by a
    fall-back is free both times it occurs. The local week wraps: the first UTC slots of the week answer from
    the previous local Sunday night, so a "Sun 22:00-01:00" range shows its Monday spill at the start of the
    same UTC week (nothing is dropped, nothing is counted twice). With an offset off the half-hour grid
    (Asia/Kathmandu +05:45) a UTC slot counts only if both local half-hours it touches are free.
    For many members, build one `WeekGrid` per zone and call its `slots`.
    """
    return WeekGrid(zone, week_start_utc).slots(availability)


class WeekGrid:
    """One UTC week in one zone: for each UTC slot, the local half-hours (a bitmask) it needs free.

    Offsets are read every six hours, and slot by slot (then minute by minute) only inside a six-hour span
    where the offset changes; no zone changes its offset twice within six hours.
    """

    def __init__(self, zone: ZoneInfo, week_start_utc: datetime) -> None:
        check_week_start(week_start_utc)
        span = 12  # slots in six hours
        probes = [_offset_minutes(week_start_utc + k * span * SLOT, zone)
                  for k in range(SLOTS_PER_WEEK // span + 1)]
        offsets: list[int] = []  # offset at the start of every slot, and at the end of the week
        for k in range(SLOTS_PER_WEEK // span):
            if probes[k] == probes[k + 1]:
                offsets.extend([probes[k]] * span)
            else:
                offsets.extend(_offset_minutes(week_start_utc + (k * span + i) * SLOT, zone) for i in range(span))
        offsets.append(probes[-1])
        needs: list[int] = []
        for i in range(SLOTS_PER_WEEK):
            begin = 30 * i + offsets[i]
            if offsets[i] == offsets[i + 1]:  # no offset change inside the slot
                needs.append(_mask(begin, begin + 30))
            else:  # an offset change inside the slot: collect it minute by minute
                mask = 0
                for k in range(30):
                    m = 30 * i + k + _offset_minutes(week_start_utc + i * SLOT + timedelta(minutes=k), zone)
                    mask |= _mask(m, m + 1)
                needs.append(mask)
        self.zone, self.week_start = zone, week_start_utc
        self.needs = tuple(needs)

    def slots(self, availability: Availability) -> frozenset[int]:
        have = sum(1 << s for s in availability.local_slots())
        return frozenset(i for i, need in enumerate(self.needs) if have & need == need)


# ---------------------------------------------------------------------------------------------- internals

def _slot_of_day(t: time) -> int:
    return t.hour * 2 + t.minute // 30


def _clock(slot_of_day: int) -> str:
    """HH:MM of a half-hour boundary; 48 is 24:00 (end of the day), beyond 48 is the next day's time."""
    if slot_of_day > SLOTS_PER_DAY:
        slot_of_day -= SLOTS_PER_DAY
    return f"{slot_of_day // 2:02d}:{30 * (slot_of_day % 2):02d}"


def _time_of(slot_of_day: int) -> time:
    return time(0) if slot_of_day >= SLOTS_PER_DAY else time(slot_of_day // 2, 30 * (slot_of_day % 2))


def _ranges_of(slots: frozenset[int]) -> tuple[WeeklyRange, ...]:
    out: list[WeeklyRange] = []
    ordered = sorted(slots)
    i = 0
    while i < len(ordered):
        first = ordered[i]
        day = first // SLOTS_PER_DAY
        j = i
        while (j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1
               and ordered[j + 1] // SLOTS_PER_DAY == day):
            j += 1
        out.append(WeeklyRange(day, _time_of(first % SLOTS_PER_DAY),
                               _time_of(ordered[j] % SLOTS_PER_DAY + 1)))
        i = j + 1
    return tuple(out)


def _circular_runs(slots: frozenset[int]) -> list[tuple[int, int]]:
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


def _describe_days(days: set[int]) -> str:
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


def _offset_minutes(t: datetime, zone: ZoneInfo) -> int:
    """The zone's UTC offset at the instant `t`, in whole minutes (the week starts on a Monday 00:00 UTC, so
    UTC minute m of the week is local minute m + offset of the local week, modulo the week)."""
    offset = t.astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def _mask(begin: int, end: int) -> int:
    """Bitmask of the local half-hours touching the wall-minute interval [begin, end) of the week."""
    first, stop = begin // 30, -(-end // 30)
    if stop == first + 1:
        return 1 << (first % SLOTS_PER_WEEK)
    return sum(1 << (s % SLOTS_PER_WEEK) for s in range(first, stop))


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case ASCII-ish text plus, for each character, the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":
            continue  # zero-width spaces, joiners, direction marks
        piece = unicodedata.normalize("NFKC", ch)
        for c in piece:
            if c in _DASHES:
                c = "-"
            elif c.isspace():
                c = " "
            elif not c.isascii() and unicodedata.decimal(c, None) is not None:
                c = str(unicodedata.decimal(c))
            for lower in c.casefold():
                out.append(lower)
                origin.append(i)
    return "".join(out), origin


_TOKEN = re.compile(r"""
    (?P<time>(?P<h>[0-9]{1,2})(?:\s*[:.h]\s*(?P<m>[0-9]{2})|(?P<m4>(?<=[0-9]{2})[0-9]{2}))?(?:\s*(?P<ap>a\.?m\.?|p\.?m\.?|a|p)(?![a-z]))?
             (?![0-9]))
  | (?P<word>[^\W\d_]+\.?)
  | (?P<dash>-)
  | (?P<sep>[,;/&|+\n]|:)
  | (?P<space>\s+)
  | (?P<other>[0-9]+|[^\w\s]+|.)
""", re.VERBOSE)


@dataclass(frozen=True)
class _Tok:
    kind: str  # time, day, days, dash, sep, allday, bad
    start: int
    end: int
    value: object = None


class _Parser:
    def __init__(self, original: str, norm: str, origin: list[int]) -> None:
        self.original, self.norm, self.origin = original, norm, origin
        self.problems: list[str] = []
        self.notes: list[str] = []

    def frag(self, start: int, end: int) -> str:
        a = self.origin[start]
        b = self.origin[end - 1] + 1 if end > start else a
        return f"'{self.original[a:b].strip()}'"

    def run(self) -> Availability:
        toks = _times_first(self.tokens())
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

    def tokens(self) -> list[_Tok]:
        toks: list[_Tok] = []
        for m in _TOKEN.finditer(self.norm):
            kind = m.lastgroup
            if kind == "time":
                minute = m.group("m") or m.group("m4")
                toks.append(_Tok("time", m.start(), m.end(), (m.group("h"), minute, m.group("ap"))))
            elif kind == "word":
                toks.append(self.word(m.group("word").rstrip("."), m.start(), m.end()))
            elif kind == "dash":
                toks.append(_Tok("dash", m.start(), m.end()))
            elif kind == "other":
                toks.append(_Tok("bad", m.start(), m.end()))
        return self.join_words([t for t in toks if t.kind != "skip"])

    def word(self, w: str, start: int, end: int) -> _Tok:
        if w in ("to", "till", "til", "until", "through", "thru"):
            return _Tok("dash", start, end)
        if w in _SEPARATORS:
            return _Tok("skip", start, end)
        if w in ("noon", "midday"):
            return _Tok("time", start, end, ("12", "00", "pm"))
        if w == "midnight":
            return _Tok("time", start, end, ("0", "00", None))
        if w in _PRESETS:
            return _Tok("days", start, end, frozenset(_PRESETS[w]))
        day = _day_number(w)
        if day is not None:
            return _Tok("day", start, end, day)
        if w in _FILLERS | {"every", "all", "any", "day", "time", "week", "anytime"}:
            return _Tok("word", start, end, w)
        return _Tok("bad", start, end)

    def join_words(self, toks: list[_Tok]) -> list[_Tok]:
        """Two-word phrases (every day, all day, any time); lone fillers are dropped, others are errors."""
        out: list[_Tok] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if tok.kind == "word":
                pair = (tok.value, nxt.value if nxt is not None and nxt.kind == "word" else None)
                if pair == ("every", "day"):
                    out.append(_Tok("days", tok.start, toks[i + 1].end, frozenset(range(7))))
                    i += 2
                    continue
                if pair == ("all", "week"):
                    out.append(_Tok("days", tok.start, toks[i + 1].end, frozenset(range(7))))
                    i += 2
                    continue
                if pair in (("all", "day"), ("any", "time")):
                    out.append(_Tok("allday", tok.start, toks[i + 1].end))
                    i += 2
                    continue
                if tok.value in ("every", "each") and nxt is not None and nxt.kind in ("day", "days"):
                    i += 1
                    continue
                if tok.value == "anytime":
                    out.append(_Tok("allday", tok.start, tok.end))
                elif tok.value not in _FILLERS:
                    out.append(_Tok("bad", tok.start, tok.end))
                i += 1
                continue
            out.append(tok)
            i += 1
        return out

    def days(self, toks: list[_Tok], i: int) -> tuple[set[int], int]:
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

    def time_range(self, toks: list[_Tok], i: int) -> tuple[tuple[int, int] | None, int]:
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
        start, end = _pick_meridiem(a, b)
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
            self.notes.append(f"{span} was read as {_clock(lo // 30)}-{_clock(hi // 30)}: times go on the "
                              "half-hour grid, rounded inside the range")
        return (lo, hi), i + 3

    def clock(self, tok: _Tok) -> tuple[int, int, str | None] | None:
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


def _times_first(toks: list[_Tok]) -> list[_Tok]:
    """"7pm-9pm on weekdays": when every time comes before every day, move the days to the front."""
    kinds = [t.kind for t in toks]
    days = [i for i, k in enumerate(kinds) if k in ("day", "days")]
    times = [i for i, k in enumerate(kinds) if k in ("time", "allday")]
    if not days or not times or times[0] > days[0] or times[-1] > days[0]:
        return toks
    return toks[days[0]:] + toks[:days[0]]


def _pick_meridiem(a: tuple[int, int, str | None], b: tuple[int, int, str | None]) -> tuple[int, int]:
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


def _day_number(word: str) -> int | None:
    if word in _DAY_EXTRA:
        return _DAY_EXTRA[word]
    for n, full in enumerate(_DAY_FULL):
        if word == full + "s" or (len(word) >= 2 and full.startswith(word)):
            return n
    return None
