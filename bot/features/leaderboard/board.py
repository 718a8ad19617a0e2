"""`/leaderboard [week|month|all] [topic]`, its Prev/Next pages, exclusions from the board, and an admin's
points adjustments.

Windows are the community's week (Monday to Monday) and month in its timezone (bot.store.ledger.window),
read from the per-period totals. Ranks are competition ranks: a tie shares its rank, listed by who reached
the score first. The caller's own place is shown under the page when they are not on it. Page buttons carry
the period, the topic and the page number only; everything else is read again on each click.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from bot import markup as mk
from bot.actions import Action, encode
from bot.community import parse_timezone
from bot.events import Actor, ChoiceSelected, CommandInvoked
from bot.features import points
from bot.features.leaderboard.options import PERIODS, TOPICS
from bot.features.leaderboard.store import BoardStore
from bot.features.members import known_member
from bot.ids import CommunityRef, MemberRef
from bot.messages import Choice, Reply, Response, Visibility
from bot.ports import ChatPort, Clock
from bot.store.ledger import Standing, Window, window
from bot.store.protocols import CommunityStore, LedgerStore, MemberStore

PERIOD_TITLES = {"week": "This week", "month": "This month", "all": "All time"}
PAGE = 10
MAX_PAGE = 1000
MEDALS = ("🥇", "🥈", "🥉")
NO_TOPIC = "-"  # a page button's topic when the board is over every topic
ENDED = "That board has ended. Run /leaderboard again."


def rank_label(rank: int) -> str:
    return MEDALS[rank - 1] if rank <= len(MEDALS) else f"#{rank}"


def standing_lines(community: CommunityRef, rows: list[Standing], *, first_place: int = 1,
                   following: Standing | None = None) -> list[str]:
    """One line per member; a tie says so (its members share the rank), also one that goes on from the page
    before (a rank ahead of its place: `first_place` is the first row's) or onto the next (`following`, the
    first row of the next page)."""
    ranks = [r.rank for r in rows] + ([following.rank] if following is not None else [])
    lines = []
    for place, row in enumerate(rows, first_place):
        tied = " (tied)" if ranks.count(row.rank) > 1 or row.rank < place else ""
        lines.append(f"{rank_label(row.rank)} {mk.mention(MemberRef(community, row.member))}: "
                     f"{mk.bold(str(row.points))} pts{tied}")
    return lines


class Board:
    def __init__(self, ledger: LedgerStore, store: BoardStore, communities: CommunityStore, members: MemberStore,
                 clock: Clock, chat: ChatPort) -> None:
        self._ledger = ledger
        self._store = store
        self._communities = communities
        self._members = members
        self._clock = clock
        self._chat = chat
        self._synced: dict[str, str] = {}  # the zone each community's totals were last synced to, here

    async def zone(self, community: str) -> str:
        settings = await self._communities.get(community)
        return settings.timezone if settings is not None else "UTC"

    async def window(self, community: str, period: str, now: datetime | None = None) -> Window:
        return window(period, now or self._clock.now(), await self.zone(community))

    async def excluded(self, community: str) -> set[str]:
        return {e.member for e in await self._store.exclusions(community)}

    # /leaderboard -------------------------------------------------------------------------------------
    async def command(self, event: CommandInvoked) -> Response:
        period = str(event.options.get("period") or "week")
        topic = str(event.options.get("topic") or "") or None
        if period not in PERIODS:
            return Response.private("Period must be week, month or all.")
        if topic is not None and topic not in TOPICS:
            return Response.private(f"I don't know the topic '{mk.escape(topic)}'. Topics: {', '.join(TOPICS)}.")
        return await self.page(event.actor, period, topic, 1, replace=False)

    async def on_page(self, event: ChoiceSelected, action: Action) -> Response:
        if len(action.args) != 3:
            return Response.private(ENDED)
        period, topic, page = action.args[0], action.args[1], action.int_arg(2)
        if period not in PERIODS or (topic != NO_TOPIC and topic not in TOPICS) or not 1 <= page <= MAX_PAGE:
            return Response.private(ENDED)
        return await self.page(event.actor, period, None if topic == NO_TOPIC else topic, page, replace=True)

    async def page(self, actor: Actor, period: str, topic: str | None, page: int, *, replace: bool) -> Response:
        community = actor.community
        now = self._clock.now()
        w = await self.window(community.key, period, now)
        excluded = await self.excluded(community.key)
        rows = await self._ledger.standings(community.key, w, topic=topic, limit=PAGE + 1,
                                            offset=(page - 1) * PAGE, exclude=excluded, now=now)
        if not rows and page > 1:  # the board shrank since the button was drawn: its last page
            return await self.page(actor, period, topic, page - 1, replace=replace)
        more, rows, following = len(rows) > PAGE, rows[:PAGE], rows[PAGE] if len(rows) > PAGE else None
        title = f"Leaderboard · {PERIOD_TITLES[period]}" + (f" · {topic}" if topic else "")
        if not rows:
            what = f"No {topic} points" if topic else "No points"
            text = f"{what} yet{_bounds_words(w)}. Answer the daily question to get on the board!"
            return Response(reply=Reply(title=title, text=text), visibility=Visibility.PUBLIC,
                            replace_original=replace)
        lines = standing_lines(community, rows, first_place=(page - 1) * PAGE + 1, following=following)
        me = actor.member.id
        if me not in {r.member for r in rows}:
            lines.append("")
            lines.append(await self._mine(actor.member, w, topic, excluded, now))
        text = "\n".join(lines) + "\n\n" + _bounds_line(w)
        choices: list[Choice] = []
        if page > 1:
            choices.append(Choice("Prev", encode("board", "page", period, topic or NO_TOPIC, page - 1)))
        if more:
            choices.append(Choice("Next", encode("board", "page", period, topic or NO_TOPIC, page + 1)))
        footer = f"Page {page}" if page > 1 or more else None
        return Response(reply=Reply(title=title, text=text, choices=tuple(choices), footer=footer),
                        visibility=Visibility.PUBLIC, replace_original=replace)

    async def _mine(self, member: MemberRef, w: Window, topic: str | None, excluded: Collection[str],
                    now: datetime) -> str:
        who = mk.mention(member)
        if member.id in excluded:
            return f"{who} is not on the board (an admin left them off it)."
        mine = await self._ledger.standing(member.community.key, member.id, w, topic=topic, exclude=excluded,
                                           now=now)
        if mine is None:
            return f"{who}: no points here yet."
        return f"{who}: {rank_label(mine.rank)} with {mk.bold(str(mine.points))} pts"

    # exclusions ---------------------------------------------------------------------------------------
    async def exclude(self, event: CommandInvoked) -> Response:
        community = event.actor.community
        target = str(event.options.get("member") or "")
        if not target:
            listed = await self._store.exclusions(community.key)
            if not listed:
                return Response.private("Nobody is left off the board. Leave someone off with "
                                        "`/studybot exclude @member [reason]`.")
            lines = [f"- {mk.mention(MemberRef(community, e.member))}"
                     + (f" ({mk.escape(e.reason)})" if e.reason else "") for e in listed]
            return Response(reply=Reply(title="Left off the board", text="\n".join(lines)))
        member = MemberRef(community, target)
        if not await known_member(self._members, self._chat, member):
            return Response.private(f"I can't find {mk.mention(member)} in this community, so nothing changed.")
        reason = str(event.options.get("reason") or "").strip() or None
        if await self._store.exclude(community.key, target, event.actor.member.id, reason, self._clock.now()):
            return Response.private(f"{mk.mention(member)} is now left off every board and recap. Their points "
                                    "are still counted; `/studybot include` puts them back.")
        return Response.private(f"{mk.mention(member)} was already left off the board.")

    async def include(self, event: CommandInvoked) -> Response:
        member = MemberRef(event.actor.community, str(event.options.get("member") or ""))
        if await self._store.include(member.community.key, member.id):
            return Response.private(f"{mk.mention(member)} is back on the board.")
        return Response.private(f"{mk.mention(member)} was not left off the board, so nothing changed.")

    # fair play ----------------------------------------------------------------------------------------
    async def adjust_points(self, event: CommandInvoked) -> Response:
        target = str(event.options.get("member", ""))
        amount = event.options.get("amount")
        action = str(event.options.get("action") or "")
        if not target or not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            return Response.private("Give a member and a non-zero whole number of points.")
        if action == "add":
            amount = abs(amount)
        elif action == "remove":
            amount = -abs(amount)
        member = MemberRef(event.actor.community, target)
        who = mk.mention(member)
        if not await known_member(self._members, self._chat, member):
            return Response.private(f"I can't find {who} in this community, so no points were changed.")
        reason = str(event.options.get("reason") or "adjustment")
        await self._ledger.award(member.community.key, target, amount, points.REASON_ADMIN,
                                 f"{uuid.uuid4().hex}:{reason[:60]}", self._clock.now())
        return Response.private(f"{'Added' if amount > 0 else 'Removed'} {abs(amount)} points "
                                f"{'to' if amount > 0 else 'from'} {who} ({mk.escape(reason)}).")

    async def zone_changed(self, community: str, zone: str) -> None:
        """The community's settings changed: if its timezone did, count its weeks and months in the new one."""
        if self._synced.get(community) == zone:
            return
        try:
            parse_timezone(zone)
        except ValueError:
            return
        await self._ledger.sync_zone(community, zone, self._clock.now())
        if len(self._synced) > 10_000:
            self._synced.clear()
        self._synced[community] = zone


def _bounds_line(w: Window) -> str:
    if w.start is None or w.end is None:
        return "All points since studybot started counting."
    return f"From {mk.timestamp(w.start, 'f')} to {mk.timestamp(w.end, 'f')} ({w.zone}); resets {mk.timestamp(w.end, 'R')}."


def _bounds_words(w: Window) -> str:
    return {"week": " this week", "month": " this month"}.get(w.kind, "")
