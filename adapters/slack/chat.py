"""The ChatPort on the Slack Web API: what the core sends on its own (daily posts, reveals, DMs).

Every post goes through its channel's lane (~1 message per second). A post carrying an idempotency key
stores it as message metadata (`event_type` studybot_outbox, payload `{key}`); `find_posted` reads the
channel's history with `include_all_metadata` to recognise it after a crash or a lost response.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.files import upload_name
from adapters.slack import render
from adapters.slack.errors import FAILURES, delivery_error, error_code
from adapters.slack.pacing import ChannelPacer
from adapters.slack.private import PrivateReplies, post_response
from adapters.slack.workspaces import Workspaces
from bot import markup as mk
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import FileOut, Reply
from bot.ports import DeliveryError, DeliveryProblem

log = logging.getLogger("adapters.slack")
OUTBOX_EVENT = "studybot_outbox"
HISTORY_PAGES = 5
MAX_GROUP_DM = 8  # conversations.open takes at most 8 users for a multi-person DM
MAX_FILE_TITLE = 250


def sent_by_dm(files: tuple[FileOut, ...]) -> str:
    return "I sent the file to you in a DM." if len(files) == 1 else "I sent the files to you in a DM."


def not_sent_by_dm(files: tuple[FileOut, ...]) -> str:
    what = "the file" if len(files) == 1 else "the files"
    return (f"I could not send you {what}: a file cannot be shown to you alone here, and your direct "
            "messages with me are closed. Allow messages from apps, then ask again.")


def with_note(reply: Reply, note: str) -> Reply:
    """The reply without its files, telling the member where they went."""
    text = f"{reply.text}\n\n{note}" if reply.text.strip() else note
    return replace(reply, text=text, files=())


def _upload_item(f: FileOut) -> dict[str, Any]:
    name = upload_name(f)  # Slack types a file by its name
    item: dict[str, Any] = {"file": f.data, "filename": name, "title": (f.description or name)[:MAX_FILE_TITLE]}
    if f.description and f.mime.startswith("image/"):
        item["alt_txt"] = f.description[:1000]
    return item


def metadata(key: str, files: tuple[FileOut, ...] = ()) -> dict[str, Any]:
    """The outbox key; with the names of the files that follow the message (see `files_missing`)."""
    payload: dict[str, Any] = {"key": key}
    if files:
        payload["files"] = [upload_name(f) for f in files]
    return {"event_type": OUTBOX_EVENT, "event_payload": payload}


def files_missing(message: dict[str, Any], newer: list[dict[str, Any]]) -> list[str]:
    """The files a keyed message announced in its metadata that no later message of ours shares (the
    process died between the post and the upload): such a message is not "already posted"."""
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    expected = [str(n) for n in payload.get("files") or ()]
    if not expected:
        return []
    ours = {message.get("user"), message.get("bot_id")} - {None}
    after = float(message.get("ts") or 0)
    shared: list[dict[str, Any]] = [f for m in newer if float(m.get("ts") or 0) > after
                                    and ({m.get("user"), m.get("bot_id")} & ours) for f in m.get("files") or ()]
    names = {str(f["name"]) for f in shared if f.get("name")}
    if len(names) < len(shared):  # names hidden from us: count the files instead
        return [] if len(shared) >= len(expected) else expected
    return [n for n in expected if n not in names]


def carries_key(message: dict[str, Any], key: str) -> bool:
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    return bool(meta.get("event_type") == OUTBOX_EVENT and payload.get("key") == key)


class SlackChat:
    def __init__(self, workspaces: Workspaces, pacer: ChannelPacer, private: PrivateReplies | None = None,
                 retry_jitter: float = 1.0) -> None:
        self._workspaces = workspaces
        self._pacer = pacer
        self._dm_channels: dict[tuple[str, str], str] = {}
        #: only-you replies that can still be edited (filled by the Responder)
        self.private = private if private is not None else PrivateReplies()
        self._jitter = retry_jitter

    def forget_team(self, team_id: str) -> None:
        """The app left this workspace: drop what we remember about it."""
        for key in [k for k in self._dm_channels if k[0] == team_id]:
            del self._dm_channels[key]

    async def _client(self, team_id: str) -> AsyncWebClient:
        return await self._workspaces.client_for(team_id)

    def _failed(self, exc: BaseException, method: str, team_id: str, where: str) -> DeliveryError:
        err = delivery_error(exc, method, f"{team_id}/{where}")
        if err.problem is DeliveryProblem.AUTH:
            self._workspaces.forget(team_id)
        return err

    async def _post(self, team_id: str, channel: str, thread_ts: str | None, reply: Reply) -> str:
        """The message (in pages), then its files. When the files cannot be uploaded, the message is
        withdrawn and the failure raised: a message without the files it came with does not count as
        sent (the outbox tries the whole again later)."""
        client = await self._client(team_id)
        first_ts = ""
        posted: list[str] = []
        pages = render.messages(reply)
        if reply.files and not pages[0].blocks:  # only files: the message names them
            pages = render.messages(replace(reply, text=", ".join(mk.code(upload_name(f)) for f in reply.files)))
        for n, msg in enumerate(pages):
            kwargs: dict[str, Any] = {"channel": channel, "text": msg.text, "blocks": msg.blocks,
                                      "unfurl_links": False, "unfurl_media": False}
            if thread_ts:
                kwargs["thread_ts"] = thread_ts
            if n == 0 and reply.idempotency_key:
                kwargs["metadata"] = metadata(reply.idempotency_key, reply.files)
            async with self._pacer.turn(f"{team_id}/{channel}"):
                try:
                    resp = await client.chat_postMessage(**kwargs)
                except FAILURES as exc:
                    if n == 0:
                        raise self._failed(exc, "chat.postMessage", team_id, channel) from exc
                    log.error("slack: page %d of a message to %s/%s was lost: %s", n + 1, team_id, channel, exc)
                    break
            if n == 0:
                first_ts = str(resp["ts"])
            posted.append(str(resp["ts"]))
        if reply.files:
            destination = ChannelRef(self._community(team_id), channel, thread_ts)
            try:
                await self._upload_retrying(destination, reply.files)
            except DeliveryError as exc:
                withdrawn = await self._withdraw(team_id, channel, posted)
                log.warning("slack: the files of a message to %s/%s were not uploaded (%s); the message was %s",
                            team_id, channel, exc, "withdrawn" if withdrawn else "NOT withdrawn")
                raise DeliveryError(exc.problem, f"{exc.detail or exc.problem.value}; the message "
                                    f"{'was withdrawn' if withdrawn else 'could not be withdrawn'}",
                                    exc.retry_after) from exc
        return first_ts

    async def _upload_retrying(self, destination: ChannelRef, files: tuple[FileOut, ...]) -> None:
        """One more try when the failure may pass (429s are already waited out by the client)."""
        try:
            await self.upload(destination, files)
        except DeliveryError as exc:
            if not exc.retryable:
                raise
            log.info("slack: uploading to %s failed (%s); trying once more", destination.key, exc)
            await self.upload(destination, files)

    async def _withdraw(self, team_id: str, channel: str, posted: list[str]) -> bool:
        """Delete what was posted of a message; True when none of it is left."""
        gone = True
        for ts in posted:
            try:
                await self.delete(MessageRef(ChannelRef(self._community(team_id), channel), ts))
            except DeliveryError as exc:
                log.error("slack: could not withdraw message %s in %s/%s: %s", ts, team_id, channel, exc)
                gone = False
        return gone

    @staticmethod
    def _community(team_id: str) -> CommunityRef:
        return CommunityRef(Platform.SLACK, team_id)

    async def upload(self, destination: ChannelRef, files: tuple[FileOut, ...], comment: str | None = None) -> None:
        """The files, as one share in the channel (thread), with an optional mrkdwn comment; raises DeliveryError."""
        if not files:
            return
        team = destination.community.id
        client = await self._client(team)
        kwargs: dict[str, Any] = {"file_uploads": [_upload_item(f) for f in files], "channel": destination.id}
        if destination.thread_id:
            kwargs["thread_ts"] = destination.thread_id
        if comment:
            kwargs["initial_comment"] = comment
        async with self._pacer.turn(f"{team}/{destination.id}"):
            try:
                await client.files_upload_v2(**kwargs)
            except FAILURES as exc:
                raise self._failed(exc, "files_upload_v2", team, destination.id) from exc

    async def send_files_direct(self, member: MemberRef, files: tuple[FileOut, ...], comment: str) -> None:
        """The files in the member's DM with the app, with `comment` (neutral markup) above them."""
        channel = await self.dm_channel(member)
        await self.upload(ChannelRef(member.community, channel), files, render.mrkdwn(comment))

    async def files_by_dm(self, member: MemberRef, reply: Reply) -> Reply:
        """For a reply only this member may see, shown where a file cannot be private (ephemeral): the
        files go to the member's DM, and the reply, without them, says so (or says they could not)."""
        if not reply.files:
            return reply
        intro = ("Here is the file you asked for" if len(reply.files) == 1 else "Here are the files you asked for")
        intro += f": {mk.bold(mk.escape(mk.plain_text(reply.title)))}" if reply.title else "."
        try:
            await self.send_files_direct(member, reply.files, intro)
        except DeliveryError as exc:
            log.warning("slack: files for %s/%s were not sent by DM: %s", member.community.id, member.id, exc)
            return with_note(reply, not_sent_by_dm(reply.files))
        return with_note(reply, sent_by_dm(reply.files))

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        team = destination.community.id
        ts = await self._post(team, destination.id, destination.thread_id, reply)
        return MessageRef(destination, ts)

    async def dm_channel(self, member: MemberRef) -> str:
        key = (member.community.id, member.id)
        channel = self._dm_channels.get(key)
        if channel is None:
            client = await self._client(member.community.id)
            try:
                resp = await client.conversations_open(users=member.id)
            except FAILURES as exc:
                raise self._failed(exc, "conversations.open", member.community.id, member.id) from exc
            channel = str(resp["channel"]["id"])
            self._dm_channels[key] = channel
        return channel

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        channel = await self.dm_channel(member)
        ts = await self._post(member.community.id, channel, None, reply)
        return MessageRef(ChannelRef(member.community, channel), ts)

    async def member_exists(self, member: MemberRef) -> bool | None:
        try:
            client = await self._client(member.community.id)
            user = (await client.users_info(user=member.id)).get("user") or {}
        except FAILURES as exc:
            if error_code(exc) in ("user_not_found", "users_not_found"):
                return False
            log.warning("slack: users.info for %s/%s failed (%s)", member.community.id, member.id, error_code(exc))
            return None
        return not user.get("deleted", False)

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        """An ephemeral message (chat.postEphemeral): only this member sees it. Files go by DM (see
        `files_by_dm`). A refusal raises DeliveryError; nothing is ever posted publicly instead."""
        team = channel.community.id
        client = await self._client(team)
        reply = await self.files_by_dm(member, reply)
        for msg in render.messages(reply):
            kwargs: dict[str, Any] = {"channel": channel.id, "user": member.id, **msg.payload()}
            if channel.thread_id:
                kwargs["thread_ts"] = channel.thread_id
            async with self._pacer.turn(f"{team}/{channel.id}"):
                try:
                    await client.chat_postEphemeral(**kwargs)
                except FAILURES as exc:
                    raise self._failed(exc, "chat.postEphemeral", team, channel.id) from exc

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        team = message.channel.community.id
        client = await self._client(team)
        pages = render.messages(reply)
        if len(pages) > 1:
            log.warning("slack: an edit of %s is longer than one message; showing the first part", message.key)
        async with self._pacer.turn(f"{team}/{message.channel.id}"):
            try:
                await client.chat_update(channel=message.channel.id, ts=message.id, **pages[0].payload())
            except FAILURES as exc:
                raise self._failed(exc, "chat.update", team, message.channel.id) from exc

    async def delete(self, message: MessageRef) -> None:
        team = message.channel.community.id
        client = await self._client(team)
        async with self._pacer.turn(f"{team}/{message.channel.id}"):
            try:
                await client.chat_delete(channel=message.channel.id, ts=message.id)
            except FAILURES as exc:
                if error_code(exc) == "message_not_found":
                    return
                raise self._failed(exc, "chat.delete", team, message.channel.id) from exc

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        """A multi-person DM with exactly these members and the bot (conversations.open with users;
        mpim:write). One member gets their DM with the app. Slack has no name for it: `name` is unused."""
        team = channel.community.id
        ids = list(dict.fromkeys(m.id for m in members))
        if not ids:
            raise DeliveryError(DeliveryProblem.NOT_PRIVATE, "slack: a private space needs at least one member")
        if len(ids) > MAX_GROUP_DM:
            raise DeliveryError(DeliveryProblem.NOT_PRIVATE,
                                f"slack: a group DM holds at most {MAX_GROUP_DM} members, not {len(ids)}")
        if any(m.community != channel.community for m in members):
            raise DeliveryError(DeliveryProblem.NOT_PRIVATE, "slack: members of another workspace")
        client = await self._client(team)
        users = ",".join(ids)
        try:
            resp = await client.conversations_open(users=users)
        except FAILURES as exc:
            raise self._failed(exc, "conversations.open", team, users) from exc
        return ChannelRef(channel.community, str(resp["channel"]["id"]))

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        """Nothing to find: conversations.open "opens or resumes" a group DM, so opening again with the same
        members returns the same conversation (no second space after a crash between opening and recording)."""
        return None

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        """Slack threads hang off a message: the thread is the message's ts (threads do not nest)."""
        if message.channel.thread_id:
            return message.channel
        return message.channel.in_thread(message.id)

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        team = destination.community.id
        client = await self._client(team)
        cursor: str | None = None
        seen: list[dict[str, Any]] = []  # every message read (history: newest first; replies: oldest first)
        found: dict[str, Any] | None = None
        oldest = f"{since.timestamp():.6f}"
        method = "conversations.replies" if destination.thread_id else "conversations.history"
        for _ in range(HISTORY_PAGES):
            try:
                if destination.thread_id:
                    resp = await client.conversations_replies(channel=destination.id, ts=destination.thread_id,
                                                              oldest=oldest, include_all_metadata=True,
                                                              limit=200, cursor=cursor)
                else:
                    resp = await client.conversations_history(channel=destination.id, oldest=oldest,
                                                              include_all_metadata=True, limit=200, cursor=cursor)
            except FAILURES as exc:
                raise self._failed(exc, method, team, destination.id) from exc
            seen += resp.get("messages") or []
            found = found or next((m for m in seen if carries_key(m, idempotency_key)), None)
            if found is not None and not files_missing(found, seen):
                return MessageRef(destination, str(found["ts"]))
            # found without its files so far: read on, the share may be on a later page (thread replies)
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        if found is not None:
            await self._withdraw_partial(destination, found, seen)
        return None

    async def _withdraw_partial(self, destination: ChannelRef, message: dict[str, Any],
                                scanned: list[dict[str, Any]]) -> None:
        """The keyed message went out, but the files it names never followed (the process died between
        the two): it is withdrawn and not counted as posted, so the outbox sends message and files again."""
        ref = MessageRef(destination, str(message["ts"]))
        log.warning("slack: message %s went out without its files %s; withdrawing it to send it again whole",
                    ref.key, ", ".join(files_missing(message, scanned)))
        await self.delete(ref)  # a failure raises: the outbox tries again later

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """Replace the only-you reply kept under `key` through its response_url (replace_original). False,
        with nothing changed, once the url expired (30 minutes), is used up (5 posts), was never kept (see
        adapters.slack.private) or Slack refuses it; no answer at all, a 429 or a 5xx raise a retryable
        DeliveryError. Files go to the member by DM, as for any ephemeral reply."""
        held = self.private.take(community, key)
        if held is None:
            log.info("slack: the only-you reply %s in %s can no longer be edited (expired, used up or unknown)",
                     key, community.key)
            return False
        shown = await self.files_by_dm(held.member, reply) if reply.files else reply
        pages = render.messages(shown)
        if len(pages) > 1:
            log.warning("slack: an edit of the only-you reply %s is longer than one message; showing the first part",
                        key)
        body = {**pages[0].payload(), "replace_original": True, "response_type": "ephemeral"}
        posted = await post_response(held.url, body, self._jitter)
        if posted.ok:
            return True
        if posted.status is None or posted.status == 429 or posted.status >= 500:
            problem = DeliveryProblem.RATE_LIMITED if posted.status == 429 else DeliveryProblem.UNAVAILABLE
            raise DeliveryError(problem, f"response_url for {key} in {community.key}: "
                                         f"{posted.status or 'no answer'} {posted.body[:100]}")
        self.private.forget(community, key)
        log.info("slack: the only-you reply %s in %s can no longer be edited (%s %s)", key, community.key,
                 posted.status, posted.body[:100])
        return False
