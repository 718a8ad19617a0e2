"""The solo quiz through the real composition root: `/quiz`, A-D buttons, results, points, restarts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import Harness
from quiz_helpers import Heard, button, click, member, part, quiz, quiz_harness, right_and_wrong

from bot.actions import decode
from bot.content.vocabulary import Domain
from bot.features.quiz import points
from bot.messages import MAX_LABEL, Visibility

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
COMMUNITY = "console:guild1"


async def test_a_quiz_end_to_end_one_question_at_a_time() -> None:
    heard = Heard()
    h = await quiz_harness(START, heard=heard)
    try:
        first = await quiz(h, "ann", topic="deep-learning", count=3)
        assert first.visibility is Visibility.ONLY_YOU and first.reply is not None
        assert first.reply.title == "Quiz · question 1 of 3"
        assert [c.label[:2] for c in first.reply.choices] == ["A)", "B)", "C)", "D)"]
        assert {f.name: f.value for f in first.reply.fields}["Topic"].startswith("deep-learning")

        right, _ = await right_and_wrong(h, first.reply)
        h.clock.advance(timedelta(seconds=20))
        got = await click(h, "ann", right)
        assert got.replace_original and got.reply is not None
        assert "✅ Right" in got.reply.text and f"+{points.QUIZ_CORRECT} points" in got.reply.text
        assert "Why" in got.reply.text and "explanation of this question" in got.reply.text
        nxt = button(got.reply, "Next question")

        second = await click(h, "ann", nxt)
        assert second.replace_original and second.reply and second.reply.title == "Quiz · question 2 of 3"
        _, wrong = await right_and_wrong(h, second.reply)
        h.clock.advance(timedelta(seconds=25))
        missed = await click(h, "ann", wrong)
        assert missed.reply and "❌ Not quite" in missed.reply.text and "The answer is" in missed.reply.text

        third = await click(h, "ann", button(missed.reply, "Next question"))
        right3, _ = await right_and_wrong(h, third.reply)
        h.clock.advance(timedelta(seconds=15))
        last = await click(h, "ann", right3)
        results = await click(h, "ann", button(last.reply, "See my results"))
        assert results.replace_original and results.reply and results.reply.title == "Quiz results"
        text = results.reply.text
        assert "Score: **2/3** (67%)" in text and "Time: 1 min 00 s" in text
        weakest = re.search(r"Weakest topic: \*\*deep-learning · sub\d\*\* \((\d) of (\d) right\)", text)
        assert weakest is not None and int(weakest[1]) < int(weakest[2])
        assert f"Points: +{2 * points.QUIZ_CORRECT}" in text
        assert "review" not in text.casefold()  # no review feature registered here

        assert [(s.source, s.correct) for s in heard.signals] == [("quiz", True), ("quiz", False), ("quiz", True)]
        assert all(s.member == member(h, "ann") and s.topic == "deep-learning" for s in heard.signals)
    finally:
        await h.close()


async def test_the_end_names_the_review_queue_only_when_a_review_feature_is_registered() -> None:
    h = await quiz_harness(START, review=True)
    try:
        reply = (await quiz(h, "ann", topic="math-stats", count=1)).reply
        _, wrong = await right_and_wrong(h, reply)
        done = await click(h, "ann", wrong)
        results = await click(h, "ann", button(done.reply, "See my results"))
        assert results.reply and "1 question you missed went to your review queue" in results.reply.text
    finally:
        await h.close()


async def test_a_double_click_or_a_stale_button_scores_once() -> None:
    heard = Heard()
    h = await quiz_harness(START, heard=heard)
    try:
        reply = (await quiz(h, "ann", topic="programming", count=1)).reply
        right, wrong = await right_and_wrong(h, reply)
        first = await click(h, "ann", right)
        again = await click(h, "ann", right)
        other = await click(h, "ann", wrong)  # a different letter on the same, already answered question
        assert first.reply and "+3 points" in first.reply.text
        for later in (again, other):
            assert later.reply and "You already answered this one" in later.reply.text
            assert "✅ Right" in later.reply.text  # what counts: the first answer
        ledger = await h.core.registry.export_member(member(h, "ann"))
        assert [r["points"] for r in ledger["board"]["points"]] == [points.QUIZ_CORRECT]
        assert len(heard.signals) == 1
    finally:
        await h.close()


async def test_someone_elses_button_changes_nothing() -> None:
    h = await quiz_harness(START)
    try:
        reply = (await quiz(h, "ann", topic="math-stats", count=2)).reply
        right, _ = await right_and_wrong(h, reply)
        foreign = await click(h, "bob", right)
        assert foreign.reply and "belongs to someone else" in foreign.reply.text and not foreign.replace_original
        assert (await h.core.registry.export_member(member(h, "bob")))["board"]["points"] == []
        view = await part(h.core, "quiz_store").open_session(COMMUNITY, "ann")
        assert view is not None and view.current is not None and view.current.idx == 0  # still unanswered
        malformed = await click(h, "ann", "quiz:ans:99999:0:1")
        assert malformed.reply and "no longer in use" in malformed.reply.text
    finally:
        await h.close()


async def test_quiz_again_while_one_is_open_offers_continue_or_start_new() -> None:
    h = await quiz_harness(START)
    try:
        first = (await quiz(h, "ann", topic="deep-learning", count=3)).reply
        right, _ = await right_and_wrong(h, first)
        await click(h, "ann", right)
        offer = await quiz(h, "ann", topic="math-stats", count=2)
        assert offer.reply and offer.reply.title == "You have a quiz open"
        assert "question 2 of 3" in offer.reply.text
        resumed = await click(h, "ann", button(offer.reply, "Continue"))
        assert resumed.replace_original and resumed.reply and resumed.reply.title == "Quiz · question 2 of 3"
        # the other button of that offer is settled now: it keeps the quiz that was continued
        late = await click(h, "ann", button(offer.reply, "Start new"))
        assert late.reply and "continue your open quiz" in late.reply.text

        offer = await quiz(h, "ann", topic="math-stats", count=2)
        fresh = await click(h, "ann", button(offer.reply, "Start new"))
        assert fresh.reply and fresh.reply.title == "Quiz · question 1 of 2"
        assert "math-stats" in {f.name: f.value for f in fresh.reply.fields}["Topic"]
        # a button of the abandoned quiz is answered kindly and changes nothing
        stale_right, _ = await right_and_wrong(h, resumed.reply)
        stale = await click(h, "ann", stale_right)
        assert stale.reply and "has ended" in stale.reply.text and not stale.replace_original
        assert [r["points"] for r in (await h.core.registry.export_member(member(h, "ann")))["board"]["points"]] \
            == [points.QUIZ_CORRECT]
    finally:
        await h.close()


async def test_a_quiz_continues_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "quiz.db")
    h = await quiz_harness(START, db)
    first = (await quiz(h, "ann", topic="deep-learning", count=2)).reply
    right, _ = await right_and_wrong(h, first)
    done = await click(h, "ann", right)
    nxt = button(done.reply, "Next question")
    await h.close()

    h = await quiz_harness(START, db, clock=h.clock)
    try:
        second = await click(h, "ann", nxt)  # a button from before the restart
        assert second.reply and second.reply.title == "Quiz · question 2 of 2"
        offer = await quiz(h, "ann")
        assert offer.reply and "question 2 of 2" in offer.reply.text
        again = await click(h, "ann", button(offer.reply, "Continue"))
        assert again.reply and again.reply.title == "Quiz · question 2 of 2"
        right2, _ = await right_and_wrong(h, again.reply)
        last = await click(h, "ann", right2)
        results = await click(h, "ann", button(last.reply, "See my results"))
        assert results.reply and "Score: **2/2**" in results.reply.text
    finally:
        await h.close()


async def test_points_only_for_the_first_right_answer_of_an_item_in_30_days() -> None:
    h = await quiz_harness(START)

    async def take() -> str:
        reply = (await quiz(h, "ann", topic="programming", count=1)).reply  # one item in that topic
        right, _ = await right_and_wrong(h, reply)
        got = await click(h, "ann", right)
        assert got.reply is not None
        await click(h, "ann", button(got.reply, "See my results"))
        return got.reply.text

    try:
        assert "+3 points" in await take()
        h.clock.advance(timedelta(days=29))
        assert "No points this time: you got this one right in the last 30 days" in await take()
        h.clock.advance(timedelta(days=2))  # 31 days after the earning answer: a new window
        assert "+3 points" in await take()
        rows = (await h.core.registry.export_member(member(h, "ann")))["board"]["points"]
        assert [(r["points"], r["reason"], r["topic"]) for r in rows] == [(3, points.REASON_QUIZ, "programming")] * 2
        assert len({r["ref"] for r in rows}) == 2
    finally:
        await h.close()


async def test_items_seen_recently_are_not_repeated_while_unseen_ones_remain() -> None:
    h = await quiz_harness(START)

    async def items_of_quiz() -> list[str]:
        reply = (await quiz(h, "ann", topic="deep-learning", count=2)).reply
        seen = []
        while reply is not None and reply.title != "Quiz results":
            right, _ = await right_and_wrong(h, reply)
            action = decode(right)
            view = await part(h.core, "quiz_store").view(int(action.args[0]))
            seen.append(view.questions[int(action.args[1])].item_id)
            got = await click(h, "ann", right)
            h.clock.advance(timedelta(minutes=1))
            reply = (await click(h, "ann", got.reply.choices[0].action)).reply if got.reply else None
        return seen

    try:
        first, second = await items_of_quiz(), await items_of_quiz()  # the topic has four items
        assert not set(first) & set(second) and len(set(first + second)) == 4
        third = await items_of_quiz()
        assert set(third) == set(first)  # all seen now: the ones seen longest ago come back first
    finally:
        await h.close()


async def test_a_choice_too_long_for_a_button_is_listed_in_the_message() -> None:
    h = await quiz_harness(START)
    try:
        reply = (await quiz(h, "ann", topic="ml-algorithms", difficulty="medium", count=1)).reply
        assert reply is not None
        assert [c.label for c in reply.choices] == ["A", "B", "C", "D"]
        assert "**A)** Because the learning rate schedule" in reply.text
        assert all(len(c.label) <= MAX_LABEL for c in reply.choices)
    finally:
        await h.close()


async def test_bad_input_is_refused_kindly_and_starts_nothing() -> None:
    h = await quiz_harness(START)
    try:
        unknown = await quiz(h, "ann", topic="astrology")
        assert unknown.reply and "I don't know the topic `astrology`" in unknown.reply.text
        assert "`deep-learning` (4)" in unknown.reply.text and "`math-stats` (3)" in unknown.reply.text
        for count in (0, 21):
            wrong = await quiz(h, "ann", count=count)
            assert wrong.reply and "goes from 1 to 20" in wrong.reply.text
        level = await quiz(h, "ann", difficulty="extreme")
        assert level.reply and "Difficulty is one of mixed, easy, medium, hard, not `extreme`" in level.reply.text
        none = await quiz(h, "ann", topic="programming", difficulty="hard")
        assert none.reply and "No quiz questions match programming, hard" in none.reply.text
        nothing = await quiz(h, "ann", topic="behavioural")
        assert nothing.reply and "No quiz questions match behavioural" in nothing.reply.text
        assert await part(h.core, "quiz_store").open_session(COMMUNITY, "ann") is None
        aliased = await quiz(h, "ann", topic="stats", count=2)
        assert aliased.reply and aliased.reply.title == "Quiz · question 1 of 2"
    finally:
        await h.close()


async def test_a_short_topic_says_how_many_questions_it_has_and_mixed_runs_easy_to_hard() -> None:
    h = await quiz_harness(START)
    try:
        reply = (await quiz(h, "ann", topic="deep-learning", count=10)).reply
        assert reply is not None and "Only 4 quiz questions match deep-learning, mixed difficulty" in reply.text
        view = await part(h.core, "quiz_store").open_session(COMMUNITY, "ann")
        levels = [(await h.core.packs.item(COMMUNITY, q.item_id)).difficulty.value for q in view.questions]
        assert levels == sorted(levels, key=["easy", "medium", "hard"].index)
        assert Counter(q.topic for q in view.questions) == {Domain.DEEP_LEARNING.value: 4}
    finally:
        await h.close()


async def test_a_members_quizzes_are_exported_and_erased() -> None:
    h = await quiz_harness(START)
    try:
        reply = (await quiz(h, "ann", topic="math-stats", count=1)).reply
        right, _ = await right_and_wrong(h, reply)
        await click(h, "ann", right)
        await quiz(h, "bob", topic="math-stats", count=1)
        ann = member(h, "ann")
        data = (await h.core.registry.export_member(ann))["quiz"]
        assert data["quizzes"][0]["questions"][0]["correct"] is True
        erased = await h.core.registry.erase_member(ann)
        assert erased["quiz"] >= 1
        assert (await h.core.registry.export_member(ann))["quiz"] == {"quizzes": [], "race_picks": []}
        assert (await h.core.registry.export_member(member(h, "bob")))["quiz"]["quizzes"]  # bob's stays
        assert await part(h.core, "quiz_store").open_session(COMMUNITY, "ann") is None
    finally:
        await h.close()


async def test_the_quiz_commands_parse_from_text_with_solo_as_the_default() -> None:
    from bot.commands import parse_text

    h: Harness = await quiz_harness(START)
    try:
        spec = h.core.catalogue.find("quiz")
        assert spec is not None
        assert parse_text(spec, "").subcommand == "solo"
        parsed = parse_text(spec, "deep-learning easy 3")
        assert (parsed.subcommand, parsed.options) == ("solo", {"topic": "deep-learning", "difficulty": "easy",
                                                                 "count": 3})
        race = parse_text(spec, "race math-stats 4 30")
        assert (race.subcommand, race.options) == ("race", {"topic": "math-stats", "count": 4, "seconds": 30})
        assert parse_text(spec, "stop").subcommand == "stop"
        studybot = h.core.catalogue.find("studybot")
        assert studybot is not None and parse_text(studybot, "").subcommand == "help"  # unchanged elsewhere
    finally:
        await h.close()


async def test_typed_values_go_to_the_option_they_plainly_belong_to() -> None:
    from fakes import CHANNEL

    from bot.commands import parse_text
    from bot.events import CommandInvoked

    h = await quiz_harness(START)
    try:
        spec = h.core.catalogue.find("quiz")
        assert spec is not None
        for who, text, expect in (("ann", "math-stats 2", "Quiz · question 1 of 2"),
                                  ("bob", "hard", "Only 2 quiz questions match any topic, hard"),
                                  ("cy", "3", "Quiz · question 1 of 3"),
                                  ("dan", "race 2 30", "2 questions on any topic, 30 s each")):
            parsed = parse_text(spec, text)
            resp = await h.core.bot.handle(CommandInvoked(h.actor(who), CHANNEL, "quiz", parsed.options,
                                                          parsed.subcommand))
            assert resp.reply is not None
            assert expect in (resp.reply.title or "") + resp.reply.text, (text, resp.reply)
    finally:
        await h.close()


async def test_a_count_before_the_difficulty_and_a_two_word_topic_are_understood() -> None:
    """Regression: `/quiz 3 hard` was refused as the unknown topic `3`, `/quiz deep learning` as the
    difficulty `learning`."""
    from fakes import CHANNEL

    from bot.commands import parse_text
    from bot.events import CommandInvoked

    h = await quiz_harness(START)
    try:
        spec = h.core.catalogue.find("quiz")
        assert spec is not None
        for who, text, expect in (("ann", "3 hard", "Only 2 quiz questions match any topic, hard, so this quiz has 2"),
                                  ("bob", "deep learning 2", "Quiz · question 1 of 2"),
                                  ("cy", "deep learning", "deep-learning")):
            parsed = parse_text(spec, text)
            resp = await h.core.bot.handle(CommandInvoked(h.actor(who), CHANNEL, "quiz", parsed.options,
                                                          parsed.subcommand))
            assert resp.reply is not None
            shown = (resp.reply.title or "") + resp.reply.text + "".join(f.value for f in resp.reply.fields)
            assert expect in shown, (text, resp.reply)
        bad = await quiz(h, "dan", topic="deep", difficulty="fast")  # still refused, with the difficulties
        assert bad.reply and "Difficulty is one of mixed, easy, medium, hard" in bad.reply.text
    finally:
        await h.close()


async def test_a_malformed_answer_button_records_nothing() -> None:
    """Regression: an answer id naming a choice the question does not have was stored as a wrong answer."""
    from bot.actions import encode

    h = await quiz_harness(START)
    try:
        first = await quiz(h, "ann", topic="deep-learning", count=2)
        assert first.reply is not None
        action = decode(first.reply.choices[0].action)
        session_id = int(action.args[0])
        for bad in (7, -1):
            resp = await click(h, "ann", encode("quiz", "ans", session_id, 0, bad))
            assert resp.reply and "no longer in use" in resp.reply.text and not resp.replace_original
        view = await part(h.core, "quiz_store").view(session_id)
        assert not any(q.answered for q in view.questions)
        right, _ = await right_and_wrong(h, first.reply)
        assert (await click(h, "ann", right)).reply is not None  # the real buttons still work
    finally:
        await h.close()
