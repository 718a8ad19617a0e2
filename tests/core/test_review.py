"""/review: cards from missed items (signals from quizzes and the daily checklist), the fsrs library's own
schedule, state that survives a restart, clicks that rate once, removed questions, points and members' data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import CHANNEL, COMMUNITY, FakeChat, FakeScheduler, Harness, packed, small_bank
from fsrs import Card, Rating, Scheduler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import FEATURES, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import Bank
from bot.content.item import Item
from bot.content.schema import validate_item
from bot.events import FormSubmitted
from bot.ids import MemberRef, Platform
from bot.messages import Reply, Response, Visibility
from bot.registry import FeatureSpec
from bot.signals import ItemAttempted

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
MC = "t-mc-001"
OPEN = "t-ml-algorithms-000"  # small_bank's first open item


def mc_item(n: int) -> Item:
    return validate_item({
        "id": f"t-mc-{n:03d}", "domain": "deep-learning", "subtopic": "optimisers", "kind": "multiple_choice",
        "difficulty": "easy", "prompt": f"Which optimiser keeps a per-parameter running average, case {n}?",
        "choices": ["Plain SGD", "Adam", "Newton's method", "Grid search"], "answer": "Adam",
        "explanation": "Adam keeps running averages of the gradient and its square for every parameter.",
    })


def bank() -> Bank:
    return packed((*small_bank().items, *(mc_item(n) for n in range(1, 16))))


def fsrs_scheduler() -> Scheduler:
    """The library, configured as the issue asks (day-granular, no fuzz): what the bot must agree with."""
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@pytest.fixture
async def h() -> Any:
    harness = await Harness.create(START, bank=bank())
    yield harness
    await harness.close()


def member(who: str) -> MemberRef:
    return MemberRef(COMMUNITY, who)


async def miss(h: Harness, who: str, item_id: str, source: str = "quiz", correct: bool = False) -> None:
    await h.core.registry.publish(ItemAttempted(member(who), item_id, None, source, correct, h.clock.now()))


def choice(reply: Reply | None, label: str) -> str:
    assert reply is not None
    found = [c.action for c in reply.choices if c.label.startswith(label)]
    assert found, f"no {label!r} among {[c.label for c in reply.choices]}"
    return found[0]


async def cards(h: Harness, who: str) -> list[dict[str, Any]]:
    data = await h.core.registry.export_member(member(who))
    return list(data["review"]["cards"])


async def review_points(h: Harness, who: str) -> int:
    rows = (await h.core.registry.export_member(member(who)))["board"]["points"]
    return sum(r["points"] for r in rows if r["reason"] == "review_card")


async def rate(h: Harness, who: str, label: str) -> Response:
    """/review, Show answer, then the rating button whose label starts with `label`."""
    front = await h.command(who, "review")
    back = await h.click(who, choice(front.reply, "Show answer"))
    return await h.click(who, choice(back.reply, label))


async def test_a_missed_quiz_pick_becomes_a_card_shown_only_to_its_member(h: Harness) -> None:
    await miss(h, "alice", MC)
    front = await h.command("alice", "review")
    assert front.visibility is Visibility.ONLY_YOU and front.reply is not None
    assert "per-parameter running average" in front.reply.text
    assert "A) Plain SGD" in front.reply.text and "B) Adam" in front.reply.text  # the choices, as text
    assert [c.label for c in front.reply.choices] == ["Show answer"]
    back = await h.click("alice", front.reply.choices[0].action)
    assert back.replace_original and back.reply is not None
    assert "**Answer**: B) Adam" in back.reply.text and "running averages of the gradient" in back.reply.text
    assert [c.label.split(" ·")[0] for c in back.reply.choices] == ["Again", "Hard", "Good", "Easy"]
    # the labels say when the card comes back, as the library schedules it
    fresh = fsrs_scheduler()
    for c, rating in zip(back.reply.choices, (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy), strict=True):
        due = fresh.review_card(Card(card_id=1, due=START), rating, START)[0].due
        assert c.label.endswith(f"{round((due - START) / timedelta(days=1))}d")
    # bob has no cards: alice's are hers alone
    empty = await h.command("bob", "review")
    assert empty.reply and "Your review queue is empty" in empty.reply.text


async def test_only_misses_from_other_features_add_cards_and_once_per_item(h: Harness) -> None:
    await miss(h, "alice", MC, correct=True)  # got it right: nothing to review
    await miss(h, "alice", MC, source="review")  # the review feature's own rating: not a new card
    await miss(h, "alice", "no-such-item")  # unknown item: nothing, and nothing breaks
    assert await cards(h, "alice") == []
    await miss(h, "alice", MC)
    await miss(h, "alice", MC, source="race")
    await miss(h, "alice", MC)
    (card,) = await cards(h, "alice")
    assert card["item"] == MC and card["topic"] == "deep-learning" and card["ratings"] == 0


async def test_a_card_scheduled_for_later_is_due_again_when_missed_again(h: Harness) -> None:
    await miss(h, "alice", MC)
    await rate(h, "alice", "Easy")
    (before,) = await cards(h, "alice")
    assert before["due_at"] > "2025-06-09"  # days away
    h.clock.set(START + timedelta(days=1))
    await miss(h, "alice", MC)  # missed again in a quiz
    (after,) = await cards(h, "alice")
    assert after["due_at"].startswith("2025-06-03T08:00") and after["fsrs"] == before["fsrs"]  # memory kept
    front = await h.command("alice", "review")
    assert front.reply and "per-parameter running average" in front.reply.text


async def test_an_unticked_daily_checklist_adds_a_card_end_to_end() -> None:
    h = await Harness.create(START, bank=bank())
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        await h.run_until(NINE)
        await h.answer("alice", "Regularisation trades variance for bias.")
        await h.answer("bob", "All of it, every point.")
        await h.run_until(NINE + timedelta(hours=2, minutes=1))
        for who, ticks in (("alice", 1), ("bob", 3)):
            (dm,) = [s for s in h.chat.dms(who) if s.reply.title == "Your checklist"]
            for i in range(ticks):
                await h.click(who, dm.reply.choices[i].action)
            done = await h.click(who, choice(dm.reply, "Done"))
            assert done.reply and "Checklist saved" in done.reply.text
        rnd = await h.core.rounds.latest_round(COMMUNITY.key)
        assert rnd is not None and rnd.item_id is not None
        (card,) = await cards(h, "alice")  # alice left key points unticked
        assert card["item"] == rnd.item_id
        assert await cards(h, "bob") == []  # bob ticked them all
        front = await h.command("alice", "review")
        back = await h.click("alice", choice(front.reply, "Show answer"))
        assert back.reply and "**Key points**" in back.reply.text and "**Model answer**" in back.reply.text
    finally:
        await h.close()


async def test_the_fsrs_library_decides_every_due_time(h: Harness) -> None:
    await miss(h, "alice", MC)
    await miss(h, "bob", MC)
    again = await rate(h, "alice", "Again")
    easy = await rate(h, "bob", "Easy")
    (a,), (b,) = await cards(h, "alice"), await cards(h, "bob")
    lib = fsrs_scheduler()
    expect_again = lib.review_card(Card(card_id=1, due=START), Rating.Again, START)[0]
    expect_easy = lib.review_card(Card(card_id=1, due=START), Rating.Easy, START)[0]
    assert datetime.fromisoformat(a["due_at"]) == expect_again.due
    assert datetime.fromisoformat(b["due_at"]) == expect_easy.due
    assert expect_again.due < expect_easy.due  # Again comes back sooner than Easy
    # the rated card's return is told in each platform's local time, then the queue's state
    assert again.replace_original and again.reply is not None
    assert f"Rated **Again**: that card comes back {{t:{int(expect_again.due.timestamp())}:R}}" in again.reply.text
    assert "No cards due right now" in again.reply.text and "You have 1 card in your queue" in again.reply.text
    assert easy.reply and f"{{t:{int(expect_easy.due.timestamp())}:R}}" in easy.reply.text
    # the stored card is the library's own, read back as it wrote it
    stored = Card.from_json(a["fsrs"])
    assert (stored.stability, stored.difficulty, stored.state) == (expect_again.stability,
                                                                   expect_again.difficulty, expect_again.state)


async def test_card_state_survives_a_restart_on_the_same_database(tmp_path: Path) -> None:
    db = str(tmp_path / "studybot.db")
    first = await Harness.create(START, db=db, bank=bank())
    try:
        await miss(first, "alice", MC)
        await rate(first, "alice", "Good")
    finally:
        await first.close()
    lib = fsrs_scheduler()
    one = lib.review_card(Card(card_id=1, due=START), Rating.Good, START)[0]
    later = one.due + timedelta(hours=3)
    second = await Harness.create(later, db=db, bank=bank())
    try:
        not_yet = await second.command("alice", "review")
        assert not_yet.reply and "per-parameter" in not_yet.reply.text  # due again, found after the restart
        await rate(second, "alice", "Hard")
        two = lib.review_card(one, Rating.Hard, later)[0]
        (card,) = await cards(second, "alice")
        assert datetime.fromisoformat(card["due_at"]) == two.due and card["ratings"] == 2
        assert Card.from_json(card["fsrs"]).stability == two.stability
    finally:
        await second.close()


async def test_a_double_click_a_stale_button_and_someone_elses_click_rate_once(h: Harness) -> None:
    await miss(h, "alice", MC)
    await miss(h, "alice", "t-mc-002")
    front = await h.command("alice", "review")
    back = await h.click("alice", choice(front.reply, "Show answer"))
    good = choice(back.reply, "Good")
    # someone else presses alice's buttons: a kind private answer, nothing changes
    foreign = await h.click("bob", good)
    assert foreign.reply and "belongs to someone else" in foreign.reply.text and not foreign.replace_original
    peek = await h.click("bob", choice(front.reply, "Show answer"))
    assert peek.reply and "someone else" in peek.reply.text and "Adam" not in peek.reply.text
    # a double click: both at once, one rating
    first, second = await asyncio.gather(h.click("alice", good), h.click("alice", good))
    rated = [r for r in (first, second) if r.replace_original]
    refused = [r for r in (first, second) if not r.replace_original]
    assert len(rated) == 1 and len(refused) == 1
    assert refused[0].reply and "already rated" in refused[0].reply.text
    assert refused[0].visibility is Visibility.ONLY_YOU
    # the stale buttons of the first card, later: still nothing
    late = await h.click("alice", good)
    assert late.reply and "already rated" in late.reply.text
    stale_show = await h.click("alice", choice(front.reply, "Show answer"))
    assert stale_show.reply and "already rated" in stale_show.reply.text
    data = (await h.core.registry.export_member(member("alice")))["review"]
    assert len(data["ratings"]) == 1 and sorted(c["ratings"] for c in data["cards"]) == [0, 1]
    assert await review_points(h, "alice") == 1
    # the rated reply went straight on to the next due card
    assert rated[0].reply and "Rated **Good**" in rated[0].reply.text and "Show answer" in str(rated[0].reply.choices)
    # forged and malformed ids
    for forged in ("review:rate:999:0:3", "review:rate:1:0:9", "review:show:abc:0", "review:rate"):
        answer = await h.click("alice", forged)
        assert answer.reply and answer.visibility is Visibility.ONLY_YOU and not answer.replace_original


async def test_each_rating_publishes_an_item_attempted_signal() -> None:
    heard: list[ItemAttempted] = []

    def listener(services: object) -> FeatureSpec:
        async def hear(signal: ItemAttempted) -> None:
            heard.append(signal)
        return FeatureSpec(name="ear", listens={ItemAttempted: hear})

    router = ChatRouter()
    router.register(Platform.CONSOLE, FakeChat())
    clock = ManualClock(START)
    core = await build_core(Config(db=":memory:"), clock=clock, scheduler=FakeScheduler(), bank=bank(), chat=router,
                            features=[*(m.build for m in FEATURES), listener])
    h = Harness(core, FakeChat(), clock, FakeScheduler())
    try:
        await miss(h, "alice", MC)
        await miss(h, "alice", "t-mc-002")
        await rate(h, "alice", "Hard")
        await rate(h, "alice", "Easy")
        reviews = [s for s in heard if s.source == "review"]
        assert [(s.item_id, s.correct, s.topic) for s in reviews] == [(MC, False, "deep-learning"),
                                                                       ("t-mc-002", True, "deep-learning")]
        assert all(s.member == member("alice") and s.at == START for s in reviews)
        assert len(await cards(h, "alice")) == 2  # a Hard rating (correct=False) made no extra card
    finally:
        await core.close()


async def test_reviewing_earns_a_little_once_per_card_per_local_day_and_at_most_ten(h: Harness) -> None:
    for n in range(1, 13):
        await miss(h, "alice", f"t-mc-{n:03d}")
    for _ in range(12):
        done = await rate(h, "alice", "Again")
    assert done.reply and "+1 point" not in done.reply.text  # the 12th card earned nothing
    assert await review_points(h, "alice") == 10
    rows = (await h.core.registry.export_member(member("alice")))["board"]["points"]
    assert {r["topic"] for r in rows} == {"deep-learning"}
    # the same card again on the same local day (missed again, so due again): no second award
    await miss(h, "alice", MC)
    await rate(h, "alice", "Good")
    assert await review_points(h, "alice") == 10


async def test_points_follow_the_members_local_day(h: Harness) -> None:
    await h.command("alice", "studybot", "timezone", zone="Asia/Tokyo")  # UTC+9: 08:00 UTC is 17:00 there
    await miss(h, "alice", MC)
    first = await rate(h, "alice", "Again")
    assert first.reply and "+1 point" in first.reply.text
    h.clock.set(START + timedelta(hours=15, minutes=30))  # 23:30 UTC = 08:30 the next day in Tokyo
    await miss(h, "alice", MC)
    again = await rate(h, "alice", "Good")
    assert again.reply and "+1 point" in again.reply.text
    assert await review_points(h, "alice") == 2


async def test_nothing_due_says_when_the_next_card_is_and_how_many_there_are(h: Harness) -> None:
    await miss(h, "alice", MC)
    await miss(h, "alice", "t-mc-002")
    await rate(h, "alice", "Easy")
    last = await rate(h, "alice", "Again")
    assert last.reply is not None
    expected = fsrs_scheduler().review_card(Card(card_id=1, due=START), Rating.Again, START)[0].due
    assert f"The next one is due {{t:{int(expected.timestamp())}:R}}" in last.reply.text
    assert "You have 2 cards in your queue" in last.reply.text
    assert "Reminder settings" in [c.label for c in last.reply.choices]


async def test_a_card_whose_pack_was_removed_is_set_aside_kindly(h: Harness) -> None:
    pack = ('domain: "mlops"\nitems:\n  - id: "team-mc1"\n    subtopic: "our stack"\n'
            '    kind: "multiple_choice"\n    difficulty: "easy"\n'
            '    prompt: "Which of our queues carries the nightly feature backfill jobs?"\n'
            '    choices: ["alpha", "bravo", "charlie", "delta"]\n    answer: "charlie"\n'
            '    explanation: "Charlie is the batch queue; the others serve online traffic."\n')
    await h.core.packs.add(COMMUNITY.key, "team", pack, "studybot", None, "admin", START)
    await miss(h, "alice", "team-mc1")
    await miss(h, "alice", MC)
    front = await h.command("alice", "review")
    assert front.reply and "nightly feature backfill" in front.reply.text  # the pack's card, due first
    await h.core.packs.remove(COMMUNITY.key, "team", START)
    # its old Show answer button: set aside, and the next card instead
    shown = await h.click("alice", choice(front.reply, "Show answer"))
    assert shown.reply and "set aside 1 card" in shown.reply.text and "per-parameter" in shown.reply.text
    # and /review no longer offers or counts it
    again = await h.command("alice", "review")
    assert again.reply and "nightly" not in again.reply.text and "Due now" in str(again.reply.fields)
    assert [f.value for f in again.reply.fields if f.name == "Due now"] == ["1"]
    # a miss on an item no longer in the bank adds nothing
    await miss(h, "bob", "team-mc1")
    assert await cards(h, "bob") == []


async def test_export_and_erase_a_members_review_data(h: Harness) -> None:
    await miss(h, "alice", MC)
    await miss(h, "bob", MC)
    await rate(h, "alice", "Good")
    form = (await h.command("alice", "review", show="settings")).form
    assert form is not None
    await h.core.bot.handle(_submit(h, "alice", form.form_id, remind="on", time="07:30", timezone="UTC"))
    exported = (await h.core.registry.export_member(member("alice")))["review"]
    assert exported["cards"][0]["item"] == MC and exported["ratings"][0]["rating"] == int(Rating.Good)
    assert exported["reminder"] == {"enabled": True, "at": "07:30", "days_off": []}
    assert await h.core.job_rows.get("review.remind", f"{COMMUNITY.key}/alice") is not None
    erased = await h.core.registry.erase_member(member("alice"))
    assert erased["review"] == 3  # one card, one rating, the reminder settings
    after = (await h.core.registry.export_member(member("alice")))["review"]
    assert after == {"cards": [], "ratings": [], "reminder": None}
    assert await h.core.job_rows.get("review.remind", f"{COMMUNITY.key}/alice") is None
    assert len(await cards(h, "bob")) == 1  # nobody else's data went



def _submit(h: Harness, who: str, form_id: str, **values: str) -> FormSubmitted:
    """A submitted settings form: select fields as selections, text fields as values."""
    selections = {k: tuple(v.split(",")) if v else () for k, v in values.items() if k in ("remind", "days_off")}
    texts = {k: v for k, v in values.items() if k not in selections}
    return FormSubmitted(h.actor(who), CHANNEL, form_id, texts, selections)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(list(Rating)), st.integers(min_value=0, max_value=24 * 40)),
                min_size=1, max_size=6))
def test_any_history_of_ratings_lands_where_the_library_puts_it(steps: list[tuple[Rating, int]]) -> None:
    """Whatever the ratings and however long between them (hours early or weeks late), the stored card
    and its due time are what fsrs computes for the same history."""

    async def run() -> None:
        h = await Harness.create(START, bank=bank())
        try:
            await miss(h, "alice", MC)
            lib, card, now = fsrs_scheduler(), Card(card_id=1, due=START), START
            for reps, (rating, gap_hours) in enumerate(steps):
                now += timedelta(hours=gap_hours)
                h.clock.set(now)
                resp = await h.click("alice", f"review:rate:1:{reps}:{int(rating)}")
                assert resp.replace_original, resp
                card = lib.review_card(card, rating, now)[0]
            (stored,) = await cards(h, "alice")
            assert datetime.fromisoformat(stored["due_at"]) == card.due and stored["ratings"] == len(steps)
            got = Card.from_json(stored["fsrs"])
            assert (got.stability, got.difficulty, got.state) == (card.stability, card.difficulty, card.state)
        finally:
            await h.close()

    asyncio.run(run())
