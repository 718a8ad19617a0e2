"""A community's daily-question settings, and the parsing that refuses bad values with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.content.schema import Difficulty, Domain

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: where daily questions come from; a community without packs gets the shared bank under every choice
QUESTION_SOURCES = {
    "packs-first": "this community's packs while they have unseen questions, then the shared bank",
    "all": "the shared bank and this community's packs, mixed",
    "packs": "only this community's packs",
}
DEFAULT_MIX = {Difficulty.EASY: 30, Difficulty.MEDIUM: 50, Difficulty.HARD: 20}


class SettingError(ValueError):
    """A value a member typed that we refuse; the message says why and what would work."""


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    community: str
    channel: str | None = None
    post_time: time = time(9, 0)
    timezone: str = "UTC"
    days: frozenset[int] = frozenset(range(7))  # Monday = 0
    topics: frozenset[Domain] = frozenset()  # empty: every domain
    difficulty_mix: tuple[tuple[Difficulty, int], ...] = tuple(DEFAULT_MIX.items())
    reveal_hours: int | None = None  # None: at the next post
    grace_minutes: int = 360
    enabled: bool = False
    #: occurrences before this instant are never posted or caught up (set when the daily is switched on)
    active_since: datetime | None = None
    #: where daily questions come from: see QUESTION_SOURCES
    question_source: str = "packs-first"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_value(self, key: str, raw: str) -> CommunitySettings:
        """A copy with one setting changed from text, or SettingError."""
        raw = raw.strip()
        match key:
            case "channel":
                if not raw:
                    raise SettingError("give a channel")
                return replace(self, channel=raw)
            case "time":
                return replace(self, post_time=parse_time(raw))
            case "timezone":
                return replace(self, timezone=parse_timezone(raw))
            case "days":
                return replace(self, days=parse_days(raw))
            case "topics":
                return replace(self, topics=parse_topics(raw))
            case "difficulty":
                return replace(self, difficulty_mix=parse_mix(raw))
            case "reveal":
                return replace(self, reveal_hours=parse_reveal(raw))
            case "grace":
                return replace(self, grace_minutes=parse_grace(raw))
            case "enabled":
                return replace(self, enabled=parse_bool(raw))
            case "questions":
                return replace(self, question_source=parse_question_source(raw))
        raise SettingError(f"unknown setting '{key}'")

    def describe(self) -> dict[str, str]:
        return {
            "channel": self.channel or "(not set)",
            "time": self.post_time.strftime("%H:%M"),
            "timezone": self.timezone,
            "days": format_days(self.days),
            "topics": ", ".join(sorted(t.value for t in self.topics)) or "all",
            "difficulty": ",".join(f"{d.value}:{w}" for d, w in self.difficulty_mix),
            "reveal": "at the next post" if self.reveal_hours is None else f"after {self.reveal_hours}h",
            "grace": f"{self.grace_minutes} min",
            "enabled": "yes" if self.enabled else "no",
            "questions": f"{self.question_source} ({QUESTION_SOURCES[self.question_source]})",
        }


def parse_question_source(raw: str) -> str:
    value = raw.strip().casefold()
    if value not in QUESTION_SOURCES:
        raise SettingError(f"'{raw}' is not a question source; use one of: {', '.join(QUESTION_SOURCES)}")
    return value


def parse_time(raw: str) -> time:
    m = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", raw.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise SettingError(f"'{raw}' is not a time of day; use 24-hour HH:MM, like 09:00 or 18:30")
    return time(int(m.group(1)), int(m.group(2)))


_ZONE_ALIASES = {"utc": "UTC", "gmt": "UTC", "z": "UTC"}


def parse_timezone(raw: str) -> str:
    name = raw.strip()
    name = _ZONE_ALIASES.get(name.casefold(), name)
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]{1,64}", name):
        raise SettingError(f"'{raw}' is not a timezone name; use an IANA name like Europe/Berlin")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        folded = {z.casefold(): z for z in available_timezones()}
        if name.casefold() in folded:
            return folded[name.casefold()]
        guesses = sorted(z for z in folded.values() if name.casefold() in z.casefold())[:3]
        hint = f" Did you mean {', '.join(guesses)}?" if guesses else ""
        raise SettingError(f"unknown timezone '{raw}'; use an IANA name like Europe/Berlin.{hint}") from None
    return name


def parse_days(raw: str) -> frozenset[int]:
    text = raw.strip().casefold()
    presets = {"daily": range(7), "every day": range(7), "all": range(7), "weekdays": range(5),
               "weekends": range(5, 7)}
    if text in presets:
        return frozenset(presets[text])
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        if "-" in part:
            a, _, b = part.partition("-")
            ia, ib = _day(a), _day(b)
            span = range(ia, ib + 1) if ia <= ib else [*range(ia, 7), *range(ib + 1)]
            days.update(span)
        else:
            days.add(_day(part))
    if not days:
        raise SettingError("give at least one day, like mon,wed,fri or weekdays")
    return frozenset(days)


def _day(part: str) -> int:
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    key = part[:3]
    if len(part) < 3 or key not in DAY_NAMES or not full[DAY_NAMES.index(key)].startswith(part):
        raise SettingError(f"'{part}' is not a day; use mon, tue, wed, thu, fri, sat, sun")
    return DAY_NAMES.index(key)


def format_days(days: frozenset[int]) -> str:
    if days == frozenset(range(7)):
        return "every day"
    if days == frozenset(range(5)):
        return "weekdays"
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def parse_topics(raw: str) -> frozenset[Domain]:
    text = raw.strip().casefold()
    if text in ("", "all", "any", "*"):
        return frozenset()
    topics: set[Domain] = set()
    valid = {d.value: d for d in Domain}
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        if part not in valid:
            raise SettingError(f"unknown topic '{part}'; choose from {', '.join(valid)} (or all)")
        topics.add(valid[part])
    return frozenset(topics)


def parse_mix(raw: str) -> tuple[tuple[Difficulty, int], ...]:
    weights: dict[Difficulty, int] = {}
    for part in re.split(r"[,\s]+", raw.strip().casefold()):
        if not part:
            continue
        name, sep, num = part.partition(":")
        try:
            diff = Difficulty(name)
            weight = int(num) if sep else 1
        except ValueError:
            raise SettingError(
                f"'{part}' is not a difficulty weight; write like easy:30,medium:50,hard:20"
            ) from None
        if not 0 <= weight <= 100:
            raise SettingError("weights go from 0 to 100")
        weights[diff] = weight
    if not weights or sum(weights.values()) == 0:
        raise SettingError("give at least one difficulty with a weight above 0, like medium:1")
    return tuple((d, weights.get(d, 0)) for d in Difficulty)


def parse_reveal(raw: str) -> int | None:
    text = raw.strip().casefold()
    if text in ("next", "next post", "at next post", "default"):
        return None
    m = re.fullmatch(r"(\d{1,3})\s*h?(ours?)?", text)
    if not m or not 1 <= int(m.group(1)) <= 168:
        raise SettingError("reveal is 'next' (at the next post) or a number of hours from 1 to 168, like 8h")
    return int(m.group(1))


def parse_grace(raw: str) -> int:
    m = re.fullmatch(r"(\d{1,4})\s*(m|min|h)?", raw.strip().casefold())
    if not m:
        raise SettingError("grace is a duration like 6h or 90m")
    minutes = int(m.group(1)) * (60 if m.group(2) == "h" else 1)
    if not 0 <= minutes <= 24 * 60:
        raise SettingError("grace goes from 0 to 24h")
    return minutes


def parse_bool(raw: str) -> bool:
    text = raw.strip().casefold()
    if text in ("yes", "on", "true", "1", "enable", "enabled"):
        return True
    if text in ("no", "off", "false", "0", "disable", "disabled"):
        return False
    raise SettingError("use on or off")
