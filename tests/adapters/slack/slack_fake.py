"""A fake Slack on 127.0.0.1: the Web API, response_url endpoints, file uploads and a Socket Mode websocket.

It keeps state the way Slack does (posted messages per channel with their metadata, DM and group-DM
channels, views, shared files), records every call, and can be told to fail a method (an error body, a
429 with Retry-After, or a dropped connection after the message was stored). Tests wait on the
recorder, never on the clock.

Files follow Slack's external upload: files.getUploadURLExternal hands out an upload URL on this
server, the client POSTs the bytes there (recorded as a "file_upload" call), and
files.completeUploadExternal shares the uploaded files into a channel (`shared_files`).

This folder is tests/adapters/slack, a namespace twin of the real adapters/slack package: with tests/
on sys.path, `import adapters.slack` could find this folder instead of the package. The repo root goes
first on sys.path, and a namespace `adapters` imported earlier (tests/adapters) is replaced by the real one.
Every Slack test module imports this module before anything from `adapters`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
if getattr(sys.modules.get("adapters"), "__file__", "set") is None:  # a namespace package: not ours
    for _name in [n for n in sys.modules if n == "adapters" or n.startswith("adapters.slack")]:
        del sys.modules[_name]

import asyncio  # noqa: E402
import copy  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from aiohttp import WSMsgType, web  # noqa: E402
from slack_bolt.request.async_request import AsyncBoltRequest  # noqa: E402
from slack_bolt.response import BoltResponse  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0STUDY01"
OTHER_TEAM = "T0OTHER01"
BOT_TOKEN = "xoxb-1111-study"
OTHER_TOKEN = "xoxb-2222-other"
APP_TOKEN = "xapp-1-A0STUDYBOT-1234-abcd"
THIRD_TEAM = "T0THIRD01"
THIRD_TOKEN = "xoxb-3333-third"  # what oauth.v2.access hands out
TEAMS = {BOT_TOKEN: TEAM, OTHER_TOKEN: OTHER_TEAM, THIRD_TOKEN: THIRD_TEAM}
BOT_USERS = {TEAM: "U0BOT0001", OTHER_TEAM: "U0BOT0002", THIRD_TEAM: "U0BOT0003"}
CHANNEL = "C0DAILY01"
RESPONSE_URL_LIFETIME_S = 30 * 60
RESPONSE_URL_USES = 5
ADMIN, ALICE, BOB, CAROL = "U0ADMIN01", "U0ALICE01", "U0BOB0001", "U0CAROL01"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# signing and dispatching ----------------------------------------------------------------------
def signed_headers(body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None,
                   retry_num: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = "http_timeout"
    return headers


def command_body(payload: dict[str, Any]) -> tuple[str, str]:
    return urllib.parse.urlencode(payload), "application/x-www-form-urlencoded"


def interaction_body(payload: dict[str, Any]) -> tuple[str, str]:
    return "payload=" + urllib.parse.quote(json.dumps(payload)), "application/x-www-form-urlencoded"


def event_body(payload: dict[str, Any]) -> tuple[str, str]:
    return json.dumps(payload), "application/json"


def body_for(payload: dict[str, Any]) -> tuple[str, str]:
    if "command" in payload:
        return command_body(payload)
    if payload.get("type") in ("block_actions", "view_submission", "view_closed"):
        return interaction_body(payload)
    return event_body(payload)


async def dispatch(app: Any, payload: dict[str, Any], **sign: Any) -> BoltResponse:
    """A signed request through the real AsyncApp's middleware chain and listeners."""
    body, content_type = body_for(payload)
    headers = signed_headers(body, content_type, **sign)
    response: BoltResponse = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    return response


# the fake --------------------------------------------------------------------------------------
@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None

    @property
    def team(self) -> str | None:
        return TEAMS.get(self.token or "")


@dataclass
class Failure:
    error: str | None = None  # an {"ok": false, "error": ...} body
    status: int = 200
    retry_after: int | None = None
    drop: bool = False  # store the message, then cut the connection before answering


@dataclass
class SharedFile:
    """A file files.completeUploadExternal shared: what Slack would show, with its bytes."""

    id: str
    name: str
    title: str
    data: bytes
    channel: str
    thread_ts: str | None = None
    comment: str | None = None
    alt_txt: str | None = None


@dataclass
class Member:
    id: str
    name: str
    real_name: str
    is_admin: bool = False
    is_owner: bool = False
    tz: str = "UTC"
    team: str = TEAM


