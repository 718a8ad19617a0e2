"""Behaviour every storage backend must show, written against the protocols of `bot.store.protocols`.

Each test runs once per entry of `BACKENDS`. A backend opens a fresh, empty store and yields two handles
on it: `s`, and `peer`, which stands for a second process on the same data (its own connection where
the backend can have one; the same handle where it cannot, like SQLite in memory). To add PostgreSQL,
write one more opener that yields its repositories and append it to `BACKENDS`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.community import CommunitySettings
from bot.features.daily.store import DailyRepo, DailyStore, RoundStatus, SaveOutcome
from bot.store.communities import CommunityRepo, MemberRepo
from bot.store.db import Database
from bot.store.jobs import JobRepo
from bot.store.ledger import LedgerRepo, window
from bot.store.outbox import LEASE, ClaimState, OutboxRepo
from bot.store.packs import PackRepo, current
from bot.store.protocols import (
    CommunityStore,
    JobStore,
    LedgerStore,
    MemberStore,
    OutboxStore,
    PackStore,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
C = "discord:g1"


@dataclass(frozen=True)
class Stores:
    communities: CommunityStore
    members: MemberStore
    daily: DailyStore
    ledger: LedgerStore
    outbox: OutboxStore
    packs: PackStore
    jobs: JobStore


Opener = Callable[[Path], AbstractAsyncContextManager[tuple[Stores, Stores]]]


@dataclass(frozen=True)
class Backend:
    name: str
    open: Opener


def _sqlite(db: Database) -> Stores:
    return Stores(CommunityRepo(db), MemberRepo(db), DailyRepo(db), LedgerRepo(db), OutboxRepo(db),
                  PackRepo(db), JobRepo(db))


@asynccontextmanager
async def sqlite_memory(_: Path) -> AsyncIterator[tuple[Stores, Stores]]:
    db = Database(":memory:")
    await db.open()
    try:
        stores = _sqlite(db)
        yield stores, stores
    finally:
        await db.close()


@asynccontextmanager
async def sqlite_file(tmp: Path) -> AsyncIterator[tuple[Stores, Stores]]:
    path = str(tmp / "contract.db")
    first, second = Database(path), Database(path)
    await first.open()
    await second.open()
    try:
        yield _sqlite(first), _sqlite(second)
    finally:
        await second.close()
        await first.close()


#: every implementation of the protocols; each contract test runs once per entry
BACKENDS: list[Backend] = [
    Backend("sqlite-memory", sqlite_memory),
    Backend("sqlite-file", sqlite_file),
]


@pytest.fixture(params=BACKENDS, ids=[b.name for b in BACKENDS])
async def pair(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Stores, Stores]]:
    backend: Backend = request.param
    async with backend.open(tmp_path) as handles:
        yield handles


@pytest.fixture
def s(pair: tuple[Stores, Stores]) -> Stores:
    return pair[0]


@pytest.fixture
def peer(pair: tuple[Stores, Stores]) -> Stores:
    return pair[1]


# communities and members -------------------------------------------------------------------------------
async def test_community_settings_round_trip_and_upsert(s: Stores, peer: Stores) -> None:
    assert await s.communities.get(C) is None
    settings = CommunitySettings(community=C, channel="ch1", timezone="Europe/Berlin", enabled=True,
                                 active_since=NOW)
    await s.communities.save(settings, NOW)
    assert await peer.communities.get(C) == settings
    changed = CommunitySettings(community=C, channel="ch2")
    await s.communities.save(changed, NOW + timedelta(hours=1))
    assert await peer.communities.get(C) == changed


async def test_enabled_lists_only_enabled_communities_by_key(s: Stores) -> None:
    for key, on in (("slack:T2", True), ("discord:g9", False), ("discord:g1", True)):
        await s.communities.save(CommunitySettings(community=key, enabled=on), NOW)
    assert [c.community for c in await s.communities.enabled()] == ["discord:g1", "slack:T2"]


async def test_admin_member_and_notice_survive_settings_saves(s: Stores) -> None:
    await s.communities.save(CommunitySettings(community=C), NOW)
    assert await s.communities.admin_member(C) is None
    await s.communities.set_admin_member(C, "u1")
    assert await s.communities.set_admin_notice(C, "no channel")
    assert not await s.communities.set_admin_notice(C, "no channel")  # told already
    await s.communities.save(CommunitySettings(community=C, channel="x"), NOW)
    assert await s.communities.admin_member(C) == "u1"
    assert not await s.communities.set_admin_notice(C, "no channel")
    assert await s.communities.set_admin_notice(C, "missing permission")
    assert await s.communities.set_admin_notice(C, None)  # the problem went away
    assert not await s.communities.set_admin_notice(C, None)
    assert not await s.communities.set_admin_notice("discord:unknown", "x")


async def test_a_message_delivered_ends_the_problem_its_admins_were_told_about(s: Stores) -> None:
    """mark_sent(delivered_to=...) clears the community's notice in the same write, so the next failure is
    told again; a message marked sent without it leaves the notice as it was."""
    await s.communities.save(CommunitySettings(community=C), NOW)
    assert await s.communities.set_admin_notice(C, "missing permission")
    await s.outbox.claim("post-1", C, "ch1", NOW, "p1")
    await s.outbox.mark_sent("post-1", "ch1#m1", NOW)
    assert not await s.communities.set_admin_notice(C, "missing permission")  # still told, not over
    await s.outbox.claim("post-2", C, "ch1", NOW, "p1")
    await s.outbox.mark_sent("post-2", "ch1#m2", NOW, delivered_to=C)
    assert await s.outbox.sent_messages(["post-2"]) == {"post-2": "ch1#m2"}
    assert await s.communities.set_admin_notice(C, "missing permission")  # a new failure is told anew


async def test_members_touch_names_and_timezone(s: Stores, peer: Stores) -> None:
    assert await s.members.get(C, "u1") is None
    await s.members.touch(C, "u1", "Ada", NOW)
    await s.members.touch(C, "u1", "Ada L.", NOW + timedelta(minutes=1))
    await s.members.set_timezone(C, "u1", "Asia/Tokyo")
    got = await peer.members.get(C, "u1")
    assert got is not None and (got.display_name, got.timezone) == ("Ada L.", "Asia/Tokyo")
    ids = [f"u{i}" for i in range(1200)]
    for i in range(2, 1200, 400):
        await s.members.touch(C, f"u{i}", f"name{i}", NOW)
    await s.members.touch("slack:T1", "u2", "elsewhere", NOW)
    assert await peer.members.names(C, ids) == {"u1": "Ada L.", "u2": "name2", "u402": "name402",
                                                "u802": "name802"}
    assert await s.members.names(C, []) == {}


# rounds and answers ------------------------------------------------------------------------------------
async def _posted_round(s: Stores, day: date = date(2025, 6, 2), community: str = C) -> int:
    rnd = await s.daily.create_round(community, day, RoundStatus.PENDING, "item-1", "ch", NOW, NOW + timedelta(days=1))
    await s.daily.mark_posted(rnd.id, "msg-1", NOW)
    return rnd.id


async def test_a_round_is_created_once_per_community_and_date(s: Stores, peer: Stores) -> None:
    day = date(2025, 6, 2)
    first, second = await asyncio.gather(
        s.daily.create_round(C, day, RoundStatus.PENDING, "item-1", "ch", NOW, None),
        peer.daily.create_round(C, day, RoundStatus.PENDING, "item-2", "other", NOW, None))
    assert first == second and first.item_id in {"item-1", "item-2"}
    again = await s.daily.create_round(C, day, RoundStatus.SKIPPED, "item-3", None, NOW, None)
    assert again == first
    elsewhere = await s.daily.create_round("slack:T1", day, RoundStatus.PENDING, "item-1", "ch", NOW, None)
    assert elsewhere.id != first.id
    assert await s.daily.round_on(C, day) == first
    assert await s.daily.get_round(first.id) == first
    assert await s.daily.get_round(10_000) is None


async def test_round_status_moves_forward_only(s: Stores, peer: Stores) -> None:
    rnd = await s.daily.create_round(C, date(2025, 6, 2), RoundStatus.PENDING, "i1", "ch", NOW,
                                     NOW + timedelta(hours=8))
    assert await s.daily.latest_round(C) is None  # not out yet
    assert not await s.daily.start_reveal(rnd.id, NOW)  # not posted
    await s.daily.mark_posted(rnd.id, "m1", NOW)
    await s.daily.mark_posted(rnd.id, "m2", NOW + timedelta(minutes=1))  # no effect: already posted
    await s.daily.mark_skipped(rnd.id)  # no effect: only a pending round is skipped
    posted = await s.daily.get_round(rnd.id)
    assert posted is not None and posted.status is RoundStatus.POSTED and posted.message == "m1"
    assert posted.posted_at == NOW and posted.open_for_answers
    results = await asyncio.gather(s.daily.start_reveal(rnd.id, NOW + timedelta(hours=8)),
                                   peer.daily.start_reveal(rnd.id, NOW + timedelta(hours=8)))
    assert sorted(results) == [False, True]
    await s.daily.set_thread(rnd.id, "thread-1")
    await s.daily.finish_reveal(rnd.id)
    done = await s.daily.get_round(rnd.id)
    assert done is not None and done.status is RoundStatus.REVEALED and done.thread == "thread-1"
    assert done.revealed_at == NOW + timedelta(hours=8) and not done.open_for_answers
    assert await s.daily.latest_round(C) == done
    assert await s.daily.posted_times(C) == [NOW]


async def test_unfinished_rounds_and_history(s: Stores) -> None:
    days = [date(2025, 6, d) for d in (1, 2, 3, 4)]
    ids = [(await s.daily.create_round(C, d, RoundStatus.PENDING, f"i{n}" if n != 3 else None, "ch", NOW, None)).id
           for n, d in enumerate(days)]
    await s.daily.mark_skipped(ids[0])
    await s.daily.mark_posted(ids[1], "m", NOW)
    await s.daily.mark_posted(ids[2], "m", NOW)
    await s.daily.start_reveal(ids[2], NOW)
    assert [r.id for r in await s.daily.unfinished_rounds(C)] == ids[1:]
    assert await s.daily.history(C) == [("i0", "2025-06-01"), ("i1", "2025-06-02"), ("i2", "2025-06-03")]


async def test_save_answer_created_edited_kept_and_closed(s: Stores) -> None:
    rid = await _posted_round(s)
    late_window = timedelta(hours=24)
    saved = await s.daily.save_answer(rid, "u1", "first", NOW, late_window, 10, 3, "daily_answer",
                                      topic="mlops")
    assert saved is not None
    ans, outcome = saved
    assert outcome is SaveOutcome.CREATED and not ans.late and ans.text == "first" and ans.edits == 0
    assert await s.daily.answer_of(rid, "u1") == ans
    assert await s.daily.get_answer(ans.id) == ans
    edited = await s.daily.save_answer(rid, "u1", "second", NOW + timedelta(minutes=5), late_window, 10, 3,
                                       "daily_answer")
    assert edited is not None and edited[1] is SaveOutcome.EDITED
    assert (edited[0].id, edited[0].text, edited[0].edits) == (ans.id, "second", 1)
    assert edited[0].submitted_at == NOW and edited[0].updated_at == NOW + timedelta(minutes=5)
    assert await s.ledger.total(C, "u1") == 10  # an edit earns nothing more

    await s.daily.start_reveal(rid, NOW + timedelta(hours=8))
    kept = await s.daily.save_answer(rid, "u1", "third", NOW + timedelta(hours=9), late_window, 10, 3,
                                     "daily_answer")
    assert kept is not None and kept[1] is SaveOutcome.KEPT and kept[0].text == "second"

    late = await s.daily.save_answer(rid, "u2", "late one", NOW + timedelta(hours=9), late_window, 10, 3,
                                     "daily_answer", topic="mlops")
    assert late is not None and late[1] is SaveOutcome.CREATED and late[0].late
    assert await s.ledger.total(C, "u2") == 3
    closed = await s.daily.save_answer(rid, "u3", "too late", NOW + timedelta(hours=33), late_window, 10, 3,
                                       "daily_answer")
    assert closed is None
    assert await s.daily.save_answer(10_000, "u1", "x", NOW, late_window, 10, 3, "daily_answer") is None
    assert [a.member for a in await s.daily.answers(rid)] == ["u1", "u2"]
    assert await s.daily.answer_count(C, "u1") == 1
    assert await s.daily.answer_times(C, "u2") == [NOW + timedelta(hours=9)]


async def test_concurrent_first_answers_of_one_member_award_once(s: Stores, peer: Stores) -> None:
    rid = await _posted_round(s)
    results = await asyncio.gather(*(
        (s if n % 2 else peer).daily.save_answer(rid, "u1", f"text {n}", NOW, timedelta(hours=1), 10, 3,
                                                 "daily_answer")
        for n in range(6)))
    outcomes = sorted(r[1] for r in results if r is not None)
    assert outcomes == [SaveOutcome.CREATED] + [SaveOutcome.EDITED] * 5
    assert await s.ledger.total(C, "u1") == 10


async def test_a_saved_answer_and_an_award_share_one_ledger_key(s: Stores) -> None:
    rid = await _posted_round(s)
    await s.daily.save_answer(rid, "u1", "a", NOW, timedelta(hours=1), 10, 3, "daily_answer",
                              topic="deep-learning")
    assert not await s.ledger.award(C, "u1", 10, "daily_answer", str(rid), NOW, topic="deep-learning")
    assert await s.ledger.top(C, None, topic="deep-learning") == [("u1", 10)]
    assert await s.ledger.top(C, NOW, topic="mlops") == []


async def test_checklist_sharing_skips_and_kudos(s: Stores, peer: Stores) -> None:
    rid = await _posted_round(s)
    saved = await s.daily.save_answer(rid, "u1", "a", NOW, timedelta(hours=1), 10, 3, "daily_answer")
    assert saved is not None
    aid = saved[0].id
    await s.daily.set_shared(aid, True)
    ticked = await s.daily.toggle_covered(aid, 2)
    ticked = await s.daily.toggle_covered(aid, 0)
    ticked = await s.daily.toggle_covered(aid, 2)
    assert ticked is not None and ticked.covered == frozenset({0}) and ticked.shared
    results = await asyncio.gather(s.daily.finish_checklist(aid), peer.daily.finish_checklist(aid))
    assert sorted(results) == [False, True]
    frozen = await s.daily.toggle_covered(aid, 1)
    assert frozen is not None and frozen.covered == frozenset({0}) and frozen.checklist_done
    assert await s.daily.toggle_covered(10_000, 1) is None
    assert await s.daily.skip(rid, "u2", NOW) and not await peer.daily.skip(rid, "u2", NOW)
    assert await s.daily.add_kudos(aid, "u3", NOW) and not await peer.daily.add_kudos(aid, "u3", NOW)
    assert await s.daily.add_kudos(aid, "u4", NOW)


# ledger ------------------------------------------------------------------------------------------------
async def test_awards_are_idempotent_per_member_reason_and_ref(s: Stores, peer: Stores) -> None:
    results = await asyncio.gather(s.ledger.award(C, "u1", 5, "kudos", "a1", NOW),
                                   peer.ledger.award(C, "u1", 5, "kudos", "a1", NOW))
    assert sorted(results) == [False, True]
    assert await s.ledger.award(C, "u1", 2, "key_point", "a1", NOW)  # another reason
    assert await s.ledger.award(C, "u2", 5, "kudos", "a1", NOW)  # another member
    assert await s.ledger.award("slack:T1", "u1", 5, "kudos", "a1", NOW)  # another community
    assert await s.ledger.total(C, "u1") == 7
    assert await s.ledger.total("slack:T1", "u1") == 5


async def test_totals_windows_top_and_rank(s: Stores) -> None:
    week = NOW - timedelta(days=2)
    await s.ledger.award(C, "old", 50, "r", "1", NOW - timedelta(days=30))
    await s.ledger.award(C, "b", 10, "r", "1", NOW)
    await s.ledger.award(C, "a", 10, "r", "1", NOW - timedelta(days=1))
    await s.ledger.award(C, "c", 4, "r", "1", week)  # the window includes its start
    await s.ledger.award(C, "c", 4, "r", "2", NOW)
    await s.ledger.award(C, "d", -3, "r", "1", NOW)  # a correction
    assert await s.ledger.top(C, None) == [("old", 50), ("a", 10), ("b", 10), ("c", 8), ("d", -3)]
    assert await s.ledger.top(C, week) == [("a", 10), ("b", 10), ("c", 8), ("d", -3)]
    assert await s.ledger.top(C, week, 2) == [("a", 10), ("b", 10)]
    assert await s.ledger.top(C, NOW + timedelta(seconds=1)) == []
    assert await s.ledger.top("slack:T1", None) == []
    assert await s.ledger.total(C, "c", week) == 8
    assert await s.ledger.total(C, "c", NOW) == 4
    assert await s.ledger.total(C, "old", week) == 0
    assert await s.ledger.total(C, "nobody") == 0
    assert await s.ledger.rank(C, "old") == 1
    assert await s.ledger.rank(C, "a") == 2 and await s.ledger.rank(C, "b") == 2  # ties share a rank
    assert await s.ledger.rank(C, "c") == 4
    assert await s.ledger.rank(C, "nobody") is None


async def test_topic_leaderboard_counts_only_points_of_that_topic(s: Stores) -> None:
    await s.ledger.award(C, "a", 10, "daily_answer", "1", NOW, topic="mlops")
    await s.ledger.award(C, "a", 5, "daily_answer", "2", NOW - timedelta(days=20), topic="mlops")
    await s.ledger.award(C, "b", 10, "daily_answer", "1", NOW, topic="coding")
    await s.ledger.award(C, "b", 7, "admin", "x", NOW)  # no topic
    assert await s.ledger.top(C, None, topic="mlops") == [("a", 15)]
    assert await s.ledger.top(C, NOW - timedelta(days=7), topic="mlops") == [("a", 10)]
    assert await s.ledger.top(C, None, topic="coding") == [("b", 10)]
    assert await s.ledger.top(C, None) == [("b", 17), ("a", 15)]


# outbox ------------------------------------------------------------------------------------------------
async def test_outbox_claims_are_exclusive_across_processes(s: Stores, peer: Stores) -> None:
    keys = [f"k{i}" for i in range(20)]
    claims = await asyncio.gather(*(
        repo.outbox.claim(k, C, "ch", NOW, owner) for k in keys
        for repo, owner in ((s, "p1"), (peer, "p2"), (s, "p3"))))
    for i in range(len(keys)):
        states = sorted(c.state for c in claims[3 * i: 3 * i + 3])
        assert states == sorted([ClaimState.NEW, ClaimState.BUSY, ClaimState.BUSY]), states
    assert await s.outbox.attempts("k0") == 1 and await s.outbox.is_claimed("k0")


async def test_outbox_lease_expiry_force_and_sent(s: Stores, peer: Stores) -> None:
    assert (await s.outbox.claim("k", C, "ch", NOW, "p1")).state is ClaimState.NEW
    assert (await peer.outbox.claim("k", C, "ch", NOW + LEASE / 2, "p2", force=True)).state is ClaimState.BUSY
    reclaimed = await peer.outbox.claim("k", C, "ch", NOW + LEASE, "p2")
    assert reclaimed.state is ClaimState.RECLAIMED and reclaimed.created_at == NOW
    assert (await s.outbox.claim("k", C, "ch", NOW + LEASE, "p1")).state is ClaimState.BUSY
    assert await s.outbox.attempts("k") == 2
    await peer.outbox.mark_sent("k", "msg-9", NOW + LEASE)
    done = await s.outbox.claim("k", C, "ch", NOW + timedelta(days=1), "p3", force=True)
    assert (done.state, done.message, done.created_at) == (ClaimState.SENT, "msg-9", NOW)
    assert not await s.outbox.is_claimed("k")


async def test_outbox_failures_wait_for_their_retry_time_unless_forced(s: Stores, peer: Stores) -> None:
    await s.outbox.claim("k", C, "ch", NOW, "p1")
    retry_at = NOW + timedelta(minutes=30)
    assert await s.outbox.mark_failed("k", "rate limited", retry_at) == 1
    assert not await s.outbox.is_claimed("k")
    assert await s.outbox.next_retry(C, NOW) == retry_at
    assert await s.outbox.next_retry(C, retry_at) is None
    assert (await peer.outbox.claim("k", C, "ch", NOW + timedelta(minutes=5), "p2")).state is ClaimState.BUSY
    forced = await peer.outbox.claim("k", C, "ch", NOW + timedelta(minutes=5), "p2", force=True)
    assert forced.state is ClaimState.RECLAIMED
    assert await s.outbox.mark_failed("k", "again", retry_at) == 2
    assert (await s.outbox.claim("k", C, "ch", retry_at, "p1")).state is ClaimState.RECLAIMED


async def test_outbox_retry_waiting_makes_a_community_due_now(s: Stores) -> None:
    for key, community in (("a", C), ("b", C), ("c", "slack:T1")):
        await s.outbox.claim(key, community, "ch", NOW, "p1")
        await s.outbox.mark_failed(key, "missing access", NOW + timedelta(hours=1))
    await s.outbox.claim("live", C, "ch", NOW, "p1")  # a live claim is not a waiting row
    assert await s.outbox.retry_waiting(C, NOW + timedelta(minutes=1)) == 2
    assert (await s.outbox.claim("a", C, "ch", NOW + timedelta(minutes=1), "p2")).state is ClaimState.RECLAIMED
    assert (await s.outbox.claim("c", "slack:T1", "ch", NOW + timedelta(minutes=1), "p2")).state \
        is ClaimState.BUSY
    assert (await s.outbox.claim("live", C, "ch", NOW + timedelta(minutes=1), "p2")).state is ClaimState.BUSY


async def test_outbox_release_of_dead_owners(s: Stores, peer: Stores) -> None:
    await s.outbox.claim("k1", C, "ch", NOW, "dead")
    await s.outbox.claim("k2", C, "ch", NOW, "dead")
    await s.outbox.claim("k3", C, "ch", NOW, "alive")
    assert sorted(await peer.outbox.claim_owners()) == ["alive", "dead"]
    assert await peer.outbox.release(["dead", "never-seen"], NOW) == 2
    assert await peer.outbox.claim_owners() == ["alive"]
    assert (await peer.outbox.claim("k1", C, "ch", NOW, "p2")).state is ClaimState.RECLAIMED
    assert (await peer.outbox.claim("k3", C, "ch", NOW, "p2")).state is ClaimState.BUSY


async def test_outbox_abandoned_rows_are_settled(s: Stores) -> None:
    await s.outbox.claim("k", C, "dm:u1", NOW, "p1")
    await s.outbox.mark_abandoned("k", "member left")
    assert (await s.outbox.claim("k", C, "dm:u1", NOW + timedelta(days=1), "p2", force=True)).state \
        is ClaimState.ABANDONED
    assert not await s.outbox.is_claimed("k") and await s.outbox.claim_owners() == []
    assert await s.outbox.attempts("missing") == 0


# jobs --------------------------------------------------------------------------------------------------
async def test_job_claims_are_exclusive_under_concurrency(s: Stores, peer: Stores) -> None:
    for i in range(60):
        await s.jobs.schedule("daily", f"j{i:02}", C, NOW - timedelta(seconds=i), {"n": i}, NOW)
    lease = NOW + timedelta(minutes=5)
    batches = await asyncio.gather(*(
        (s if n % 2 else peer).jobs.claim_due(NOW, f"p{n}", lease, None, 9) for n in range(8)))
    keys = [job.key for batch in batches for job in batch]
    assert len(keys) == len(set(keys)) == 60
    assert all(job.attempts == 1 for batch in batches for job in batch)
    assert await s.jobs.claim_due(NOW, "late", lease, None, 100) == []


async def test_claim_due_takes_oldest_first_and_only_due_jobs(s: Stores) -> None:
    await s.jobs.schedule("daily", "b", C, NOW - timedelta(minutes=1), {"x": [1, "two"]}, NOW)
    await s.jobs.schedule("daily", "a", C, NOW - timedelta(minutes=2), {}, NOW)
    await s.jobs.schedule("daily", "later", C, NOW + timedelta(minutes=1), {}, NOW)
    jobs = await s.jobs.claim_due(NOW, "p1", NOW + timedelta(minutes=5), None, 10)
    assert [(j.key, j.community, j.due_at) for j in jobs] == [
        ("a", C, NOW - timedelta(minutes=2)), ("b", C, NOW - timedelta(minutes=1))]
    assert jobs[1].payload == {"x": [1, "two"]}
    assert await s.jobs.next_due(None) == NOW + timedelta(minutes=1)


async def test_job_claims_filter_by_platform(s: Stores) -> None:
    await s.jobs.schedule("daily", "d", "discord:g1", NOW, {}, NOW)
    await s.jobs.schedule("daily", "s", "slack:T1", NOW + timedelta(minutes=1), {}, NOW)
    assert await s.jobs.next_due(("slack",)) == NOW + timedelta(minutes=1)
    assert await s.jobs.claim_due(NOW + timedelta(hours=1), "p", NOW + timedelta(hours=2), ("console",), 10) == []
    taken = await s.jobs.claim_due(NOW + timedelta(hours=1), "p", NOW + timedelta(hours=2), ("slack",), 10)
    assert [j.key for j in taken] == ["s"]
    both = await s.jobs.claim_due(NOW + timedelta(hours=1), "p", NOW + timedelta(hours=2),
                                  ("discord", "slack"), 10)
    assert [j.key for j in both] == ["d"]


async def test_a_lapsed_job_lease_is_claimed_again_and_the_old_run_cannot_finish_it(
        s: Stores, peer: Stores) -> None:
    await s.jobs.schedule("daily", "k", C, NOW, {}, NOW)
    [job] = await s.jobs.claim_due(NOW, "p1", NOW + timedelta(minutes=1), None, 10)
    assert await peer.jobs.claim_due(NOW + timedelta(seconds=30), "p2", NOW + timedelta(minutes=2), None, 10) == []
    assert await s.jobs.next_due(None) == NOW + timedelta(minutes=1)  # the lease end
    [again] = await peer.jobs.claim_due(NOW + timedelta(minutes=1), "p2", NOW + timedelta(minutes=3), None, 10)
    assert again.attempts == 2
    await s.jobs.finish(job, "p1", NOW + timedelta(minutes=1))  # p1 lost it: matches nothing
    got = await s.jobs.get("daily", "k")
    assert got is not None and got[0] == "running"
    await peer.jobs.finish(again, "p2", NOW + timedelta(minutes=2))
    got = await s.jobs.get("daily", "k")
    assert got is not None and got[0] == "done" and got[2] == 2
    assert await s.jobs.next_due(None) is None


async def test_release_of_dead_job_owners(s: Stores, peer: Stores) -> None:
    await s.jobs.schedule("daily", "k1", C, NOW, {}, NOW)
    await s.jobs.schedule("daily", "k2", C, NOW, {}, NOW)
    await s.jobs.claim_due(NOW, "dead", NOW + timedelta(hours=1), None, 1)
    await s.jobs.claim_due(NOW, "alive", NOW + timedelta(hours=1), None, 1)
    assert sorted(await peer.jobs.owners()) == ["alive", "dead"]
    assert await peer.jobs.release(["dead"], NOW) == 1
    [job] = await peer.jobs.claim_due(NOW, "p2", NOW + timedelta(hours=1), None, 10)
    assert job.attempts == 2
    assert sorted(await peer.jobs.owners()) == ["alive", "p2"]


async def test_rescheduling_a_running_job_survives_its_finish(s: Stores, peer: Stores) -> None:
    await s.jobs.schedule("daily", "k", C, NOW, {"day": 1}, NOW)
    [job] = await s.jobs.claim_due(NOW, "p1", NOW + timedelta(minutes=5), None, 10)
    tomorrow = NOW + timedelta(days=1)
    await peer.jobs.schedule("daily", "k", C, tomorrow, {"day": 2}, NOW)  # the handler plans its next run
    await s.jobs.finish(job, "p1", NOW + timedelta(seconds=1))
    await s.jobs.retry(job, "p1", NOW + timedelta(minutes=1), "boom")  # no effect either
    assert await s.jobs.get("daily", "k") == ("pending", tomorrow, 0, None)
    assert await s.jobs.claim_due(NOW + timedelta(hours=1), "p1", NOW + timedelta(hours=2), None, 10) == []
    [nxt] = await s.jobs.claim_due(tomorrow, "p1", tomorrow + timedelta(minutes=5), None, 10)
    assert nxt.payload == {"day": 2} and nxt.attempts == 1


async def test_a_failed_job_retries_at_its_time_and_records_why(s: Stores) -> None:
    await s.jobs.schedule("daily", "k", C, NOW, {}, NOW)
    [job] = await s.jobs.claim_due(NOW, "p1", NOW + timedelta(minutes=5), None, 10)
    await s.jobs.retry(job, "p1", NOW + timedelta(minutes=10), "chat down")
    assert await s.jobs.get("daily", "k") == ("pending", NOW + timedelta(minutes=10), 1, "chat down")
    assert await s.jobs.claim_due(NOW + timedelta(minutes=9), "p1", NOW + timedelta(minutes=20), None, 10) == []
    [again] = await s.jobs.claim_due(NOW + timedelta(minutes=10), "p1", NOW + timedelta(minutes=20), None, 10)
    assert again.attempts == 2
    await s.jobs.finish(again, "p1", NOW + timedelta(minutes=11), status="skipped", error="past grace")
    assert await s.jobs.get("daily", "k") == ("skipped", NOW + timedelta(minutes=10), 2, "past grace")


async def test_missing_cancel_and_cancel_community(s: Stores) -> None:
    await s.jobs.schedule("daily", "discord:g1", "discord:g1", NOW, {}, NOW)
    await s.jobs.schedule("daily", "discord:g2", "discord:g2", NOW + timedelta(hours=1), {}, NOW)
    await s.jobs.schedule("reveal", "discord:g3", "discord:g3", NOW, {}, NOW)
    everyone = ["discord:g1", "discord:g2", "discord:g3"]
    assert await s.jobs.missing("daily", everyone) == ["discord:g3"]
    [job] = await s.jobs.claim_due(NOW, "p1", NOW + timedelta(minutes=5), None, 1)
    await s.jobs.finish(job, "p1", NOW)
    assert await s.jobs.missing("daily", everyone) == [job.key, "discord:g3"]
    await s.jobs.cancel("daily", "discord:g2")
    assert await s.jobs.get("daily", "discord:g2") is None
    assert await s.jobs.cancel_community("discord:g3") == 1
    assert await s.jobs.cancel_community("discord:g1") == 0  # done rows stay as history
    assert await s.jobs.get("daily", "discord:g1") is not None


# packs -------------------------------------------------------------------------------------------------
async def test_pack_versions_current_and_removal(s: Stores, peer: Stores) -> None:
    start = await s.packs.fingerprint(C)
    assert start == (0, 0, 0) and await s.packs.versions(C) == []
    v1 = await s.packs.add(C, "stats", "yaml", "items: []", 3, "u1", NOW)
    other = await s.packs.add("slack:T1", "stats", "csv", "x", 1, "u9", NOW)
    v2 = await peer.packs.add(C, "stats", "csv", "items: [1]", 4, "u2", NOW + timedelta(minutes=1))
    await s.packs.add(C, "ml", "gift", "items: [2]", 2, "u1", NOW + timedelta(minutes=2))
    versions = await peer.packs.versions(C)
    assert [(v.name, v.item_count, v.source_format) for v in versions] == [
        ("stats", 3, "yaml"), ("stats", 4, "csv"), ("ml", 2, "gift")]
    assert versions[0] == v1 and versions[1] == v2 and other.id not in {v.id for v in versions}
    assert versions[0].added_at == NOW and versions[0].active
    assert sorted(current(versions)) == ["ml", "stats"] and current(versions)["stats"].id == v2.id
    before = await s.packs.fingerprint(C)
    assert before != start
    assert await s.packs.remove(C, "stats", NOW + timedelta(hours=1))
    assert not await peer.packs.remove(C, "stats", NOW + timedelta(hours=2))
    assert not await s.packs.remove(C, "nothing", NOW)
    after = await peer.packs.fingerprint(C)
    assert after != before
    versions = await s.packs.versions(C)
    assert sorted(current(versions)) == ["ml"]
    assert all(v.removed_at == NOW + timedelta(hours=1) for v in versions if v.name == "stats")
    assert [v.name for v in current(await s.packs.versions("slack:T1")).values()] == ["stats"]


# per-period boards (bot.store.ledger: totals kept with each row) -----------------------------------------
LA = "America/Los_Angeles"


async def _in_zone(s: Stores, zone: str) -> None:
    await s.communities.save(CommunitySettings(community=C, timezone=zone), NOW)


async def test_week_and_month_boards_are_bounded_at_both_ends_in_the_community_zone(s: Stores, peer: Stores) -> None:
    await _in_zone(s, LA)
    # Monday 2 June 2025 00:00 in Los Angeles is 07:00 UTC; the month began 1 June 00:00 PDT = 07:00 UTC
    monday = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
    await s.ledger.award(C, "before", 5, "r", "1", monday - timedelta(microseconds=1))  # Sunday evening there
    await s.ledger.award(C, "start", 4, "r", "1", monday)  # the window includes its start
    await s.ledger.award(C, "end", 3, "r", "1", monday + timedelta(days=7) - timedelta(microseconds=1))
    await s.ledger.award(C, "next", 2, "r", "1", monday + timedelta(days=7))  # the next week: not in this one
    week = window("week", monday + timedelta(days=3), LA)
    assert (week.label, week.start, week.end) == ("w2025-06-02", monday, monday + timedelta(days=7))
    board = await peer.ledger.standings(C, week, now=NOW)
    assert [(r.member, r.points, r.rank) for r in board] == [("start", 4, 1), ("end", 3, 2)]
    may, june = window("month", monday - timedelta(hours=1), LA), window("month", monday, LA)
    assert may.label == "m2025-06" and june.label == "m2025-06"  # 1 June 23:59 PDT and 2 June are June
    may = window("month", datetime(2025, 6, 1, 6, 59, tzinfo=UTC), LA)
    assert may.label == "m2025-05"
    await s.ledger.award(C, "may", 1, "r", "1", datetime(2025, 6, 1, 6, 59, tzinfo=UTC))
    assert [r.member for r in await s.ledger.standings(C, may, now=NOW)] == ["may"]
    assert [r.member for r in await s.ledger.standings(C, june, now=NOW)] == ["before", "start", "end", "next"]
    everything = await s.ledger.standings(C, window("all", NOW, LA), now=NOW)
    assert [r.member for r in everything] == ["before", "start", "end", "next", "may"]


async def test_ties_share_a_rank_in_the_order_the_score_was_reached_and_pages_keep_ranks(s: Stores) -> None:
    w = window("week", NOW, "UTC")
    for n, member in enumerate(["late", "early", "solo", "x", "y", "z"]):
        points = {"solo": 20, "x": 1, "y": 1, "z": 1}.get(member, 10)
        await s.ledger.award(C, member, points, "r", "1", NOW + timedelta(minutes={"late": 9, "early": 1}.get(member, n)))
    board = await s.ledger.standings(C, w, now=NOW)
    assert [(r.member, r.rank) for r in board] == [("solo", 1), ("early", 2), ("late", 2), ("x", 4), ("y", 4),
                                                   ("z", 4)]
    second = await s.ledger.standings(C, w, limit=2, offset=3, now=NOW)
    assert [(r.member, r.rank) for r in second] == [("x", 4), ("y", 4)]  # a page starting inside a tie
    mine = await s.ledger.standing(C, "z", w, now=NOW)
    assert mine is not None and (mine.points, mine.rank) == (1, 4)
    assert await s.ledger.standing(C, "nobody", w, now=NOW) is None
    without = await s.ledger.standings(C, w, exclude={"solo", "early"}, now=NOW)
    assert [(r.member, r.rank) for r in without][:2] == [("late", 1), ("x", 2)]
    assert await s.ledger.standing(C, "solo", w, exclude={"solo"}, now=NOW) is None
    late = await s.ledger.standing(C, "late", w, exclude={"solo"}, now=NOW)
    assert late is not None and late.rank == 1


async def test_topic_boards_and_member_views(s: Stores, peer: Stores) -> None:
    w = window("week", NOW, "UTC")
    await s.ledger.award(C, "a", 10, "daily_answer", "1", NOW, topic="mlops")
    await s.ledger.award(C, "a", 3, "kudos", "1:b", NOW + timedelta(minutes=1), topic="mlops")
    await s.ledger.award(C, "b", 12, "quiz_correct", "q1", NOW, topic="coding")
    await s.ledger.award(C, "b", 5, "admin_adjustment", "x:fair", NOW + timedelta(minutes=2))
    assert [(r.member, r.points) for r in await peer.ledger.standings(C, w, topic="mlops", now=NOW)] == [("a", 13)]
    assert [(r.member, r.points) for r in await s.ledger.standings(C, w, topic="coding", now=NOW)] == [("b", 12)]
    assert [(r.member, r.points) for r in await s.ledger.standings(C, w, now=NOW)] == [("b", 17), ("a", 13)]
    assert await s.ledger.by_reason(C, "a") == {"daily_answer": 10, "kudos": 3}
    recent = await s.ledger.recent(C, "b", 1)
    assert [(r.points, r.reason, r.ref, r.topic) for r in recent] == [(5, "admin_adjustment", "x:fair", None)]
    assert [r.reason for r in await s.ledger.recent(C, "b", 10, 1)] == ["quiz_correct"]
    assert await s.ledger.member_periods(C, "a", ["all", w.label, "w1999-01-04"]) == {"all": 13, w.label: 13}
    assert await s.ledger.member_periods(C, "a", [w.label], topic="coding") == {}
    rows = await s.ledger.community_rows(C)
    assert [(m, p, r) for m, p, r, *_ in rows] == [("a", 10, "daily_answer"), ("b", 12, "quiz_correct"),
                                                    ("a", 3, "kudos"), ("b", 5, "admin_adjustment")]


async def test_gains_compare_a_week_with_the_one_before(s: Stores) -> None:
    w = window("week", NOW, "UTC")
    before = w.before()
    assert before.end == w.start
    await s.ledger.award(C, "steady", 10, "r", "1", NOW - timedelta(days=7))
    await s.ledger.award(C, "steady", 10, "r", "2", NOW)
    await s.ledger.award(C, "riser", 2, "r", "1", NOW - timedelta(days=7))
    await s.ledger.award(C, "riser", 9, "r", "2", NOW)
    await s.ledger.award(C, "new", 4, "r", "1", NOW)
    assert await s.ledger.gains(C, w, now=NOW) == [("riser", 7), ("new", 4)]
    assert await s.ledger.gains(C, w, exclude={"riser"}, now=NOW) == [("new", 4)]


async def test_a_timezone_change_recounts_weeks_and_months_in_the_new_zone(s: Stores, peer: Stores) -> None:
    await _in_zone(s, "UTC")
    sunday_night = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)  # Sunday in UTC; already Monday in Berlin
    await s.ledger.award(C, "a", 5, "r", "1", sunday_night, topic="mlops")
    await s.ledger.award(C, "b", 3, "r", "1", NOW)
    utc_week = window("week", NOW, "UTC")
    assert [r.member for r in await s.ledger.standings(C, utc_week, now=NOW)] == ["b"]
    await _in_zone(s, "Europe/Berlin")
    berlin = window("week", NOW, "Europe/Berlin")
    assert berlin.label == utc_week.label and berlin.start != utc_week.start
    # asked for Berlin while the totals are keyed by UTC: they are recounted first, then read
    assert [(r.member, r.points) for r in await peer.ledger.standings(C, berlin, now=NOW)] == [("a", 5), ("b", 3)]
    assert [r.member for r in await s.ledger.standings(C, berlin, topic="mlops", now=NOW)] == ["a"]
    assert not await s.ledger.sync_zone(C, "Europe/Berlin", NOW)  # already keyed so
    await s.ledger.award(C, "c", 1, "r", "1", NOW)  # a new row is keyed by Berlin too
    assert [r.member for r in await s.ledger.standings(C, berlin, now=NOW)] == ["a", "b", "c"]
    assert await s.ledger.sync_zone(C, "UTC", NOW)  # and back
    assert [r.member for r in await s.ledger.standings(C, utc_week, now=NOW)] == ["b", "c"]
    assert [r.points for r in await s.ledger.standings(C, window("all", NOW, "UTC"), now=NOW)] == [5, 3, 1]


async def test_erasing_a_member_keeps_every_board_consistent(s: Stores, peer: Stores) -> None:
    w = window("week", NOW, "UTC")
    for member, points in (("gone", 30), ("a", 20), ("b", 10)):
        await s.ledger.award(C, member, points, "r", "1", NOW, topic="mlops")
    assert await s.ledger.erase_member(C, "gone") == 1
    for board in (await peer.ledger.standings(C, w, now=NOW), await s.ledger.standings(C, w, topic="mlops", now=NOW),
                  await s.ledger.standings(C, window("month", NOW, "UTC"), now=NOW),
                  await s.ledger.standings(C, window("all", NOW, "UTC"), now=NOW)):
        assert [(r.member, r.rank) for r in board] == [("a", 1), ("b", 2)]
    assert await s.ledger.standing(C, "gone", w, now=NOW) is None
    assert await s.ledger.top(C, None) == [("a", 20), ("b", 10)] and await s.ledger.rank(C, "a") == 1
    assert await s.ledger.member_periods(C, "gone", ["all", w.label]) == {}


# members' data: what forget-me needs of the other stores --------------------------------------------------
async def test_outbox_rows_of_a_member_and_by_key(s: Stores, peer: Stores) -> None:
    await s.outbox.claim("dm-1", C, "dm:u1", NOW, "p1")
    await s.outbox.claim("post-1", C, "ch1", NOW, "p1")
    await s.outbox.mark_sent("post-1", "ch1#m9", NOW)
    await s.outbox.claim("post-2", C, "ch1", NOW, "p1")
    assert await peer.outbox.sent_messages(["post-1", "post-2", "nothing"]) == {"post-1": "ch1#m9"}
    assert await s.outbox.erase_member(C, "u1") == 1 and await s.outbox.attempts("dm-1") == 0
    assert await s.outbox.forget(["post-1", "post-2", "nothing"]) == 2
    assert await peer.outbox.sent_messages(["post-1"]) == {}


async def test_clearing_the_admin_member_only_for_that_member(s: Stores) -> None:
    await s.communities.save(CommunitySettings(community=C), NOW)
    await s.communities.set_admin_member(C, "ada")
    assert not await s.communities.clear_admin_member(C, "bo")
    assert await s.communities.admin_member(C) == "ada"
    assert await s.communities.clear_admin_member(C, "ada")
    assert await s.communities.admin_member(C) is None


async def test_answer_ids_of_a_member(s: Stores) -> None:
    rnd = await s.daily.create_round(C, date(2025, 6, 2), RoundStatus.POSTED, "i1", "ch1", NOW, None)
    saved = await s.daily.save_answer(rnd.id, "u1", "text", NOW, timedelta(hours=1), 10, 4, "daily_answer")
    assert saved is not None
    assert await s.daily.answer_ids(C, "u1") == [saved[0].id] and await s.daily.answer_ids(C, "u2") == []
