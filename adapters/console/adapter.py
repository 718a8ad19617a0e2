"""The console adapter: a local community on stdin/stdout, for trying studybot without any tokens.

Buttons become numbered choices (type the number), forms are asked field by field, "only you" replies
are marked, `/as <name>` switches the acting member and `/clock +1d` moves time forward. It reads lines
from any async source, so `studybot run < script.txt` and `studybot demo` drive it the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import itertools
import math
import re
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
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
ClockMoved = Callable[[timedelta], None]


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

    def __init__(self, show: Callable[[str, Reply], None], write: Callable[[str], None] = print) -> None:
        self._show = show
        self._write_line = write
        self._ids = itertools.count(1)
        self._keys: dict[tuple[str, str], MessageRef] = {}
        #: private spaces opened by this process, by (channel, name): what find_private_space finds
        self._spaces: dict[tuple[str, str], ChannelRef] = {}
        #: only-you replies the core may edit (Response.private_key): the label they were shown under.
        #: The console has no time limit; the map is bounded, and forgotten when the process ends.
        self._private: ExpiringMap[str] = ExpiringMap(PRIVATE_REPLIES)

    def remember_private(self, community: CommunityRef, key: str, label: str) -> None:
        self._private.put(f"{community.key}/{key}", label, math.inf)

    def _remember(self, where: ChannelRef, reply: Reply) -> MessageRef:
        ref = MessageRef(where, f"m{next(self._ids)}")
        if reply.idempotency_key:
            self._keys[(where.key, reply.idempotency_key)] = ref
        return ref

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        ref = self._remember(destination, reply)
        where = f"#{destination.id}" + (f" › thread {destination.thread_id}" if destination.thread_id else "")
        self._show(f"[{where}]", reply)
        return ref

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        ref = self._remember(ChannelRef(member.community, f"dm-{member.id}"), reply)
        self._show(f"[DM to {member.id}]", reply)
        return ref

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        self._show(f"[#{channel.id}, only {member.id}]", reply)

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        self._show(f"[#{message.channel.id}, edited]", reply)

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """The updated only-you block, printed again under its label marked as edited."""
        label = self._private.get(f"{community.key}/{key}")
        if label is None:
            return False
        self._show(f"{label} (edited)", reply)
        return True

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        return message.channel.in_thread(message.id)

    async def delete(self, message: MessageRef) -> None:
        self._write_line(f"[#{message.channel.id}, message {message.id} deleted]")

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        # a name no earlier run used: ids restart with the process, and a space's id must never be reused
        space = f"private-{uuid.uuid4().hex[:8]}"
        self._write_line(f"[private space {space} '{name}' for {', '.join('@' + m.id for m in members)}]")
        self._spaces[(channel.key, name)] = ref = ChannelRef(channel.community, space)
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
        self._choices: dict[int, str] = {}
        self._selects: dict[int, Select] = {}
        self._files_dir = files_dir or Path("studybot-files")
        self._numbers = itertools.count(1)
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

    def _show(self, prefix: str, reply: Reply) -> None:
        numbers = [next(self._numbers) for _ in reply.choices]
        for n, choice in zip(numbers, reply.choices, strict=True):
            self._choices[n] = choice.action
        lines = [f"{prefix} {render_reply(reply, numbers, self._render)}"]
        for select in reply.selects:  # a dropdown: its number, then the options picked (`7 1,3`)
            n = next(self._numbers)
            self._selects[n] = select
            listing = _listing(select.options)
            many = f"pick {select.min_values}-{select.max_values}" if select.max_values > 1 else "pick one"
            lines.append(f"  [{n}] {select.placeholder} ({many}: type {n} and the option numbers): {listing}")
        for file in reply.files:
            lines.append(f"  (file: {self._save_file(file)})")
        self._write("\n".join(lines))

    def _save_file(self, file: FileOut) -> str:
        """The console "attaches" a file by writing it to its files folder and showing the path."""
        self._files_dir.mkdir(parents=True, exist_ok=True)
        path = self._files_dir / upload_name(file)  # the name says the file's type (adapters.files)
        stem, suffix, n = path.stem, path.suffix, 1
        while path.exists():
            n += 1
            path = self._files_dir / f"{stem}-{n}{suffix}"
        path.write_bytes(file.data)
        return str(path)

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
        if line.isdigit():
            action = self._choices.get(int(line))
            if action is None:
                self._write("No button with that number." + (" That is a dropdown: add the option numbers."
                                                             if int(line) in self._selects else ""))
                return True
            await self._dispatch(ChoiceSelected(self._actor(), CHANNEL, action))
            return True
        picked = re.fullmatch(r"(\d+)\s+([\d,\s]+)", line)
        if picked and int(picked.group(1)) in self._selects:
            select = self._selects[int(picked.group(1))]
            values = _pick(picked.group(2), select.options, select.min_values, select.max_values)
            if isinstance(values, str):
                self._write(values)
                return True
            await self._dispatch(ChoiceSelected(self._actor(), CHANNEL, select.action, values=values))
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

    async def _dispatch(self, event: Event) -> None:
        response = await self._core.bot.handle(event)
        await self._refresh_zone()
        await self._deliver(response)

    async def _deliver(self, response: Response) -> None:
        if response.form is not None:
            await self._fill_form(response.form)
            return
        if response.reply is not None:
            who = self._names.get(self._member, self._member)
            prefix = "[#general]" if response.visibility is Visibility.PUBLIC else f"[only {who}]"
            if response.private_key and response.visibility is Visibility.ONLY_YOU:
                self.chat.remember_private(COMMUNITY, response.private_key, prefix)
            if response.replace_original:
                prefix += " (updated)"
            self._show(prefix, response.reply)
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
