"""The weekly recap: posted in the community's channel at its chosen time before the week resets (setting
`recap`, default Sunday 18:00 in the community's zone; `off` to stop it): the week's winners, who improved
most on last week, the longest streaks, how many took part, and the topics the group found hardest.

One durable job per community (`board.recap`, keyed by the community). A run either posts this week's recap,
at most once (the outbox key names the community and the week), and plans next week's, or, early, plans
this week's. A run repeated after a crash, or run by a second process, finds the post already made.
A recap time missed until the week reset is not posted late: that week's recap would be stale.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.community import DAY_NAMES, CommunitySettings
from bot.features.delivery import Delivery, PostState
from bot.features.leaderboard.board import Board, standing_lines
from bot.features.leaderboard.store import BoardStore
from bot.features.leaderboard.streaks import Streaks
from bot.ids import ChannelRef, CommunityRef, MemberRef
from bot.jobs import JobQueue
from bot.messages import Field, Reply
from bot.ports import Clock
from bot.settings import Scope, SettingSpec, SettingsStore, SettingValueError
from bot.store.jobs import Job
from bot.store.ledger import Window, window
from bot.store.protocols import CommunityStore, LedgerStore

log = logging.getLogger(__name__)
JOB = "board.recap"
RecapTime = tuple[int, time] | None  # (weekday, local time), Monday = 0; None: no recap
MIN_ATTEMPTS = 3  # a topic needs this many attempts in the week to be called hard


class RecapNotPosted(RuntimeError):
    """The post did not go out yet (the platform failed, or another process is sending it): try again."""


def parse_recap(raw: str) -> RecapTime:
    text = raw.strip().casefold()
    if text in ("off", "no", "none", "never"):
        return None
    m = re.fullmatch(r"([a-z]{3})[a-z]*\s+(\d{1,2})[:.h](\d{2})", text)
    if not m or m.group(1) not in DAY_NAMES or int(m.group(2)) > 23 or int(m.group(3)) > 59:
        raise SettingValueError("the recap time is a day and a 24-hour time, like 'sun 18:00', or 'off'")
    return DAY_NAMES.index(m.group(1)), time(int(m.group(2)), int(m.group(3)))


def show_recap(value: RecapTime) -> str:
    if value is None:
        return "off"
    return f"{DAY_NAMES[value[0]]} {value[1].strftime('%H:%M')}"


RECAP = SettingSpec("recap", Scope.COMMUNITY, (6, time(18, 0)),
                    "When the weekly recap is posted (a day and time before the week resets, or off)",
                    parse=parse_recap, show=show_recap)


def recap_at(w: Window, when: tuple[int, time]) -> datetime:
    """The instant of the recap in week `w` (in the week's zone)."""
    assert w.start is not None
    zone = ZoneInfo(w.zone)
    monday = w.start.astimezone(zone).date()
    return datetime.combine(monday + timedelta(days=when[0]), when[1]).replace(tzinfo=zone).astimezone(UTC)


class Recap:
    def __init__(self, board: Board, ledger: LedgerStore, store: BoardStore, streaks: Streaks,
                 communities: CommunityStore, settings: SettingsStore, delivery: Delivery, jobs: JobQueue,
                 clock: Clock) -> None:
        self._board = board
        self._ledger = ledger
        self._store = store
        self._streaks = streaks
        self._communities = communities
        self._settings = settings
        self._delivery = delivery
        self._jobs = jobs
        self._clock = clock

    async def plan(self, settings: CommunitySettings) -> None:
        """Schedule the community's next recap time still ahead (its settings changed), or stop its recaps."""
        community = settings.community
        when = await self._settings.get(RECAP, community)
        if not settings.enabled or not settings.channel or when is None:
            await self._jobs.cancel(JOB, community)
            return
        now = self._clock.now()
        w = window("week", now, settings.timezone)
        due = recap_at(w, when)
        if due <= now:  # this week's time has passed (its recap went out then, or the setting just moved it)
            due = recap_at(_next_week(w), when)
        await self._jobs.schedule(JOB, community, community, due)

    async def run(self, job: Job) -> None:
        community = job.key
        settings = await self._communities.get(community)
        when = await self._settings.get(RECAP, community)
        if settings is None or not settings.enabled or not settings.channel or when is None:
            return  # settings_changed plans it again when it is switched back on
        now = self._clock.now()
        w = await self._board.window(community, "week", now)
        due = recap_at(w, when)
        if now < due:
            await self._jobs.schedule(JOB, community, community, due)
            return
        channel = ChannelRef(CommunityRef.from_key(community), settings.channel)
        posted = await self._delivery.post_outcome(key(community, w), channel, await self.reply(community, w))
        if posted.state in (PostState.SENT, PostState.ABANDONED):
            following = recap_at(_next_week(w), when)
            await self._jobs.schedule(JOB, community, community, following)
            return
        raise RecapNotPosted(f"recap of {community} for {w.label}: {posted.state.value}")

    async def reply(self, community: str, w: Window) -> Reply:
        """The recap of week `w` as it stands now."""
        ref = CommunityRef.from_key(community)
        now = self._clock.now()
        excluded = await self._board.excluded(community)
        # one past the podium: a third place tied with the fourth is shown as a tie, as the board shows it
        ranked = [r for r in await self._ledger.standings(community, w, limit=4, exclude=excluded, now=now)
                  if r.points > 0]
        top, following = ranked[:3], ranked[3] if len(ranked) > 3 else None
        gains = await self._ledger.gains(community, w, 3, exclude=excluded, now=now)
        assert w.start is not None and w.end is not None
        active = [m for m in await self._store.active_members(community, w.start, w.end) if m not in excluded]
        before = w.before()
        assert before.start is not None and before.end is not None
        last_week = [m for m in await self._store.active_members(community, before.start, before.end)
                     if m not in excluded]
        streaks = []
        # a streak still alive had a study day within the last days a freeze could have covered
        for member in await self._store.active_members(community, now - timedelta(days=4), now + timedelta(days=1)):
            if member in excluded:
                continue
            state = await self._streaks.state(MemberRef(ref, member))
            if state.days >= 2:
                streaks.append((state.days, member))
        streaks.sort(key=lambda s: (-s[0], s[1]))
        zone = ZoneInfo(w.zone)
        accuracy = await self._store.group_accuracy(community, w.start.astimezone(zone).date(),
                                                    (w.end - timedelta(seconds=1)).astimezone(zone).date())
        hard = sorted(((k / a, t, a) for t, (a, k) in accuracy.items() if a >= MIN_ATTEMPTS and t and k < a),
                      key=lambda x: (x[0], x[1]))[:3]
        winners = "\n".join(standing_lines(ref, top, following=following)) or "Nobody earned points this week."
        improved = ", ".join(f"{mk.mention(MemberRef(ref, m))} (+{g})" for m, g in gains) or "—"
        longest = ", ".join(f"{mk.mention(MemberRef(ref, m))} ({d} days)" for d, m in streaks[:3]) or "—"
        took_part = f"{len(active)} member{'s' * (len(active) != 1)} studied this week (last week: {len(last_week)})."
        hardest = ", ".join(f"{t} ({round(r * 100)}% right over {a})" for r, t, a in hard) or "—"
        return Reply(title="Weekly recap", text=f"{mk.bold('Winners')}\n{winners}\n\n{took_part}",
                     fields=(Field("Most improved", improved, inline=False),
                             Field("Longest streaks", longest, inline=False),
                             Field("Hardest topics", hardest, inline=False)),
                     footer="The week resets at midnight on Sunday night. See the whole board with /leaderboard.")


def key(community: str, w: Window) -> str:
    return f"board-recap:{community}:{w.label}"


def _next_week(w: Window) -> Window:
    assert w.end is not None
    return window("week", w.end, w.zone)
