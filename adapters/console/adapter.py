"""The console adapter: a local community on stdin/stdout, for trying studybot without any tokens.

Buttons become numbered choices (type the number), forms are asked field by field, "only you" replies
are marked (and a button's edit is labelled by who sees the message it was on), `/as <name>` switches the
acting member and `/clock +1d` moves time forward. It reads lines from any async source, so
`studybot run < script.txt` and `studybot demo` drive it the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import itertools
import math
import re
import sqlite3
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from adapters.console.render import render_form_intro, render_markup, render_reply
from adapters.expiring import ExpiringMap
from adapters.files import upload_name
from bot import commands
from bot.bootstrap import Core
from bot.events import Actor, Attachment, ChoiceSelected, CommandInvoked, Event, FormSubmitted
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import (
    ChannelPost,
    DirectMessage,
    FileOut,
    Form,
    FormField,
    Reply,
    Response,
    Select,
    SelectOption,
    Visibility,
)
from bot.scheduler import ClockScheduler

COMMUNITY = CommunityRef(Platform.CONSOLE, "local")
CHANNEL = ChannelRef(COMMUNITY, "general")
CONSOLE_HELP = """Console commands:
  /as <name>        act as another member (the first user is the admin)
  /clock +1d        move time forward (d, h or m), running everything that falls due on the way
  /time             show the current (console) time
  <number>          press the button with that number
  /quit             leave (or Ctrl-D)
Everything else is a studybot command: /studybot help lists them."""
CONSOLE_COMMANDS = ("as", "clock", "time", "help", "quit", "exit")
PRIVATE_REPLIES = 1_000  # only-you replies kept for editing
BUTTONS_KEPT = 5_000  # numbered buttons remembered in the database (the oldest are forgotten)
ClockMoved = Callable[[timedelta], None]
#: the console's own table: each numbered button, so its number still presses it after a restart. It holds
#: action ids (row ids only) and where the message was, never a member's name or id.
BUTTON_MIGRATIONS = ("""
    CREATE TABLE console_buttons (
        number    INTEGER PRIMARY KEY,
        action    TEXT NOT NULL,
        is_select INTEGER NOT NULL,
        channel   TEXT,
        message   TEXT,
        shared    INTEGER NOT NULL
    );
    """,)


@dataclass(frozen=True, slots=True)
class Shown:
    """Where a message with buttons was shown, so the edit a click makes is labelled by who sees it: on
    Discord and Slack `replace_original` edits that message, seen by its audience whatever the reply's
    visibility (a pair's private space: both of them; an only-you reply: the member alone)."""

    place: str  # "#general", "#private-ab12cd34 for @ann, @bob", "only bob"
    shared: bool  # seen by everyone in its place (a channel, thread or space message), not an only-you reply
    channel: ChannelRef | None = None  # the channel it is in (None: the console's #general)
    message: MessageRef | None = None

    def edited(self) -> str:
        return f"[{self.place}, edited]" if self.shared else f"[{self.place}] (updated)"

    def in_channel(self) -> ChannelRef | None:
        """The channel whose members all see it (a click comes from there; a restart keeps it): None for a
        DM or an only-you reply."""
        return self.channel if self.shared else None


Show = Callable[[str, Reply, Shown | None], Awaitable[None]]


def local_file(path_text: str) -> Attachment:
    """The console "attaches" a file by path: `/studybot pack add file:team.yaml`. OSError if it is not there."""
    path = Path(path_text).expanduser()
    size = path.stat().st_size

    async def read() -> bytes:
        return await asyncio.to_thread(path.read_bytes)

    return Attachment(path.name, size, read)


class MovableClock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, delta: timedelta) -> None: ...


