"""The quiz race under a thousand clicks, in real time, beside the plain limit of the same library.

studybot: `build_core` on a file database with the real clock and APScheduler (`start_core`), a race
started with `/quiz race` through `StudyBot.handle`, and 1,000 members each clicking a pick button once
within the same second (`handle(ChoiceSelected(...))`, `occurred_at` = the click's own time), the second
that ends just before the question's deadline, so the close job wakes while the last clicks are handled.
Figures: clicks recorded (must equal 1,000), p50/p99 per-click latency from each click's arrival (loop
waits included), and the reveal's lateness: from the deadline to the moment the question message is
edited (the close job: claim, close, read the picks, render, edit).

The plain limit: one sqlite3 connection on a writer thread with group commit (every request that has
arrived goes into the next transaction), writing the same rows on the same schema (the quiz feature's
migrations): the member upsert and the pick insert, driven by the same arrivals.
Run alone with `python -m bench race [--quick]`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "core"))

from fakes import FakeChat
from quiz_helpers import quiz_bank

from bench.plain import GroupCommitWriter
from bot.actions import decode
from bot.bootstrap import Core, build_core, start_core
from bot.chat import ChatRouter
from bot.clock import SystemClock
from bot.config import Config
from bot.events import Actor, ChoiceSelected, CommandInvoked
from bot.features.quiz.migrations import MIGRATIONS
from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Reply
from bot.scheduler import ApScheduler
from bot.store.db import Database, to_db

COMMUNITY = CommunityRef(Platform.CONSOLE, "bench")
CLICKS = 1000
SECONDS = 10  # the shortest question a race allows
TAIL = 0.05  # the burst ends this long before the deadline
P99_TARGET_MS = 25.0
REVEAL_TARGET_S = 1.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class TimedChat(FakeChat):
    """FakeChat that notes when each edit (a reveal) reached the platform, in UTC."""

    edited_at: list[tuple[MessageRef, datetime]] = field(default_factory=list)
    posted: asyncio.Event = field(default_factory=asyncio.Event)
    revealed: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        ref = await super().send(destination, reply)
        if (reply.title or "").startswith("Race · question"):
            self.posted.set()
        return ref

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        await super().edit(message, reply)
        self.edited_at.append((message, datetime.now(UTC)))
        self.revealed.set()


async def burst(fire: Callable[[int, datetime], Any], deadline: datetime) -> list[float]:
    """CLICKS calls of `fire(i, at)` spread evenly over the second ending TAIL before `deadline` (wall
    clock); the latency of each, in ms, from its planned arrival."""
    loop = asyncio.get_running_loop()
    end = loop.time() + (deadline - datetime.now(UTC)).total_seconds() - TAIL
    arrivals = [end - 1.0 + i / CLICKS for i in range(CLICKS)]
    latencies: list[float] = []

    async def one(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - loop.time()))
        await fire(i, datetime.now(UTC))
        latencies.append((loop.time() - at) * 1000)

    await asyncio.gather(*(one(i, at) for i, at in enumerate(arrivals)))
    return latencies


async def ours(folder: Path, trial: int) -> dict[str, float]:
    chat = TimedChat()
    router = ChatRouter()
    router.register(Platform.CONSOLE, chat)
    config = Config(db=str(folder / f"race{trial}.db"))
    core: Core = await build_core(config, clock=SystemClock(), scheduler=ApScheduler(), bank=quiz_bank(),
                                  chat=router)
    await start_core(core, config)
    channel = ChannelRef(COMMUNITY, f"race-{trial}")
    starter = Actor(MemberRef(COMMUNITY, "starter"), "Starter")
    try:
        await core.bot.handle(CommandInvoked(starter, channel, "quiz", {"count": 1, "seconds": SECONDS}, "race"))
        await asyncio.wait_for(chat.posted.wait(), 30)
        (post,) = chat.channel_posts(channel.key)
        action = post.reply.choices[0].action
        race_store = next(f for f in core.registry.features if f.name == "quiz").parts["race_store"]
        question = await race_store.question(int(decode(action).args[0]))
        deadline = question.deadline
        actors = [Actor(MemberRef(COMMUNITY, f"m{i:04d}"), f"Member {i}") for i in range(CLICKS)]

        async def click(i: int, at: datetime) -> None:
            resp = await core.bot.handle(ChoiceSelected(actors[i], channel, action, post.ref, occurred_at=at))
            assert resp.reply is not None

        latencies = await burst(click, deadline)
        await asyncio.wait_for(chat.revealed.wait(), SECONDS + 30)  # the close job edits the question
        reveal_late = (chat.edited_at[0][1] - deadline).total_seconds()
        recorded = sum(len(p) for p in (await race_store.picks(question.race_id)).values())
        await core.jobs.idle()
    finally:
        await core.close()
    return {"recorded": recorded, "p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99),
            "reveal": reveal_late}


class Plain:
    """sqlite3 and a writer thread with group commit, on the quiz feature's own tables."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = GroupCommitWriter(path)

    @classmethod
    async def open(cls, path: Path, deadline: datetime) -> Plain:
        db = Database(str(path))
        await db.open()
        await db.migrate_feature("quiz", MIGRATIONS)

        def seed(c: sqlite3.Connection) -> None:
            now = to_db(datetime.now(UTC))
            c.execute("INSERT INTO quiz_races (id, community, channel, count, seconds, created_at, first_at) "
                      "VALUES (1, ?, 'plain', 1, ?, ?, ?)", (COMMUNITY.key, SECONDS, now, now))
            c.execute("INSERT INTO quiz_race_questions (id, race_id, idx, item_id, topic, answer, deadline, message) "
                      "VALUES (1, 1, 0, 'q', 'deep-learning', 1, ?, 'plain#1')", (to_db(deadline),))

        await db.write(seed)
        await db.close()
        plain = cls(path)
        await plain.write(lambda c: c.execute("SELECT 1").fetchone())  # the connection is open and warm
        return plain

    async def click(self, i: int, at: datetime) -> None:
        who, now = f"m{i:04d}", to_db(datetime.now(UTC))

        def w(c: sqlite3.Connection) -> int:
            c.execute("""INSERT INTO members (community, id, display_name, first_seen, last_seen)
                         VALUES (?, ?, ?, ?, ?)
                         ON CONFLICT (community, id) DO UPDATE SET display_name = excluded.display_name,
                           last_seen = excluded.last_seen""", (COMMUNITY.key, who, f"Member {i}", now, now))
            return int(c.execute(
                """INSERT INTO quiz_race_picks (question_id, community, member, choice, event_at, arrived_at)
                   SELECT q.id, r.community, ?, 1, ?, ? FROM quiz_race_questions q JOIN quiz_races r
                   ON r.id = q.race_id WHERE q.id = 1 AND r.community = ? AND q.closed_at IS NULL
                   AND q.deadline >= ? ON CONFLICT (question_id, member) DO NOTHING""",
                (who, to_db(at), now, COMMUNITY.key, to_db(at))).rowcount)

        await self.write(w)

    async def write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        return await self.writer.submit(fn)

    def recorded(self) -> int:
        conn = sqlite3.connect(self.path)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM quiz_race_picks").fetchone()[0])
        finally:
            conn.close()

    def close(self) -> None:
        self.writer.close()


