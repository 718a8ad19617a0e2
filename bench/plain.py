"""The plain limit the benches measure beside: one sqlite3 connection on a thread with group commit, and
reads on a connection and thread of their own.

Every write that has arrived when the writer is free goes into the next transaction, one commit for all;
results go back to the loop that asked. No queues of our own, no priorities, no retries: what the
library allows on this machine, for the same statements on the same schema."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

Request = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def resolve(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


class GroupCommitWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._requests: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[sqlite3.Connection], Any]) -> asyncio.Future[Any]:
        """Queue one write; the future resolves with `fn`'s result once its batch has committed."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._requests.put((fn, fut, loop))
        return fut

    def close(self) -> None:
        self._requests.put(None)
        self._thread.join()

    def _loop(self) -> None:
        conn = connect(self.path)
        try:
            while (first := self._requests.get()) is not None:
                batch = [first]
                while True:
                    try:
                        nxt = self._requests.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        self._requests.put(None)
                        break
                    batch.append(nxt)
                conn.execute("BEGIN IMMEDIATE")
                results = [(fut, loop, fn(conn)) for fn, fut, loop in batch]
                conn.execute("COMMIT")
                for fut, loop, value in results:
                    loop.call_soon_threadsafe(resolve, fut, value)
        finally:
            conn.close()


class ThreadReader:
    """Reads on sqlite3 in a thread of their own, handed each statement through a queue and answering
    through `call_soon_threadsafe`: what any asyncio program pays to keep SQLite off its loop, with no
    snapshot, no precedence and no decoding."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._work: queue.SimpleQueue[
            tuple[str, tuple[object, ...], asyncio.Future[Any], asyncio.AbstractEventLoop] | None
        ] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = connect(self._path)
        try:
            while (job := self._work.get()) is not None:
                sql, args, fut, loop = job
                rows = conn.execute(sql, args).fetchall()
                loop.call_soon_threadsafe(resolve, fut, rows)
        finally:
            conn.close()

    async def read(self, sql: str, args: tuple[object, ...]) -> list[Any]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[list[Any]] = loop.create_future()
        self._work.put((sql, args, fut, loop))
        return await fut

    def close(self) -> None:
        self._work.put(None)
        self._thread.join()
