from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakes import Harness

from bot.actions import encode
from bot.messages import Visibility

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def h() -> Harness:
    harness = await Harness.create(START)
    await harness.setup(time="09:00", timezone="UTC", days="every day")
    await harness.run_until(NINE)
    yield harness  # type: ignore[misc]
    await harness.close()


async def test_answers_are_hidden_from_everyone_before_the_reveal(h: Harness) -> None:
    secret = "my secret answer about gradient clipping"
    saved = await h.answer("alice", secret)
    assert saved.visibility is Visibility.ONLY_YOU
    everything = [s.reply.text for s in h.chat.sent]
    for who, admin in (("bob", False), ("admin", True)):
        for name, sub in (("daily", None), ("leaderboard", None), ("stats", None), ("studybot", "config")):
            resp = await h.command(who, name, sub, admin=admin)
            shown = (resp.reply.text if resp.reply else "") + (resp.form.intro or "" if resp.form else "")
            shown += "".join(f.default or "" for f in (resp.form.fields if resp.form else ()))
            shown += "".join(f.value for f in (resp.reply.fields if resp.reply else ()))
            assert secret not in shown
    assert not any(secret in t for t in everything)


async def test_member_can_edit_until_the_reveal_and_the_form_shows_their_text(h: Harness) -> None:
    await h.answer("alice", "first draft")
    form = (await h.command("alice", "daily")).form
    assert form is not None and form.fields[0].default == "first draft"
    saved = await h.submit("alice", form.form_id, answer="second draft")
    assert saved.reply and "+10" not in saved.reply.text  # points once, not per edit
    rnd = await h.core.rounds.latest_round("console:guild1")
    assert rnd is not None
    ans = await h.core.rounds.answer_of(rnd.id, "alice")
    assert ans is not None and ans.text == "second draft" and ans.edits == 1


async def test_daily_answer_option_works_where_forms_are_not_available(h: Harness) -> None:
    resp = await h.command("bob", "daily", can_open_form=False)
    assert resp.form is None and resp.reply and resp.reply.choices
    saved = await h.command("bob", "daily", answer="typed inline")
    assert saved.reply and "Saved" in saved.reply.text


async def test_empty_and_over_long_answers_are_refused_and_lose_nothing(h: Harness) -> None:
    form = (await h.command("alice", "daily")).form
    assert form is not None
    empty = await h.submit("alice", form.form_id, answer="   \n\t ")
    assert empty.form_errors.get("answer") and empty.reply and "empty" in empty.reply.text
    long_text = "x" * 3990 + "THE-TAIL-OF-MY-ANSWER" + "y" * 100
    too_long = await h.submit("alice", form.form_id, answer=long_text)
    assert "limit" in too_long.form_errors["answer"]
    assert too_long.reply and "THE-TAIL-OF-MY-ANSWER" in too_long.reply.text
    rnd = await h.core.rounds.latest_round("console:guild1")
    assert rnd is not None and await h.core.rounds.answer_of(rnd.id, "alice") is None


async def test_odd_unicode_is_kept_but_cleaned(h: Harness) -> None:
    raw = "Cafe\u0301 \u202eevil\u202c 🧠 — 数学 \x00\x07 ok\u200b"
    saved = await h.answer("alice", raw)
    assert saved.reply and "Saved" in saved.reply.text
    rnd = await h.core.rounds.latest_round("console:guild1")
    assert rnd is not None
    ans = await h.core.rounds.answer_of(rnd.id, "alice")
    assert ans is not None and ans.text == "Café evil 🧠 — 数学  ok"


async def test_markup_in_answers_cannot_forge_mentions(h: Harness) -> None:
    await h.answer("alice", "**bold** {@everyone} [x](https://evil.example)")
    rnd = await h.core.rounds.latest_round("console:guild1")
    assert rnd is not None
    ans = await h.core.rounds.answer_of(rnd.id, "alice")
    assert ans is not None
    from bot import markup as mk
    from bot.features.daily.views import shared_answer_reply
    from bot.ids import MemberRef

    reply = shared_answer_reply(ans, MemberRef(h.actor("alice").community, "alice"))
    toks = list(mk.tokens(reply.text))
    assert [t for t in toks if isinstance(t, mk.Mention)] == [mk.Mention("alice")]
    assert not any(isinstance(t, mk.Link | mk.Bold) for t in toks)


@pytest.mark.parametrize("action", ["daily:answer:999", "daily:kudos:42", "daily:tick:1:99", "nonsense",
                                    "daily:answer:abc", "x" * 150, "quiz:start:1", "daily:answer:1:ü"])