async def plain(folder: Path, trial: int) -> dict[str, float]:
    deadline = datetime.now(UTC) + timedelta(seconds=1.2)
    system = await Plain.open(folder / f"plain{trial}.db", deadline)
    try:
        latencies = await burst(system.click, deadline)
    finally:
        system.close()
    return {"recorded": system.recorded(), "p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99)}


def _cell(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return f"{values[0]:{fmt}}"
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


async def run(trials: int) -> list[tuple[str, str, str, str]]:
    o: dict[str, list[float]] = {}
    p: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for trial in range(trials):
            for key, value in (await ours(Path(tmp), trial)).items():
                o.setdefault(key, []).append(value)
            for key, value in (await plain(Path(tmp), trial)).items():
                p.setdefault(key, []).append(value)
    return [
        (f"clicks recorded of {CLICKS:,}", _cell(o["recorded"], ",.0f"), _cell(p["recorded"], ",.0f"),
         f"= {CLICKS:,}"),
        ("per click, p50 from arrival (ms)", _cell(o["p50"], ".1f"), _cell(p["p50"], ".1f"), ""),
        ("per click, p99 from arrival (ms)", _cell(o["p99"], ".1f"), _cell(p["p99"], ".1f"),
         f"< {P99_TARGET_MS:.0f}"),
        ("reveal edit after the deadline (s)", _cell(o["reveal"], ".3f"), "-", f"< {REVEAL_TARGET_S:.0f}"),
    ]


def main(quick: bool = False) -> None:
    trials = 1 if quick else 3
    rows = asyncio.run(run(trials))
    print(f"the race: {CLICKS:,} picks within the second before a {SECONDS} s question's deadline, each through "
          "StudyBot.handle(ChoiceSelected) on a file database with the real clock and APScheduler, beside plain "
          "sqlite3 group commit writing the same rows; " + ("one trial" if trials == 1 else
                                                             f"medians (ranges) of {trials} trials"))
    header = ("figure", "studybot", "plain sqlite3, same run", "target")
    widths = [max(len(r[i]) for r in (*rows, header)) for i in range(4)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main("--quick" in sys.argv)
