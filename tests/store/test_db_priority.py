"""Work done in `background()` (the job queue) gives way on the database's one worker thread: whatever else
is queued runs first, and background writes commit in batches of their own, so a member's answer never
waits behind a herd of daily jobs. Each test holds the worker thread on a gate while it queues work, then
lets go and records the order the thread ran it in."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable

import pytest

from bot.precedence import background
from bot.store.db import Database


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database(":memory:")
    await database.open()
    await database.write(lambda c: c.execute("CREATE TABLE seen (n INTEGER)"))
    try:
        yield database
    finally:
        await database.close()


async def hold(db: Database) -> tuple[threading.Event, asyncio.Future[None]]:
    """Occupy the worker thread until the returned gate is set; returns once it is really held."""
    gate, held, loop = threading.Event(), asyncio.Event(), asyncio.get_running_loop()

    def wait(_: sqlite3.Connection) -> None:
        loop.call_soon_threadsafe(held.set)
        gate.wait(5)

    busy = asyncio.ensure_future(db.read(wait))
    await asyncio.wait_for(held.wait(), 5)
    return gate, busy


def noting(order: list[str], name: str) -> Callable[[sqlite3.Connection], str]:
    def fn(_: sqlite3.Connection) -> str:
        order.append(name)  # on the worker thread, in the order it runs the work
        return name

    return fn


async def background_read(db: Database, fn: Callable[[sqlite3.Connection], str]) -> str:
    with background():
        return await db.read(fn)


async def test_a_read_queued_after_background_reads_runs_before_them(db: Database) -> None:
    gate, busy = await hold(db)
    order: list[str] = []
    jobs = [asyncio.ensure_future(background_read(db, noting(order, f"bg{i}"))) for i in range(5)]
    await asyncio.sleep(0.01)  # all five are queued behind the gate
    member = asyncio.ensure_future(db.read(noting(order, "member")))
    await asyncio.sleep(0.01)
    gate.set()
    assert await member == "member"
    await asyncio.gather(busy, *jobs)
    assert order == ["member", "bg0", "bg1", "bg2", "bg3", "bg4"]


async def test_a_write_does_not_wait_for_background_writes_to_commit_first(db: Database) -> None:
    gate, busy = await hold(db)
    order: list[str] = []

    def insert(name: str) -> Callable[[sqlite3.Connection], str]:
        def fn(c: sqlite3.Connection) -> str:
            c.execute("INSERT INTO seen (n) VALUES (?)", (len(order),))
            order.append(name)
            return name

        return fn

    async def job(i: int) -> str:
        with background():
            return await db.write(insert(f"bg{i}"))

    jobs = [asyncio.ensure_future(job(i)) for i in range(4)]
    await asyncio.sleep(0.01)  # the first background batch is on the thread's queue, the rest wait for it
    answer = asyncio.ensure_future(db.write(insert("answer")))
    await asyncio.sleep(0.01)
    gate.set()
    assert await answer == "answer"
    assert await asyncio.gather(*jobs) == ["bg0", "bg1", "bg2", "bg3"]
    await busy
    assert order[0] == "answer" and sorted(order[1:]) == ["bg0", "bg1", "bg2", "bg3"]
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM seen").fetchone()[0]) == 5


async def test_background_work_still_runs_in_order_and_reports_errors(db: Database) -> None:
    order: list[str] = []

    def fail(_: sqlite3.Connection) -> None:
        raise ValueError("no such thing")

    with background():
        names = await asyncio.gather(*(db.read(noting(order, f"r{i}")) for i in range(3)))
        with pytest.raises(ValueError, match="no such thing"):
            await db.read(fail)
        with pytest.raises(sqlite3.OperationalError):
            await db.write(lambda c: c.execute("INSERT INTO nowhere VALUES (1)"))
        assert await db.write(lambda c: c.execute("INSERT INTO seen (n) VALUES (1)").rowcount) == 1
    assert names == ["r0", "r1", "r2"] and order == names
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM seen").fetchone()[0]) == 1


async def test_the_background_mark_ends_with_its_block_and_reaches_tasks_started_in_it(db: Database) -> None:
    gate, busy = await hold(db)
    order: list[str] = []
    with background():
        started_inside = asyncio.ensure_future(db.read(noting(order, "inside")))
    await asyncio.sleep(0.01)
    after = asyncio.ensure_future(db.read(noting(order, "after")))
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(busy, started_inside, after)
    assert order == ["after", "inside"]


async def hold_write(db: Database, order: list[str]) -> tuple[threading.Event, asyncio.Future[None]]:
    """A member's write that occupies the worker thread until the returned gate is set."""
    gate, held, loop = threading.Event(), asyncio.Event(), asyncio.get_running_loop()

    def wait(_: sqlite3.Connection) -> None:
        loop.call_soon_threadsafe(held.set)
        gate.wait(5)
        order.append("member1")

    busy = asyncio.ensure_future(db.write(wait))
    await asyncio.wait_for(held.wait(), 5)
    return gate, busy


async def background_write(db: Database, fn: Callable[[sqlite3.Connection], str]) -> str:
    with background():
        return await db.write(fn)


async def test_a_background_write_waits_until_members_writes_are_committed(db: Database) -> None:
    """Sent between two batches of members' writes, it would be a commit of its own that they wait for."""
    order: list[str] = []
    gate, busy = await hold_write(db, order)
    job = asyncio.ensure_future(background_write(db, noting(order, "bg")))
    await asyncio.sleep(0.01)
    second = asyncio.ensure_future(db.write(noting(order, "member2")))  # waits for the first batch's commit
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(busy, second, job)
    assert order == ["member1", "member2", "bg"]


async def test_a_background_write_is_not_starved_by_members_writes(db: Database,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Members' writes keep coming (eight writers, each writing again as soon as it is answered), so their
    lane is never idle; the background write still goes once it has waited its longest."""
    monkeypatch.setattr("bot.store.db.BACKGROUND_MAX_WAIT_S", 0.001)
    done: list[str] = []

    async def member(n: int) -> None:
        for i in range(40):
            await db.write(lambda c, i=i: c.execute("INSERT INTO seen (n) VALUES (?)", (i,)))
        done.append(f"member{n}")

    async def job() -> None:
        await asyncio.sleep(0.002)  # the members' lane is busy by now
        await background_write(db, noting([], "bg"))
        done.append("bg")

    await asyncio.gather(*(member(n) for n in range(8)), job())
    assert done.index("bg") < len(done) - 1, done  # not left until every member's writes were done
