"""Delivering a core Response for one interaction, the Slack way.

- form: `views.open` with the interaction's trigger_id (valid 3 s: nothing slow runs before it);
- replace_original: the interaction's `response_url` (works for ephemeral messages too), else chat.update;
- only-you: an ephemeral message through `response_url`, else chat.postEphemeral, else a DM;
- public: `response_url` with response_type in_channel, else chat.postMessage;
- follow-ups: through the ChatPort (channel posts and DMs).
From the App Home tab there is no channel: replies go to the member's DM with the app.

Files: a response_url message or an ephemeral one cannot carry a file. A public reply's files are
uploaded to the same channel (thread) after it; a private reply's files go to the member by DM, and the
reply says so ("I sent the file to you in a DM"). A private file is never shared where others can see it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.chat import SlackChat
from adapters.slack.errors import FAILURES_OR_REFUSED, error_code
from adapters.slack.private import PrivateReplies, post_response
from adapters.slack.translate import Origin
from bot.ids import ChannelRef, MemberRef
from bot.messages import ChannelPost, DirectMessage, FileOut, Form, Reply, Response, Visibility
from bot.ports import DeliveryError

log = logging.getLogger("adapters.slack")
TOO_SLOW = "Sorry, that took me too long to open. Please try again."
TRIGGER_ERRORS = ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id")


class Responder:
    def __init__(self, chat: SlackChat, client_for: Callable[[str], Awaitable[AsyncWebClient]],
                 retry_jitter: float = 1.0, private: PrivateReplies | None = None) -> None:
        self._chat = chat
        self._client_for = client_for
        self._jitter = retry_jitter
        #: only-you replies kept for editing (Response.private_key); shared with the ChatPort
        self.private = private if private is not None else chat.private

    async def deliver(self, origin: Origin, response: Response) -> None:
        if response.form is not None:
            await self.open_form(origin, response.form)
        elif response.reply is not None:
            key = response.private_key if response.visibility is Visibility.ONLY_YOU else None
            await self.reply(origin, response.reply, response.visibility, response.replace_original, key)
        for follow in response.follow_ups:
            try:
                if isinstance(follow, ChannelPost):
                    await self._chat.send(follow.destination, follow.reply)
                elif isinstance(follow, DirectMessage):
                    await self._chat.send_direct(follow.member, follow.reply)
            except DeliveryError as exc:
                log.warning("slack: a follow-up for %s was not delivered: %s", origin.user_id, exc)

    async def open_form(self, origin: Origin, form: Form) -> None:
        if not origin.trigger_id:
            await self.reply(origin, Reply(text="Open this from a button or a command."), Visibility.ONLY_YOU)
            return
        view = render.modal(form, origin.private_metadata())
        try:
            client = await self._client_for(origin.team_id)
            await client.views_open(trigger_id=origin.trigger_id, view=view)
        except FAILURES_OR_REFUSED as exc:
            code = error_code(exc) if not isinstance(exc, DeliveryError) else exc.problem.value
            log.warning("slack: views.open for %s/%s failed: %s", origin.team_id, origin.user_id, code)
            text = TOO_SLOW if code in TRIGGER_ERRORS else "Sorry, I could not open the form. Please try again."
            await self.reply(origin, Reply(text=text), Visibility.ONLY_YOU)

    async def reply(self, origin: Origin, reply: Reply, visibility: Visibility,
                    replace_original: bool = False, key: str | None = None) -> None:
        """Deliver a reply; with `key`, an only-you reply is kept for editing where its response_url
        can replace exactly it (see adapters.slack.private)."""
        private = visibility is Visibility.ONLY_YOU or origin.home
        member = MemberRef(origin.community, origin.user_id)
        files = reply.files
        text = replace(reply, files=()) if files else reply

        async def privately() -> Reply:
            """The reply as shown where only the member sees it; its files (once) by DM."""
            nonlocal files, text
            if files:
                text = await self._chat.files_by_dm(member, replace(text, files=files))
                files = ()
            return text

        if replace_original and origin.response_url and not origin.home:
            secret = origin.ephemeral or private  # replacing an ephemeral message keeps it private
            shown = await privately() if secret else text
            pages = render.messages(shown)
            if await self._respond(origin.response_url, pages[0], replace_original=True):
                kind = "ephemeral" if secret else "in_channel"
                for page in pages[1:]:
                    await self._respond(origin.response_url, page, response_type=kind)
                if key and origin.response_source == "ephemeral":  # the only-you message it replaced
                    self.private.remember(member, key, origin.response_url, len(pages))
                await self._public_files(origin, files)
                return
        if replace_original and origin.message() is not None and not origin.ephemeral and not origin.home:
            message = origin.message()
            assert message is not None
            shown = await privately() if private else text
            try:
                await self._chat.edit(message, shown)
                await self._public_files(origin, files)
                return
            except DeliveryError:
                pass  # fall through: show it as a new reply instead
        if origin.home or origin.channel_id is None:
            await self._direct(origin, replace(text, files=files))
            return
        if origin.response_url:
            kind = "ephemeral" if private else "in_channel"
            shown = await privately() if private else text
            pages = render.messages(shown)
            if await self._respond(origin.response_url, pages[0], response_type=kind, thread_ts=origin.thread_ts):
                for page in pages[1:]:
                    await self._respond(origin.response_url, page, response_type=kind, thread_ts=origin.thread_ts)
                if key and private and origin.response_source == "command" and len(pages) == 1:
                    self.private.remember(member, key, origin.response_url, 1)  # the message the command produced
                await self._public_files(origin, files)
                return
        channel = ChannelRef(origin.community, origin.channel_id, origin.thread_ts)
        try:
            if private:
                await self._chat.send_private_notice(channel, member, await privately())
            else:
                await self._chat.send(channel, text)
                await self._public_files(origin, files)
            return
        except DeliveryError as exc:
            log.info("slack: replying in %s failed (%s); sending a DM instead", channel.key, exc)
        await self._direct(origin, replace(text, files=files))

    async def _public_files(self, origin: Origin, files: tuple[FileOut, ...]) -> None:
        """A public reply's files, in its channel (thread); where that is refused, to the member by DM."""
        if not files or origin.channel_id is None:
            return
        channel = ChannelRef(origin.community, origin.channel_id, origin.thread_ts)
        try:
            await self._chat.upload(channel, files)
            return
        except DeliveryError as exc:
            log.info("slack: files for %s were refused (%s); sending them by DM", channel.key, exc)
        member = MemberRef(origin.community, origin.user_id)
        note = "I could not share the file in the channel, so here it is." if len(files) == 1 else \
            "I could not share the files in the channel, so here they are."
        try:
            await self._chat.send_files_direct(member, files, note)
        except DeliveryError as exc:
            log.error("slack: files for %s/%s were lost: %s", origin.team_id, origin.user_id, exc)
            await self._files_lost(origin, channel, member, files)

    async def _files_lost(self, origin: Origin, channel: ChannelRef, member: MemberRef,
                          files: tuple[FileOut, ...]) -> None:
        """The reply went out but its files reached no one: the member who asked is told so, privately."""
        what = "the file" if len(files) == 1 else "the files"
        text = (f"I could not attach {what} ({', '.join(f.name for f in files)}): this channel refused it and "
                "so did your direct messages with me. Please try again later.")
        if origin.response_url and await self._respond(origin.response_url, render.messages(Reply(text=text))[0],
                                                       response_type="ephemeral", thread_ts=origin.thread_ts):
            return
        try:
            await self._chat.send_private_notice(channel, member, Reply(text=text))
        except DeliveryError as exc:
            log.error("slack: could not tell %s/%s that the files were lost: %s", origin.team_id,
                      origin.user_id, exc)

    async def _direct(self, origin: Origin, reply: Reply) -> None:
        try:
            await self._chat.send_direct(MemberRef(origin.community, origin.user_id), reply)
        except DeliveryError as exc:
            log.error("slack: a reply to %s/%s was lost: %s", origin.team_id, origin.user_id, exc)

    async def _respond(self, url: str, page: render.Message, *, replace_original: bool = False,
                       response_type: str | None = None, thread_ts: str | None = None) -> bool:
        body: dict[str, Any] = {**page.payload(), "replace_original": replace_original}
        if response_type:
            body["response_type"] = response_type
        if thread_ts and not replace_original:
            body["thread_ts"] = thread_ts
        return (await post_response(url, body, self._jitter)).ok
