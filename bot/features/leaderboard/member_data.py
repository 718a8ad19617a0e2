"""Members' data: `/studybot export` (an admin gets the community's data as CSV and JSON files),
`/studybot my-data` (a member gets their own, as a JSON file, privately), and `/studybot forget-me`
(after a confirmation button, every feature deletes what it holds of the member: answers, shared answers
where they were posted, points and totals, activity, settings, outbox rows, the member row itself).

The confirmation button carries only the id of a waiting request, which names the member: a click by
anyone else, a second click, or one long after the request changes nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.actions import Action, encode
from bot.events import ChoiceSelected, CommandInvoked
from bot.features.delivery import Delivery
from bot.features.leaderboard.audit import AuditStore, admin_action
from bot.features.leaderboard.board import Board
from bot.features.leaderboard.store import BoardStore
from bot.ids import CommunityRef, MemberRef
from bot.messages import MAX_FILE_BYTES, Choice, FileOut, Reply, Response, Style
from bot.ports import Clock
from bot.settings import Scope, SettingSpec, SettingsStore
from bot.store.ledger import ALL
from bot.store.protocols import CommunityStore, LedgerStore, MemberStore

CONFIRM_WITHIN = timedelta(minutes=30)
ExportMember = Callable[[MemberRef], Awaitable[dict[str, Any]]]
ExportMembers = Callable[[CommunityRef, Sequence[str]], Awaitable[dict[str, dict[str, Any]]]]
EraseMember = Callable[[MemberRef], Awaitable[dict[str, int]]]
FEATURE_WORDS = {"daily": "daily question (answers, skips, kudos, shared answers where they were posted)",
                 "board": "points, totals, streak days, accuracy and audit mentions",
                 "admin": "your member record and settings", "inbox": "messages waiting for you",
                 "quiz": "quizzes and races", "review": "review cards", "mock": "mock interviews"}


def _csv(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")


def _export_files(stamp: str, document: dict[str, Any], member_rows: list[tuple[Any, ...]],
                  ledger: list[tuple[Any, ...]]) -> tuple[FileOut, ...] | None:
    files = [
        FileOut(f"studybot-{stamp}.json", _json(document), "application/json", "Everything, per member"),
        FileOut(f"members-{stamp}.csv", _csv(("member", "display_name", "timezone", "points_all_time",
                                              "points_this_week", "points_this_month", "left_off_board"),
                                             member_rows), "text/csv", "Members and their points"),
        FileOut(f"ledger-{stamp}.csv", _csv(("member", "points", "reason", "ref", "topic", "at"), ledger),
                "text/csv", "Every point awarded"),
    ]
    return _fit(files, f"studybot-export-{stamp}.zip")


def _fit(files: list[FileOut], name: str) -> tuple[FileOut, ...] | None:
    """The files as they are, or zipped into one when one is over the upload limit; None when even that is."""
    if all(len(f.data) <= MAX_FILE_BYTES for f in files):
        return tuple(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.writestr(f.name, f.data)
    if len(out.getvalue()) > MAX_FILE_BYTES:
        return None
    return (FileOut(name, out.getvalue(), "application/zip", "The community's studybot data"),)


class MemberData:
    def __init__(self, ledger: LedgerStore, store: BoardStore, audit: AuditStore, board: Board,
                 communities: CommunityStore, members: MemberStore, delivery: Delivery, clock: Clock,
                 export_member: ExportMember, export_members: ExportMembers, erase_member: EraseMember,
                 settings: SettingsStore, declared: Callable[[], Mapping[str, SettingSpec]]) -> None:
        self._ledger = ledger
        self._store = store
        self._audit = audit
        self._board = board
        self._communities = communities
        self._members = members
        self._delivery = delivery
        self._clock = clock
        self._export_member = export_member
        self._export_members = export_members
        self._erase_member = erase_member
        self._settings = settings
        self._declared = declared  # every feature's settings (the registry's), read at export time

    # /studybot export (admins) ------------------------------------------------------------------------
    async def export(self, event: CommandInvoked) -> Response:
        """Read set-wise, whatever the community's size: who is here (with names and zones), their totals,
        and every feature's data of all of them at once (`Registry.export_community`)."""
        community = event.actor.community
        key = community.key
        now = self._clock.now()
        ids = await self._store.member_ids(key)
        records = await self._members.records(key)
        excluded = await self._board.excluded(key)
        week, month = await self._board.window(key, "week", now), await self._board.window(key, "month", now)
        totals = await self._ledger.community_periods(key, [ALL, week.label, month.label])
        per_member = await self._export_members(community, ids)
        member_rows = []
        for member in ids:
            mine, record = totals.get(member, {}), records.get(member)
            member_rows.append((member, record.display_name if record else "",
                                record.timezone or "" if record else "", mine.get(ALL, 0), mine.get(week.label, 0),
                                mine.get(month.label, 0), "yes" if member in excluded else "no"))
        ledger = await self._ledger.community_rows(key)
        audit = await self._audit.community_rows(key)
        settings = await self._communities.get(key)
        document = {
            "community": key, "exported_at": now.isoformat(), "exported_by": event.actor.member.id,
            "settings": {**(settings.describe() if settings is not None else {}), **await self._settings.shown(
                [spec for spec in self._declared().values() if spec.scope is Scope.COMMUNITY], key)},
            "members": per_member,
            "audit_log": [{**admin_action(e), "actor": e.actor} for e in audit],  # keys sorted when written
        }
        stamp = now.strftime("%Y%m%d")
        # encoding and zipping a large community's ledger takes a while: on a thread, not the event loop
        fitted = await asyncio.to_thread(_export_files, stamp, document, member_rows, [tuple(r) for r in ledger])
        if fitted is None:
            return Response.private(f"The export is larger than a chat upload allows ({MAX_FILE_BYTES:,} bytes, even "
                                    "zipped), so nothing was sent. Ask the host for a copy of the database file.")
        text = (f"{len(ids)} members, {len(ledger):,} ledger rows, {len(audit)} audit entries. It holds members' "
                "own answers: keep it private.")
        return Response(reply=Reply(title="Community export", text=text, files=fitted))

    # /studybot my-data --------------------------------------------------------------------------------
    async def my_data(self, event: CommandInvoked) -> Response:
        member = event.actor.member
        data = {"member": member.id, "community": member.community.key,
                "exported_at": self._clock.now().isoformat(), "data": await self._export_member(member)}
        file = FileOut("my-studybot-data.json", _json(data), "application/json", "Everything studybot holds of you")
        if len(file.data) > MAX_FILE_BYTES:
            return Response.private("Your data is larger than a chat upload allows; ask the host for it.")
        return Response(reply=Reply(title="Your data", text="Everything studybot holds about you here, as JSON. "
                                    "Only you can see this.", files=(file,)))

    # /studybot forget-me ------------------------------------------------------------------------------
    async def forget_me(self, event: CommandInvoked) -> Response:
        member = event.actor.member
        request = await self._store.ask_forget(member.community.key, member.id, self._clock.now())
        text = ("This deletes everything studybot holds about you in this community: your answers (and the "
                "answers you shared, where they were posted), points, streak, quiz, review and mock records, "
                f"settings and messages waiting for you. It cannot be undone. The button works for "
                f"{int(CONFIRM_WITHIN.total_seconds() // 60)} minutes. You can get a copy first with "
                "`/studybot my-data`.")
        return Response(reply=Reply(title="Delete your data?", text=text, choices=(
            Choice("Delete everything", encode("board", "forget", request), Style.DANGER),
            Choice("Keep my data", encode("board", "keep", request)))))

    async def on_choice(self, event: ChoiceSelected, action: Action) -> Response:
        request = await self._store.forget_request(action.int_arg(0))
        member = event.actor.member
        if request is None or request.community != member.community.key or request.member != member.id:
            return Response(reply=Reply(text="That request has ended, or it is someone else's. Nothing was "
                                             "deleted."), replace_original=request is None)
        if action.verb == "keep":
            await self._store.drop_forget(request.id)
            return Response(reply=Reply(text="Kept: nothing was deleted."), replace_original=True)
        if self._clock.now() - request.created_at > CONFIRM_WITHIN:
            await self._store.drop_forget(request.id)
            return Response(reply=Reply(text="That request is too old, so nothing was deleted. Run "
                                             "`/studybot forget-me` again if you still want it."),
                            replace_original=True)
        counts = await self._erase_member(member)
        counts["outbox"] = counts.get("outbox", 0) + await self._delivery.erase_member(member)
        return Response(reply=Reply(title="Your data is deleted", text=_erased_text(member.community, counts)),
                        replace_original=True, refresh_home=True)


def _erased_text(community: CommunityRef, counts: Mapping[str, int]) -> str:
    lines = [f"- {FEATURE_WORDS.get(name, name)}: {n} record{'s' * (n != 1)}" for name, n in counts.items()
             if name != "outbox" and n]
    if counts.get("outbox"):
        n = counts["outbox"]
        lines.append(f"- records of direct messages to you: {n}")
    listing = "\n".join(lines) or "- nothing: studybot held no data about you here"
    return ("Deleted everything studybot held about you here:\n" + listing + "\n\nLeaderboards no longer count "
            "you. Messages that mention you in past leaderboards, recaps and reveals stay as they were posted, "
            "and messages in your own DMs stay there. If you use studybot here again, it starts afresh.")
