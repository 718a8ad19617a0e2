"""`studybot`: run the bot, try the demo, check content, and set up Discord and Slack."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from adapters import runtime
from bot.catalogue import default_catalogue
from bot.chat import ChatRouter
from bot.clock import ManualClock, OffsetClock
from bot.config import Config, ConfigError, load_config
from bot.content.format_names import FORMATS
from bot.content.problems import BankError
from bot.content.vocabulary import Domain
from bot.front import CoreOnItsWay
from bot.heap import set_aside_startup_heap
from bot.scheduler import ClockScheduler

if TYPE_CHECKING:
    from bot.bootstrap import Core
    from bot.content.item import Item

log = logging.getLogger("studybot")
T = TypeVar("T")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="studybot", description="A study-group bot for ML interview prep.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="start studybot (console when no Discord or Slack tokens are set)")
    run.add_argument("--db", help="SQLite file (default: STUDYBOT_DB or ./studybot.db)")
    run.add_argument("--console", action="store_true", help="use the console even when tokens are set")
    demo = sub.add_parser("demo", help="run a scripted week for a few members and print the transcript")
    demo.add_argument("--days", type=int, default=7)
    content = sub.add_parser("content", help="check, export or import the question bank")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION")
    check = csub.add_parser("check", help="validate bank files and print counts, or check a pack (--pack)")
    check.add_argument("paths", nargs="*", help="bank files or folders (default: the bank)")
    check.add_argument("--no-code", action="store_true", help="skip running coding solutions")
    check.add_argument("--pack", metavar="FILE",
                       help="check FILE as a community pack: every problem `pack add` would refuse it for")
    check.add_argument("--name", help="with --pack: pack name (default: from the file name)")
    check.add_argument("--format", choices=FORMATS, help="with --pack: default from the file name and contents")
    check.add_argument("--topic", choices=[d.value for d in Domain], help="with --pack: for formats without topics")
    check.add_argument("--community", help="with --pack: also against this community's other packs "
                                           "(platform:id, read from the database)")
    export = csub.add_parser("export", help="write the bank (or PATHs) in another quiz format")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", help="file to write (default: stdout)")
    export.add_argument("paths", nargs="*")
    imp = csub.add_parser("import", help="convert a quiz file into a validated pack in our YAML format")
    imp.add_argument("file")
    imp.add_argument("--format", required=True, choices=FORMATS)
    imp.add_argument("--domain", choices=[d.value for d in Domain],
                     help="domain of the imported items (required except for --format studybot)")
    imp.add_argument("--prefix", help="id prefix: items get <prefix>-<n> (default: <domain code>-import, e.g. ml-import)")
    imp.add_argument("--out", help="pack file to write (default: stdout)")
    schema = csub.add_parser("schema", help="print content/schema.json as the model generates it")
    schema.add_argument("--write", action="store_true", help="rewrite content/schema.json")
    _pack_parser(sub, FORMATS)
    discord = sub.add_parser("discord", help="Discord set-up helpers")
    dsub = discord.add_subparsers(dest="discord_command", metavar="ACTION")
    invite = dsub.add_parser("invite-url", help="print the OAuth2 URL that adds the bot to a server")
    invite.add_argument("--client-id", help="the application id (default: read from DISCORD_TOKEN)")
    sync = dsub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", help="a server id, for instant registration while developing")
    slack = sub.add_parser("slack", help="Slack set-up helpers")
    ssub = slack.add_subparsers(dest="slack_command", metavar="ACTION")
    ssub.add_parser("manifest", help="print the Slack app manifest (YAML)")
    return p


def _pack_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], formats: tuple[str, ...]) -> None:
    pack = sub.add_parser("pack", help="add, list or remove a community's own question packs")
    psub = pack.add_subparsers(dest="pack_command", metavar="ACTION")
    community_help = "the community, as platform:id (discord:<server id>, slack:<team id>, console:local)"
    add = psub.add_parser("add", help="validate a pack file and add it for one community (refused whole if bad)")
    add.add_argument("file")
    add.add_argument("--community", required=True, help=community_help)
    add.add_argument("--name", help="pack name (default: from the file name)")
    add.add_argument("--format", choices=formats, help="default: from the file name and contents")
    add.add_argument("--topic", choices=[d.value for d in Domain], help="for formats without topics")
    listing = psub.add_parser("list", help="list packs (of one community, or of all)")
    listing.add_argument("--community", help=community_help)
    remove = psub.add_parser("remove", help="stop using a pack (questions already posted keep their reveal)")
    remove.add_argument("name")
    remove.add_argument("--community", required=True, help=community_help)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(db=getattr(args, "db", None))
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    try:
        runtime.check_startup(config)
    except runtime.StartupError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level.upper(), format=runtime.LOG_FORMAT, stream=sys.stderr)
    try:
        match args.command:
            case "run":
                return int(asyncio.run(runtime.until_signalled(run(config, force_console=args.console))))
            case "demo":
                return asyncio.run(demo(args.days))
            case "content":
                return content_command(args, parser, config)
            case "pack":
                from adapters import packs_cli

                return asyncio.run(packs_cli.pack_command(args, config))
            case "discord":
                return discord_command(args, config, parser)
            case "slack":
                return slack_command(args, config, parser)
    except BankError as exc:
        print(f"studybot: the question bank has problems:\n{exc}", file=sys.stderr)
        return 2
    except (runtime.StartupError, sqlite3.Error, OSError) as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 0


def content_command(args: argparse.Namespace, parser: argparse.ArgumentParser, config: Config) -> int:
    if args.content_command == "check":
        from bot.content import check

        try:
            argv, others = content_check_args(args, config)
        except ValueError as exc:
            print(f"studybot: {exc}", file=sys.stderr)
            return 2
        return check.main(argv, others)
    if args.content_command == "export":
        return content_export(args)
    if args.content_command == "import":
        return content_import(args)
    if args.content_command == "schema":
        from bot.content import schema_json

        if args.write:
            return schema_json.main([])
        print(schema_json.schema_text(), end="")
        return 0
    parser.parse_args(["content", "--help"])
    return 2


def content_check_args(args: argparse.Namespace, config: Config) -> tuple[list[str], list[tuple[str, Item]]]:
    """`check.main`'s arguments, and with --pack --community that community's other packs (as `pack add`
    compares against them). Raises ValueError for a community that is not platform:id."""
    argv = list(args.paths)
    if args.no_code:
        argv.append("--no-code")
    if args.pack is None:
        return argv, []
    if not args.paths and config.content_dir:
        argv.append(config.content_dir)  # the bank `pack add` checks against
    argv += ["--pack", args.pack]
    for flag in ("name", "format", "topic"):
        if getattr(args, flag):
            argv += [f"--{flag}", getattr(args, flag)]
    if not args.community:
        return argv, []
    from adapters import packs_cli
    from bot.content.pack_rules import name_from_filename

    name = (args.name or name_from_filename(Path(args.pack).name)).strip().casefold()
    return argv, asyncio.run(packs_cli.other_packs(config, args.community, name))


def _write(text: str, out: str | None) -> None:
    """All of `text` to `out` (or stdout), written to a temporary file first so a file is never half-written."""
    if out is None:
        sys.stdout.write(text)
        return
    path = Path(out)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def content_export(args: argparse.Namespace) -> int:
    from bot.content.formats import export_items, exportable
    from bot.content.loader import default_content_dir, load_bank

    paths = [Path(p) for p in args.paths] or [default_content_dir()]
    items = list(load_bank(paths).items)
    kept = exportable(items, args.format)
    _write(export_items(items, args.format), args.out)
    skipped = len(items) - len(kept)
    print(f"exported {len(kept)} items as {args.format}"
          + (f"; left out {skipped} the format cannot hold" if skipped else ""), file=sys.stderr)
    return 0


def content_import(args: argparse.Namespace) -> int:
    from bot.content.formats import DOMAIN_CODES, export_studybot, import_items

    if args.domain is None and args.format != "studybot":
        print("studybot: --domain is required for this format", file=sys.stderr)
        return 2
    domain = Domain(args.domain or Domain.ML_ALGORITHMS.value)
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"studybot: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    prefix = args.prefix or f"{DOMAIN_CODES[domain]}-import"
    items, problems = import_items(text, args.format, domain=domain, id_prefix=prefix, source=args.file)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"studybot: refused {args.file}: {len(problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    _write(export_studybot(items, domain if args.domain else None), args.out)
    print(f"imported {len(items)} items from {args.file}", file=sys.stderr)
    return 0


def discord_command(args: argparse.Namespace, config: Config, parser: argparse.ArgumentParser) -> int:
    try:
        discord_cli = importlib.import_module("adapters.discord.cli")
    except ImportError:
        print("studybot: the Discord adapter is not installed in this build", file=sys.stderr)
        return 2
    if args.discord_command == "invite-url":
        client_id = args.client_id
        if client_id is not None and not client_id.isdigit():
            print(f"studybot: --client-id must be the numeric application id, got {client_id!r}", file=sys.stderr)
            return 2
        if not client_id and not config.discord_token:
            print("studybot: set DISCORD_TOKEN, or pass --client-id (Developer Portal > General Information > "
                  "Application ID)", file=sys.stderr)
            return 2
        try:
            print(discord_cli.invite_url(config, client_id))
        except ValueError as exc:
            print(f"studybot: {exc}; or pass --client-id", file=sys.stderr)
            return 2
        return 0
    if not config.discord_token:
        print("studybot: set DISCORD_TOKEN first", file=sys.stderr)
        return 2
    if args.discord_command == "sync":
        count = asyncio.run(discord_cli.sync_commands(config, args.guild))
        print(f"registered {count} commands" + (f" in server {args.guild}" if args.guild else " globally"))
        return 0
    parser.parse_args(["discord", "--help"])
    return 2


def slack_command(args: argparse.Namespace, config: Config, parser: argparse.ArgumentParser) -> int:
    if args.slack_command == "manifest":
        try:
            manifest = importlib.import_module("adapters.slack.manifest")
        except ImportError:
            print("studybot: the Slack adapter is not installed in this build", file=sys.stderr)
            return 2
        print(manifest.manifest_yaml(config))
        return 0
    parser.parse_args(["slack", "--help"])
    return 2


async def run(config: Config, force_console: bool = False, *,
              when_ready: Callable[[], None] | None = None) -> int:
    """Serve until signalled. With tokens, the adapters start connecting first and the core is built
    while they do (its imports in a worker thread, so the loop keeps answering the platforms): what
    start-up costs is then the platforms' round trips, not those plus ours. `when_ready` is told once
    every platform is connected and the catch-up has run (the start-up benchmark times it)."""
    platforms = [] if force_console else [p for p, on in (("discord", config.discord_enabled),
                                                          ("slack", config.slack_enabled)) if on]
    if not platforms:
        return await run_console(config)
    chat = ChatRouter()
    front = CoreOnItsWay(chat, default_catalogue())
    adapters: list[Any] = []
    built: list[Core] = []
    try:
        if "discord" in platforms:
            adapters.append(importlib.import_module("adapters.discord.adapter").DiscordAdapter(front, config))
        if "slack" in platforms:
            adapters.append(importlib.import_module("adapters.slack.adapter").SlackAdapter(front, config))
        log.info("connecting to %s", ", ".join(platforms))

        async def build() -> Core:
            started = time.perf_counter()
            bootstrap = await asyncio.to_thread(importlib.import_module, "bot.bootstrap")
            bank = await asyncio.to_thread(bootstrap.load_default_bank, config)
            core: Core = await bootstrap.build_core(config, chat=chat, bank=bank)
            built.append(core)
            core.jobs.serve_only(tuple(platforms))  # another process may serve the other platform from this database
            front.arrived(core)
            log.info("core built in %.0f ms, beside the connections", (time.perf_counter() - started) * 1000)
            return core

        async def ready(core: Core) -> None:
            from bot.bootstrap import start_core

            await start_core(core, config)
            log.info("start-up heap set aside: %d objects frozen", set_aside_startup_heap())  # see bot.heap
            if when_ready is not None:
                when_ready()

        await serve(adapters, build, ready)
    except BaseException as exc:
        front.failed(exc)
        raise
    finally:
        for a in adapters:
            with contextlib.suppress(Exception):
                await a.close()
        for core in built:
            await core.close()
    return 0


class Served(Protocol):
    async def start(self) -> None: ...
    async def wait_ready(self) -> None: ...


async def serve(adapters: Sequence[Served], build: Callable[[], Awaitable[T]],
                on_ready: Callable[[T], Awaitable[None]]) -> None:
    """Start the adapters and, meanwhile, `build` what they serve; once it is built and every adapter is
    connected, `on_ready` (the core's catch-up sweep, which would fail on a platform whose adapter has not
    logged in yet). A failing adapter or build ends it all."""
    running: list[asyncio.Future[Any]] = [asyncio.ensure_future(a.start()) for a in adapters]
    made: asyncio.Future[T] = asyncio.ensure_future(build())

    async def all_ready() -> T:
        what = await made
        await asyncio.gather(*(a.wait_ready() for a in adapters))
        return what

    ready: asyncio.Future[T] = asyncio.ensure_future(all_ready())
    try:
        await asyncio.wait([ready, *running], return_when=asyncio.FIRST_COMPLETED)
        if ready.done():
            await on_ready(ready.result())  # raises what failed, if the build or a wait did
        await asyncio.gather(*running)
    finally:
        await stop_all((ready, made, *running))


async def stop_all(tasks: Sequence[asyncio.Future[Any]], retry_after: float = 0.5) -> None:
    """Cancel each task, again and again, until it has ended. Once is not enough: in Python 3.11
    `asyncio.wait_for` loses a cancellation that arrives as the thing it awaits completes (bpo-42130), and
    discord.py's gateway loop awaits one, so a single cancel now and then left a connection running."""
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=retry_after)
    await asyncio.gather(*tasks, return_exceptions=True)  # retrieve what each raised


