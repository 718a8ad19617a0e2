"""Bolt listeners: ack first (Slack wants an answer within 3 s), then do the work in the background.

Slash commands and button clicks are acknowledged before the core runs; the answer follows through
`views.open`, `response_url` or the Web API. A view submission is the exception: validation errors
must travel in the ack, so the core gets `ack_budget` seconds (2.5 by default) to answer; past that the
modal is closed and the answer follows as a private message. Events are deduplicated by `event_id`,
so a retry (`x-slack-retry-num` > 0) of an event already handled is acknowledged and nothing else.
After any response that says so (`Response.refresh_home`), the member's App Home is published again.
`app_uninstalled`, and `tokens_revoked` for the bot token, tell the core the community is gone
(`Front.community_removed`) and forget the team's token.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.deliver import Responder
from adapters.slack.errors import FAILURES_OR_REFUSED, error_code
from adapters.slack.translate import (
    Origin,
    choice_event,
    command_event,
    community,
    form_event,
    parse_command,
    request_time,
)
from adapters.slack.workspaces import Directory
from bot.actions import ACTION_ID
from bot.commands import ParsedCommand, UsageError
from bot.events import Actor, Event, HomeOpened
from bot.front import Front
from bot.ids import MemberRef
from bot.messages import Reply, Response, clip
from bot.ports import DeliveryError

log = logging.getLogger("adapters.slack")
T = TypeVar("T")
#: action ids and form ids of the core (bot.actions): `feature:verb[:args]`
ACTION_PATTERN = re.compile(rf"^{ACTION_ID.pattern}$")
MAX_ERROR = 500


class Tasks:
    """Work started after an ack: kept referenced, logged when it fails, awaitable as a whole."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("slack: background work failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Until nothing started here is still running (tests, and a graceful close)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


