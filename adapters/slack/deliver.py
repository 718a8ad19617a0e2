"""Delivering a core Response for one interaction, the Slack way.

- form: `views.open` with the interaction's trigger_id (valid 3 s: nothing slow runs before it);
- replace_original: the interaction's `response_url` (works for ephemeral messages too), else chat.update;
- only-you: an ephemeral message through `response_url`, else chat.postEphemeral, else a DM;
- public: `response_url` with response_type in_channel, else chat.postMessage;
- follow-ups: through the ChatPort (channel posts and DMs).
From the App Home tab there is no channel: replies go to the member's DM with the app.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import render
from adapters.slack.chat import SlackChat
from adapters.slack.errors import FAILURES, FAILURES_OR_REFUSED, error_code
from adapters.slack.pacing import retry_handlers
from adapters.slack.translate import Origin
from bot.ids import ChannelRef, MemberRef
from bot.messages import ChannelPost, DirectMessage, Form, Reply, Response, Visibility
from bot.ports import DeliveryError

log = logging.getLogger("adapters.slack")
TOO_SLOW = "Sorry, that took me too long to open. Please try again."
TRIGGER_ERRORS = ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id")


class Responder:
    def __init__(self, chat: SlackChat, client_for: Callable[[str], Awaitable[AsyncWebClient]],
                 retry_jitter: float = 1.0) -> None:
        self._chat = chat
        self._client_for = client_for
        self._jitter = retry_jitter

    async def deliver(self, origin: Origin, response: Response) -> None:
        if response.form is not None:
            await self.open_form(origin, response.form)
        elif response.reply is not None:
            await self.reply(origin, response.reply, response.visibility, response.replace_original)
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
                    replace_original: bool = False) -> None:
        pages = render.messages(reply)
        private = visibility is Visibility.ONLY_YOU or origin.home
        if replace_original and origin.response_url and not origin.home:
            ok = await self._respond(origin.response_url, pages[0], replace_original=True)
            if ok:
                rest = pages[1:]
                kind = "ephemeral" if (origin.ephemeral or private) else "in_channel"
                for page in rest:
                    await self._respond(origin.response_url, page, response_type=kind)
                return
        if replace_original and origin.message() is not None and not origin.ephemeral and not origin.home:
            message = origin.message()
            assert message is not None
            try:
                await self._chat.edit(message, reply)
                return
            except DeliveryError:
                pass  # fall through: show it as a new reply instead
        if origin.home or origin.channel_id is None:
            await self._direct(origin, reply)
            return
        if origin.response_url:
            kind = "ephemeral" if private else "in_channel"
            if await self._respond(origin.response_url, pages[0], response_type=kind, thread_ts=origin.thread_ts):
                for page in pages[1:]:
                    await self._respond(origin.response_url, page, response_type=kind, thread_ts=origin.thread_ts)
                return
        channel = ChannelRef(origin.community, origin.channel_id, origin.thread_ts)
        try:
            if private:
                await self._chat.send_private_notice(channel, MemberRef(origin.community, origin.user_id), reply)
            else:
                await self._chat.send(channel, reply)
            return
        except DeliveryError as exc:
            log.info("slack: replying in %s failed (%s); sending a DM instead", channel.key, exc)
        await self._direct(origin, reply)

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
        try:
            resp = await AsyncWebhookClient(url, retry_handlers=retry_handlers(self._jitter)).send_dict(body)
        except FAILURES as exc:
            log.warning("slack: response_url failed: %s", exc)
            return False
        if resp.status_code != 200:
            log.warning("slack: response_url answered %s %s", resp.status_code, (resp.body or "")[:200])
            return False
        return True