async def run_console(config: Config) -> int:
    from adapters.console.adapter import ConsoleAdapter, stdin_lines

    clock = OffsetClock()
    offset_file, log_file = runtime.console_files(config)
    clock.offset = runtime.load_offset(offset_file)  # /clock jumps survive a restart
    interactive = sys.stdin.isatty()
    if interactive:  # stdout is the chat: logs go to a file, stamped in the console's clock
        runtime.log_to_file(config, clock, log_file)
    scheduler = ClockScheduler(clock)
    from bot.bootstrap import build_core

    core = await build_core(config, clock=clock, scheduler=scheduler)
    core.jobs.serve_only(("console",))
    adapter: ConsoleAdapter | None = None

    def prompt() -> str:
        return adapter.prompt() if adapter is not None else "> "

    adapter = ConsoleAdapter(core, clock, scheduler, stdin_lines(prompt), print, user=config.console_name,
                             echo=not interactive, styles=runtime.styles_wanted(), reader_zone=runtime.local_zone(),
                             on_clock_moved=lambda _moved: runtime.save_offset(offset_file, clock.offset),
                             files_dir=runtime.console_files_dir(config))
    if interactive:
        print(f"(logs go to {log_file})")
    set_aside_startup_heap()
    ticker = asyncio.create_task(adapter.tick_forever()) if interactive else None
    try:
        await adapter.run()
    finally:
        if ticker is not None:
            ticker.cancel()
        await core.close()
    return 0


async def demo(days: int) -> int:
    from adapters.console.adapter import ConsoleAdapter, list_lines
    from adapters.console.demo import DEMO_START, demo_script
    from bot.bootstrap import build_core

    clock = ManualClock(DEMO_START)
    scheduler = ClockScheduler(clock)
    core = await build_core(Config(db=":memory:", content_dir=os.environ.get("STUDYBOT_CONTENT_DIR")),
                            clock=clock, scheduler=scheduler)
    adapter = ConsoleAdapter(core, clock, scheduler, list_lines(demo_script(days)), print, user="you", echo=True)
    try:
        await adapter.run()
    finally:
        await core.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