async def test_unknown_or_stale_ids_get_a_friendly_ending(h: Harness, action: str) -> None:
    resp = await h.click("bob", action)
    assert resp.reply is not None and resp.visibility is Visibility.ONLY_YOU
    assert "ended" in resp.reply.text or "no longer" in resp.reply.text or "Try /daily" in resp.reply.text


async def test_unknown_form_id_and_second_click_on_skip(h: Harness) -> None:
    resp = await h.submit("bob", "daily:submit:12345", answer="hi")
    assert resp.reply and "ended" in resp.reply.text
    rnd = await h.core.rounds.latest_round("console:guild1")
    assert rnd is not None
    first = await h.click("bob", encode("daily", "skip", rnd.id))
    second = await h.click("bob", encode("daily", "skip", rnd.id))
    assert first.reply and "Skipped" in first.reply.text
    assert second.reply and "Already skipped" in second.reply.text


async def test_late_answer_after_reveal_earns_less_and_shows_the_model_answer(h: Harness) -> None:
    rnd = await h.core.rounds.latest_round("console:guild1")
    assert rnd is not None
    await h.run_until(NINE + timedelta(days=1, minutes=1))
    resp = await h.submit("carol", encode("daily", "submit", rnd.id), answer="late but keen")
    assert resp.reply and "late" in resp.reply.text.lower() and "+4 points" in resp.reply.text
    assert resp.reply.choices[-1].label == "Done"


async def test_member_who_left_is_handled_and_dm_closed_falls_back(h: Harness) -> None:
    await h.answer("alice", "answer")
    await h.answer("bob", "answer")
    h.chat.closed_dms.add("bob")
    await h.run_until(NINE + timedelta(days=1, minutes=1))
    assert h.chat.dms("alice")
    notices = [s for s in h.chat.sent if s.kind == "notice"]
    assert len(notices) == 1 and notices[0].where.endswith("@bob")


async def test_admin_commands_refuse_non_admins_and_bad_values(h: Harness) -> None:
    for sub in ("setup", "config", "post-now", "reveal-now"):
        resp = await h.command("bob", "studybot", sub)
        assert resp.reply and "Only admins" in resp.reply.text
    bad = await h.command("admin", "studybot", "config", admin=True, key="time", value="25:99")
    assert bad.reply and "Not changed" in bad.reply.text and "HH:MM" in bad.reply.text
    bad_tz = await h.command("admin", "studybot", "config", admin=True, key="timezone", value="Mars/Olympus")
    assert bad_tz.reply and "unknown timezone" in bad_tz.reply.text
    ok = await h.command("admin", "studybot", "config", admin=True, key="days", value="weekdays")
    assert ok.reply and "weekdays" in ok.reply.text
    form = (await h.command("admin", "studybot", "setup", admin=True)).form
    assert form is not None
    refused = await h.submit("admin", form.form_id, admin=True, time="9am", timezone="Nowhere/Land")
    assert set(refused.form_errors) == {"time", "timezone"}


async def test_points_adjustment_and_leaderboard_windows(h: Harness) -> None:
    await h.answer("alice", "answer")
    resp = await h.command("admin", "studybot", "points", admin=True, member="bob", amount=25, reason="mock")
    assert resp.reply and "Added 25" in resp.reply.text
    week = await h.command("carol", "leaderboard", period="week")
    assert week.reply and week.reply.text.index("{@bob}") < week.reply.text.index("{@alice}")
    h.clock.set(NINE + timedelta(days=8))
    later = await h.command("carol", "leaderboard", period="week")
    assert later.reply and "No points yet" in later.reply.text
    alltime = await h.command("carol", "leaderboard", period="all")
    assert alltime.reply and "25" in alltime.reply.text


async def test_post_now_and_reveal_now(h: Harness) -> None:
    first = await h.command("admin", "studybot", "post-now", admin=True)
    assert first.reply and "already" in first.reply.text
    revealed = await h.command("admin", "studybot", "reveal-now", admin=True)
    assert revealed.reply and revealed.reply.text == "Done: revealed."
    assert len(h.chat.titled("Reveal")) == 1
    again = await h.command("admin", "studybot", "reveal-now", admin=True)
    assert again.reply and "no open question" in again.reply.text


async def test_a_member_who_left_does_not_hold_the_reveal_open(h: Harness) -> None:
    await h.answer("alice", "answer")
    await h.answer("bob", "answer")
    h.chat.gone_members.add("bob")
    await h.run_until(NINE + timedelta(days=1, minutes=1))
    assert h.chat.dms("alice") and not h.chat.dms("bob")
    rounds = await h.core.rounds.unfinished_rounds("console:guild1")
    assert [r.status.value for r in rounds] == ["posted"]  # only today's; yesterday's reveal finished
