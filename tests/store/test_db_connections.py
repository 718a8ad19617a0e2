"""The database's three connections on disk: the writer, a reader beside it, and the checkpointer."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.store.db import Database


async def test_a_read_does_not_wait_for_a_write_in_progress(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "r.db"))
    await db.open()
    release = threading.Event()
    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))
        await db.write(lambda c: c.execute("INSERT INTO t VALUES (1)"))

        def slow(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO t VALUES (2)")
            release.wait(5)  # the writer's transaction stays open until the read below has finished

        writing = asyncio.ensure_future(db.write(slow))
        await asyncio.sleep(0.05)
        seen = await asyncio.wait_for(db.read(lambda c: c.execute("SELECT x FROM t").fetchall()), 2)
        assert seen == [(1,)]  # the committed snapshot, not the uncommitted row
        release.set()
        await writing
        assert await db.read(lambda c: c.execute("SELECT x FROM t ORDER BY x").fetchall()) == [(1,), (2,)]
    finally:
        release.set()
        await db.close()


async def test_a_write_through_read_is_refused(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "q.db"))
    await db.open()
    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            await db.read(lambda c: c.execute("INSERT INTO t VALUES (1)"))
    finally:
        await db.close()


async def checkpointed(db: Database) -> None:
    """Until the checkpointer has taken a pass after the writes so far (it takes at most one per 50 ms;
    on a loaded machine its thread may wait longer for its turn)."""
    before = db.checkpoints
    for _ in range(200):
        await asyncio.sleep(0.03)
        if db.checkpoints > before:
            return
    raise AssertionError("no checkpoint in 6 s")


async def test_the_wal_is_checkpointed_away_from_the_writer_and_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = Database(str(path))
    await db.open()
    try:
        assert await db.read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
        await db.write(lambda c: c.execute("CREATE TABLE t (x TEXT)"))
        blob = "x" * 4000  # a page a row
        for _ in range(20):
            await asyncio.gather(*(db.write(lambda c, i=i: c.execute("INSERT INTO t VALUES (?)", (blob + str(i),)))
                                   for i in range(200)))
            await checkpointed(db)
        # 4,000 pages written; without checkpoints (autocheckpoint is off) the WAL would hold them all
        wal = Path(str(path) + "-wal")
        assert wal.stat().st_size < 2_000 * 4096  # noqa: ASYNC240
        assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM t").fetchone()[0]) == 4000
    finally:
        await db.close()
