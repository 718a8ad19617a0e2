"""Workspaces: one process serves several Slack teams, each its own community.

A team's bot token comes from an installation store (OAuth distribution: any slack_sdk
`AsyncInstallationStore`) or, for the team it belongs to, from SLACK_BOT_TOKEN. `Workspaces` is also
bolt's `authorize`, so inbound requests and outbound posts resolve tokens the same way. `Directory`
answers who a member is (display name, workspace admin or owner, timezone) from `users.info`, cached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import FAILURES, FAILURES_OR_REFUSED, delivery_error, error_code
from adapters.slack.pacing import retry_handlers
from bot.ports import DeliveryError, DeliveryProblem

log = logging.getLogger("adapters.slack")
DEFAULT_API_URL = "https://slack.com/api/"
MEMBER_TTL_S = 600.0
FAILED_LOOKUP_TTL_S = 60.0
FIRST_LOOKUP_BUDGET_S = 0.8  # of the 3 s a trigger id lives, for a member never seen before


def api_url(configured: str | None) -> str:
    """SLACK_API_URL (GovSlack, a proxy, tests) with the trailing slash slack_sdk requires."""
    url = (configured or DEFAULT_API_URL).strip()
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True, slots=True)
class Workspace:
    team_id: str
    token: str
    bot_user_id: str | None = None
    bot_id: str | None = None
    enterprise_id: str | None = None
    name: str | None = None


class Workspaces(AsyncAuthorize):
    def __init__(self, default_token: str | None, base_url: str,
                 installation_store: AsyncInstallationStore | None = None, retry_jitter: float = 1.0) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.base_url = base_url
        self._default_token = default_token
        self._default: Workspace | None = None
        self._default_lock = asyncio.Lock()
        self._store = installation_store
        self._cache: dict[str, Workspace] = {}
        self._clients: dict[str | None, AsyncWebClient] = {}
        self._jitter = retry_jitter
        #: teams that uninstalled the app or revoked its token: SLACK_BOT_TOKEN no longer serves them
        self._removed: set[str] = set()

    def client(self, token: str | None = None) -> AsyncWebClient:
        """A Web API client for a token, at the configured base URL, retrying 429s only."""
        client = self._clients.get(token)
        if client is None:
            client = AsyncWebClient(token=token, base_url=self.base_url, retry_handlers=retry_handlers(self._jitter),
                                    logger=logging.getLogger("adapters.slack.web"))
            self._clients[token] = client
        return client

    async def default(self) -> Workspace | None:
        """The team SLACK_BOT_TOKEN belongs to (auth.test, once)."""
        if self._default is not None or not self._default_token:
            return self._default
        async with self._default_lock:
            if self._default is None:
                resp = await self.client(self._default_token).auth_test()
                self._default = Workspace(str(resp["team_id"]), self._default_token, resp.get("user_id"),
                                          resp.get("bot_id"), resp.get("enterprise_id"), resp.get("team"))
                log.info("slack: the bot token belongs to team %s (%s)", self._default.team_id, self._default.name)
        return self._default

    async def find(self, team_id: str | None, enterprise_id: str | None = None) -> Workspace | None:
        if team_id and team_id in self._cache:
            return self._cache[team_id]
        if self._store is not None:
            bot = await self._store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if bot is not None and bot.bot_token:
                found = Workspace(str(bot.team_id or team_id), bot.bot_token, bot.bot_user_id, bot.bot_id,
                                  bot.enterprise_id, bot.team_name)
                self._cache[found.team_id] = found
                self._removed.discard(found.team_id)  # installed again
                return found
        default = await self.default()
        if default is not None and default.team_id not in self._removed and (team_id is None
                                                                              or default.team_id == team_id):
            self._cache[default.team_id] = default
            return default
        return None

    def forget(self, team_id: str) -> None:
        """Drop a team's cached token (after invalid_auth / token_revoked): the next call looks again."""
        self._cache.pop(team_id, None)

    async def remove(self, team_id: str, enterprise_id: str | None = None) -> None:
        """The app was uninstalled from this team or its bot token revoked: forget the token for good
        (the installation store's rows too). A new OAuth installation brings the team back."""
        self._cache.pop(team_id, None)
        self._removed.add(team_id)
        if self._store is None:
            return
        try:
            await self._store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        except NotImplementedError:
            try:
                await self._store.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
            except NotImplementedError:
                log.warning("slack: the installation store cannot delete team %s's token", team_id)
        except Exception:
            log.exception("slack: deleting team %s from the installation store failed", team_id)

    async def client_for(self, team_id: str) -> AsyncWebClient:
        try:
            ws = await self.find(team_id)
        except FAILURES as exc:
            raise delivery_error(exc, "auth.test", team_id) from exc
        if ws is None:
            log.error("slack: no installation for team %s; install the app there", team_id)
            raise DeliveryError(DeliveryProblem.AUTH, f"slack: no installation for team {team_id}")
        return self.client(ws.token)

    async def __call__(  # bolt's authorize
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        ws = await self.find(team_id, enterprise_id)
        if ws is None:
            log.error("slack: a request from team %s, where no installation is known", team_id)
            return None
        return AuthorizeResult(enterprise_id=ws.enterprise_id, team_id=ws.team_id, team=ws.name,
                               bot_user_id=ws.bot_user_id, bot_id=ws.bot_id, bot_token=ws.token,
                               user_id=user_id)


@dataclass(frozen=True, slots=True)
class MemberInfo:
    name: str
    is_admin: bool
    timezone: str | None


class Directory:
    """Who a member is, from users.info (needs users:read), cached.

    Nothing slow may run before a modal opens (a trigger id lives 3 s): a member seen before is answered
    from the cache at once, even when the entry is stale, and refreshed in the background; a member seen
    for the first time waits at most `first_lookup_budget` seconds for users.info, then is answered with
    what the request itself says (their name, and admin only when configured) while the lookup finishes.
    """

    def __init__(self, workspaces: Workspaces, admin_users: tuple[str, ...] = (), ttl: float = MEMBER_TTL_S,
                 clock: Any = time.monotonic, first_lookup_budget: float = FIRST_LOOKUP_BUDGET_S) -> None:
        self._workspaces = workspaces
        self._admins = set(admin_users)
        self.ttl = ttl
        self._clock = clock
        self._budget = first_lookup_budget
        self._cache: dict[tuple[str, str], tuple[float, MemberInfo]] = {}
        self._lookups: dict[tuple[str, str], asyncio.Task[MemberInfo]] = {}

    async def member(self, team_id: str, user_id: str, fallback_name: str) -> MemberInfo:
        key = (team_id, user_id)
        hit = self._cache.get(key)
        if hit is not None:
            if hit[0] <= self._clock():
                self._lookup(team_id, user_id, fallback_name)  # refresh behind the answer
            return hit[1]
        task = self._lookup(team_id, user_id, fallback_name)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._budget)
        except TimeoutError:
            log.warning("slack: users.info for %s/%s is slow; answering with what the request says",
                        team_id, user_id)
            return MemberInfo(fallback_name or user_id, user_id in self._admins, None)

    def _lookup(self, team_id: str, user_id: str, fallback_name: str) -> asyncio.Task[MemberInfo]:
        key = (team_id, user_id)
        task = self._lookups.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(team_id, user_id, fallback_name))
            self._lookups[key] = task
            task.add_done_callback(lambda _: self._lookups.pop(key, None))
        return task

    async def _fetch(self, team_id: str, user_id: str, fallback_name: str) -> MemberInfo:
        key = (team_id, user_id)
        configured_admin = user_id in self._admins
        try:
            client = await self._workspaces.client_for(team_id)
            user = (await client.users_info(user=user_id)).get("user") or {}
        except FAILURES_OR_REFUSED as exc:
            log.warning("slack: users.info for %s/%s failed (%s); treating them as a member",
                        team_id, user_id, error_code(exc))
            stale = self._cache.get(key)
            fallback = stale[1] if stale else MemberInfo(fallback_name or user_id, configured_admin, None)
            self._cache[key] = (self._clock() + FAILED_LOOKUP_TTL_S, fallback)  # do not hammer a failing API
            return fallback
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name") or fallback_name or user_id)
        admin = configured_admin or any(bool(user.get(k)) for k in ("is_admin", "is_owner", "is_primary_owner"))
        info = MemberInfo(str(name), admin, user.get("tz") or None)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (self._clock() + self.ttl, info)
        return info

    async def close(self) -> None:
        for task in list(self._lookups.values()):
            task.cancel()
        await asyncio.gather(*self._lookups.values(), return_exceptions=True)
