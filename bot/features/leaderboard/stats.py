"""`/stats [member]` and `/studybot my-points`: a member's streak, freezes, points (by window and by where
they came from), accuracy by topic, weakest topics, every feature's own /stats lines (mock scorecards, ...),
a PNG chart beside a text summary, and the ledger rows behind their points.

Accuracy, weakest topics, other features' lines and the chart are the member's own: they are shown to the
member and to admins, not to another member who asks (points and streaks are on the public board anyway).
"""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot import markup as mk
from bot.actions import Action, encode
from bot.events import Actor, ChoiceSelected, CommandInvoked
from bot.features.leaderboard.board import Board, rank_label
from bot.features.leaderboard.chart import ChartData
from bot.features.leaderboard.drawing import ChartDrawer
from bot.features.leaderboard.store import BoardStore
from bot.features.leaderboard.streaks import MAX_FREEZES, Streaks
from bot.features.members import known_member
from bot.ids import MemberRef
from bot.messages import MAX_FIELDS, Choice, Field, FileOut, Reply, Response
from bot.ports import ChatPort, Clock
from bot.store.ledger import window
from bot.store.protocols import LedgerStore, MemberStore

CHART_WEEKS = 8
WEAK_MIN_ATTEMPTS = 3
PAGE = 10
MemberStats = Callable[[MemberRef, MemberRef], Awaitable[tuple[Field, ...]]]
REASONS = {
    "daily_answer": "Daily answers", "daily_key_point": "Key points covered", "kudos": "Kudos received",
    "admin_adjustment": "Adjusted by admins", "quiz_correct": "Quizzes", "race_pick": "Races",
    "mock_session": "Mock interviews", "mock_feedback": "Mock feedback",
}


def reason_label(reason: str) -> str:
    if reason in REASONS:
        return REASONS[reason]
    if reason.startswith("review"):
        return "Reviews"
    return reason.replace("_", " ").capitalize()


def weakest(accuracy: dict[str, tuple[int, int]], n: int = 3) -> list[tuple[str, int, int]]:
    """Topics with the lowest share right (among those tried enough), weakest first."""
    tried = [(t, a, k) for t, (a, k) in accuracy.items() if t and a >= WEAK_MIN_ATTEMPTS]
    tried.sort(key=lambda x: (x[2] / x[1], -x[1], x[0]))
    return tried[:n]