class RecentIds:
    """Event ids seen in the last `ttl` seconds (at most `capacity` of them)."""

    def __init__(self, capacity: int = 10_000, ttl: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock

    def check_and_add(self, key: str) -> bool:
        """True when the id was seen before; records it either way."""
        now = self._clock()
        while self._seen and (len(self._seen) >= self._capacity or next(iter(self._seen.values())) < now - self._ttl):
            self._seen.popitem(last=False)
        if key in self._seen:
            return True
        self._seen[key] = now
        return False


def retry_num(request: AsyncBoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except (TypeError, ValueError):
        return 0


async def _nothing_to_forget(team_id: str, enterprise_id: str | None) -> None:
    return None


class Handlers:
    def __init__(self, core: Front, directory: Directory, responder: Responder,
                 client_for: Callable[[str], Awaitable[AsyncWebClient]], ack_budget: float = 2.5,
                 forget_team: Callable[[str, str | None], Awaitable[None]] = _nothing_to_forget) -> None:
        self._core = core
        self._forget_team = forget_team
        self._directory = directory
        self._responder = responder
        self._client_for = client_for
        self.ack_budget = ack_budget
        self.tasks = Tasks()
        self.events = RecentIds()
        #: how many events were handled / skipped as duplicates (observability and tests)
        self.handled_events = 0
        self.duplicate_events = 0

    def register(self, app: AsyncApp) -> None:
        app.command(re.compile(r"^/.+"))(self.on_command)
        app.action(ACTION_PATTERN)(self.on_action)
        app.view(ACTION_PATTERN)(self.on_view)
        app.event("app_home_opened")(self.on_home_opened)
        app.event("app_uninstalled")(self.on_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)
        # anything else interactive (an old or foreign id): acknowledged, so Slack shows no error
        app.action(re.compile(".*"))(self.on_unknown)
        app.view(re.compile(".*"))(self.on_unknown)

    async def on_unknown(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        log.info("slack: ignored an interaction of type %s that is not ours", body.get("type"))

    # middleware -------------------------------------------------------------------------------
    async def dedupe(self, body: dict[str, Any], request: AsyncBoltRequest,
                     next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Runs before authorize: a duplicate event is acknowledged and goes no further."""
        if body.get("type") == "event_callback" and body.get("event_id"):
            attempt = retry_num(request)
            event_id = str(body["event_id"])
            if self.events.check_and_add(event_id):
                self.duplicate_events += 1
                log.info("slack: event %s already handled; acknowledging Slack's retry %d (%s) only",
                         event_id, attempt, (request.headers.get("x-slack-retry-reason") or ["-"])[0])
                return BoltResponse(status=200, body="")
            if attempt > 0:
                log.info("slack: Slack retried event %s (attempt %d) that this process has not seen; handling it",
                         event_id, attempt)
        await next()
        return None

    # building events --------------------------------------------------------------------------
    async def _actor(self, origin: Origin) -> Actor:
        info = await self._directory.member(origin.team_id, origin.user_id, origin.user_name)
        return Actor(MemberRef(origin.community, origin.user_id), info.name, info.is_admin, info.timezone)

    async def _handle(self, event: Event) -> Response:
        return await self._core.handle(event)

    async def _deliver(self, origin: Origin, response: Response) -> None:
        await self._responder.deliver(origin, response)
        if response.refresh_home:
            await self.publish_home(origin.team_id, origin.user_id)

    # slash commands ---------------------------------------------------------------------------
    async def on_command(self, ack: AsyncAck, body: dict[str, Any], request: AsyncBoltRequest) -> None:
        origin = Origin.from_command(body)
        try:
            parsed = parse_command(str(body.get("command") or ""), str(body.get("text") or ""),
                                   self._core.catalogue)
        except UsageError as exc:
            await ack(text=render.escape(str(exc)))
            return
        await ack()
        self.tasks.spawn(self._command(origin, parsed, request_time(request.headers)))

    async def _command(self, origin: Origin, parsed: ParsedCommand, at: datetime | None) -> None:
        actor = await self._actor(origin)
        response = await self._handle(command_event(actor, origin, parsed, at))
        await self._deliver(origin, response)

    # buttons and selects ---------------------------------------------------------------------
    async def on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        origin = Origin.from_action(body)
        actions = body.get("actions") or []
        if actions:
            self.tasks.spawn(self._choice(origin, actions[0]))

    async def _choice(self, origin: Origin, action: dict[str, Any]) -> None:
        actor = await self._actor(origin)
        response = await self._handle(choice_event(actor, origin, action))
        await self._deliver(origin, response)

    # modals -----------------------------------------------------------------------------------
    async def on_view(self, ack: AsyncAck, body: dict[str, Any], request: AsyncBoltRequest) -> None:
        origin = Origin.from_view(body)
        view = body.get("view") or {}
        work = self.tasks.spawn(self._submit(origin, view, request_time(request.headers)))
        done, _ = await asyncio.wait({work}, timeout=self.ack_budget)
        if work not in done or work.exception() is not None:
            await ack()
            self.tasks.spawn(self._answer_late(origin, work))
            return
        response = work.result()
        inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
        errors = {k: clip(v, MAX_ERROR) for k, v in response.form_errors.items() if k in inputs}
        if errors or response.form is not None:
            if errors:
                await ack(response_action="errors", errors=errors)
            else:
                assert response.form is not None
                await ack(response_action="update", view=render.modal(response.form, origin.private_metadata()))
            if response.refresh_home:
                self.tasks.spawn(self.publish_home(origin.team_id, origin.user_id))
            return
        await ack()
        self.tasks.spawn(self._deliver(origin, response))

    async def _submit(self, origin: Origin, view: dict[str, Any], at: datetime | None) -> Response:
        actor = await self._actor(origin)
        return await self._handle(form_event(actor, origin, view, at))

    async def _answer_late(self, origin: Origin, work: asyncio.Task[Response]) -> None:
        try:
            response = await work
        except Exception:
            log.exception("slack: a form submission failed")
            response = Response.private("Something went wrong on my side; please try again.")
        if response.form is not None:
            response = Response(reply=Reply(text="Please open the form again."), refresh_home=response.refresh_home)
        if response.form_errors and response.reply is None:
            listing = "\n".join(f"- {k}: {v}" for k, v in response.form_errors.items())
            response = Response(reply=Reply(text=f"Not saved:\n{listing}"), refresh_home=response.refresh_home)
        await self._deliver(origin, response)

    # App Home ---------------------------------------------------------------------------------
    async def on_home_opened(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        self.handled_events += 1
        if event.get("tab", "home") != "home":
            return
        team = str(body.get("team_id") or "")
        self.tasks.spawn(self.publish_home(team, str(event.get("user"))))

    # the app leaves a workspace --------------------------------------------------------------------
    async def on_uninstalled(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self.handled_events += 1
        self.tasks.spawn(self._removed(body, "app_uninstalled"))

    async def on_tokens_revoked(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        self.handled_events += 1
        tokens = event.get("tokens") or {}
        if not tokens.get("bot"):  # only user tokens (we keep none): the bot still works there
            log.info("slack: user tokens revoked in team %s; the bot token is unaffected", body.get("team_id"))
            return
        self.tasks.spawn(self._removed(body, "tokens_revoked"))

    async def _removed(self, body: dict[str, Any], why: str) -> None:
        auths = body.get("authorizations") or [{}]
        team = str(body.get("team_id") or auths[0].get("team_id") or "")
        enterprise = body.get("enterprise_id") or auths[0].get("enterprise_id") or None
        if not team:
            log.warning("slack: %s without a team id (an org-wide install?); nothing to remove", why)
            return
        log.info("slack: %s for team %s: removing the community and forgetting its token", why, team)
        try:
            await self._core.community_removed(community(team).key)
        finally:
            await self._forget_team(team, enterprise)

    async def publish_home(self, team_id: str, user_id: str) -> None:
        """The member's App Home: the core draws it (HomeOpened, through handle() like every event)."""
        info = await self._directory.member(team_id, user_id, user_id)
        actor = Actor(MemberRef(community(team_id), user_id), info.name, info.is_admin, info.timezone)
        reply = (await self._handle(HomeOpened(actor))).reply
        if reply is None:
            return
        try:
            client = await self._client_for(team_id)
            await client.views_publish(user_id=user_id, view=render.home_view(reply))
        except FAILURES_OR_REFUSED as exc:
            code = exc.problem.value if isinstance(exc, DeliveryError) else error_code(exc)
            log.warning("slack: views.publish for %s/%s failed: %s", team_id, user_id, code)

