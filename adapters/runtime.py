"""What `studybot run` needs around the bot itself: start-up checks that fail in one clear line, a clean
shutdown on SIGTERM and SIGINT (a container's PID 1 gets no default handler for SIGTERM), and the
console's own state: where its logs go, its clock offset across restarts, the terminal's timezone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Config

log = logging.getLogger("studybot")
T = TypeVar("T")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class StartupError(RuntimeError):
    """Something an operator must fix before the bot can start; the message is the whole story."""


def check_startup(config: Config) -> None:
    """Raise StartupError naming the first setting that cannot work."""
    if not isinstance(logging.getLevelName(config.log_level.upper()), int):
        raise StartupError(f"STUDYBOT_LOG_LEVEL={config.log_level!r} is not a log level "
                           "(use DEBUG, INFO, WARNING or ERROR)")
    if config.db != ":memory:" and not config.db.startswith("file:"):
        folder = Path(config.db).expanduser().resolve().parent
        if not folder.is_dir():
            raise StartupError(f"the database folder {folder} does not exist (STUDYBOT_DB={config.db}); "
                               "create it or point STUDYBOT_DB elsewhere")
        if not os.access(folder, os.W_OK):
            raise StartupError(f"cannot write in the database folder {folder} (STUDYBOT_DB={config.db})")


async def until_signalled(work: Awaitable[T]) -> T | int:
    """Run `work`; SIGTERM or SIGINT cancels it, so its `finally` blocks close adapters and the database.
    Returns what `work` returns, or 0 after SIGTERM and 130 after SIGINT."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    received: list[signal.Signals] = []

    def stop(sig: signal.Signals) -> None:
        if received:  # a second signal while shutting down: stop waiting for anything
            log.warning("%s again: exiting now", sig.name)
            os._exit(128 + sig.value)
        received.append(sig)
        log.info("%s: shutting down", sig.name)
        task.cancel()

    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
    try:
        return await task
    except asyncio.CancelledError:
        if not received:
            raise
        return 130 if received[0] is signal.SIGINT else 0
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


class Clocked(Protocol):
    def now(self) -> datetime: ...


def log_to_file(config: Config, clock: Clocked, path: Path) -> None:
    """On the console, logs go to a file (stdout is the chat), stamped in the console's own clock."""
    handler = logging.FileHandler(path, encoding="utf-8")
    formatter = logging.Formatter(LOG_FORMAT)
    formatter.converter = lambda _secs: clock.now().astimezone().timetuple()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config.log_level.upper())


def console_files(config: Config) -> tuple[Path | None, Path]:
    """(where the console's clock offset is kept, where its log goes): beside the database."""
    if config.db == ":memory:":
        return None, Path("studybot-console.log")
    base = Path(config.db).expanduser()
    return base.with_name(base.name + ".clock"), base.with_name(base.name + ".log")


def console_files_dir(config: Config) -> Path:
    """Where the console writes the files replies carry (charts, exports, invites): beside the database."""
    if config.db == ":memory:":
        return Path("studybot-files")
    base = Path(config.db).expanduser()
    return base.with_name(base.name + ".files")


def load_offset(path: Path | None) -> timedelta:
    if path is None:
        return timedelta()
    try:
        return timedelta(seconds=max(0.0, float(path.read_text(encoding="utf-8").strip())))
    except (OSError, ValueError):
        return timedelta()


def save_offset(path: Path | None, offset: timedelta) -> None:
    if path is None:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{offset.total_seconds():.0f}\n", encoding="utf-8")
    tmp.replace(path)


def local_zone() -> ZoneInfo:
    """The terminal's own timezone: $TZ, else /etc/localtime, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(name)
    return ZoneInfo("UTC")


def styles_wanted() -> bool:
    """ANSI styles only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


