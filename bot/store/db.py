"""A writer connection with group commit, a reader beside it, migrations at start, checkpoints apart.

Every repository method hands the database a small synchronous function over a sqlite3 connection.
Reads run on a reader connection of their own (on disk; WAL lets them run while the writer commits), each
in one snapshot. Writes are queued and handed to the writer's thread in batches: each batch is one transaction and one commit (see `_apply_batch`). A batch goes to the
thread the moment it is formed, from the coroutine that formed it, not at the next turn of the event loop:
while the loop is still busy with a burst of requests, the worker thread is already committing the first
of them. At most `MAX_IN_FLIGHT` batches wait on the thread; the rest queue up and join the next batch, so
under load batches grow (hundreds of writes per commit) and with no load a write is its own transaction.

Work done in `background()` (the job queue's claims and handlers: nobody is waiting on it) is queued apart:
the worker thread takes it only when no other work waits, and its writes commit in batches of their own.
A member's answer therefore waits behind at most the one piece of background work already running, not
behind a herd of daily jobs' reads and writes. Once done, background work also waits for its turn on the
event loop (bot.precedence), so its next step does not run ahead of a member's request either.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiosqlite

from bot.precedence import MembersFirst, in_background
from bot.store.migrations import MIGRATIONS

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]
log = logging.getLogger(__name__)
MAX_BATCH = 1024
FIRST_BATCH = 128  # a batch formed while another is in flight waits until it has this many writes
MAX_IN_FLIGHT = 16
#: background batches stay small: once the worker thread has taken one, a member's write that arrives
#: waits for all of it (a batch of 1,024 streak updates held answers up to 0.2 s)
MAX_BACKGROUND_BATCH = 32
BACKGROUND_MAX_WAIT_S = 0.05  # a background write waits at most this long behind members' writes
BUSY_TIMEOUT_MS = 10_000
WRITE_RETRIES = 3  # a batch that failed on a lock (past the busy timeout) is tried this many more times
RETRY_DELAY_S = 0.5
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024  # the WAL file is trimmed to this after a checkpoint reset it


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
    # isoformat, not strftime: a few times faster, and datetime.strftime imports `time` on every call,
    # which waits on the import lock while another thread imports
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    """The inverse of `to_db`. `fromisoformat` reads that fixed-width form exactly (and some 40 times faster
    than `strptime`, which showed in every job's reads); anything else stored there is refused."""
    if len(text) != 27 or text[10] != "T" or text[-1] != "Z":
        raise ValueError(f"not a stored timestamp: {text!r}")
    return datetime.fromisoformat(text)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


class _Worker:
    """One connection and its aiosqlite worker thread, with our two queues (foreground first)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        #: work for the worker thread, taken foreground first by `_pump` (one pump on the thread at a time)
        self._queued = (collections.deque[Callable[[], None]](), collections.deque[Callable[[], None]]())
        self._queue_lock = threading.Lock()
        self._pumping = False
        #: outcomes of work the worker thread finished, not yet handed to their futures on the loop
        self._finished: collections.deque[tuple[asyncio.Future[Any], bool, Any]] = collections.deque()
        self._handing_back = False  # a hand-back is scheduled on the loop and has not started yet

    def submit(self, fn: Callable[..., T], *args: Any, later: bool = False) -> asyncio.Future[T]:
        """Queue `fn` for the worker thread now; the future resolves on the loop when it has run. `later`:
        background work, which the thread takes only when no other work is queued.

        aiosqlite runs `fn` on its own worker thread, the only thread that touches the connection. Its own
        `Connection._execute` would queue `fn` only once its coroutine is first scheduled, in plain arrival
        order, and wake the loop once per call; here the thread drains our two queues (`_pump`) and results
        are handed back through `_finished`, one wake-up for all that finished meanwhile (under load the
        worker thread no longer waits on the loop for each call).
        """
        conn = self.conn
        if not conn._running:
            raise RuntimeError("database is not open")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        work = functools.partial(self._work, loop, fut, fn, conn._conn, args)
        with self._queue_lock:
            self._queued[later].append(work)
            if self._pumping:
                return fut
            self._pumping = True
        conn._tx.put_nowait((None, self._pump))
        return fut

    def _pump(self) -> None:
        """On the worker thread: run queued work, foreground before background, until none is left."""
        now, later = self._queued
        while True:
            with self._queue_lock:
                if now:
                    work = now.popleft()
                elif later:
                    work = later.popleft()
                else:
                    self._pumping = False
                    return
            try:
                work()
            except BaseException:  # `_work` keeps every outcome; this is only so the pump never stops
                log.exception("database work failed outside its own handling")

    def _work(self, loop: asyncio.AbstractEventLoop, fut: asyncio.Future[Any], fn: Callable[..., Any],
              raw: sqlite3.Connection, args: tuple[Any, ...]) -> None:
        """On the worker thread: run `fn`, keep its outcome, and wake the loop unless a wake-up is on its way."""
        try:
            outcome: tuple[asyncio.Future[Any], bool, Any] = (fut, True, fn(raw, *args))
        except BaseException as exc:  # handed to the caller, as aiosqlite would
            outcome = (fut, False, exc)
        self._finished.append(outcome)
        if not self._handing_back:
            self._handing_back = True
            try:
                loop.call_soon_threadsafe(self._hand_back)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                self._handing_back = False

    def _hand_back(self) -> None:
        """On the loop: resolve every future whose work has finished, oldest first."""
        self._handing_back = False  # before draining: an outcome added from now on brings a new wake-up
        finished = self._finished
        while finished:
            fut, ok, value = finished.popleft()
            if fut.done():  # its caller gave up waiting
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)


class _Checkpointer:
    """Moves the WAL into the database file on a thread and connection of its own, so no member's write
    waits for it. SQLite's automatic checkpoint runs inside the COMMIT of whichever write crosses 1,000
    pages, and that write (and every write queued behind it) waits 20-50 ms: it is turned off on the
    writer, and this thread runs a PASSIVE checkpoint (which never blocks the writer or readers) shortly
    after writes were committed. Once every frame is copied, the next write starts the WAL afresh, so the
    file stays small; `journal_size_limit` trims it after a burst."""

    PAUSE_S = 0.05  # at most about 20 checkpoints a second, however many batches commit

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._wanted = threading.Event()
        self._stopping = False
        self.checkpoints = 0
        self._thread = threading.Thread(target=self._run, name="studybot-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wanted.set()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            while True:
                self._wanted.wait()
                if self._stopping:
                    return
                self._wanted.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # busy or locked: the next commit asks again
                    log.debug("checkpoint skipped: %s", exc)
                time.sleep(self.PAUSE_S)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout=5)


class Database:
    """Writes on one connection (group commit), reads on another beside it (WAL lets readers run while the
    writer commits: a `/leaderboard` does not wait behind a burst of answers), checkpoints on a third.
    An in-memory database has one connection for all (a second would be another, empty database)."""

    def __init__(self, path: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, write_retries: int = WRITE_RETRIES,
                 retry_delay_s: float = RETRY_DELAY_S, precedence: MembersFirst | None = None) -> None:
        """`precedence`: background reads and writes wait for their turn on the event loop there once done
        (bot.precedence), as they wait for members' work in the database."""
        self.path = path
        self._precedence = precedence
        self._busy_timeout_ms = busy_timeout_ms
        self._write_retries = write_retries
        self._retry_delay_s = retry_delay_s
        self._writer: _Worker | None = None
        self._reader: _Worker | None = None
        self._checkpointer: _Checkpointer | None = None
        #: group commit, apart for foreground and background writes (indexed by `background`)
        self._writes = (_Writes(background=False), _Writes(background=True))
        self.batches_committed = 0  # for tests and benchmarks: how well writes are grouped

    @property
    def checkpoints(self) -> int:
        """WAL checkpoints run so far (for tests and benchmarks); 0 for an in-memory database."""
        return self._checkpointer.checkpoints if self._checkpointer is not None else 0

    @property
    def _conn(self) -> aiosqlite.Connection | None:
        return self._writer.conn if self._writer is not None else None

    async def open(self) -> None:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        on_disk = self.path != ":memory:" and not self.path.startswith("file::memory:")
        if on_disk:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA wal_autocheckpoint = 0")  # see _Checkpointer
            await conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        self._writer = _Worker(conn)
        await self._run(_migrate)
        self._reader = self._writer
        if on_disk:
            reader = await aiosqlite.connect(self.path, isolation_level=None)
            await reader.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            await reader.execute("PRAGMA query_only = ON")  # a write through `read` fails loudly
            self._reader = _Worker(reader)
            self._checkpointer = _Checkpointer(self.path, self._busy_timeout_ms)

    async def migrate_feature(self, feature: str, scripts: tuple[str, ...]) -> int:
        """Bring one feature's own tables up to date (its numbered scripts; never edit a shipped one)."""
        return await self._run(_migrate_feature, feature, scripts)

    async def close(self) -> None:
        for lane in self._writes:
            if lane.timer is not None:
                lane.timer.cancel()
                lane.timer = None
            pending, lane.pending = lane.pending, []
            for _, fut in pending:
                if not fut.done():
                    fut.set_exception(RuntimeError("database closed"))
        reader, writer = self._reader, self._writer
        self._reader = self._writer = None
        if reader is not None and reader is not writer:
            await reader.conn.close()
        if writer is not None:
            await writer.conn.close()  # runs after the batches already handed to the thread
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._submit(fn, *args)

    def _submit(self, fn: Callable[..., T], *args: Any, later: bool = False) -> asyncio.Future[T]:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer.submit(fn, *args, later=later)

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read on the reader connection, in one read transaction (one consistent snapshot, however
        many statements `fn` runs); it sees every write whose `write()` has returned."""
        reader = self._reader
        if reader is None:
            raise RuntimeError("database is not open")
        later = in_background()
        if reader is self._writer:
            result = await reader.submit(fn, later=later)
        else:
            result = await reader.submit(_snapshot, fn, later=later)
        if later and self._precedence is not None:
            await self._precedence.turn()
        return result

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            raise RuntimeError("database is not open")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        lane = self._writes[in_background()]
        lane.pending.append((fn, fut))
        if lane.background:
            self._flush_background()
        elif lane.in_flight == 0 or (lane.in_flight < MAX_IN_FLIGHT and len(lane.pending) >= FIRST_BATCH):
            self._flush(lane)
        result = await fut
        if lane.background and self._precedence is not None:
            await self._precedence.turn()
        return result

    def _flush_background(self, overdue: bool = False) -> None:
        """Send the next background batch: one at a time, and only while no member's write is waiting or
        being committed, unless the oldest has waited `BACKGROUND_MAX_WAIT_S` (so it is never starved).
        Each background batch sent between two batches of answers is a commit of its own that the answers
        wait for: the reveal's checklist DMs (two small writes each) took a third of the writer's time in a
        burst of answers."""
        lane, members = self._writes[1], self._writes[0]
        if not lane.pending or lane.in_flight or self._conn is None:
            return
        if (members.in_flight or members.pending) and not overdue:
            if lane.timer is None:
                lane.timer = asyncio.get_running_loop().call_later(BACKGROUND_MAX_WAIT_S, self._background_due)
            return
        self._flush(lane)

    def _background_due(self) -> None:
        self._writes[1].timer = None
        self._flush_background(overdue=True)

    def _flush(self, lane: _Writes) -> None:
        size = MAX_BACKGROUND_BATCH if lane.background else MAX_BATCH
        batch, lane.pending = lane.pending[:size], lane.pending[size:]
        self._send(lane, batch, 0)

    def _send(self, lane: _Writes, batch: list[tuple[Work, asyncio.Future[Any]]], attempt: int) -> None:
        try:
            done = self._submit(_apply_batch, [fn for fn, _ in batch], later=lane.background)
        except RuntimeError as exc:  # closed meanwhile: every write of the batch hears it, none is left waiting
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        lane.in_flight += 1
        done.add_done_callback(functools.partial(self._settle, lane, batch, attempt))

    def _retry(self, lane: _Writes, batch: list[tuple[Work, asyncio.Future[Any]]], attempt: int) -> None:
        lane.in_flight -= 1  # the slot held while waiting
        if self._conn is None:
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(RuntimeError("database closed"))
            return
        self._send(lane, batch, attempt)

    def _settle(self, lane: _Writes, batch: list[tuple[Work, asyncio.Future[Any]]], attempt: int,
                done: asyncio.Future[Any]) -> None:
        lane.in_flight -= 1
        if done.cancelled():
            outcomes: list[tuple[bool, Any]] = [(False, RuntimeError("database closed"))] * len(batch)
        elif (exc := done.exception()) is not None:  # the transaction itself failed (e.g. locked too long)
            if is_transient(exc) and attempt < self._write_retries and self._conn is not None:
                log.warning("write batch of %d met %s; try %d of %d in %.1f s", len(batch), exc, attempt + 2,
                            self._write_retries + 1, self._retry_delay_s)
                lane.in_flight += 1  # keep the slot, so later writes queue behind this one
                asyncio.get_running_loop().call_later(self._retry_delay_s, self._retry, lane, batch, attempt + 1)
                return
            log.error("write batch of %d failed", len(batch), exc_info=exc)
            failure: BaseException = StoreUnavailable(str(exc)) if is_transient(exc) else exc
            outcomes = [(False, failure)] * len(batch)
        else:
            outcomes = done.result()
            self.batches_committed += 1
            if self._checkpointer is not None:
                self._checkpointer.poke()
        for (_, fut), (ok, value) in zip(batch, outcomes, strict=True):
            if fut.done():  # its caller gave up waiting; the write itself happened (or failed) regardless
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        if lane.background or not (lane.in_flight or lane.pending):
            self._flush_background()
        elif lane.pending and self._conn is not None and lane.in_flight < MAX_IN_FLIGHT:
            self._flush(lane)


class _Writes:
    """Writes of one kind (foreground or background) waiting for their batch, and their batches in flight."""

    __slots__ = ("background", "in_flight", "pending", "timer")

    def __init__(self, background: bool) -> None:
        self.background = background
        self.pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self.in_flight = 0
        self.timer: asyncio.TimerHandle | None = None  # background: the wait's limit, while members' writes go first


def _snapshot(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN")
    try:
        return fn(conn)
    finally:
        conn.execute("COMMIT")  # a read transaction: ends the snapshot, writes nothing


def _apply_batch(conn: sqlite3.Connection, works: list[Work]) -> list[tuple[bool, Any]]:
    """One transaction for the batch. Optimistically without savepoints; if any write fails, the whole
    transaction is rolled back and the batch re-run with a savepoint per write, so only the failing one
    is lost. Writes are pure functions of the database, so re-running them is safe."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        results = [(True, work(conn)) for work in works]
        conn.execute("COMMIT")
        return results
    except Exception as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if len(works) == 1:  # nothing else to keep: no second pass with a savepoint
            if is_transient(exc):
                raise  # the whole batch failed on a lock: `_settle` tries it again
            return [(False, exc)]
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


def _migrate(conn: sqlite3.Connection, up_to: int | None = None) -> None:
    """Apply the core migrations past `user_version`, all of them or up to number `up_to`."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[:up_to], 1):
            if number <= version:
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def migrate_to(conn: sqlite3.Connection, version: int) -> None:
    """A database file as a build `version` core migrations old left it (upgrade tests, benchmarks)."""
    _migrate(conn, up_to=version)


FEATURE_SCHEMA_SQL = """
    CREATE TABLE IF NOT EXISTS feature_schema (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)
"""


def _migrate_feature(conn: sqlite3.Connection, feature: str, scripts: tuple[str, ...]) -> int:
    """Apply a feature's own migrations past the version `feature_schema` records; how many ran."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(FEATURE_SCHEMA_SQL)
        row = conn.execute("SELECT version FROM feature_schema WHERE feature = ?", (feature,)).fetchone()
        version = row[0] if row else 0
        if version > len(scripts):
            raise RuntimeError(f"the database has {feature} schema version {version}, newer than this build "
                               f"({len(scripts)}): run the newer studybot, or restore a backup")
        for script in scripts[version:]:
            for statement in _statements(script):
                conn.execute(statement)
        if len(scripts) > version:
            conn.execute("INSERT INTO feature_schema (feature, version) VALUES (?, ?) "
                         "ON CONFLICT (feature) DO UPDATE SET version = excluded.version", (feature, len(scripts)))
        conn.execute("COMMIT")
        return len(scripts) - version
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
