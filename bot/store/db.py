"""One aiosqlite connection, migrations at start, and a single writer with group commit.

Every repository method hands the database a small synchronous function over a sqlite3 connection.
Reads run on aiosqlite's worker thread as they come. Writes are queued and handed to the same thread in
batches: each batch is one transaction and one commit (see `_apply_batch`). A batch goes to the thread the
moment it is formed, from the coroutine that formed it, not at the next turn of the event loop: while
the loop is still busy with a burst of requests, the worker thread is already committing the first of
them. At most `MAX_IN_FLIGHT` batches wait on the thread; the rest queue up and join the next batch, so
under load batches grow (hundreds of writes per commit) and with no load a write is its own transaction.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiosqlite

from bot.store.migrations import MIGRATIONS

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]
log = logging.getLogger(__name__)
MAX_BATCH = 1024
FIRST_BATCH = 128  # a batch formed while another is in flight waits until it has this many writes
MAX_IN_FLIGHT = 16
BUSY_TIMEOUT_MS = 10_000
WRITE_RETRIES = 3  # a batch that failed on a lock (past the busy timeout) is tried this many more times
RETRY_DELAY_S = 0.5


def is_transient(exc: BaseException) -> bool:
    """An error that a later try of the same write may not meet: the file locked or busy."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).casefold()
    return "locked" in text or "busy" in text


class StoreUnavailable(RuntimeError):
    """A write failed on a transient error even after its retries: nothing of it was saved."""


def to_db(when: datetime) -> str:
    """UTC timestamps as fixed-width text, so text order is time order."""
    if when.tzinfo is None:
        raise ValueError("naive datetime")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    """The inverse of `to_db`. `fromisoformat` reads that fixed-width form exactly (and some 40 times faster
    than `strptime`, which showed in every job's reads); anything else stored there is refused."""
    if len(text) != 27 or text[10] != "T" or text[-1] != "Z":
        raise ValueError(f"not a stored timestamp: {text!r}")
    return datetime.fromisoformat(text)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


class Database:
    def __init__(self, path: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, write_retries: int = WRITE_RETRIES,
                 retry_delay_s: float = RETRY_DELAY_S) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._write_retries = write_retries
        self._retry_delay_s = retry_delay_s
        self._conn: aiosqlite.Connection | None = None
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._in_flight = 0
        self.batches_committed = 0  # for tests and benchmarks: how well writes are grouped

    async def open(self) -> None:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn = conn
        await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        if self.path != ":memory:":
            await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await self._run(_migrate)

    async def close(self) -> None:
        pending, self._pending = self._pending, []
        for _, fut in pending:
            if not fut.done():
                fut.set_exception(RuntimeError("database closed"))
        if self._conn is not None:
            await self._conn.close()  # runs after the batches already handed to the thread
            self._conn = None

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._conn is None:
            raise RuntimeError("database is not open")
        # aiosqlite runs `fn` on its own worker thread, the only thread that touches the connection.
        raw: sqlite3.Connection = self._conn._conn
        result: T = await self._conn._execute(fn, raw, *args)  # type: ignore[no-untyped-call]
        return result

    def _submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Put `fn` on aiosqlite's worker queue now; the future resolves on the loop when it has run.

        `Connection._execute` would do the same, but only once its coroutine is first scheduled.
        """
        if self._conn is None:
            raise RuntimeError("database is not open")
        conn = self._conn
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        conn._tx.put_nowait((fut, functools.partial(fn, conn._conn, *args)))
        return fut

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(fn)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            raise RuntimeError("database is not open")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((fn, fut))
        if self._in_flight == 0 or (self._in_flight < MAX_IN_FLIGHT and len(self._pending) >= FIRST_BATCH):
            self._flush()
        return await fut

    def _flush(self) -> None:
        batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        self._send(batch, 0)

    def _send(self, batch: list[tuple[Work, asyncio.Future[Any]]], attempt: int) -> None:
        self._in_flight += 1
        done = self._submit(_apply_batch, [fn for fn, _ in batch])
        done.add_done_callback(functools.partial(self._settle, batch, attempt))

    def _retry(self, batch: list[tuple[Work, asyncio.Future[Any]]], attempt: int) -> None:
        self._in_flight -= 1  # the slot held while waiting
        if self._conn is None:
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(RuntimeError("database closed"))
            return
        self._send(batch, attempt)

    def _settle(self, batch: list[tuple[Work, asyncio.Future[Any]]], attempt: int,
                done: asyncio.Future[Any]) -> None:
        self._in_flight -= 1
        if done.cancelled():
            outcomes: list[tuple[bool, Any]] = [(False, RuntimeError("database closed"))] * len(batch)
        elif (exc := done.exception()) is not None:  # the transaction itself failed (e.g. locked too long)
            if is_transient(exc) and attempt < self._write_retries and self._conn is not None:
                log.warning("write batch of %d met %s; try %d of %d in %.1f s", len(batch), exc, attempt + 2,
                            self._write_retries + 1, self._retry_delay_s)
                self._in_flight += 1  # keep the slot, so later writes queue behind this one
                asyncio.get_running_loop().call_later(self._retry_delay_s, self._retry, batch, attempt + 1)
                return
            log.error("write batch of %d failed", len(batch), exc_info=exc)
            failure: BaseException = StoreUnavailable(str(exc)) if is_transient(exc) else exc
            outcomes = [(False, failure)] * len(batch)
        else:
            outcomes = done.result()
            self.batches_committed += 1
        for (_, fut), (ok, value) in zip(batch, outcomes, strict=True):
            if fut.done():  # its caller gave up waiting; the write itself happened (or failed) regardless
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        if self._pending and self._conn is not None and self._in_flight < MAX_IN_FLIGHT:
            self._flush()


def _apply_batch(conn: sqlite3.Connection, works: list[Work]) -> list[tuple[bool, Any]]:
    """One transaction for the batch. Optimistically without savepoints; if any write fails, the whole
    transaction is rolled back and the batch re-run with a savepoint per write, so only the failing one
    is lost. Writes are pure functions of the database, so re-running them is safe."""
    if len(works) > 1:
        conn.execute("BEGIN IMMEDIATE")
        try:
            results = [(True, work(conn)) for work in works]
            conn.execute("COMMIT")
            return results
        except Exception:
            conn.execute("ROLLBACK")
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for work in works:
            conn.execute("SAVEPOINT w")
            try:
                outcomes.append((True, work(conn)))
                conn.execute("RELEASE w")
            except Exception as exc:
                conn.execute("ROLLBACK TO w")
                conn.execute("RELEASE w")
                outcomes.append((False, exc))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS, 1):
            if number <= version:
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
