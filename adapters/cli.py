"""`studybot`: run the bot, try the demo, check content, and set up Discord and Slack."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from bot.bootstrap import build_core, start_core
from bot.clock import ManualClock, OffsetClock
from bot.config import Config, ConfigError, load_config
from bot.content.loader import BankError
from bot.scheduler import ClockScheduler

log = logging.getLogger("studybot")


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
    check = csub.add_parser("check", help="validate bank files and print counts")
    check.add_argument("paths", nargs="*")
    check.add_argument("--no-code", action="store_true", help="skip running coding solutions")
    discord = sub.add_parser("discord", help="Discord set-up helpers")
    dsub = discord.add_subparsers(dest="discord_command", metavar="ACTION")
    dsub.add_parser("invite-url", help="print the OAuth2 URL that adds the bot to a server")
    sync = dsub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", help="a server id, for instant registration while developing")
    slack = sub.add_parser("slack", help="Slack set-up helpers")
    ssub = slack.add_subparsers(dest="slack_command", metavar="ACTION")
    ssub.add_parser("manifest", help="print the Slack app manifest (YAML)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(db=getattr(args, "db", None))
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        match args.command:
            case "run":
                return asyncio.run(run(config, force_console=args.console))
            case "demo":
                return asyncio.run(demo(args.days))
            case "content":
                return content_command(args, parser)
            case "discord":
                return discord_command(args, config, parser)
            case "slack":
                return slack_command(args, config, parser)
    except BankError as exc:
        print(f"studybot: the question bank has problems:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 0


def content_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.content_command == "check":
        from bot.content import check

        return check.main([*args.paths, *(["--no-code"] if args.no_code else [])])
    parser.parse_args(["content", "--help"])
    return 2


def discord_command(args: argparse.Namespace, config: Config, parser: argparse.ArgumentParser) -> int:
    try:
        discord_cli = importlib.import_module("adapters.discord.cli")
    except ImportError:
        print("studybot: the Discord adapter is not installed in this build", file=sys.stderr)
        return 2
    if not config.discord_token:
        print("studybot: set DISCORD_TOKEN first", file=sys.stderr)
        return 2
    if args.discord_command == "invite-url":
        print(discord_cli.invite_url(config))
        return 0
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


async def run(config: Config, force_console: bool = False) -> int:
    platforms = [] if force_console else [p for p, on in (("discord", config.discord_enabled),
                                                          ("slack", config.slack_enabled)) if on]
    if not platforms:
        return await run_console(config)
    core = await build_core(config)
    adapters: list[Any] = []
    try:
        if "discord" in platforms:
            adapters.append(importlib.import_module("adapters.discord.adapter").DiscordAdapter(core, config))
        if "slack" in platforms:
            adapters.append(importlib.import_module("adapters.slack.adapter").SlackAdapter(core, config))
        log.info("starting %s", ", ".join(platforms))
        await start_core(core, config)
        await asyncio.gather(*(a.start() for a in adapters))
    finally:
        for a in adapters:
            with contextlib.suppress(Exception):
                await a.close()
        await core.close()
    return 0


async def run_console(config: Config) -> int:
    from adapters.console.adapter import ConsoleAdapter, stdin_lines

    clock = OffsetClock()
    scheduler = ClockScheduler(clock)
    core = await build_core(config, clock=clock, scheduler=scheduler)
    adapter = ConsoleAdapter(core, clock, scheduler, stdin_lines(), print, user=config.console_name,
                             echo=not sys.stdin.isatty())
    ticker = asyncio.create_task(adapter.tick_forever()) if sys.stdin.isatty() else None
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
