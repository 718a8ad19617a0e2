"""`/leaderboard` and `/stats`: queries over the points ledger, windows in the community's zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import markup as mk
from bot.events import CommandInvoked
from bot.features.members import known_member
from bot.features.schedule import month_start, streak, week_start
from bot.ids import MemberRef
from bot.messages import Field, Reply, Response, Visibility
from bot.ports import ChatPort, Clock
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.daily import DailyRepo
from bot.store.ledger import LedgerRepo

PERIOD_TITLES = {"week": "This week", "month": "This month", "all": "All time"}
MEDALS = ("🥇", "🥈", "🥉")


class Leaderboard:
    def __init__(self, ledger: LedgerRepo, communities: CommunityRepo, members: MemberRepo, rounds: DailyRepo,
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
