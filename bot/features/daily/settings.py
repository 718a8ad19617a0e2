"""The daily question's own settings: when it is posted, what it asks, when it is revealed.

Each is a `SettingSpec` (bot.settings) the feature declares, so `/studybot config` lists, shows, validates
and stores it, and the setup form asks for the ones with a `setup` place, without the admin feature knowing
them. The cycle reads them all at once through `DailySettings.get` (one query for the lot at every wake);
the answer path never reads them.

Databases from before these were settings kept them in columns of `communities`: core migration 9 copied
them here under the same keys.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.community import CommunitySettings, format_days, parse_days, parse_time
from bot.content.vocabulary import Difficulty, Domain
from bot.settings import Scope, SettingSpec, SettingsStore, SettingValueError, SetupField
from bot.store.protocols import CommunityStore

#: where daily questions come from; a community without packs gets the shared bank under every choice
QUESTION_SOURCES = {
    "packs-first": "this community's packs while they have unseen questions, then the shared bank",
    "all": "the shared bank and this community's packs, mixed",
    "packs": "only this community's packs",
}
DEFAULT_MIX: tuple[tuple[Difficulty, int], ...] = ((Difficulty.EASY, 30), (Difficulty.MEDIUM, 50),
                                                   (Difficulty.HARD, 20))
EVERY_DAY = frozenset(range(7))
Mix = tuple[tuple[Difficulty, int], ...]


def parse_question_source(raw: str) -> str:
    value = raw.strip().casefold()
    if value not in QUESTION_SOURCES:
        raise SettingValueError(f"'{raw}' is not a question source; use one of: {', '.join(QUESTION_SOURCES)}")
    return value


def parse_topics(raw: str) -> frozenset[Domain]:
    """Empty means every domain."""
    text = raw.strip().casefold()
    if text in ("", "all", "any", "*"):
        return frozenset()
    topics: set[Domain] = set()
    valid = {d.value: d for d in Domain}
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        if part not in valid:
            raise SettingValueError(f"unknown topic '{part}'; choose from {', '.join(valid)} (or all)")
        topics.add(valid[part])
    return frozenset(topics)


def show_topics(topics: frozenset[Domain]) -> str:
    return ", ".join(sorted(t.value for t in topics)) or "all"


def parse_mix(raw: str) -> Mix:
    weights: dict[Difficulty, int] = {}
    for part in re.split(r"[,\s]+", raw.strip().casefold()):
        if not part:
            continue
        name, sep, num = part.partition(":")
        try:
            diff = Difficulty(name)
            weight = int(num) if sep else 1
        except ValueError:
            raise SettingValueError(
                f"'{part}' is not a difficulty weight; write like easy:30,medium:50,hard:20"
            ) from None
        if not 0 <= weight <= 100:
            raise SettingValueError("weights go from 0 to 100")
        weights[diff] = weight
    if not weights or sum(weights.values()) == 0:
        raise SettingValueError("give at least one difficulty with a weight above 0, like medium:1")
    return tuple((d, weights.get(d, 0)) for d in Difficulty)


def show_mix(mix: Mix) -> str:
    return ",".join(f"{d.value}:{w}" for d, w in mix)


def parse_reveal(raw: str) -> int | None:
    """None: at the next post. Takes back what `show_reveal` wrote ("at the next post", "after 8h")."""
    text = raw.strip().casefold()
    if text in ("next", "next post", "at next post", "at the next post", "default"):
        return None
    m = re.fullmatch(r"(?:after\s+)?(\d{1,3})\s*h?(ours?)?", text)
    if not m or not 1 <= int(m.group(1)) <= 168:
        raise SettingValueError("reveal is 'next' (at the next post) or a number of hours from 1 to 168, like 8h")
    return int(m.group(1))


def show_reveal(hours: int | None) -> str:
    return "at the next post" if hours is None else f"after {hours}h"


def parse_grace(raw: str) -> int:
    m = re.fullmatch(r"(\d{1,4})\s*(m|min|h)?", raw.strip().casefold())
    if not m:
        raise SettingValueError("grace is a duration like 6h or 90m")
    minutes = int(m.group(1)) * (60 if m.group(2) == "h" else 1)
    if not 0 <= minutes <= 24 * 60:
        raise SettingValueError("grace goes from 0 to 24h")
    return minutes


# The setup form's order numbers interleave with the core's own field (timezone, 20): time, timezone,
# days, topics, reveal, as the form always read. Discord shows at most five fields.
TIME = SettingSpec("time", Scope.COMMUNITY, time(9, 0),
                   "When the daily question is posted (24-hour HH:MM, in the community's timezone)",
                   parse=parse_time, show=lambda t: t.strftime("%H:%M"),
                   setup=SetupField("Post time (24h HH:MM)", order=10, required=True))
DAYS = SettingSpec("days", Scope.COMMUNITY, EVERY_DAY,
                   "Days the daily question is posted (every day, weekdays, or a list like mon,wed,fri)",
                   parse=parse_days, show=format_days,
                   setup=SetupField("Days (weekdays, every day, or mon,wed,fri)", order=30))
TOPICS = SettingSpec("topics", Scope.COMMUNITY, frozenset(),
                     "Topics of the daily questions (all, or a list: " + ", ".join(d.value for d in Domain) + ")",
                     parse=parse_topics, show=show_topics,
                     setup=SetupField("Topics (all, or a list)", order=40))
DIFFICULTY = SettingSpec("difficulty", Scope.COMMUNITY, DEFAULT_MIX,
                         "How often each difficulty comes up (weights, like easy:30,medium:50,hard:20)",
                         parse=parse_mix, show=show_mix)
REVEAL = SettingSpec("reveal", Scope.COMMUNITY, None,
                     "When answers are revealed (next = at the next post, or hours after the post, like 8h)",
                     parse=parse_reveal, show=show_reveal,
                     setup=SetupField("Reveal (next = at the next post, or 8h)", order=50))
GRACE = SettingSpec("grace", Scope.COMMUNITY, 360,
                    "How late a missed post still goes out (like 6h or 90m; after that the day is skipped)",
                    parse=parse_grace, show=lambda m: f"{m} min")
QUESTIONS = SettingSpec("questions", Scope.COMMUNITY, "packs-first",
                        "Where daily questions come from: "
                        + "; ".join(f"{k} = {v}" for k, v in QUESTION_SOURCES.items()),
                        parse=parse_question_source)
#: in the order `/studybot config` lists them
SETTINGS: tuple[SettingSpec, ...] = (TIME, DAYS, TOPICS, DIFFICULTY, REVEAL, GRACE, QUESTIONS)


@dataclass(frozen=True, slots=True)
class DailySchedule:
    """A community's daily-question settings, typed, beside the shared settings they apply with."""

    shared: CommunitySettings
    post_time: time = TIME.default
    days: frozenset[int] = EVERY_DAY
    topics: frozenset[Domain] = frozenset()  # empty: every domain
    difficulty_mix: Mix = DEFAULT_MIX
    reveal_hours: int | None = None  # None: at the next post
    grace_minutes: int = GRACE.default
    question_source: str = QUESTIONS.default  # see QUESTION_SOURCES

    @property
    def community(self) -> str:
        return self.shared.community

    @property
    def channel(self) -> str | None:
        return self.shared.channel

    @property
    def timezone(self) -> str:
        return self.shared.timezone

    @property
    def zone(self) -> ZoneInfo:
        return self.shared.zone

    @property
    def enabled(self) -> bool:
        return self.shared.enabled

    @property
    def active_since(self) -> datetime | None:
        return self.shared.active_since


class DailySettings:
    """The one reader of the daily question's settings: the community row, then all its own settings in
    one query."""

    def __init__(self, communities: CommunityStore, store: SettingsStore) -> None:
        self._communities = communities
        self._store = store

    async def get(self, community: str) -> DailySchedule | None:
        """None for a community that was never set up (no row). The two reads go to the database together
        (its reader runs them back to back), so a wake waits for about one read, not two in turn."""
        shared, values = await asyncio.gather(self._communities.get(community),
                                              self._store.get_many(SETTINGS, community))
        return None if shared is None else _schedule(shared, values)


def _schedule(shared: CommunitySettings, v: dict[str, Any]) -> DailySchedule:
    return DailySchedule(shared, v[TIME.key], v[DAYS.key], v[TOPICS.key], v[DIFFICULTY.key], v[REVEAL.key],
                         v[GRACE.key], v[QUESTIONS.key])
