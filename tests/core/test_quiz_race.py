"""The channel race through the real composition root, with a settable clock and jobs fired by hand:
public questions, private picks, the durable close at the deadline, speed by the platform's event time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import CHANNEL, COMMUNITY, Harness
from hypothesis import given
from hypothesis import strategies as st
from quiz_helpers import Heard, button, click, member, part, quiz_harness, race, race_answer

from bot.actions import decode
from bot.events import Actor, ChoiceSelected
from bot.features.quiz import points
from bot.features.quiz.race_run import PAUSE, START_DELAY
from bot.ids import ChannelRef, MemberRef
from bot.messages import Reply, Visibility

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
FIRST = START + START_DELAY


def race_posts(h: Harness) -> list[Reply]:
    return [s.reply for s in h.chat.channel_posts(CHANNEL.key) if (s.reply.title or "").startswith("Race ·")]


def ledger(rows: dict[str, object]) -> list[tuple[int, str, str | None]]:
    board = rows["board"]
    assert isinstance(board, dict)
    return [(r["points"], r["reason"], r["topic"]) for r in board["points"]]


async def started(h: Harness, count: int = 2, seconds: int = 20, topic: str = "deep-learning") -> Reply:
    resp = await race(h, "ann", topic=topic, count=count, seconds=seconds)
    assert resp.visibility is Visibility.PUBLIC and resp.reply is not None
    assert resp.reply.title == "Quiz race"
    await h.run_until(FIRST)
    return race_posts(h)[-1]


async def test_a_race_question_closes_at_its_deadline_and_speed_follows_event_time() -> None:
    heard = Heard()
    h = await quiz_harness(START, heard=heard)
    try:
        announce = await race(h, "ann", topic="deep-learning", count=2, seconds=20)
        assert announce.reply and "2 questions on deep-learning, 20 s each" in announce.reply.text
        assert not race_posts(h)  # the first question comes a few seconds after the announcement
        await h.run_until(FIRST)
        (question,) = race_posts(h)
        assert question.title == "Race · question 1 of 2" and len(question.choices) == 4
        assert all(c.action.startswith("quiz:pick:") for c in question.choices)
        right, wrong = await race_answer(h, question)

        # cy's click arrives first but happened last; bob's happened first: speed goes by event time
        h.clock.set(FIRST + timedelta(seconds=10))
        cy = await click(h, "cy", right, at=FIRST + timedelta(seconds=9))
        bob = await click(h, "bob", right, at=FIRST + timedelta(seconds=2))
        dan = await click(h, "dan", wrong, at=FIRST + timedelta(seconds=4))
        for resp in (cy, bob, dan):
            assert resp.visibility is Visibility.ONLY_YOU and resp.reply and resp.reply.text.startswith("Locked in")
        changed = await click(h, "dan", right, at=FIRST + timedelta(seconds=5))
        assert changed.reply and "Your first pick counts" in changed.reply.text
        # nobody sees who chose what before the close: nothing public names a picker yet
        public = [s.reply.text for s in h.chat.sent] + [r.text for _, r in h.chat.edits]
        assert not any("{@bob}" in t or "{@cy}" in t or "{@dan}" in t for t in public)

        h.clock.set(FIRST + timedelta(seconds=21))
        late = await click(h, "eve", right, at=FIRST + timedelta(seconds=21))
        ahead = await click(h, "fay", right, at=FIRST + timedelta(seconds=90))  # a fast platform clock: now
        assert ahead.reply and "Time's up" in ahead.reply.text
        assert late.reply and "Time's up" in late.reply.text

        assert h.scheduler.next_run() == FIRST + timedelta(seconds=20)  # a durable job at the deadline
        await h.run_until(FIRST + timedelta(seconds=21))
        (edited, reveal), = h.chat.edits
        assert edited == h.chat.channel_posts(CHANNEL.key)[-1].ref
        assert reveal.title == "Race · question 1 of 2 · closed" and not reveal.choices
        assert "3 members picked; 2 got it right." in reveal.text
        assert "Fastest right: 🥇 {@bob} (2.0 s), 🥈 {@cy} (9.0 s)" in reveal.text
        assert "✅ " in reveal.text and "Answer: **" in reveal.text

        bob_pts = ledger(await h.core.registry.export_member(member(h, "bob")))
        cy_pts = ledger(await h.core.registry.export_member(member(h, "cy")))
        assert bob_pts == [(points.race_points(True, timedelta(seconds=2), timedelta(seconds=20)),
                            points.REASON_RACE, "deep-learning")]
        assert cy_pts[0][0] < bob_pts[0][0]
        assert ledger(await h.core.registry.export_member(member(h, "dan"))) == []
        assert sorted((s.member.id, s.source, s.correct) for s in heard.signals) == [
            ("bob", "race", True), ("cy", "race", True), ("dan", "race", False)]

        closed = await click(h, "eve", right, at=FIRST + timedelta(seconds=19))  # in time, but after the close
        assert closed.reply and "has closed" in closed.reply.text
        # regression: a picker clicking again after the close was told the question "closes" in the past
        again = await click(h, "bob", wrong, at=FIRST + timedelta(seconds=21))
        assert again.reply and "It has closed; the answer shows on the message." in again.reply.text
        assert "closes" not in again.reply.text

        # after a pause the next question; then the standings
        await h.run_until(FIRST + timedelta(seconds=21) + PAUSE)
        second = race_posts(h)[-1]
        assert second.title == "Race · question 2 of 2"
        right2, _ = await race_answer(h, second)
        second_at = FIRST + timedelta(seconds=21) + PAUSE  # the pause runs from the close
        h.clock.set(second_at + timedelta(seconds=2))
        await click(h, "cy", right2, at=second_at + timedelta(seconds=1))
        await h.run_until(second_at + timedelta(seconds=20))
        (results,) = h.chat.titled("Race results")
        lines = results.reply.text.splitlines()
        assert results.reply.text.startswith("The race is over: 2 of 2 questions.")
        assert lines[2].startswith("🥇 {@cy}") and "(2/2 right)" in lines[2]
        assert lines[3].startswith("🥈 {@bob}") and lines[4].startswith("3. {@dan}: **0** pts")  # no medal for no points
        # the channel is free again
        again = await race(h, "bob", topic="math-stats", count=1)
        assert again.reply and again.reply.title == "Quiz race"
    finally:
        await h.close()


async def test_one_race_per_channel_and_not_in_a_dm() -> None:
    h = await quiz_harness(START)
    try:
        await started(h)
        second = await race(h, "bob", topic="math-stats")
        assert second.visibility is Visibility.ONLY_YOU and second.reply
        assert "A race is already running in this channel" in second.reply.text
        assert "{@ann}" in second.reply.text and "question 1 of 2" in second.reply.text and "{t:" in second.reply.text
        elsewhere = await race(h, "bob", topic="math-stats", channel=ChannelRef(COMMUNITY, "random"))
        assert elsewhere.reply and elsewhere.reply.title == "Quiz race"  # another channel is fine
        dm = await race(h, "bob", in_dm=True)
        assert dm.reply and "A race is for a channel" in dm.reply.text and dm.visibility is Visibility.ONLY_YOU
    finally:
        await h.close()


async def test_two_races_started_at_once_in_one_channel_make_one_race() -> None:
    h = await quiz_harness(START)
    try:
        both = await asyncio.gather(race(h, "ann", topic="deep-learning"), race(h, "bob", topic="math-stats"))
        titles = sorted((r.reply.title or "") if r.reply else "" for r in both)
        assert titles == ["", "Quiz race"]
        refused = next(r for r in both if r.reply and r.reply.title is None)
        assert refused.reply and "already running" in refused.reply.text
        await h.run_until(FIRST)
        assert len(race_posts(h)) == 1
    finally:
        await h.close()


async def test_bad_race_input_is_refused() -> None:
    h = await quiz_harness(START)
    try:
        for options, says in (({"topic": "astrology"}, "Topics with quiz questions"),
                              ({"count": 0}, "goes from 1 to 20"), ({"count": 40}, "goes from 1 to 20"),
                              ({"seconds": 5}, "goes from 10 to 120"), ({"seconds": 600}, "goes from 10 to 120"),
                              ({"topic": "behavioural"}, "No quiz questions match behavioural")):
            resp = await race(h, "ann", **options)
            assert resp.reply and says in resp.reply.text and resp.visibility is Visibility.ONLY_YOU
        assert not h.scheduler.jobs and not h.chat.sent
    finally:
        await h.close()


async def test_the_starter_or_an_admin_can_stop_a_race() -> None:
    h = await quiz_harness(START)
    try:
        announce = await race(h, "ann", topic="deep-learning", count=3, seconds=30)
        stop = button(announce.reply, "Stop the race")
        await h.run_until(FIRST)
        right, _ = await race_answer(h, race_posts(h)[-1])
        h.clock.set(FIRST + timedelta(seconds=4))
        await click(h, "bob", right, at=FIRST + timedelta(seconds=3))
        refused = await click(h, "bob", stop)
        assert refused.reply and "Only {@ann} or an admin can stop this race" in refused.reply.text
        refused_cmd = await h.command("bob", "quiz", "stop")
        assert refused_cmd.reply and "Only {@ann}" in refused_cmd.reply.text
        h.clock.set(FIRST + timedelta(seconds=5))
        stopping = await h.command("boss", "quiz", "stop", admin=True)
        assert stopping.reply and "Stopping the race" in stopping.reply.text
        again = await click(h, "ann", stop)
        assert again.reply and "already stopping" in again.reply.text
        await h.run_until(FIRST + timedelta(seconds=5))  # the race's job, due at once
        (_, reveal), = h.chat.edits
        assert "1 member picked; 1 got it right." in reveal.text
        (results,) = h.chat.titled("Race results")
        assert results.reply.text.startswith("{@boss} stopped the race after 1 of 3 questions.")
        assert "🥇 {@bob}" in results.reply.text
        assert len(race_posts(h)) == 1  # nothing more was asked
        assert (await h.command("ann", "quiz", "stop")).reply.text == "No race is running in this channel."
    finally:
        await h.close()


async def test_a_race_survives_a_restart_in_the_middle_of_a_question(tmp_path: Path) -> None:
    db = str(tmp_path / "race.db")
    h = await quiz_harness(START, db)
    question = await started(h, count=2, seconds=20)
    right, _ = await race_answer(h, question)
    h.clock.set(FIRST + timedelta(seconds=8))
    await click(h, "bob", right, at=FIRST + timedelta(seconds=1))
    await h.close()  # the process goes away mid-question

    h = await quiz_harness(START, db, clock=h.clock)
    try:
        await h.core.sweep()  # start-up: the job queue looks at its rows and plans its wake-up
        assert h.scheduler.next_run() == FIRST + timedelta(seconds=20)  # the reveal is still due on time
        h.clock.set(FIRST + timedelta(seconds=12))
        again = await click(h, "cy", right, at=FIRST + timedelta(seconds=10))  # a button from before
        assert again.reply and again.reply.text.startswith("Locked in")
        twice = await click(h, "bob", right, at=FIRST + timedelta(seconds=11))
        assert twice.reply and "already locked in" in twice.reply.text
        await h.run_until(FIRST + timedelta(seconds=20))
        (edited, reveal), = h.chat.edits  # the new process edits the message posted by the old one
        assert edited.id == "m1" and "2 members picked; 2 got it right." in reveal.text
        assert "🥇 {@bob} (1.0 s), 🥈 {@cy} (10.0 s)" in reveal.text
        await h.run_until(FIRST + timedelta(seconds=20) + PAUSE)
        assert race_posts(h)[-1].title == "Race · question 2 of 2"
    finally:
        await h.close()


async def test_a_thousand_clicks_in_one_second_are_each_recorded_once_in_event_order() -> None:
    h = await quiz_harness(START)
    try:
        question = await started(h, count=1, seconds=20)
        right, wrong = await race_answer(h, question)
        h.clock.set(FIRST + timedelta(seconds=3))
        n = 1000

        def pick(i: int, action: str, at: datetime) -> ChoiceSelected:
            who = MemberRef(COMMUNITY, f"m{i:04d}")
            return ChoiceSelected(Actor(who, f"M{i}"), CHANNEL, action, occurred_at=at)

        # arrival order is the reverse of event order; every member also clicks a second time
        firsts = [pick(i, right if i % 2 else wrong, FIRST + timedelta(seconds=1, microseconds=999_000 - i * 900))
                  for i in range(n)]
        seconds_ = [pick(i, wrong if i % 2 else right, FIRST + timedelta(seconds=2)) for i in range(n)]
        replies = await asyncio.gather(*(h.core.bot.handle(e) for e in firsts + seconds_))
        assert sum(r.reply is not None and r.reply.text.startswith("Locked in") for r in replies) == n
        assert sum(r.reply is not None and "Your first pick counts" in r.reply.text for r in replies) == n
        qid = int(decode(right).args[0])
        picks = await part(h.core, "race_store").close(qid, h.clock.now())
        assert len(picks) == n and len({p.member for p in picks}) == n
        assert [p.member for p in picks] == [f"m{i:04d}" for i in reversed(range(n))]  # by event time
        assert all(p.choice == int(decode(right if int(p.member[1:]) % 2 else wrong).args[-1]) for p in picks)
    finally:
        await h.close()


async def test_a_foreign_or_malformed_pick_is_answered_kindly() -> None:
    h = await quiz_harness(START)
    try:
        question = await started(h, count=1)
        qid = int(decode(question.choices[0].action).args[0])
        for action in (f"quiz:pick:{qid}:7", "quiz:pick:99999:0", "quiz:stop:99999", "quiz:pick:x:1"):
            resp = await click(h, "bob", action)
            assert resp.reply and "no longer" in resp.reply.text and resp.visibility is Visibility.ONLY_YOU
    finally:
        await h.close()


async def test_a_members_race_picks_are_exported_and_erased() -> None:
    h = await quiz_harness(START)
    try:
        question = await started(h, count=1)
        right, _ = await race_answer(h, question)
        await click(h, "bob", right, at=FIRST + timedelta(seconds=1))
        bob = member(h, "bob")
        assert (await h.core.registry.export_member(bob))["quiz"]["race_picks"][0]["question"] == 1
        ann = member(h, "ann")
        assert (await h.core.registry.export_member(ann))["quiz"]["race_picks"][0]["started_or_stopped_in"]
        assert (await h.core.registry.erase_member(bob))["quiz"] == 1
        assert (await h.core.registry.erase_member(ann))["quiz"] == 1  # the race no longer names its starter
        assert (await h.core.registry.export_member(bob))["quiz"]["race_picks"] == []
        assert (await h.core.registry.export_member(ann))["quiz"]["race_picks"] == []
        await h.run_until(FIRST + timedelta(seconds=20))
        (results,) = h.chat.titled("Race results")
        assert "Nobody scored" in results.reply.text
    finally:
        await h.close()


@given(st.booleans(), st.floats(min_value=-5, max_value=200), st.floats(min_value=-5, max_value=200),
       st.integers(min_value=10, max_value=120))
def test_race_points_reward_right_answers_and_fall_with_time(correct: bool, a: float, b: float, limit: int) -> None:
    span = timedelta(seconds=limit)
    pa = points.race_points(correct, timedelta(seconds=a), span)
    pb = points.race_points(correct, timedelta(seconds=b), span)
    if not correct:
        assert pa == pb == 0
        return
    assert points.RACE_CORRECT <= pa <= points.RACE_CORRECT + points.RACE_SPEED
    if a <= b:
        assert pa >= pb
    assert points.race_points(True, timedelta(), span) == points.RACE_CORRECT + points.RACE_SPEED
    assert points.race_points(True, span, span) == points.RACE_CORRECT
