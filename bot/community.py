"""What every feature shares of a community (its key, channel, timezone, whether studybot is on there), and
the parsers of values several features take (times of day, days, timezones, on/off), which refuse bad
values with a reason. A feature's own settings live in its package (`SettingSpec`s, bot.settings): the
daily question's schedule is in bot.features.daily.settings."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.settings import SettingValueError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingError(SettingValueError):
    """A value a member typed that we refuse; the message says why and what would work."""


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    """The community row: only what several features read. `enabled` and `channel` say whether studybot
    posts there at all (the daily question, the weekly recap, mock rounds); `timezone` is the zone of the
    community's days and weeks."""

    community: str
    channel: str | None = None
    timezone: str = "UTC"
    enabled: bool = False
    #: occurrences before this instant are never posted or caught up (set when studybot is switched on)
    active_since: datetime | None = None

    #: what `/studybot config` sets on this row, in the order it lists them
    KEYS: ClassVar[tuple[str, ...]] = ("channel", "timezone", "enabled")

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
            case "timezone":
                return replace(self, timezone=parse_timezone(raw))
            case "enabled":
                return replace(self, enabled=parse_bool(raw))
        raise SettingError(f"unknown setting '{key}'")

    def describe(self) -> dict[str, str]:
        return {
            "channel": self.channel or "(not set)",
            "timezone": self.timezone,
            "enabled": "yes" if self.enabled else "no",
        }


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


def parse_bool(raw: str) -> bool:
    text = raw.strip().casefold()
    if text in ("yes", "on", "true", "1", "enable", "enabled"):
        return True
    if text in ("no", "off", "false", "0", "disable", "disabled"):
        return False
    raise SettingError("use on or off")
