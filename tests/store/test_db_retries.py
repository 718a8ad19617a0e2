"""A write that meets a lock held by another process waits its busy timeout, is tried again a few times,
and either commits or fails as StoreUnavailable with nothing of it saved: never half a write."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store.db import Database, StoreUnavailable


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "locked.db"
    conn = sqlite3.connect(file)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    conn.close()
    yield file


def other_process_lock(path: Path) -> sqlite3.Connection:
    """Another writer holding the database's write lock until it commits."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t VALUES (0)")
    return conn


def insert(n: int) -> Callable[[sqlite3.Connection], int]:
    return lambda c: c.execute("INSERT INTO t VALUES (?)", (n,)).rowcount


async def test_a_single_write_behind_a_lock_is_tried_again_and_commits(path: Path) -> None:
    db = Database(str(path), busy_timeout_ms=10, write_retries=5, retry_delay_s=0.02)
    await db.open()
    lock = other_process_lock(path)
    try:
        write = asyncio.ensure_future(db.write(insert(1)))
        await asyncio.sleep(0.05)  # it met the lock at least once
        assert not write.done()
        lock.execute("COMMIT")
        assert await write == 1
        rows = await db.read(lambda c: sorted(r[0] for r in c.execute("SELECT x FROM t")))
        assert rows == [0, 1]
    finally:
        lock.close()
        await db.close()


async def test_writes_that_never_get_the_lock_fail_and_save_nothing(path: Path) -> None:
    db = Database(str(path), busy_timeout_ms=5, write_retries=2, retry_delay_s=0.01)
    await db.open()
    lock = other_process_lock(path)
    try:
        one = await asyncio.gather(db.write(insert(1)), return_exceptions=True)
        many = await asyncio.gather(*(db.write(insert(n)) for n in range(2, 6)),
                                    return_exceptions=True)
        assert all(isinstance(r, StoreUnavailable) for r in (*one, *many)), (one, many)
        lock.execute("ROLLBACK")
        assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM t").fetchone()[0]) == 0
        assert await db.write(insert(7)) == 1
    finally:
        lock.close()
        await db.close()