class Stats:
    def __init__(self, ledger: LedgerStore, store: BoardStore, board: Board, streaks: Streaks,
                 members: MemberStore, chat: ChatPort, clock: Clock, member_stats: MemberStats,
                 charts: ChartDrawer) -> None:
        self._ledger = ledger
        self._charts = charts
        self._store = store
        self._board = board
        self._streaks = streaks
        self._members = members
        self._chat = chat
        self._clock = clock
        self._member_stats = member_stats

    async def command(self, event: CommandInvoked) -> Response:
        community = event.actor.community
        target = str(event.options.get("member") or event.actor.member.id)
        member = MemberRef(community, target)
        own = target == event.actor.member.id
        if not own and not await known_member(self._members, self._chat, member):
            return Response.private(f"I can't find {mk.mention(member)} in this community.")
        full = own or event.actor.is_admin
        now = self._clock.now()
        excluded = await self._board.excluded(community.key)
        state = await self._streaks.state(member)
        fields: list[Field] = []
        for period, name in (("week", "Points this week"), ("month", "This month"), ("all", "All time")):
            w = await self._board.window(community.key, period, now)
            if target in excluded:
                mine = await self._ledger.standing(community.key, target, w, now=now)
                fields.append(Field(name, f"{mine.points if mine else 0} pts (left off the board)"))
            else:
                mine = await self._ledger.standing(community.key, target, w, exclude=excluded, now=now)
                fields.append(Field(name, f"{mine.points} pts ({rank_label(mine.rank)})" if mine else "0 pts"))
        fields += [Field("Streak", f"{state.days} day{'s' * (state.days != 1)}"),
                   Field("Best streak", f"{state.longest} day{'s' * (state.longest != 1)}"),
                   Field("Freezes", f"{state.freezes} of {MAX_FREEZES} held"
                         + (f"; used on {', '.join(f'{d:%a} {d.day} {d:%b}' for d in state.frozen)}"
                            if state.frozen else ""))]
        sources = await self._ledger.by_reason(community.key, target)
        lines = [f"{'Your' if own else mk.mention(member) + chr(39) + 's'} study stats"]
        if sources:
            lines += ["", mk.bold("Points by source")]
            lines += [f"- {reason_label(r)}: {p}" for r, p in sources.items()]
        files: tuple[FileOut, ...] = ()
        if full:
            accuracy = await self._store.accuracy(community.key, target)
            lines += self._accuracy_lines(accuracy)
            for extra in await self._member_stats(member, event.actor.member):
                if len(fields) < MAX_FIELDS:
                    fields.append(extra)
                else:
                    lines.append(f"- {extra.name}: {extra.value}")
            data = await self._chart_data(member, accuracy, now)
            if not data.empty:
                png = await self._charts.draw(data)  # in another process: the loop never waits for it
                if png is None:
                    lines += ["", "The chart could not be drawn this time; everything it shows is in the "
                                  "numbers above."]
                else:
                    files = (FileOut("stats.png", png, "image/png", "Accuracy by topic and points per week"),)
                    lines += ["", "The chart shows your accuracy by topic and your points in each of the last "
                                  f"{CHART_WEEKS} weeks." if own else "The chart shows their accuracy by topic "
                                  f"and points in each of the last {CHART_WEEKS} weeks."]
        else:
            lines += ["", "Accuracy and weakest topics are shown only to the member themselves (and admins)."]
        if own:
            lines += ["", "See each award with `/studybot my-points`."]
        return Response(reply=Reply(title="Stats", text="\n".join(lines), fields=tuple(fields), files=files))

    @staticmethod
    def _accuracy_lines(accuracy: dict[str, tuple[int, int]]) -> list[str]:
        if not accuracy:
            return ["", "No scored answers yet: quizzes, races, reviews and daily checklists count."]
        lines = ["", mk.bold("Accuracy by topic")]
        lines += [f"- {t or 'other'}: {round(100 * k / a)}% ({k}/{a})"
                  for t, (a, k) in sorted(accuracy.items(), key=lambda x: -x[1][0])]
        weak = weakest(accuracy)
        if weak:
            lines.append("Weakest topics: " + ", ".join(f"{t} ({round(100 * k / a)}%)" for t, a, k in weak))
        return lines

    async def _chart_data(self, member: MemberRef, accuracy: dict[str, tuple[int, int]], now: datetime) -> ChartData:
        zone = await self._board.zone(member.community.key)
        weeks = [window("week", now - timedelta(days=7 * i), zone) for i in reversed(range(CHART_WEEKS))]
        totals = await self._ledger.member_periods(member.community.key, member.id, [w.label for w in weeks])
        labelled = tuple((f"{w.label[-2:].lstrip('0')} {_month(w.label)}", totals.get(w.label, 0)) for w in weeks)
        shown = sorted(accuracy.items(), key=lambda x: -x[1][0])[:8]
        return ChartData("Your progress", tuple((t or "other", a, k) for t, (a, k) in shown), labelled)

    # /studybot my-points ------------------------------------------------------------------------------
    async def my_points(self, event: CommandInvoked) -> Response:
        return await self._points_page(event.actor, 1, replace=False)

    async def on_points_page(self, event: ChoiceSelected, action: Action) -> Response:
        page = action.int_arg(0)
        if not 1 <= page <= 10_000:
            return Response.private("That page has ended. Run /studybot my-points again.")
        return await self._points_page(event.actor, page, replace=True)

    async def _points_page(self, actor: Actor, page: int, *, replace: bool) -> Response:
        community, me = actor.community.key, actor.member.id
        rows = await self._ledger.recent(community, me, PAGE + 1, (page - 1) * PAGE)
        more, rows = len(rows) > PAGE, rows[:PAGE]
        if not rows:
            text = "You have no points yet." if page == 1 else "No older points."
            return Response(reply=Reply(title="Your points", text=text), replace_original=replace)
        lines = []
        if page == 1:
            sources = await self._ledger.by_reason(community, me)
            lines.append(" · ".join(f"{reason_label(r)}: {p}" for r, p in sources.items()))
            lines.append("")
        for row in rows:
            sign = "+" if row.points > 0 else ""
            topic = f" · {row.topic}" if row.topic else ""
            note = ""
            if row.reason == "admin_adjustment" and ":" in row.ref:
                note = f" ({mk.escape(row.ref.split(':', 1)[1])})"
            lines.append(f"- {mk.timestamp(row.at, 'd')} {mk.bold(sign + str(row.points))} "
                         f"{reason_label(row.reason)}{topic}{note}")
        choices = []
        if page > 1:
            choices.append(Choice("Newer", encode("board", "mine", page - 1)))
        if more:
            choices.append(Choice("Older", encode("board", "mine", page + 1)))
        return Response(reply=Reply(title="How you earned your points", text="\n".join(lines),
                                    choices=tuple(choices), footer=f"Page {page}" if page > 1 or more else None),
                        replace_original=replace)


def _month(label: str) -> str:
    return calendar.month_abbr[int(label[6:8])]
