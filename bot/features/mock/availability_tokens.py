"""The words of an availability text: normalised characters, then tokens (days, times, dashes, separators).

Unicode is folded first (NFKC: full-width digits and colons, non-breaking and thin spaces), every dash or
tilde and "to"/"till"/"until" separate a range, other scripts' digits are read as digits, invisible format
characters are dropped; each normalised character remembers the original one it came from, so an error
can quote exactly what the member typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_EXTRA = {"weds": 2, "thur": 3, "thurs": 3, "tues": 1}
PRESETS = {"weekdays": range(5), "weekday": range(5), "weekends": range(5, 7), "weekend": range(5, 7),
           "daily": range(7), "everyday": range(7)}
FILLERS = {"on", "from", "at", "each", "also", "between", "hrs", "h"}
SEPARATORS = {"and", "plus"}
NONE_WORDS = {"none", "no", "nothing", "never", "n/a"}
DASHES = "‐‑‒–—―−﹘﹣－~～〜⁓"


def normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case ASCII-ish text plus, for each character, the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":
            continue  # zero-width spaces, joiners, direction marks
        piece = unicodedata.normalize("NFKC", ch)
        for c in piece:
            if c in DASHES:
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
class Tok:
    kind: str  # time, day, days, dash, sep, allday, bad
    start: int
    end: int
    value: object = None


def tokenize(norm: str) -> list[Tok]:
    """The tokens of a normalised text; separators and spaces are dropped, lone fillers too."""
    toks: list[Tok] = []
    for m in _TOKEN.finditer(norm):
        kind = m.lastgroup
        if kind == "time":
            minute = m.group("m") or m.group("m4")
            toks.append(Tok("time", m.start(), m.end(), (m.group("h"), minute, m.group("ap"))))
        elif kind == "word":
            toks.append(word(m.group("word").rstrip("."), m.start(), m.end()))
        elif kind == "dash":
            toks.append(Tok("dash", m.start(), m.end()))
        elif kind == "other":
            toks.append(Tok("bad", m.start(), m.end()))
    return join_words([t for t in toks if t.kind != "skip"])


def word(w: str, start: int, end: int) -> Tok:
    if w in ("to", "till", "til", "until", "through", "thru"):
        return Tok("dash", start, end)
    if w in SEPARATORS:
        return Tok("skip", start, end)
    if w in ("noon", "midday"):
        return Tok("time", start, end, ("12", "00", "pm"))
    if w == "midnight":
        return Tok("time", start, end, ("0", "00", None))
    if w in PRESETS:
        return Tok("days", start, end, frozenset(PRESETS[w]))
    day = day_number(w)
    if day is not None:
        return Tok("day", start, end, day)
    if w in FILLERS | {"every", "all", "any", "day", "time", "week", "anytime"}:
        return Tok("word", start, end, w)
    return Tok("bad", start, end)


def join_words(toks: list[Tok]) -> list[Tok]:
    """Two-word phrases (every day, all day, any time); lone fillers are dropped, others are errors."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "word":
            pair = (tok.value, nxt.value if nxt is not None and nxt.kind == "word" else None)
            if pair == ("every", "day"):
                out.append(Tok("days", tok.start, toks[i + 1].end, frozenset(range(7))))
                i += 2
                continue
            if pair == ("all", "week"):
                out.append(Tok("days", tok.start, toks[i + 1].end, frozenset(range(7))))
                i += 2
                continue
            if pair in (("all", "day"), ("any", "time")):
                out.append(Tok("allday", tok.start, toks[i + 1].end))
                i += 2
                continue
            if tok.value in ("every", "each") and nxt is not None and nxt.kind in ("day", "days"):
                i += 1
                continue
            if tok.value == "anytime":
                out.append(Tok("allday", tok.start, tok.end))
            elif tok.value not in FILLERS:
                out.append(Tok("bad", tok.start, tok.end))
            i += 1
            continue
        out.append(tok)
        i += 1
    return out


def times_first(toks: list[Tok]) -> list[Tok]:
    """"7pm-9pm on weekdays": when every time comes before every day, move the days to the front."""
    kinds = [t.kind for t in toks]
    days = [i for i, k in enumerate(kinds) if k in ("day", "days")]
    times = [i for i, k in enumerate(kinds) if k in ("time", "allday")]
    if not days or not times or times[0] > days[0] or times[-1] > days[0]:
        return toks
    return toks[days[0]:] + toks[:days[0]]


def day_number(word: str) -> int | None:
    if word in DAY_EXTRA:
        return DAY_EXTRA[word]
    for n, full in enumerate(DAY_FULL):
        if word == full + "s" or (len(word) >= 2 and full.startswith(word)):
            return n
    return None
