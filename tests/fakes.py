"""The fakes every core test uses: an in-memory chat, a scheduler fired by hand, a small bank."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.bootstrap import Core, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import Bank, item_json, packed_row
from bot.content.item import Item
from bot.content.schema import validate_item
from bot.events import Actor, ChoiceSelected, CommandInvoked, Event, FormSubmitted, OptionValue
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Reply, Response, Visibility
from bot.ports import DeliveryError, DeliveryProblem, JobCallback
from bot.process import ProcessId
from bot.registry import FeatureSpec
from bot.services import Services

COMMUNITY = CommunityRef(Platform.CONSOLE, "guild1")
CHANNEL = ChannelRef(COMMUNITY, "general")


@dataclass
class Sent:
    kind: str  # "channel", "dm", "notice"
    where: str
    reply: Reply
    ref: MessageRef | None = None


@dataclass
class FakeChat:
    """Records what the core sends; `fail_next` makes the next channel sends raise a DeliveryError."""

    sent: list[Sent] = field(default_factory=list)
    edits: list[tuple[MessageRef, Reply]] = field(default_factory=list)
    threads: list[MessageRef] = field(default_factory=list)
    fail_next: list[DeliveryError] = field(default_factory=list)
    closed_dms: set[str] = field(default_factory=set)
    #: the platform can show one member a message in a channel (Slack ephemeral); Discord cannot
    private_notices: bool = True
    deleted: list[MessageRef] = field(default_factory=list)
    spaces: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the name each private space was opened with (space key -> name), for find_private_space
    space_names: dict[str, str] = field(default_factory=dict)
    gone_members: set[str] = field(default_factory=set)
    #: simulate a crash after the platform accepted the message but before we recorded it
    crash_after_send: bool = False
    #: only-you replies the platform still lets us edit, by "community key/private key" (see remember_private)
    private_replies: dict[str, Reply] = field(default_factory=dict)
    #: what edit_private changed: (community key/private key, the new reply)
    private_edits: list[tuple[str, Reply]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        self._maybe_fail()
        ref = MessageRef(destination, f"m{next(self._ids)}")
        self.sent.append(Sent("channel", destination.key, reply, ref))
        if self.crash_after_send:
            self.crash_after_send = False
            raise RuntimeError("process died right after sending")
        return ref

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        if member.id in self.gone_members:
            raise DeliveryError(DeliveryProblem.MEMBER_GONE)
        if member.id in self.closed_dms:
            raise DeliveryError(DeliveryProblem.DM_CLOSED)
        ref = MessageRef(ChannelRef(member.community, f"dm-{member.id}"), f"m{next(self._ids)}")
        self.sent.append(Sent("dm", member.id, reply, ref))
        return ref

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        if not self.private_notices:  # like Discord outside an interaction: no message for one member only
            raise DeliveryError(DeliveryProblem.NOT_PRIVATE)
        self.sent.append(Sent("notice", f"{channel.key}@{member.id}", reply))

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        self.edits.append((message, reply))

    async def delete(self, message: MessageRef) -> None:
        self.deleted.append(message)

    # only-you replies edited later (Response.private_key) --------------------------------------------
    def remember_private(self, community: CommunityRef, key: str, reply: Reply) -> None:
        """What an adapter does when it delivers an only-you reply carrying `private_key` (Harness does it)."""
        self.private_replies[f"{community.key}/{key}"] = reply

    def forget_private(self, key: str | None = None, community: CommunityRef = COMMUNITY) -> None:
        """The platform no longer allows the edit (expired, used up, the process restarted): one key, or all."""
        if key is None:
            self.private_replies.clear()
        else:
            self.private_replies.pop(f"{community.key}/{key}", None)

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        where = f"{community.key}/{key}"
        if where not in self.private_replies:
            return False
        self.private_replies[where] = reply
        self.private_edits.append((where, reply))
        return True

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        space = ChannelRef(channel.community, f"space-{next(self._ids)}")
        self.spaces[space.key] = tuple(m.id for m in members)
        self.space_names[space.key] = name
        return space

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        """Like Discord: a space opened before under exactly this name (its members added again)."""
        for key, opened in self.space_names.items():
            if opened == name:
                self.spaces[key] = tuple(dict.fromkeys((*self.spaces.get(key, ()), *(m.id for m in members))))
                return ChannelRef.from_key(channel.community, key)
        return None

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        self.threads.append(message)
        return message.channel.in_thread(message.id)

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        for s in self.sent:
            if s.kind == "channel" and s.where == destination.key and s.reply.idempotency_key == idempotency_key:
                return s.ref
        return None

    async def member_exists(self, member: MemberRef) -> bool | None:
        return member.id not in self.gone_members and not member.id.startswith("nosuch")

    def channel_posts(self, where: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.kind == "channel" and (where is None or s.where == where)]

    def titled(self, prefix: str) -> list[Sent]:
        return [s for s in self.sent if (s.reply.title or "").startswith(prefix)]

    def dms(self, member: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == "dm" and s.where == member]


@dataclass
class FakeScheduler:
    """Keeps the jobs; a test moves the clock and fires what is due. No real time passes."""

    jobs: dict[str, tuple[datetime, JobCallback]] = field(default_factory=dict)

    def schedule(self, job_id: str, run_at: datetime, callback: JobCallback) -> None:
        self.jobs[job_id] = (run_at, callback)

    def cancel(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def next_run(self) -> datetime | None:
        return min((at for at, _ in self.jobs.values()), default=None)

    async def fire_due(self, now: datetime) -> int:
        fired = 0
        for job_id, (at, cb) in sorted(self.jobs.items(), key=lambda kv: kv[1][0]):
            if at <= now and self.jobs.get(job_id, (None,))[0] == at:
                del self.jobs[job_id]
                await cb()
                fired += 1
        return fired


def make_item(n: int, domain: str = "ml-algorithms", difficulty: str = "medium", hint: bool = True) -> Item:
    words = " ".join(f"word{n}x{i}" for i in range(90))
    return validate_item({
        "id": f"t-{domain}-{n:03d}", "domain": domain, "subtopic": "testing", "kind": "open",
        "difficulty": difficulty, "tags": ["test"],
        "prompt": f"Question number {n} about {domain}: explain the idea {n} carefully?",
        "hint": f"hint for {n}" if hint else None,
        "key_points": [f"point A{n}", f"point B{n}", f"point C{n}"],
        "model_answer": f"Model answer {n}. {words}",
        "follow_ups": [f"follow up {n}"],
    })


def packed(items: Iterable[Item]) -> Bank:
    """A bank of these items kept as the shared bank keeps them in production: compressed, made on `get`."""
    return Bank.packed(packed_row(item_json(it)) for it in items)


def small_bank() -> Bank:
    """24 open items in three topics, packed as the shared bank is in production (bot.content.bank)."""
    domains = ["ml-algorithms", "deep-learning", "math-stats"]
    diffs = ["easy", "medium", "medium", "hard"]
    return packed(make_item(i, domains[i % 3], diffs[i % 4]) for i in range(24))


class Harness:
    """A core built through the real composition root with fakes, plus helpers to act as members."""

    def __init__(self, core: Core, chat: FakeChat, clock: ManualClock, scheduler: FakeScheduler) -> None:
        self.core = core
        self.chat = chat
        self.clock = clock
        self.scheduler = scheduler

    @classmethod
    async def create(cls, start: datetime, db: str = ":memory:", bank: Bank | None = None,
                     chat: FakeChat | None = None, config: Config | None = None,
                     process: ProcessId | None = None,
                     features: Iterable[Callable[[Services], FeatureSpec]] | None = None) -> Harness:
        chat = chat or FakeChat()
        router = ChatRouter()
        router.register(Platform.CONSOLE, chat)
        clock = ManualClock(start)
        scheduler = FakeScheduler()
        core = await build_core(config or Config(db=db), clock=clock, scheduler=scheduler,
                                bank=bank or small_bank(), chat=router, process=process, features=features)
        return cls(core, chat, clock, scheduler)

    async def handle(self, event: Event) -> Response:
        """The core's answer, delivered as an adapter would: an only-you reply with a `private_key` is
        remembered in FakeChat, so edit_private can change it later."""
        response = await self.core.bot.handle(event)
        await self.core.registry.settle()  # what the answer set off in other features (signals), done
        if response.private_key and response.reply is not None and response.visibility is Visibility.ONLY_YOU:
            self.chat.remember_private(event.actor.community, response.private_key, response.reply)
        return response

    def actor(self, name: str, admin: bool = False) -> Actor:
        return Actor(MemberRef(COMMUNITY, name), name.title(), is_admin=admin)

    async def command(self, who: str, name: str, sub: str | None = None, admin: bool = False,
                      channel: ChannelRef = CHANNEL, can_open_form: bool = True,
                      **options: OptionValue) -> Response:
        return await self.handle(CommandInvoked(self.actor(who, admin), channel, name, options, sub,
                                                can_open_form))

    async def click(self, who: str, action: str, admin: bool = False) -> Response:
        return await self.handle(ChoiceSelected(self.actor(who, admin), CHANNEL, action))

    async def submit(self, who: str, form_id: str, admin: bool = False, **values: str) -> Response:
        return await self.handle(FormSubmitted(self.actor(who, admin), CHANNEL, form_id, values))

    async def setup(self, **values: str) -> Response:
        form = (await self.command("admin", "studybot", "setup", admin=True)).form
        assert form is not None
        defaults = {f.id: f.default or "" for f in form.fields}
        defaults.update(values)
        return await self.submit("admin", form.form_id, admin=True, **defaults)

    async def run_until(self, when: datetime) -> None:
        """Advance the clock job by job up to `when`, firing each due job at its own time."""
        while (nxt := self.scheduler.next_run()) is not None and nxt <= when:
            self.clock.set(max(nxt, self.clock.now()))
            await self.scheduler.fire_due(self.clock.now())
        self.clock.set(when)
        await self.scheduler.fire_due(when)

    async def answer(self, who: str, text: str) -> Response:
        resp = await self.command(who, "daily")
        assert resp.form is not None, resp
        return await self.submit(who, resp.form.form_id, answer=text)

    async def close(self) -> None:
        await self.core.close()
