"""A fake Discord on 127.0.0.1: the REST API studybot uses and a gateway, both from fixture payloads.

The bot under test runs discord.py for real against it: HELLO -> IDENTIFY -> READY -> GUILD_CREATE, then
the test pushes INTERACTION_CREATE events and waits on what the bot calls back over REST. Messages,
threads and DM channels are kept, so history, thread reuse and nonce de-duplication behave as Discord's.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import mimetypes
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

FIXTURES = Path(__file__).parent / "fixtures"
DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL = 1 << 6
LOADING = 1 << 7
HAS_THREAD = 1 << 5
NONCE_WINDOW_S = 300
Json = dict[str, Any]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # exactly `application/json`: with a charset suffix discord.py would hand the body over as text
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


@dataclass(frozen=True)
class Upload:
    """One file of a multipart request (`files[n]`), as Discord receives it."""

    index: int
    filename: str
    data: bytes
    content_type: str


@dataclass
class Call:
    """One REST request the bot made, and what the fake answered. A multipart request's JSON is its
    `payload_json` field, its files are in `files`."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    status: int = 0
    response: Any = None
    files: list[Upload] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.status != 0

    def matches(self, method: str, pattern: str) -> bool:
        return self.method == method and re.fullmatch(pattern, self.path) is not None


@dataclass
class Fault:
    method: str
    pattern: str
    status: int
    body: Json
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FakeDiscord:
    def __init__(self) -> None:
        self.bot_user: Json = fixture("rest_users_me")
        self.application: Json = fixture("rest_application_me")
        self.guild: Json = fixture("gateway_guild_create")["d"]
        self.members: dict[str, Json] = fixture("members")
        self.app_id = self.application["id"]
        self.guild_id = self.guild["id"]
        self.channel_id = self.guild["channels"][0]["id"]
        self.calls: list[Call] = []
        self.identifies: list[Json] = []
        self.faults: list[Fault] = []
        self.closed_dms: set[str] = set()
        self.messages: dict[str, list[Json]] = defaultdict(list)  # channel id -> messages, oldest first
        self.threads: dict[str, Json] = {}  # thread id -> thread channel
        self.thread_members: dict[str, list[str]] = defaultdict(list)  # thread id -> user ids added
        self.dms: dict[str, Json] = {}  # user id -> DM channel
        self.interactions: dict[str, Json] = {}  # token -> the INTERACTION_CREATE payload
        self.originals: dict[str, Json] = {}  # token -> the interaction's original response message
        self.followups: dict[str, dict[str, Json]] = defaultdict(dict)  # token -> follow-up messages by id
        #: interaction tokens past their 15 minutes: webhook calls with them answer 401 (code 50027)
        self.expired_tokens: set[str] = set()
        self.commands: dict[str, list[Json]] = {}  # "global" or guild id -> registered commands
        self.sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._last_snowflake = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.files: dict[str, bytes] = {}
        self.cdn_requests: list[str] = []
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._application),
            ("GET", re.compile(r"/gateway(?:/bot)?"), self._gateway_info),
            ("PUT", re.compile(r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands"), self._commands),
            ("POST", re.compile(r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback"), self._callback),
            ("POST", re.compile(r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"), self._followup),
            ("PATCH", re.compile(r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)"),
             self._edit_webhook_message),
            ("DELETE", re.compile(r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)"),
             self._delete_webhook_message),
            ("POST", re.compile(r"/channels/(?P<cid>\d+)/messages"), self._create_message),
            ("GET", re.compile(r"/channels/(?P<cid>\d+)/messages"), self._history),
            ("PATCH", re.compile(r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)"), self._edit_message),
            ("DELETE", re.compile(r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)"), self._delete_message),
            ("POST", re.compile(r"/channels/(?P<cid>\d+)/threads"), self._start_private_thread),
            ("PUT", re.compile(r"/channels/(?P<tid>\d+)/thread-members/(?P<uid>\d+)"), self._add_thread_member),
            ("POST", re.compile(r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/threads"), self._start_thread),
            ("POST", re.compile(r"/users/@me/channels"), self._open_dm),
            ("GET", re.compile(r"/guilds/(?P<gid>\d+)/threads/active"), self._active_threads),
        ]

    # lifecycle ------------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{tail:.*}", self._cdn)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _cdn(self, request: web.Request) -> web.Response:
        """Attachment downloads (cdn.discordapp.com in production)."""
        self.cdn_requests.append(request.path)
        data = self.files.get(request.path)
        return web.Response(body=data) if data is not None else web.Response(status=404)

    def attach(self, filename: str, data: bytes) -> Json:
        """Host a file as Discord's CDN would, and return its resolved-attachment object."""
        aid = self.snowflake()
        path = f"/attachments/{self.channel_id}/{aid}/{filename}"
        self.files[path] = data
        url = f"http://127.0.0.1:{self.port}{path}?ex=6a0b0c0d&is=6a09ba8d&hm=00"
        return {"id": aid, "filename": filename, "size": len(data), "url": url, "proxy_url": url,
                "content_type": "application/x-yaml; charset=utf-8", "ephemeral": True}

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ids and objects ------------------------------------------------------------------------
    def snowflake(self) -> str:
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._ids) & 0x3FFFFF)
        self._last_snowflake = value = max(value, self._last_snowflake + 1)
        return str(value)

    def user(self, user_id: str) -> Json:
        for m in self.members.values():
            if m["user"]["id"] == user_id:
                return copy.deepcopy(m["user"])
        return {"id": user_id, "username": f"user{user_id[-4:]}", "global_name": None, "discriminator": "0",
                "avatar": None, "public_flags": 0}

    def _known_channel(self, cid: str) -> bool:
        return (any(c["id"] == cid for c in self.guild["channels"]) or cid in self.threads
                or any(d["id"] == cid for d in self.dms.values()))

    def _components(self, components: list[Json]) -> list[Json]:
        """Discord numbers every component of a stored message."""
        counter = itertools.count(1)

        def number(items: list[Json]) -> list[Json]:
            out = []
            for item in items:
                item = {**item, "id": item.get("id") or next(counter)}
                if "components" in item:
                    item["components"] = number(item["components"])
                out.append(item)
            return out

        return number(copy.deepcopy(components))

    def _attachments(self, channel_id: str, data: Json, uploads: list[Upload],
                     existing: list[Json] | None = None) -> list[Json]:
        """A message's attachments as Discord keeps them: each `attachments` entry of the request is an
        attachment the message already has (by its id) or an upload (by its `files[n]` index), which the
        fake then hosts on its CDN."""
        kept = {str(a["id"]): a for a in existing or []}
        by_index = {u.index: u for u in uploads}
        entries = data.get("attachments")
        if entries is None:
            entries = [{"id": u.index, "filename": u.filename} for u in uploads]
        out: list[Json] = []
        for entry in entries:
            if str(entry.get("id")) in kept:
                out.append(kept[str(entry["id"])])
                continue
            upload = by_index.get(int(entry.get("id", -1)))
            if upload is None:
                continue
            aid = self.snowflake()
            path = f"/attachments/{channel_id}/{aid}/{upload.filename}"
            self.files[path] = upload.data
            url = f"http://127.0.0.1:{self.port}{path}"
            filename = entry.get("filename") or upload.filename
            attachment = {"id": aid, "filename": filename, "size": len(upload.data), "url": url, "proxy_url": url}
            # Discord types an attachment by its file name, not by the part's Content-Type (which discord.py
            # always sends as application/octet-stream); an unknown extension gets no content_type
            guessed = mimetypes.guess_type(filename, strict=False)[0]
            if guessed:
                attachment["content_type"] = guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")
            if entry.get("description"):
                attachment["description"] = entry["description"]
            out.append(attachment)
        return out

    def _message(self, channel_id: str, data: Json, *, nonce: str | None = None,
                 interaction: Json | None = None, uploads: list[Upload] | None = None) -> Json:
        message: Json = {
            "type": 0, "content": data.get("content") or "", "mentions": [], "mention_roles": [],
            "attachments": self._attachments(channel_id, data, uploads or []), "embeds": [{"type": "rich", "content_scan_version": 0, **e}
                                          for e in data.get("embeds") or []],
            "timestamp": _now_iso(), "edited_timestamp": None, "flags": data.get("flags") or 0,
            "components": self._components(data.get("components") or []), "id": self.snowflake(),
            "channel_id": channel_id, "author": copy.deepcopy(self.bot_user), "pinned": False,
            "mention_everyone": False, "tts": False,
        }
        if nonce is not None:
            message["nonce"] = nonce
        if interaction is not None:
            who = interaction.get("member", {}).get("user") or interaction.get("user")
            message.update({
                "type": 20 if interaction["type"] == 2 else 0, "webhook_id": self.app_id,
                "application_id": self.app_id,
                "interaction_metadata": {"id": interaction["id"], "type": interaction["type"], "user": who,
                                         "authorizing_integration_owners": {"0": self.guild_id}},
            })
        return message

    def _apply_edit(self, message: Json, data: Json, uploads: list[Upload] | None = None) -> Json:
        if "attachments" in data or uploads:
            message["attachments"] = self._attachments(message["channel_id"], data, uploads or [],
                                                       message.get("attachments"))
        if "content" in data:
            message["content"] = data["content"] or ""
        if "embeds" in data:
            message["embeds"] = [{"type": "rich", "content_scan_version": 0, **e} for e in data["embeds"] or []]
        if "components" in data:
            message["components"] = self._components(data["components"] or [])
        message["flags"] = message.get("flags", 0) & ~LOADING
        message["edited_timestamp"] = _now_iso()
        for stored in self.messages.get(message["channel_id"], []):
            if stored["id"] == message["id"]:
                stored.update(copy.deepcopy(message))
        return message

    def find_message(self, message_id: str) -> Json | None:
        for messages in self.messages.values():
            for m in messages:
                if m["id"] == message_id:
                    return m
        for m in self.originals.values():
            if m["id"] == message_id:
                return m
        return None

    # test controls --------------------------------------------------------------------------
    def fail(self, method: str, pattern: str, status: int, error: str, *, times: int = 1,
             headers: dict[str, str] | None = None, **override: Any) -> None:
        """The next `times` calls matching get this error (a fixture body, e.g. error_50013_...)."""
        body = {**fixture(error), **override}
        self.faults.append(Fault(method, pattern, status, body, headers or {}, times))

    def expire(self, payload: Json) -> None:
        """This interaction's token is past its 15 minutes: editing or following up with it is refused."""
        self.expired_tokens.add(payload["token"])

    def mark(self) -> int:
        return len(self.calls)

    def calls_matching(self, method: str, pattern: str, after: int = 0) -> list[Call]:
        return [c for c in self.calls[after:] if c.done and c.matches(method, pattern)]

    async def wait_for(self, predicate: Callable[[Call], bool], *, after: int = 0, within: float = 5.0) -> Call:
        async def find() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls[after:]:
                        if call.done and predicate(call):
                            return call
                    await self._changed.wait()

        return await asyncio.wait_for(find(), within)

    async def wait_call(self, method: str, pattern: str, *, after: int = 0, within: float = 5.0) -> Call:
        return await self.wait_for(lambda c: c.matches(method, pattern), after=after, within=within)

    async def callback(self, payload: Json, *, within: float = 5.0) -> Call:
        """The bot's first response to this interaction."""
        return await self.wait_call("POST", rf"/interactions/{payload['id']}/{re.escape(payload['token'])}/callback",
                                    within=within)

    def register(self, payload: Json) -> None:
        self.interactions[payload["token"]] = payload

    async def dispatch(self, event: str, data: Json) -> None:
        """A gateway DISPATCH (op 0) to every connected bot."""
        if event == "INTERACTION_CREATE":
            self.register(data)
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        for ws in list(self.sockets):
            if not ws.closed:
                await ws.send_str(json.dumps(frame))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # gateway --------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps(fixture("gateway_hello")))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == 1:  # heartbeat
                    await ws.send_str(json.dumps({"op": 11, "s": None, "t": None, "d": None}))
                elif frame["op"] == 2:  # identify
                    self.identifies.append(frame["d"])
                    shard_id, shard_count = frame["d"].get("shard", [0, 1])
                    ours = (int(self.guild_id) >> 22) % shard_count == shard_id  # Discord's shard formula
                    ready = fixture("gateway_ready")
                    ready["s"] = next(self._seq)
                    ready["d"]["resume_gateway_url"] = self.gateway_url
                    ready["d"]["shard"] = [shard_id, shard_count]
                    ready["d"]["guilds"] = ready["d"]["guilds"] if ours else []
                    await ws.send_str(json.dumps(ready))
                    if ours:
                        guild = {"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": copy.deepcopy(self.guild)}
                        await ws.send_str(json.dumps(guild))
                elif frame["op"] == 6:  # resume: not kept, start over
                    await ws.send_str(json.dumps({"op": 9, "s": None, "t": None, "d": False}))
                await self._notify()
        finally:
            self.sockets.remove(ws)
        return ws

    # REST -----------------------------------------------------------------------------------
    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
        """JSON, or multipart/form-data as discord.py sends files: `payload_json` plus `files[n]`."""
        if not request.can_read_body:
            return None, []
        if not request.content_type.startswith("multipart/"):
            return await request.json(), []
        body: Any = None
        uploads: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            elif part.name and (m := re.fullmatch(r"files\[(\d+)\]", part.name)):
                data = bytes(await part.read())
                uploads.append(Upload(int(m.group(1)), part.filename or "", data,
                                      part.headers.get("Content-Type", "")))
        return body, uploads

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        body, uploads = await self._read_body(request)
        call = Call(request.method, "/" + request.match_info["tail"], dict(request.query), body, files=uploads)
        self.calls.append(call)
        try:
            fault = next((f for f in self.faults if call.matches(f.method, f.pattern)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                call.status, call.response = fault.status, fault.body
                headers = dict(fault.headers)
                if fault.status == 429:  # what Discord's edge adds; discord.py wants `Via` to trust the 429
                    headers.setdefault("Via", "1.1 google")
                    headers.setdefault("Retry-After", str(max(1, int(fault.body.get("retry_after", 1)))))
                    headers.setdefault("X-RateLimit-Scope", "user")
                return json_response(fault.body, fault.status, headers)
            for method, pattern, handler in self._routes:
                m = pattern.fullmatch(call.path)
                if method == call.method and m:
                    status, data = handler(call, **{k: v for k, v in m.groupdict().items() if v is not None})
                    call.status, call.response = status, data
                    if status == 204 or data is None:
                        return web.Response(status=204)
                    return json_response(data, status)
            call.status = 404
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        finally:
            await self._notify()

    def _me(self, call: Call) -> tuple[int, Any]:
        return 200, self.bot_user

    def _application(self, call: Call) -> tuple[int, Any]:
        return 200, self.application

    def _gateway_info(self, call: Call) -> tuple[int, Any]:
        info = fixture("rest_gateway_bot")
        info["url"] = self.gateway_url
        return 200, info if call.path.endswith("/bot") else {"url": self.gateway_url}

    def _commands(self, call: Call, app: str, guild: str | None = None) -> tuple[int, Any]:
        registered = [{**c, "id": self.snowflake(), "application_id": app, "version": self.snowflake(),
                       **({"guild_id": guild} if guild else {})} for c in call.body]
        self.commands[guild or "global"] = registered
        return 200, registered

    def _callback(self, call: Call, iid: str, token: str) -> tuple[int, Any]:
        interaction = self.interactions.get(token)
        if interaction is None:
            return 404, fixture("error_10062_unknown_interaction")
        kind, data = call.body["type"], call.body.get("data") or {}
        channel_id = interaction["channel_id"]
        message: Json | None = None
        if kind == 4:  # CHANNEL_MESSAGE_WITH_SOURCE
            message = self._message(channel_id, data, interaction=interaction, uploads=call.files)
            if not message["flags"] & EPHEMERAL:
                self.messages[channel_id].append(copy.deepcopy(message))
        elif kind == 5:  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: "studybot is thinking..."
            message = self._message(channel_id, {"flags": (data.get("flags") or 0) | LOADING}, interaction=interaction)
        elif kind in (6, 7):  # DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE: the message the button was on
            source = interaction.get("message")
            if source is None:
                return 400, {"message": "Interaction has no message", "code": 40060}
            message = copy.deepcopy(self.find_message(source["id"]) or source)
            if kind == 7:
                self._apply_edit(message, data, call.files)
        if message is not None:
            self.originals[token] = message
        if "with_response" not in call.query:
            return 204, None
        result: Json = {"interaction": {
            "id": iid, "type": interaction["type"], "activity_instance_id": None,
            "response_message_id": message["id"] if message else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL)}}
        if message is not None:
            result["resource"] = {"type": kind, "message": message}
        else:
            result["resource"] = {"type": kind}
        return 200, result

    def _followup(self, call: Call, app: str, token: str) -> tuple[int, Any]:
        if token in self.expired_tokens:
            return 401, fixture("error_50027_invalid_webhook_token")
        interaction = self.interactions.get(token)
        if interaction is None:
            return 404, fixture("error_10062_unknown_interaction")
        message = self._message(interaction["channel_id"], call.body, interaction=interaction, uploads=call.files)
        if not message["flags"] & EPHEMERAL:
            self.messages[interaction["channel_id"]].append(copy.deepcopy(message))
        self.followups[token][message["id"]] = message
        return (200, message) if call.query.get("wait") in ("1", "true", "True") else (204, message)  # 204 keeps it for tests

    def _webhook_message(self, token: str, mid: str) -> Json | None:
        """`@original` or a message id: the original response, or one of the token's follow-ups."""
        original = self.originals.get(token)
        if mid == "@original" or (original is not None and original["id"] == mid):
            return original
        return self.followups.get(token, {}).get(mid)

    def _edit_webhook_message(self, call: Call, app: str, token: str, mid: str) -> tuple[int, Any]:
        if token in self.expired_tokens:
            return 401, fixture("error_50027_invalid_webhook_token")
        message = self._webhook_message(token, mid)
        if message is None:
            return 404, fixture("error_10008_unknown_message")
        return 200, self._apply_edit(message, call.body, call.files)

    def _delete_webhook_message(self, call: Call, app: str, token: str, mid: str) -> tuple[int, Any]:
        if token in self.expired_tokens:
            return 401, fixture("error_50027_invalid_webhook_token")
        if mid != "@original" and mid in self.followups.get(token, {}):
            del self.followups[token][mid]
            return 204, None
        if self.originals.pop(token, None) is None:
            return 404, fixture("error_10008_unknown_message")
        return 204, None

    def _create_message(self, call: Call, cid: str) -> tuple[int, Any]:
        if not self._known_channel(cid):
            return 404, fixture("error_10003_unknown_channel")
        recipient = next((uid for uid, dm in self.dms.items() if dm["id"] == cid), None)
        if recipient is not None and recipient in self.closed_dms:
            return 403, fixture("error_50007_cannot_dm")
        nonce = call.body.get("nonce")
        if nonce is not None and call.body.get("enforce_nonce"):
            horizon = ((int(time.time() * 1000) - NONCE_WINDOW_S * 1000 - DISCORD_EPOCH_MS) << 22)
            for earlier in self.messages[cid]:
                if earlier.get("nonce") == nonce and int(earlier["id"]) >= horizon:
                    return 200, earlier
        message = self._message(cid, call.body, nonce=nonce, uploads=call.files)
        self.messages[cid].append(message)
        return 200, message

    def _history(self, call: Call, cid: str) -> tuple[int, Any]:
        if not self._known_channel(cid):
            return 404, fixture("error_10003_unknown_channel")
        limit = int(call.query.get("limit", 50))
        found = list(reversed(self.messages[cid]))
        if "before" in call.query:
            found = [m for m in found if int(m["id"]) < int(call.query["before"])]
        if "after" in call.query:
            found = [m for m in found if int(m["id"]) > int(call.query["after"])]
        # Discord does not return nonces when reading history
        return 200, [{k: v for k, v in m.items() if k != "nonce"} for m in found[:limit]]

    def _edit_message(self, call: Call, cid: str, mid: str) -> tuple[int, Any]:
        for message in self.messages.get(cid, []):
            if message["id"] == mid:
                return 200, self._apply_edit(message, call.body, call.files)
        return 404, fixture("error_10008_unknown_message")

    def _delete_message(self, call: Call, cid: str, mid: str) -> tuple[int, Any]:
        messages = self.messages.get(cid, [])
        for index, message in enumerate(messages):
            if message["id"] == mid:
                del messages[index]
                return 204, None
        return 404, fixture("error_10008_unknown_message")

    def _start_private_thread(self, call: Call, cid: str) -> tuple[int, Any]:
        """A thread without a starter message (POST /channels/{id}/threads): type 12 is private."""
        if not any(c["id"] == cid for c in self.guild["channels"]):
            return 404, fixture("error_10003_unknown_channel")
        now = _now_iso()
        tid = self.snowflake()
        thread = {
            "id": tid, "guild_id": self.guild_id, "parent_id": cid, "owner_id": self.bot_user["id"],
            "type": call.body["type"], "name": call.body["name"], "last_message_id": None, "message_count": 0,
            "member_count": 1, "rate_limit_per_user": 0, "flags": 0, "total_message_sent": 0,
            "thread_metadata": {"archived": False, "archive_timestamp": now, "locked": False,
                                "auto_archive_duration": call.body.get("auto_archive_duration", 1440),
                                "invitable": call.body.get("invitable", True), "create_timestamp": now},
            "member": {"id": tid, "user_id": self.bot_user["id"], "join_timestamp": now, "flags": 1},
        }
        self.threads[tid] = thread
        return 201, thread

    def _add_thread_member(self, call: Call, tid: str, uid: str) -> tuple[int, Any]:
        if tid not in self.threads:
            return 404, fixture("error_10003_unknown_channel")
        if uid not in self.thread_members[tid]:
            self.thread_members[tid].append(uid)
            self.threads[tid]["member_count"] += 1
        return 204, None

    def _start_thread(self, call: Call, cid: str, mid: str) -> tuple[int, Any]:
        message = next((m for m in self.messages.get(cid, []) if m["id"] == mid), None)
        if message is None:
            return 404, fixture("error_10008_unknown_message")
        if mid in self.threads:
            return 400, fixture("error_160004_thread_exists")
        now = _now_iso()
        thread = {
            "id": mid, "guild_id": self.guild_id, "parent_id": cid, "owner_id": self.bot_user["id"], "type": 11,
            "name": call.body["name"], "last_message_id": None, "message_count": 0, "member_count": 1,
            "rate_limit_per_user": 0, "flags": 0, "total_message_sent": 0,
            "thread_metadata": {"archived": False, "archive_timestamp": now,
                                "auto_archive_duration": call.body.get("auto_archive_duration", 1440),
                                "locked": False, "create_timestamp": now},
            "member": {"id": mid, "user_id": self.bot_user["id"], "join_timestamp": now, "flags": 1},
        }
        self.threads[mid] = thread
        message["flags"] = message.get("flags", 0) | HAS_THREAD
        message["thread"] = thread
        return 201, thread

    def _active_threads(self, call: Call, gid: str) -> tuple[int, Any]:
        """GET /guilds/{id}/threads/active: the guild's threads that are not archived (public and private)."""
        if gid != self.guild_id:
            return 404, {"message": "Unknown Guild", "code": 10004}
        threads = [t for t in self.threads.values() if not t["thread_metadata"]["archived"]]
        return 200, {"threads": threads, "members": []}

    def _open_dm(self, call: Call) -> tuple[int, Any]:
        user_id = str(call.body["recipient_id"])
        if user_id not in self.dms:
            self.dms[user_id] = {"id": self.snowflake(), "type": 1, "last_message_id": None, "flags": 0,
                                 "recipients": [self.user(user_id)]}
        return 200, self.dms[user_id]


# interaction payloads from the fixtures --------------------------------------------------------
class Payloads:
    """INTERACTION_CREATE payloads shaped like Discord's, from the fixture files, each with a fresh id
    and token, acted by one of the fixture members (ada: Manage Server; bo: member; cy: has the
    "Study Admin" role)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def _fresh(self, name: str, who: str | None) -> Json:
        payload: Json = fixture(name)
        payload["id"] = self.fake.snowflake()
        payload["token"] = f"aW50ZXJhY3Rpb246{payload['id']}OnRva2Vu"
        if who is not None and "member" in payload:
            payload["member"] = copy.deepcopy(self.fake.members[who])
        return payload

    def member_id(self, who: str) -> str:
        return str(self.fake.members[who]["user"]["id"])

    def command(self, name: str, who: str | None = None) -> Json:
        return self._fresh(f"interaction_command_{name}", who)

    def slash(self, name: str, options: list[Json] | None = None, who: str = "bo",
              subcommand: str | None = None) -> Json:
        """A CHAT_INPUT interaction for any catalogue command (shaped like the fixtures)."""
        payload = self._fresh("interaction_command_studybot_help", who)
        opts = options or []
        payload["data"] = {"id": "1379000000000000099", "name": name, "type": 1, "guild_id": self.fake.guild_id,
                           "options": [{"name": subcommand, "type": 1, "options": opts}] if subcommand else opts}
        return payload

    def button(self, message: Json, custom_id: str, who: str = "bo") -> Json:
        payload = self._fresh("interaction_button", who)
        payload["data"] = {"component_type": 2, "custom_id": custom_id, "id": 2}
        payload["message"] = copy.deepcopy(message)
        payload["channel_id"] = message["channel_id"]
        payload["channel"]["id"] = message["channel_id"]
        return payload

    def select(self, message: Json, custom_id: str, values: list[str], who: str = "bo") -> Json:
        """A string select's pick (MESSAGE_COMPONENT, component_type 3) on a posted message."""
        payload = self.button(message, custom_id, who)
        payload["data"] = {"component_type": 3, "custom_id": custom_id, "values": list(values), "id": 2}
        return payload

    def dm_button(self, message: Json, custom_id: str) -> Json:
        payload = self._fresh("interaction_button_dm", None)
        payload["data"] = {"component_type": 2, "custom_id": custom_id, "id": 2}
        payload["message"] = copy.deepcopy(message)
        payload["channel_id"] = payload["channel"]["id"] = message["channel_id"]
        return payload

    def modal_submit(self, custom_id: str, values: dict[str, str], who: str = "bo",
                     message: Json | None = None, selections: dict[str, list[str]] | None = None) -> Json:
        """A MODAL_SUBMIT: text inputs (type 4) and string selects (type 3), each in a label (type 18)."""
        payload = self._fresh("interaction_modal_setup", who)
        inputs: list[Json] = [{"type": 4, "custom_id": k, "value": v} for k, v in values.items()]
        inputs += [{"type": 3, "custom_id": k, "values": list(v)} for k, v in (selections or {}).items()]
        payload["data"] = {"custom_id": custom_id, "components": [
            {"type": 18, "id": 2 * i + 1, "component": {**c, "id": 2 * i + 2}} for i, c in enumerate(inputs)]}
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        return payload


def inject(client: Any, payload: Json) -> None:
    """The fast path: hand a raw INTERACTION_CREATE to discord.py's state, as the gateway would.
    Private discord.py names live here only."""
    client._connection.parse_interaction_create(payload)


def cache_guild(client: Any, guild: Json) -> None:
    """Make the fixture guild (roles, channels) known without a gateway, as GUILD_CREATE would."""
    client._connection._add_guild_from_data(copy.deepcopy(guild))