DEFAULT_MEMBERS = (
    Member(ADMIN, "ada", "Ada Lovelace", is_admin=True, tz="Europe/London"),
    Member(ALICE, "alice", "Alice Liddell", tz="Europe/Berlin"),
    Member(BOB, "bob", "Bob Marley", tz="America/Jamaica"),
    Member(CAROL, "carol", "Carol Shaw", tz="UTC"),
)


@dataclass
class FakeSlack:
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    calls: list[Call] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=lambda: {m.id: m for m in DEFAULT_MEMBERS})
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    delays: dict[str, list[float]] = field(default_factory=dict)  # seconds to hold a method's answer
    acks: list[dict[str, Any]] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    #: uploads begun with files.getUploadURLExternal: file id -> {"filename", "length", "alt_txt", "data"}
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared_files: list[SharedFile] = field(default_factory=list)
    #: conversations opened: channel id -> the users asked for, in order
    conversations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: response_urls handed out (by name): when, and how many posts each took. Slack allows 5 posts
    #: within 30 minutes; past that a post answers 404 `used_url` / `expired_url` and changes nothing.
    issued: dict[str, datetime] = field(default_factory=dict)
    response_uses: dict[str, int] = field(default_factory=dict)
    #: HTTP statuses the next posts to a response_url (by name) answer with instead
    response_failures: dict[str, list[int]] = field(default_factory=dict)
    port: int = 0
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None

    # lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.add_routes([web.route("*", "/api/{method}", self._api), web.post("/response/{name}", self._response),
                        web.post("/upload/{file_id}", self._upload), web.get("/link/", self._socket)])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url as Slack issues one with an interaction (building a payload): fresh, unused."""
        self.issued[name] = self.now()
        self.response_uses[name] = 0
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # assertions --------------------------------------------------------------------------------
    def called(self, method: str, **match: Any) -> list[Call]:
        return [c for c in self.calls if c.method == method
                and all(c.params.get(k) == v for k, v in match.items())]

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _until(self, ready: Callable[[], bool], within: float) -> None:
        assert self._changed is not None

        async def wait() -> None:
            assert self._changed is not None
            async with self._changed:
                await self._changed.wait_for(ready)

        await asyncio.wait_for(wait(), within)

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0, **match: Any) -> list[Call]:
        """The calls to `method` once there are `count` of them (matching `match`)."""
        await self._until(lambda: len(self.called(method, **match)) >= count, within)
        return self.called(method, **match)

    async def wait_acks(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        await self._until(lambda: len(self.acks) >= count, within)
        return self.acks

    async def wait_sockets(self, count: int, within: float = 5.0) -> web.WebSocketResponse:
        await self._until(lambda: len(self.sockets) >= count, within)
        return self.sockets[count - 1]

    def fail(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None,
             drop: bool = False, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend(
            Failure(error, status, retry_after, drop) for _ in range(times))

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are answered only after `seconds` (a slow or busy API)."""
        self.delays.setdefault(method, []).extend(seconds for _ in range(times))

    def fail_response(self, name: str, status: int, times: int = 1) -> None:
        """The next `times` posts to the response_url `name` answer `status` (and change nothing)."""
        self.response_failures.setdefault(name, []).extend(status for _ in range(times))

    def rate_limit(self, method: str, retry_after: int = 0, times: int = 1) -> None:
        self.fail(method, "ratelimited", status=429, retry_after=retry_after, times=times)

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted with chat.postMessage (newest last), optionally in one channel."""
        return [c.params for c in self.called("chat.postMessage")
                if channel is None or c.params.get("channel") == channel]

    def responses(self) -> list[dict[str, Any]]:
        return [c.params for c in self.called("response_url")]

    def files_in(self, channel: str) -> list[SharedFile]:
        return [f for f in self.shared_files if f.channel == channel]

    # file uploads (the URL files.getUploadURLExternal hands out) --------------------------------
    async def _upload(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        data = await request.read()
        self.calls.append(Call("file_upload", {"file_id": file_id, "size": len(data)}, None))
        try:
            pending = self.uploads.get(file_id)
            if pending is None:
                return web.Response(status=404, text="unknown upload")
            if int(pending["length"]) != len(data):
                return web.Response(status=400, text="length mismatch")
            pending["data"] = data
            return web.Response(text=f"OK - {len(data)}")
        finally:
            await self._notify()

    # Socket Mode -------------------------------------------------------------------------------
    async def push(self, envelope: dict[str, Any], socket: int = -1) -> None:
        await self.sockets[socket].send_json(envelope)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json(load("socket_hello.json"))
        await self._notify()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.acks.append(data)
                    await self._notify()
        return ws

    # response_url ------------------------------------------------------------------------------
    async def _response(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        name = request.match_info["name"]
        try:
            issued = self.issued.setdefault(name, self.now())
            uses = self.response_uses[name] = self.response_uses.get(name, 0) + 1
            failing = self.response_failures.get(name)
            if failing:
                status = failing.pop(0)
                self.calls.append(Call("response_url_refused", {**body, "_name": name, "_error": str(status)}, None))
                return web.Response(status=status, text="internal_error")
            if (self.now() - issued).total_seconds() > RESPONSE_URL_LIFETIME_S:
                self.calls.append(Call("response_url_refused", {**body, "_name": name, "_error": "expired_url"}, None))
                return web.Response(status=404, text="expired_url")
            if uses > RESPONSE_URL_USES:
                self.calls.append(Call("response_url_refused", {**body, "_name": name, "_error": "used_url"}, None))
                return web.Response(status=404, text="used_url")
            self.calls.append(Call("response_url", {**body, "_name": name}, None))
            return web.Response(text="ok")
        finally:
            await self._notify()

    # Web API -----------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], str | None]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        token = params.pop("token", None)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer "):]
        for key in ("blocks", "metadata", "view", "files"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params, token

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params, token = await self._params(request)
        self.calls.append(Call(method, params, token))
        try:
            pauses = self.delays.get(method)
            if pauses:
                await asyncio.sleep(pauses.pop(0))
            queue = self.failures.get(method)
            failure = queue.pop(0) if queue else None
            if failure is not None and failure.drop:
                self._answer(method, params, token)  # Slack did it; the answer never arrives
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=502)
            if failure is not None:
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                return web.json_response({"ok": False, "error": failure.error}, status=failure.status,
                                         headers=headers)
            if token not in (*TEAMS, APP_TOKEN) and method != "oauth.v2.access":
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response(self._answer(method, params, token))
        finally:
            await self._notify()

    def _ts(self) -> str:
        return f"{int(self.now().timestamp())}.{next(self._seq):06d}"

    def _answer(self, method: str, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        team = TEAMS.get(token or "", TEAM)
        bot_user = BOT_USERS[team]
        if method == "auth.test":
            body = load("auth_test.json")
            if team != TEAM:
                body.update(team=f"Team {team}", team_id=team, user_id=bot_user, bot_id=f"B{bot_user[1:]}",
                            url=f"https://{team.lower()}.slack.com/")
            return body
        if method == "oauth.v2.access":
            if p.get("code") != "c0de-from-slack":
                return {"ok": False, "error": "invalid_code"}
            body = load("oauth_v2_access.json")
            body.update(access_token=THIRD_TOKEN, bot_user_id=BOT_USERS[THIRD_TEAM])
            return body
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket=t{next(self._seq)}&app_id=A0STUDYBOT"}
        if method == "users.info":
            m = self.members.get(str(p.get("user")))
            if m is None:
                return {"ok": False, "error": "user_not_found"}
            body = load("users_info.json")
            body["user"].update(id=m.id, team_id=m.team, name=m.name, real_name=m.real_name, tz=m.tz,
                                is_admin=m.is_admin, is_owner=m.is_owner)
            body["user"]["profile"].update(display_name=m.name, real_name=m.real_name)
            return body
        if method == "chat.postMessage":
            ts = self._ts()
            msg: dict[str, Any] = {"type": "message", "user": bot_user, "bot_id": "B0STUDYBOT", "ts": ts,
                                   "text": p.get("text", ""), "blocks": copy.deepcopy(p.get("blocks") or []),
                                   "team": team}
            if p.get("thread_ts"):
                msg["thread_ts"] = p["thread_ts"]
            if p.get("metadata"):
                msg["metadata"] = p["metadata"]
            self.messages.setdefault(str(p["channel"]), []).append(msg)
            return {"ok": True, "channel": p["channel"], "ts": ts, "message": msg}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._ts()}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text", "")}
        if method == "chat.delete":
            kept = self.messages.get(str(p.get("channel")), [])
            gone = [m for m in kept if m["ts"] == p.get("ts")]
            if not gone:
                return {"ok": False, "error": "message_not_found"}
            kept.remove(gone[0])
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method == "conversations.open":
            users = tuple(u for u in str(p.get("users") or "").split(",") if u)
            if not users:
                return {"ok": False, "error": "users_list_not_supplied"}
            if len(users) > 8:
                return {"ok": False, "error": "too_many_users"}
            missing = [u for u in users if u not in self.members]
            if missing and len(users) > 1:
                return {"ok": False, "error": "user_not_found"}
            if len(users) == 1:
                channel = {"id": "D" + users[0][1:], "is_im": True}
            else:  # a multi-person DM: the bot and these users
                channel = {"id": "G" + "".join(u[1:4] for u in sorted(users)), "is_mpim": True,
                           "is_private": True}
            self.conversations[channel["id"]] = users
            return {"ok": True, "channel": channel}
        if method == "files.getUploadURLExternal":
            if not p.get("filename") or not str(p.get("length") or "").isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._seq):08d}"
            self.uploads[file_id] = {"filename": p["filename"], "length": int(p["length"]),
                                     "alt_txt": p.get("alt_txt"), "data": None}
            return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            items = p.get("files") or []
            channel = p.get("channel_id") or p.get("channels")
            if any(self.uploads.get(str(f.get("id")), {}).get("data") is None for f in items):
                return {"ok": False, "error": "file_not_found"}
            done = []
            for f in items:
                up = self.uploads.pop(str(f["id"]))
                shared = SharedFile(str(f["id"]), str(up["filename"]), str(f.get("title") or up["filename"]),
                                    up["data"], str(channel or ""), p.get("thread_ts"), p.get("initial_comment"),
                                    up.get("alt_txt"))
                if channel:
                    self.shared_files.append(shared)
                done.append({"id": shared.id, "name": shared.name, "title": shared.title, "size": len(shared.data)})
            if channel:  # Slack shares them as one message from the bot
                msg = {"type": "message", "user": bot_user, "bot_id": "B0STUDYBOT", "ts": self._ts(),
                       "text": p.get("initial_comment") or "", "files": done, "upload": True}
                if p.get("thread_ts"):
                    msg["thread_ts"] = p["thread_ts"]
                self.messages.setdefault(str(channel), []).append(msg)
            return {"ok": True, "files": done}
        if method in ("conversations.history", "conversations.replies"):
            everything = self.messages.get(str(p.get("channel")), [])
            oldest = float(p.get("oldest") or 0)
            if method == "conversations.history":
                chosen = [m for m in everything if "thread_ts" not in m]
            else:
                chosen = [m for m in everything if m.get("thread_ts") == p.get("ts") or m["ts"] == p.get("ts")]
            chosen = [m for m in chosen if float(m["ts"]) >= oldest]
            include = str(p.get("include_all_metadata")).lower() in ("1", "true")
            out = [m if include else {k: v for k, v in m.items() if k != "metadata"} for m in reversed(chosen)]
            return {"ok": True, "messages": out, "has_more": False, "response_metadata": {"next_cursor": ""}}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": f"V{next(self._seq):08d}", **(p.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"}


# payload builders -----------------------------------------------------------------------------
def command(fake: FakeSlack, user: str, command_name: str, text: str = "", *, channel: str = CHANNEL,
            team: str = TEAM, name: str | None = None) -> dict[str, Any]:
    p = load("slash_command.json")
    m = fake.members.get(user)
    p.update(user_id=user, user_name=m.name if m else user.lower(), command=command_name, text=text,
             channel_id=channel, team_id=team, response_url=fake.response_url(name or f"cmd-{user}"),
             trigger_id=f"trig-{next(fake._seq)}")
    return p


def click(fake: FakeSlack, user: str, action: str, *, channel: str = CHANNEL, message_ts: str = "1748854800.000100",
          ephemeral: bool = False, team: str = TEAM, thread_ts: str | None = None,
          name: str | None = None) -> dict[str, Any]:
    p = load("block_actions_button.json")
    m = fake.members.get(user)
    p["user"] = {"id": user, "username": m.name if m else user, "name": m.name if m else user, "team_id": team}
    p["team"] = {"id": team, "domain": "studygroup"}
    p["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
    p["channel"] = {"id": channel, "name": "ml-interview-prep" if channel.startswith("C") else "directmessage"}
    p["message"]["ts"] = message_ts
    if thread_ts:
        p["message"]["thread_ts"] = thread_ts
    p["actions"][0].update(action_id=action, value=action)
    p["response_url"] = fake.response_url(name or f"act-{user}")
    p["trigger_id"] = f"trig-{next(fake._seq)}"
    return p


def pick(fake: FakeSlack, user: str, action: str, values: tuple[str, ...], *, multi: bool = False,
         action_ts: str | None = "1748854901.654321", **kw: Any) -> dict[str, Any]:
    """The block_actions Slack sends when a member picks from a select in a message (`click` for the rest)."""
    p = click(fake, user, action, **kw)
    options = [{"text": {"type": "plain_text", "text": v.title(), "emoji": True}, "value": v} for v in values]
    element: dict[str, Any] = {"type": "multi_static_select" if multi else "static_select", "action_id": action,
                               "block_id": "Sel1",
                               "placeholder": {"type": "plain_text", "text": "Choose…", "emoji": True}}
    if multi:
        element["selected_options"] = options
    else:
        element["selected_option"] = options[0]
    if action_ts is not None:
        element["action_ts"] = action_ts
    p["actions"] = [element]
    p["state"] = {"values": {"Sel1": {action: {k: v for k, v in element.items()
                                                if k in ("type", "selected_option", "selected_options")}}}}
    return p


SELECT_TYPES = ("static_select", "multi_static_select", "checkboxes", "radio_buttons")


def _element_state(element: dict[str, Any], typed: str | None, picked: tuple[str, ...] | None) -> dict[str, Any]:
    kind = element["type"]
    if kind not in SELECT_TYPES:
        return {"type": kind, "value": typed if typed is not None else element.get("initial_value")}
    by_value = {o["value"]: o for o in element.get("options", [])}
    if picked is None:  # the member left the initial choice as it was
        initial = element.get("initial_options") or ([element["initial_option"]] if "initial_option" in element
                                                     else [])
        chosen = [copy.deepcopy(o) for o in initial]
    else:
        unknown = [v for v in picked if v not in by_value]
        assert not unknown, f"Slack offers no option {unknown} in {element['action_id']}"
        chosen = [copy.deepcopy(by_value[v]) for v in picked]
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": chosen[0] if chosen else None}
    limit = element.get("max_selected_items")
    assert limit is None or len(chosen) <= limit, "Slack lets no one pick more than max_selected_items"
    return {"type": kind, "selected_options": chosen}


def submission(opened_view: dict[str, Any], user: str, values: dict[str, str], *, team: str = TEAM,
               picks: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    """The view_submission Slack sends for a view we opened, with the member's input: `values` for text
    inputs, `picks` for selects, multi-selects and checkboxes (left out: as the view opened)."""
    p = load("view_submission.json")
    p["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}
    p["team"] = {"id": team, "domain": "studygroup"}
    view = copy.deepcopy(opened_view)
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            element = block["element"]
            block_id = block["block_id"]
            state[block_id] = {element["action_id"]: _element_state(element, values.get(block_id),
                                                                    (picks or {}).get(block_id))}
    view.update(id="V0MODAL01", team_id=team, state={"values": state}, hash="1748855000.Ef56Gh78",
                app_id="A0STUDYBOT", bot_id="B0STUDYBOT", root_view_id="V0MODAL01", previous_view_id=None)
    p["view"] = view
    return p


def app_event(event: dict[str, Any], event_id: str, *, team: str = TEAM, event_time: int = 1748855200) -> dict[str, Any]:
    """An event_callback envelope around `event`, as the Events API delivers it."""
    return {"token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": team, "api_app_id": "A0STUDYBOT", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": event_time,
            "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": BOT_USERS.get(team, "U0BOT0009"),
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False}


def uninstalled(event_id: str, *, team: str = TEAM) -> dict[str, Any]:
    return app_event({"type": "app_uninstalled", "event_ts": "1748855200.000100"}, event_id, team=team)


def tokens_revoked(event_id: str, *, team: str = TEAM, bot: bool = True, users: tuple[str, ...] = ()
                   ) -> dict[str, Any]:
    tokens: dict[str, list[str]] = {}
    if users:
        tokens["oauth"] = list(users)
    if bot:
        tokens["bot"] = [BOT_USERS.get(team, "U0BOT0009")]
    return app_event({"type": "tokens_revoked", "tokens": tokens, "event_ts": "1748855200.000200"}, event_id,
                     team=team)


def home_opened(user: str, event_id: str, *, team: str = TEAM) -> dict[str, Any]:
    p = load("event_app_home_opened.json")
    p["team_id"] = team
    p["event_id"] = event_id
    p["event"]["user"] = user
    return p
