"""The member's home, built: what it reads (MemberHome), the Reply it shows (home_reply), its FeatureSpec.
Read-only: it writes nothing and sends nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.actions import encode
from bot.events import HomeOpened
from bot.features.daily.model import RoundStatus
from bot.features.daily.settings import DailySettings
from bot.features.daily.store import DailyStore
from bot.features.home import NAME
from bot.features.leaderboard.feature import streak_reader
from bot.features.packs import Packs
from bot.features.schedule import next_occurrence, week_start
from bot.ids import MemberRef
from bot.messages import Choice, Field, Reply, Response, Style
from bot.ports import Clock
from bot.registry import FeatureSpec
from bot.store.protocols import LedgerStore

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True, slots=True)
class HomeSummary:
    streak: int
    week_points: int
    total_points: int
    set_up: bool
    #: the open daily question, if any
    round_id: int | None = None
    round_date: date | None = None
    prompt: str | None = None
    has_hint: bool = False
    answered: bool = False
    reveal_at: datetime | None = None
    next_post_at: datetime | None = None


class MemberHome:
    def __init__(self, schedules: DailySettings, rounds: DailyStore, ledger: LedgerStore,
                 streak: Callable[[MemberRef], Awaitable[int]], packs: Packs, clock: Clock) -> None:
        self._schedules = schedules
        self._rounds = rounds
        self._ledger = ledger
        self._streak = streak
        self._packs = packs
        self._clock = clock

    async def summary(self, member: MemberRef) -> HomeSummary:
        community = member.community.key
        settings = await self._schedules.get(community)
        zone = settings.zone if settings else ZoneInfo("UTC")
        now = self._clock.now()
        streak = await self._streak(member)
        week = await self._ledger.total(community, member.id, week_start(now, zone))
        total = await self._ledger.total(community, member.id)
        set_up = settings is not None and settings.enabled and bool(settings.channel)
        nxt = None
        if settings is not None and set_up:
            occ = next_occurrence(now, settings.post_time, settings.zone, settings.days)
            nxt = occ.at if occ else None
        base = HomeSummary(streak, week, total, set_up, next_post_at=nxt)
        rnd = await self._rounds.latest_round(community)
        if rnd is None or rnd.status is not RoundStatus.POSTED:
            return base
        item = await self._packs.item(rnd.community, rnd.item_id)
        if item is None:
            return base
        mine = await self._rounds.answer_of(rnd.id, member.id)
        return HomeSummary(streak, week, total, set_up, rnd.id, rnd.local_date, item.prompt, bool(item.hint),
                           mine is not None, rnd.reveal_due_at, nxt)

    async def reply(self, member: MemberRef) -> Reply:
        return home_reply(await self.summary(member))


def home_reply(s: HomeSummary) -> Reply:
    fields = (
        Field("Streak", f"{s.streak} day{'s' * (s.streak != 1)}"),
        Field("Points this week", str(s.week_points)),
        Field("All time", str(s.total_points)),
    )
    choices: tuple[Choice, ...] = ()
    if s.round_id is not None and s.prompt is not None:
        status = ("You answered it: you can edit your answer until the reveal." if s.answered
                  else "You have not answered yet.")
        reveal = f" The reveal is {mk.timestamp(s.reveal_at, 'R')}." if s.reveal_at else ""
        day = s.round_date.isoformat() if s.round_date else "today"
        text = f"{mk.bold('Daily question · ' + day)}\n{mk.escape(s.prompt)}\n\n{status}{reveal}"
        choices = (Choice("Edit my answer" if s.answered else "Answer", encode("daily", "answer", s.round_id),
                          Style.PRIMARY),)
        if s.has_hint:
            choices += (Choice("Hint", encode("daily", "hint", s.round_id)),)
    elif s.set_up:
        when = f" The next one comes {mk.timestamp(s.next_post_at, 'R')}." if s.next_post_at else ""
        text = f"No question is open right now.{when}"
    else:
        text = "studybot is not set up in this workspace yet. An admin can start it with /studybot setup."
    return Reply(title="Your studybot", text=text, fields=fields, choices=choices,
                 footer="Commands: /daily, /leaderboard, /stats, /studybot help")


def build_feature(services: Services) -> FeatureSpec:
    home = MemberHome(DailySettings(services.communities, services.settings), services.rounds, services.ledger,
                      streak_reader(services), services.packs, services.clock)

    async def on_home(event: HomeOpened) -> Response:
        return Response(reply=await home.reply(event.actor.member))

    return FeatureSpec(name=NAME, on_home=on_home, parts={"home": home})
