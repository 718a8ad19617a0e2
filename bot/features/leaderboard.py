"""`/leaderboard` and `/stats`: queries over the points ledger, windows in the community's zone."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.commands import CommandSpec, OptionSpec, OptionType, SubcommandSpec
from bot.events import CommandInvoked
from bot.features import points
from bot.features.daily.store import DailyStore
from bot.features.members import known_member
from bot.features.schedule import month_start, streak, week_start
from bot.ids import MemberRef
from bot.messages import Field, Reply, Response, Visibility
from bot.ports import ChatPort, Clock
from bot.registry import FeatureSpec
from bot.store.protocols import CommunityStore, LedgerStore, MemberStore

if TYPE_CHECKING:
    from bot.services import Services

PERIOD_TITLES = {"week": "This week", "month": "This month", "all": "All time"}
NAME = "board"
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "leaderboard",
        "Top members by points",
        options=(OptionSpec("period", "Which period", choices=("week", "month", "all")),),
        public=True,
    ),
    CommandSpec(
        "stats",
        "Points, streak and answers for you or another member",
        options=(OptionSpec("member", "Whose stats (default: yours)", type=OptionType.MEMBER),),
    ),
    CommandSpec(
        "studybot",
        "Help, setup and settings",
        subcommands=(
            SubcommandSpec(
                "points",
                "Adjust a member's points",
                options=(
                    OptionSpec("member", "Who", type=OptionType.MEMBER, required=True),
                    OptionSpec("amount", "Points to add (negative to remove)", type=OptionType.INTEGER,
                               required=True, min_value=-1000, max_value=1000),
                    OptionSpec("reason", "Why (shown in the ledger)", max_length=200),
                ),
                admin_only=True,
            ),
        ),
    ),
)
MEDALS = ("🥇", "🥈", "🥉")


class Leaderboard:
    def __init__(self, ledger: LedgerStore, communities: CommunityStore, members: MemberStore, rounds: DailyStore,
                 clock: Clock, chat: ChatPort) -> None:
        self._chat = chat
        self._ledger = ledger
        self._communities = communities
        self._members = members
        self._rounds = rounds
        self._clock = clock

    async def _zone(self, community: str) -> ZoneInfo:
        settings = await self._communities.get(community)
        return settings.zone if settings else ZoneInfo("UTC")

    async def leaderboard(self, event: CommandInvoked) -> Response:
        period = str(event.options.get("period") or "week")
        if period not in PERIOD_TITLES:
            return Response.private("Period must be week, month or all.")
        community = event.actor.community
        zone = await self._zone(community.key)
        now = self._clock.now()
        since = {"week": week_start(now, zone), "month": month_start(now, zone), "all": None}[period]
        rows = await self._ledger.top(community.key, since, 10)
        if not rows:
            return Response(reply=Reply(title=f"Leaderboard · {PERIOD_TITLES[period]}",
                                        text="No points yet. Answer the daily question to get on the board!"),
                            visibility=Visibility.PUBLIC)
        lines = []
        for n, (member, pts) in enumerate(rows, 1):
            badge = MEDALS[n - 1] if n <= len(MEDALS) else f"{n}."
            lines.append(f"{badge} {mk.mention(MemberRef(community, member))}: {mk.bold(str(pts))} pts")
        me = event.actor.member.id
        if me not in {m for m, _ in rows}:
            mine = await self._ledger.total(community.key, me, since)
            lines.append(f"\nYou: {mine} pts")
        return Response(reply=Reply(title=f"Leaderboard · {PERIOD_TITLES[period]}", text="\n".join(lines)),
                        visibility=Visibility.PUBLIC)

    async def member_streak(self, member: MemberRef) -> int:
        row = await self._members.get(member.community.key, member.id)
        zone = ZoneInfo(row.timezone) if row and row.timezone else await self._zone(member.community.key)
        answers = await self._rounds.answer_times(member.community.key, member.id)
        posted = await self._rounds.posted_times(member.community.key)
        return streak(answers, posted, zone, self._clock.now())

    async def stats(self, event: CommandInvoked) -> Response:
        community = event.actor.community
        target = str(event.options.get("member") or event.actor.member.id)
        member = MemberRef(community, target)
        if target != event.actor.member.id and not await known_member(self._members, self._chat, member):
            return Response.private(f"I can't find {mk.mention(member)} in this community.")
        zone = await self._zone(community.key)
        now = self._clock.now()
        total = await self._ledger.total(community.key, target)
        week = await self._ledger.total(community.key, target, week_start(now, zone))
        month = await self._ledger.total(community.key, target, month_start(now, zone))
        rank = await self._ledger.rank(community.key, target)
        answered = await self._rounds.answer_count(community.key, target)
        days = await self.member_streak(member)
        fields = (
            Field("Points this week", str(week)),
            Field("This month", str(month)),
            Field("All time", str(total) + (f" (rank #{rank})" if rank else "")),
            Field("Streak", f"{days} day{'s' * (days != 1)}"),
            Field("Daily answers", str(answered)),
        )
        who = "Your" if target == event.actor.member.id else f"{mk.mention(member)}'s"
        return Response(reply=Reply(title="Stats", text=f"{who} study stats", fields=fields))

    async def adjust_points(self, event: CommandInvoked) -> Response:
        target = str(event.options.get("member", ""))
        amount = event.options.get("amount")
        if not target or not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            return Response.private("Give a member and a non-zero whole number of points.")
        who = mk.mention(MemberRef(event.actor.community, target))
        if not await known_member(self._members, self._chat, MemberRef(event.actor.community, target)):
            return Response.private(f"I can't find {who} in this community, so no points were changed.")
        reason = str(event.options.get("reason") or "adjustment")
        await self._ledger.award(event.actor.community.key, target, amount, points.REASON_ADMIN,
                                 f"{uuid.uuid4().hex}:{reason[:60]}", self._clock.now())
        return Response.private(f"{'Added' if amount > 0 else 'Removed'} {abs(amount)} points "
                                f"{'to' if amount > 0 else 'from'} {who} ({mk.escape(reason)}).")

    async def export_member(self, member: MemberRef) -> dict[str, Any]:
        return {"points": await self._ledger.member_rows(member.community.key, member.id)}

    async def erase_member(self, member: MemberRef) -> int:
        return await self._ledger.erase_member(member.community.key, member.id)

    def spec(self) -> FeatureSpec:
        return FeatureSpec(name=NAME, catalogue=COMMANDS,
                           commands={"leaderboard": self.leaderboard, "stats": self.stats,
                                     "studybot points": self.adjust_points},
                           export_member=self.export_member, erase_member=self.erase_member,
                           parts={"board": self})


def build(services: Services) -> FeatureSpec:
    return Leaderboard(services.ledger, services.communities, services.members, services.rounds, services.clock,
                       services.chat).spec()
