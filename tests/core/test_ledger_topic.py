"""Every ledger row earned on a question carries that question's topic, through the one insert path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakes import Harness

from bot.store.ledger import LedgerRepo

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


async def test_answer_checklist_and_kudos_points_carry_the_questions_topic() -> None:
    h = await Harness.create(START)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        await h.run_until(NINE)
        (post,) = h.chat.titled("Daily question")
        topic = next(f.value for f in post.reply.fields if f.name == "Topic").split(" · ")[0]
        await h.answer("alice", "an answer")
        form = (await h.command("bob", "daily")).form
        assert form is not None
        await h.submit("bob", form.form_id, answer="bob's answer")
        await h.run_until(NINE + timedelta(hours=2, minutes=1))
        (checklist,) = h.chat.dms("alice")
        tick = checklist.reply.choices[0].action
        done = checklist.reply.choices[-1].action
        await h.click("alice", tick)
        await h.click("alice", done)
        ledger = LedgerRepo(h.core.db)
        on_topic = dict(await ledger.top("console:guild1", None, topic=topic))
        assert on_topic["alice"] == 10 + 2 and on_topic["bob"] == 10
        elsewhere = "math-stats" if topic != "math-stats" else "deep-learning"
        assert await ledger.top("console:guild1", None, topic=elsewhere) == []
    finally:
        await h.close()
