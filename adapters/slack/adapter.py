"""SlackAdapter: the bolt AsyncApp wired to the core, over Socket Mode or HTTP.

Socket Mode when SLACK_APP_TOKEN is set (no public URL needed); otherwise HTTP mode at `/slack/events`
on STUDYBOT_SLACK_PORT, verified with SLACK_SIGNING_SECRET. SLACK_API_URL points the Web API elsewhere
(GovSlack, a proxy, tests).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack.chat import SlackChat
from adapters.slack.deliver import Responder
from adapters.slack.errors import FAILURES, HINTS, error_code
from adapters.slack.gate import Refused, check_request, log_refusal
from adapters.slack.listeners import Handlers
from adapters.slack.oauth import oauth_settings
from adapters.slack.pacing import ChannelPacer
from adapters.slack.private import PrivateReplies
from adapters.slack.workspaces import Directory, Workspaces, api_url
from bot.config import Config
from bot.front import Front
from bot.ids import Platform

log = logging.getLogger("adapters.slack")
EVENTS_PATH = "/slack/events"
NOT_INSTALLED = ("studybot is not installed in this workspace, or its token was revoked. "
                 "A workspace admin can reinstall the app.")


class _TokenFromEnvironment(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN itself and warns that our client wins; it should: tokens come per team."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


BOLT_LOG = logging.getLogger("adapters.slack.bolt")
BOLT_LOG.addFilter(_TokenFromEnvironment())


class SlackStartError(RuntimeError):
    """Slack refused to let us in (a token problem an operator must fix)."""


class SlackAdapter:
    def __init__(self, core: Front, config: Config, *, installation_store: AsyncInstallationStore | None = None,
                 host: str = "0.0.0.0", pace_seconds: float = 1.0, retry_jitter: float = 1.0,
                 ack_budget: float = 2.5, ping_interval: float = 10.0, connect_timeout: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        settings = oauth_settings(config, installation_store)
        if settings is not None:
            installation_store = settings.installation_store
        if not config.slack_bot_token and installation_store is None:
            raise ValueError("the Slack adapter needs SLACK_BOT_TOKEN (or an installation store)")
        self.core = core
        self.config = config
        self.host = host
        self.port: int | None = None
        self.ready = asyncio.Event()
        self.workspaces = Workspaces(config.slack_bot_token, api_url(config.slack_api_url), installation_store,
                                     retry_jitter)
        # `monotonic` times the response_urls of only-you replies the core may edit (tests move it)
        self.chat = SlackChat(self.workspaces, ChannelPacer(pace_seconds), PrivateReplies(clock=monotonic),
                              retry_jitter)
        self.responder = Responder(self.chat, self.workspaces.client_for, retry_jitter)
        self.directory = Directory(self.workspaces, config.slack_admin_users)
        self.handlers = Handlers(core, self.directory, self.responder, self.workspaces.client_for, ack_budget,
                                 self._team_removed)
        self.app = AsyncApp(
            name="studybot",
            signing_secret=config.slack_signing_secret or "",
            client=self.workspaces.client(None),
            authorize=cast(Any, self.workspaces),  # an AsyncAuthorize: bolt uses it as is
            before_authorize=self.handlers.dedupe,
            user_facing_authorize_error_message=NOT_INSTALLED,
            oauth_settings=settings,
            process_before_response=True,  # our listeners ack at once and hand slow work to tasks
            logger=BOLT_LOG,
        )
        self.handlers.register(self.app)
        self._ping_interval = ping_interval
        self._connect_timeout = connect_timeout
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        core.chat.register(Platform.SLACK, self.chat)

    async def _team_removed(self, team_id: str, enterprise_id: str | None) -> None:
        await self.workspaces.remove(team_id, enterprise_id)
        self.chat.forget_team(team_id)

    @property
    def socket_mode(self) -> bool:
        return bool(self.config.slack_app_token)

    # HTTP mode ----------------------------------------------------------------------------------
    def web_app(self) -> web.Application:
        """`POST /slack/events` into bolt (signature checked there) and `GET /healthz`."""

        async def events(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            headers = {k.lower(): v for k, v in request.headers.items()}
            try:
                check_request(raw, headers, request.content_type, self.config.slack_signing_secret or "")
            except Refused as refused:
                log_refusal(refused, request.remote)
                return web.Response(status=refused.status, text=refused.reason)
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        async def health(_: web.Request) -> web.StreamResponse:
            return web.Response(text="ok")

        application = web.Application()
        application.add_routes([web.post(EVENTS_PATH, events), web.get("/healthz", health)])
        flow = self.app.oauth_flow
        if flow is not None:  # OAuth distribution: other workspaces install the app here

            async def install(request: web.Request) -> web.StreamResponse:
                return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

            async def redirect(request: web.Request) -> web.StreamResponse:
                return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

            application.add_routes([web.get(flow.install_path, install), web.get(flow.redirect_uri_path, redirect)])
        return application

    # lifecycle ----------------------------------------------------------------------------------
    async def _check_bot_token(self) -> None:
        if not self.config.slack_bot_token:
            return
        try:
            ws = await self.workspaces.default()
        except FAILURES as exc:
            code = error_code(exc)
            hint = HINTS.get(code, "check SLACK_BOT_TOKEN and SLACK_API_URL")
            raise SlackStartError(f"Slack refused the bot token: {code} ({hint})") from exc
        if ws is not None:
            log.info("slack: serving team %s as bot %s", ws.team_id, ws.bot_user_id)

    async def connect(self) -> None:
        """Register the ChatPort and connect (Socket Mode) or listen (HTTP); returns once ready."""
        self.core.chat.register(Platform.SLACK, self.chat)
        await self._check_bot_token()
        if self.socket_mode:
            await self._connect_socket_mode()
        elif self.config.slack_signing_secret:
            await self._listen_http()
        else:
            raise SlackStartError("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
        self.ready.set()

    async def _connect_socket_mode(self) -> None:
        assert self.config.slack_app_token
        handler = AsyncSocketModeHandler(self.app, self.config.slack_app_token, web_client=self.workspaces.client(None),
                                         ping_interval=self._ping_interval)
        self._socket = handler
        try:
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except FAILURES as exc:
            code = error_code(exc)
            raise SlackStartError(f"Slack refused the app-level token (SLACK_APP_TOKEN): {code}; create one "
                                  "with the connections:write scope under Basic Information") from exc
        try:
            await asyncio.wait_for(handler.connect_async(),  # type: ignore[no-untyped-call]
                                   timeout=self._connect_timeout)
        except TimeoutError as exc:
            raise SlackStartError("could not open the Socket Mode connection to Slack") from exc
        log.info("slack: connected over Socket Mode")

    async def _listen_http(self) -> None:
        runner = web.AppRunner(self.web_app(), access_log=None)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.config.slack_port)
        await site.start()
        address: Any = runner.addresses[0]
        self.port = int(address[1])
        log.info("slack: HTTP mode, listening on %s:%d%s", self.host, self.port, EVENTS_PATH)

    async def wait_ready(self) -> None:
        """Until connected (Socket Mode) or listening (HTTP)."""
        await self.ready.wait()

    async def start(self) -> None:
        """Connect, then run until cancelled."""
        try:
            await self.connect()
            await asyncio.Event().wait()
        finally:
            await self.close()

    async def idle(self) -> None:
        """Until all work started by inbound requests has finished."""
        await self.handlers.tasks.idle()

    async def close(self) -> None:
        self.ready.clear()
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        try:
            await asyncio.wait_for(self.idle(), timeout=5.0)
        except TimeoutError:
            log.warning("slack: cancelling work still running at close")
        await self.handlers.tasks.cancel()
        await self.directory.close()