async def stdin_lines(prompt: Callable[[], str] | None = None) -> AsyncIterator[str]:
    """Lines typed on stdin. On a terminal: a prompt, line editing and history (readline).

    The blocking reads run on a daemon thread of their own, not the loop's executor: asyncio.run waits
    for executor threads at exit, so Ctrl-C or SIGTERM would otherwise hang until Enter is pressed.
    """
    interactive = prompt is not None and sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 (importing it gives input() editing and history)
    loop = asyncio.get_running_loop()
    while True:
        answer: asyncio.Future[str | None] = loop.create_future()

        def read(done: asyncio.Future[str | None] = answer) -> None:
            try:
                if interactive:
                    assert prompt is not None
                    got: str | None = input(prompt())
                else:
                    raw = sys.stdin.readline()
                    got = raw.rstrip("\n") if raw else None
            except (EOFError, OSError, ValueError):
                got = None
            def settle() -> None:
                if not done.done():
                    done.set_result(got)

            with contextlib.suppress(RuntimeError):  # the loop may be gone already
                loop.call_soon_threadsafe(settle)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        line = await answer
        if line is None:
            return
        yield line


async def list_lines(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


class ConsoleChat:
    """The ChatPort: prints what the core sends on its own, and remembers it for reconciliation."""

    def __init__(self, show: Show, write: Callable[[str], None] = print) -> None:
        self._show = show
        self._write_line = write
        self._ids = itertools.count(1)
        self._keys: dict[tuple[str, str], MessageRef] = {}
        #: private spaces opened by this process, by (channel, name): what find_private_space finds
        self._spaces: dict[tuple[str, str], ChannelRef] = {}
        #: who each of those spaces is for, by space id: the label of what is shown there
        self._space_members: dict[str, str] = {}
        #: only-you replies the core may edit (Response.private_key): the place they were shown under.
        #: The console has no time limit; the map is bounded, and forgotten when the process ends.
        self._private: ExpiringMap[str] = ExpiringMap(PRIVATE_REPLIES)

    def remember_private(self, community: CommunityRef, key: str, place: str) -> None:
        self._private.put(f"{community.key}/{key}", place, math.inf)

    def new_message(self, where: ChannelRef) -> MessageRef:
        return MessageRef(where, f"m{next(self._ids)}")

    def _remember(self, where: ChannelRef, reply: Reply) -> MessageRef:
        ref = self.new_message(where)
        if reply.idempotency_key:
            self._keys[(where.key, reply.idempotency_key)] = ref
        return ref

    def place(self, channel: ChannelRef) -> str:
        """How a channel is named on the console; a private space with the members it is for."""
        where = f"#{channel.id}" + (f" › thread {channel.thread_id}" if channel.thread_id else "")
        members = self._space_members.get(channel.id)
        return f"{where} for {members}" if members else where

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        ref = self._remember(destination, reply)
        place = self.place(destination)
        await self._show(f"[{place}]", reply, Shown(place, True, destination, ref))
        return ref

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        ref = self._remember(ChannelRef(member.community, f"dm-{member.id}"), reply)
        await self._show(f"[DM to {member.id}]", reply, Shown(f"DM to {member.id}", True, None, ref))
        return ref

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        place = f"#{channel.id}, only {member.id}"
        await self._show(f"[{place}]", reply, Shown(place, False, channel))

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        place = self.place(message.channel)
        await self._show(f"[{place}, edited]", reply, Shown(place, True, message.channel, message))

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """The updated only-you block, printed again under its label marked as edited."""
        place = self._private.get(f"{community.key}/{key}")
        if place is None:
            return False
        await self._show(f"[{place}] (edited)", reply, Shown(place, False))
        return True

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        return message.channel.in_thread(message.id)

    async def delete(self, message: MessageRef) -> None:
        self._write_line(f"[#{message.channel.id}, message {message.id} deleted]")

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        # a name no earlier run used: ids restart with the process, and a space's id must never be reused
        space = f"private-{uuid.uuid4().hex[:8]}"
        who = ", ".join("@" + m.id for m in members)
        self._write_line(f"[private space {space} '{name}' for {who}]")
        self._spaces[(channel.key, name)] = ref = ChannelRef(channel.community, space)
        self._space_members[space] = who
        return ref

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        """A space this process opened under that name (the console's spaces end with the process)."""
        return self._spaces.get((channel.key, name))

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        return self._keys.get((destination.key, idempotency_key))

    async def member_exists(self, member: MemberRef) -> bool | None:
        return False  # console members are whoever has typed here: the core's own records know them


class ConsoleAdapter:
    def __init__(self, core: Core, clock: MovableClock, scheduler: ClockScheduler, lines: AsyncIterator[str],
                 write: Callable[[str], None], user: str = "you", echo: bool = False, styles: bool = False,
                 reader_zone: ZoneInfo | None = None, on_clock_moved: ClockMoved | None = None,
                 files_dir: Path | None = None) -> None:
        self._core = core
        self._clock = clock
        self._scheduler = scheduler
        self._lines = lines
        self._write = write
        self._admin = user.casefold()
        self._member = self._admin
        self._echo = echo
        self._names: dict[str, str] = {self._admin: user}
        self._choices: dict[int, tuple[str, Shown | None]] = {}
        self._selects: dict[int, tuple[Select, Shown | None]] = {}
        self._files_dir = files_dir or Path("studybot-files")
        self._last_number = 0  # the last button number shown, by this run or (see _open_buttons) an earlier one
        self._reader_zone = reader_zone or ZoneInfo("UTC")  # the terminal's own zone, as platforms show times
        self._zone = self._reader_zone
        self._styles = styles
        self._on_clock_moved = on_clock_moved
        self._pushed_back: str | None = None
        self.chat = ConsoleChat(self._show, write)

    # output ---------------------------------------------------------------------------------
    def _render(self, text: str) -> str:
        return render_markup(text, lambda mid: self._names.get(mid, mid), self._zone, self._clock.now(),
                             self._styles)

    def prompt(self) -> str:
        """Who is acting, shown before each typed line."""
        who = self._names.get(self._member, self._member)
        return f"{who}{' (admin)' if self._member == self._admin else ''}> "

    def _number(self) -> int:
        self._last_number += 1
        return self._last_number

    async def _show(self, prefix: str, reply: Reply, shown: Shown | None = None) -> None:
        numbers = [self._number() for _ in reply.choices]
        rows: list[tuple[int, str, bool]] = []
        for n, choice in zip(numbers, reply.choices, strict=True):
            self._choices[n] = (choice.action, shown)
            rows.append((n, choice.action, False))
        lines = [f"{prefix} {render_reply(reply, numbers, self._render)}"]
        for select in reply.selects:  # a dropdown: its number, then the options picked (`7 1,3`)
            n = self._number()
            self._selects[n] = (select, shown)
            rows.append((n, select.action, True))
            listing = _listing(select.options)
            many = f"pick {select.min_values}-{select.max_values}" if select.max_values > 1 else "pick one"
            lines.append(f"  [{n}] {select.placeholder} ({many}: type {n} and the option numbers): {listing}")
        for file in reply.files:  # file I/O off the event loop
            lines.append(f"  (file: {await asyncio.to_thread(self._save_file, file)})")
        self._write("\n".join(lines))
        if rows:
            await self._keep_buttons(rows, shown)

    # numbered buttons that outlive the process ------------------------------------------------
    async def _open_buttons(self) -> None:
        """The console's button table; numbering goes on after the last number an earlier run showed.
        Before the chat is registered: nothing is shown (numbered, kept) until then."""
        await self._core.db.migrate_feature("console", BUTTON_MIGRATIONS)

        def last(c: sqlite3.Connection) -> int:
            return int(c.execute("SELECT COALESCE(MAX(number), 0) FROM console_buttons").fetchone()[0])

        self._last_number = await self._core.db.read(last)

    async def _keep_buttons(self, rows: list[tuple[int, str, bool]], shown: Shown | None) -> None:
        # only places that name no member: a shared channel's key and message; a DM or only-you is not kept
        channel = shown.in_channel() if shown else None
        message = shown.message.key if shown and channel and shown.message else None
        kept = [(n, action, int(is_select), channel.key if channel else None, message, int(channel is not None))
                for n, action, is_select in rows]

        def w(c: sqlite3.Connection) -> None:
            # a portable upsert (not SQLite's INSERT OR REPLACE): the store may be PostgreSQL next
            c.executemany("INSERT INTO console_buttons (number, action, is_select, channel, message, shared) "
                          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET action = excluded.action, "
                          "is_select = excluded.is_select, channel = excluded.channel, "
                          "message = excluded.message, shared = excluded.shared", kept)
            c.execute("DELETE FROM console_buttons WHERE number <= ?", (rows[-1][0] - BUTTONS_KEPT,))

        await self._core.db.write(w)

    async def _button(self, number: int) -> tuple[str, Shown | None, bool] | None:
        """(action, where it was shown, is a dropdown) for a number this run or an earlier one showed."""
        if not 0 < number <= self._last_number:  # never shown (and no database read, however long the number)
            return None
        if number in self._choices:
            action, shown = self._choices[number]
            return action, shown, False
        if number in self._selects:
            return self._selects[number][0].action, self._selects[number][1], True

        def q(c: sqlite3.Connection) -> tuple[str, int, str | None, str | None, int] | None:
            row = c.execute("SELECT action, is_select, channel, message, shared FROM console_buttons "
                            "WHERE number = ?", (number,)).fetchone()
            return None if row is None else (str(row[0]), int(row[1]), row[2], row[3], int(row[4]))

        row = await self._core.db.read(q)
        if row is None:
            return None
        action, is_select, channel_key, message_key, shared = row
        shown = None
        if shared and channel_key:
            channel = ChannelRef.from_key(COMMUNITY, channel_key)
            message = MessageRef.from_key(COMMUNITY, message_key) if message_key else None
            shown = Shown(self.chat.place(channel), True, channel, message)
        return action, shown, bool(is_select)

    def _save_file(self, file: FileOut) -> str:
        """The console "attaches" a file by writing it to its files folder and showing the path. Run in a
        worker thread: a name is taken by creating the file (exclusive), so two replies never share one."""
        self._files_dir.mkdir(parents=True, exist_ok=True)
        path = self._files_dir / upload_name(file)  # the name says the file's type (adapters.files)
        stem, suffix, n = path.stem, path.suffix, 1
        while True:
            try:
                with path.open("xb") as out:
                    out.write(file.data)
                return str(path)
            except FileExistsError:
                n += 1
                path = self._files_dir / f"{stem}-{n}{suffix}"

    async def _refresh_zone(self) -> None:
        """Times show in the reader's zone: the acting member's own (/studybot timezone), else the terminal's."""
        member = await self._core.members.get(COMMUNITY.key, self._member)
        self._zone = ZoneInfo(member.timezone) if member and member.timezone else self._reader_zone

    # input ----------------------------------------------------------------------------------
    async def _next_line(self) -> str | None:
        if self._pushed_back is not None:
            line, self._pushed_back = self._pushed_back, None
            return line
        try:
            line = await anext(self._lines)
        except StopAsyncIteration:
            return None
        if self._echo:
            self._write(f"{self.prompt()}{line}")
        return line

    def _actor(self) -> Actor:
        return Actor(MemberRef(COMMUNITY, self._member), self._names.get(self._member, self._member),
                     is_admin=self._member == self._admin)

    async def run(self) -> None:
        await self._open_buttons()
        self._core.chat.register(Platform.CONSOLE, self.chat)
        await self._refresh_zone()
        self._write(f"studybot console: you are {self._names[self._admin]} (admin) in #general. "
                    "Type /studybot help, or /help for console commands.")
        await self._core.release_dead_claims()
        await self._core.sweep()
        await self._scheduler.run_pending()
        while (line := await self._next_line()) is not None:
            if not await self._handle_line(line.strip()):
                break
            await self._scheduler.run_pending()
            await self._refresh_zone()

    async def tick_forever(self, every: float = 1.0) -> None:
        """In interactive use real time passes too: fire due jobs as it does."""
        while True:
            await asyncio.sleep(every)
            await self._scheduler.run_pending()

    async def _handle_line(self, line: str) -> bool:
        if not line or line.startswith("#"):
            return True
        head, _, arg = line.partition(" ")
        if head in ("/quit", "/exit"):
            return False
        if head == "/help":
            self._write(CONSOLE_HELP)
            return True
        if line.isdecimal():  # not isdigit: int() refuses a digit like "²"
            button = await self._button(int(line))
            if button is None or button[2]:
                self._write("No button with that number." + (" That is a dropdown: add the option numbers."
                                                             if button is not None else ""))
                return True
            action, shown, _ = button
            await self._dispatch(self._click(action, shown), shown)
            return True
        picked = re.fullmatch(r"(\d+)\s+([\d,\s]+)", line)
        if picked and int(picked.group(1)) in self._selects:
            select, shown = self._selects[int(picked.group(1))]
            values = _pick(picked.group(2), select.options, select.min_values, select.max_values)
            if isinstance(values, str):
                self._write(values)
                return True
            await self._dispatch(self._click(select.action, shown, values), shown)
            return True
        if picked and (button := await self._button(int(picked.group(1)))) is not None and button[2]:
            self._write("That dropdown was shown before the console restarted: open it again to pick.")
            return True
        if head == "/as":
            name = arg.strip()
            if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,32}", name):
                self._write("Usage: /as <name> (letters, digits, _ . -)")
                return True
            self._member = name.casefold()
            self._names.setdefault(self._member, name)
            role = " (admin)" if self._member == self._admin else ""
            self._write(f"You are now {name}{role}.")
            return True
        if head == "/clock":
            await self._clock_command(arg.strip())
            return True
        if head == "/time":
            self._write(self._render(f"It is {{t:{int(self._clock.now().timestamp())}:f}}."))
            return True
        if not line.startswith("/"):
            self._write("Commands start with /. Try /studybot help (or /help for console commands).")
            return True
        name, _, rest = line[1:].partition(" ")
        spec = self._core.catalogue.find(name.casefold())
        if spec is None:
            known = [c.name for c in self._core.catalogue] + list(CONSOLE_COMMANDS)
            close = difflib.get_close_matches(name.casefold(), known, n=1, cutoff=0.6)
            guess = f" Did you mean /{close[0]}?" if close else ""
            self._write(f"Unknown command /{name}.{guess} Try /studybot help.")
            return True
        try:
            parsed = commands.parse_text(spec, rest, self._resolve_member)
        except commands.UsageError as exc:
            self._write(str(exc))
            return True
        options = dict(parsed.options)
        files = {o.name for o in spec.options_of(parsed.subcommand) if o.type is commands.OptionType.ATTACHMENT}
        for key in files & options.keys():
            try:
                options[key] = local_file(str(options[key]))
            except OSError as exc:
                self._write(f"Cannot attach {options[key]}: {exc.strerror or exc}")
                return True
        await self._dispatch(CommandInvoked(self._actor(), CHANNEL, parsed.name, options, parsed.subcommand))
        return True

    async def _clock_command(self, arg: str) -> None:
        """Move time forward, stopping at each job that falls due on the way, as real time would: a post
        due at 09:00 runs at 09:00 (inside its grace window), not at the end of a one-day jump."""
        m = re.fullmatch(r"\+?(\d+)\s*([dhm])", arg)
        if not m:
            self._write("Usage: /clock +1d (or +3h, +30m)")
            return
        unit = {"d": "days", "h": "hours", "m": "minutes"}[m.group(2)]
        jump = timedelta(**{unit: int(m.group(1))})
        end = self._clock.now() + jump
        moved = timedelta()
        while (nxt := self._scheduler.next_run()) is not None and nxt <= end:
            step = nxt - self._clock.now()
            if step > timedelta():
                self._clock.advance(step)
                moved += step
            await self._scheduler.run_pending()
        rest = end - self._clock.now()
        if rest > timedelta():
            self._clock.advance(rest)
            moved += rest
        await self._scheduler.run_pending()
        if self._on_clock_moved is not None:
            self._on_clock_moved(moved)
        self._write(self._render(f"(time moves forward: it is now {{t:{int(self._clock.now().timestamp())}:f}})"))

    def _resolve_member(self, raw: str) -> str | None:
        name = raw.strip().lstrip("@").casefold()
        return name if re.fullmatch(r"[a-z0-9_.\-]{1,32}", name) else None

    def _click(self, action: str, shown: Shown | None, values: tuple[str, ...] = ()) -> ChoiceSelected:
        """The click, from where its message is (as a platform says: the space's channel, the message)."""
        channel = (shown.in_channel() if shown else None) or CHANNEL
        return ChoiceSelected(self._actor(), channel, action, shown.message if shown else None, values=values)

    async def _dispatch(self, event: Event, shown: Shown | None = None) -> None:
        response = await self._core.bot.handle(event)
        await self._refresh_zone()
        await self._deliver(response, shown)

    async def _deliver(self, response: Response, clicked: Shown | None = None) -> None:
        """`clicked`: where the message the clicked button was on is shown, when known."""
        if response.form is not None:
            await self._fill_form(response.form)
            return
        if response.reply is not None:
            who = self._names.get(self._member, self._member)
            if response.replace_original and clicked is not None:
                shown = clicked  # the platforms edit the message the button was on, for whoever sees that message
            elif response.visibility is Visibility.PUBLIC:
                shown = Shown("#general", True, CHANNEL, self.chat.new_message(CHANNEL))
            else:
                shown = Shown(f"only {who}", False)
            if response.private_key and response.visibility is Visibility.ONLY_YOU and not shown.shared:
                self.chat.remember_private(COMMUNITY, response.private_key, shown.place)
            prefix = shown.edited() if response.replace_original else f"[{shown.place}]"
            await self._show(prefix, response.reply, shown)
        for follow in response.follow_ups:
            if isinstance(follow, ChannelPost):
                await self.chat.send(follow.destination, follow.reply)
            elif isinstance(follow, DirectMessage):
                await self.chat.send_direct(follow.member, follow.reply)

    async def _fill_form(self, form: Form) -> None:
        self._write(render_form_intro(form, self._render))
        values: dict[str, str] = {}
        selections: dict[str, tuple[str, ...]] = {}
        for field in form.fields:
            if field.is_select:
                got = await self._fill_select(field)
                if got is None:
                    return
                selections[field.id] = got
                continue
            default = f" [{field.default}]" if field.default else ""
            self._write(f"{field.label}{default}:")
            line = await self._next_line()
            if line is None:
                self._write("(form cancelled: end of input)")
                return
            if line.startswith("/"):  # a command, not a value: leave the form and run it
                self._write("(form cancelled)")
                self._pushed_back = line
                return
            value = line.strip() or (field.default or "")
            if not value and field.required:
                self._write("(form cancelled)")
                return
            values[field.id] = value
        await self._dispatch(FormSubmitted(self._actor(), CHANNEL, form.form_id, values, selections))

    async def _fill_select(self, field: FormField) -> tuple[str, ...] | None:
        """A select field as numbered options; None when the form was cancelled."""
        listing = _listing(field.options)
        chosen = [i for i, o in enumerate(field.options, 1) if o.value in field.defaults]
        default = f" [{','.join(map(str, chosen))}]" if chosen else ""
        many = "numbers, comma-separated" if field.max_values > 1 else "a number"
        while True:
            self._write(f"{field.label} ({many}): {listing}{default}")
            line = await self._next_line()
            if line is None or line.startswith("/"):
                self._write("(form cancelled)")
                self._pushed_back = line
                return None
            text = line.strip() or ",".join(map(str, chosen))
            if not text:
                if not field.required:
                    return ()
                self._write("(form cancelled)")
                return None
            values = _pick(text, field.options, 1 if field.required else 0, field.max_values)
            if not isinstance(values, str):
                return values
            self._write(values)


def _listing(options: tuple[SelectOption, ...]) -> str:
    """Numbered options on one line; one a line with their descriptions when they have any (what a strong
    or a weak answer looks like, beside each rating), as the platforms show them under each option."""
    if not any(o.description for o in options):
        return "  ".join(f"{i}) {o.label}" for i, o in enumerate(options, 1))
    return "".join(f"\n    {i}) {o.label}" + (f": {o.description}" if o.description else "")
                   for i, o in enumerate(options, 1))


def _pick(text: str, options: tuple[SelectOption, ...], least: int, most: int) -> tuple[str, ...] | str:
    """Option numbers typed by the member, as the options' values; or what is wrong with them."""
    try:
        numbers = [int(part) for part in re.split(r"[,\s]+", text.strip()) if part]
    except ValueError:
        return "Type option numbers, like 1 or 1,3."
    if any(not 1 <= n <= len(options) for n in numbers):
        return f"Options go from 1 to {len(options)}."
    unique = list(dict.fromkeys(numbers))
    if not least <= len(unique) <= most:
        return f"Pick {least} to {most}." if least != most else f"Pick {most}."
    return tuple(options[n - 1].value for n in unique)
