"""Regressions of the mock loop through the real core: Cancel asks first (only "Yes, cancel" cancels; a
second or stale confirm changes nothing and says so); a session cancelled before it took place is no
pairing for the no-repeat window (one that happened still is); a member left waiting round after round is
told once per stretch, with what would help; an earlier build's counted "didn't show" (an absent mark with
no answer row) stays counted once at the new close."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta

from fakes import COMMUNITY, Harness
from test_mock_flow import ROUND, WEEK, action, cancel, in_spaces, join, make, run_round, titled
from test_mock_reports import meet, no_shows, session_done

from bot.features.mock import REPORT_WINDOW
from bot.features.mock.waiting import RETELL_ROUNDS, TITLE
from bot.ids import MemberRef
from bot.messages import Visibility

CANCELLED = "Mock interview cancelled"


# 1. Cancel asks first --------------------------------------------------------------------------------
async def test_cancel_asks_privately_and_only_the_confirm_cancels_once() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        ask = await h.click("ann", action(proposal.reply, "mock:cancel:"))
        assert ask.visibility is Visibility.ONLY_YOU and not ask.replace_original and ask.reply is not None
        assert ask.reply.text.startswith("Cancel the session with {@bob}?")
        assert [c.label for c in ask.reply.choices] == ["Yes, cancel", "Keep it"]
        assert not titled(in_spaces(h), CANCELLED)  # the first click changed nothing
        kept = await h.click("ann", action(ask.reply, "mock:keep:"))
        assert kept.reply is not None and "nothing changed" in kept.reply.text
        # still open: bob can book a time
        picked = await h.click("bob", action(proposal.reply, "mock:pick:", 0))
        assert picked.reply is not None and "Booked" in picked.reply.text
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        ask_ann = await h.click("ann", action(booked.reply, "mock:cancel:"))
        ask_bob = await h.click("bob", action(booked.reply, "mock:cancel:"))
        assert ask_ann.reply is not None and ask_bob.reply is not None
        assert "booked for {t:" in ask_ann.reply.text
        stranger = await h.click("cyd", action(ask_ann.reply, "mock:cancelyes:"))
        assert stranger.reply is not None and "another member" in stranger.reply.text
        assert not titled(in_spaces(h), CANCELLED)
        done = await h.click("ann", action(ask_ann.reply, "mock:cancelyes:"))
        assert done.replace_original and done.reply is not None
        assert done.reply.text == "Cancelled by {@ann}. The other is told."
        assert len(titled(in_spaces(h), CANCELLED)) == 1
        for who, ask in (("ann", ask_ann), ("bob", ask_bob)):  # a second click, and bob's stale confirm
            again = await h.click(who, action(ask.reply, "mock:cancelyes:"))
            assert again.reply is not None and not again.replace_original
            assert again.reply.text == "This session is already cancelled, so nothing changed."
        assert len(titled(in_spaces(h), CANCELLED)) == 1
        told = titled(in_spaces(h), CANCELLED)[0]
        assert "{@ann} cancelled this mock interview" in told.reply.text
    finally:
        await h.close()


# 2. a cancelled session is no pairing -------------------------------------------------------------------
async def test_a_trio_cancelled_before_it_took_place_may_meet_again_next_round() -> None:
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who)
        proposal = await run_round(h)
        assert h.chat.spaces[proposal.where] == ("ann", "bob", "cyd")
        ask = await h.click("cyd", action(proposal.reply, "mock:cancel:"))
        assert ask.reply is not None and ask.reply.text.startswith("Cancel the session with {@ann} and {@bob}?")
        await h.click("cyd", action(ask.reply, "mock:cancelyes:"))
        again = await run_round(h, ROUND + WEEK)
        assert again.where != proposal.where
        assert h.chat.spaces[again.where] == ("ann", "bob", "cyd")  # all three again: none of them met
        assert "paired before" not in again.reply.text
        assert not [s for s in h.chat.dms("ann") + h.chat.dms("bob") + h.chat.dms("cyd") if s.reply.title == TITLE]
    finally:
        await h.close()


async def test_a_trio_that_happened_still_counts_as_paired() -> None:
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who)
        board, _ = await session_done(h)
        await h.click("ann", action(board.reply, "mock:met:"))
        again = await run_round(h, ROUND + WEEK)
        assert len(h.chat.spaces[again.where]) == 2  # inside the window: no trio of recent partners
        assert "paired before" in again.reply.text
    finally:
        await h.close()


async def test_a_cancelled_pair_is_not_called_a_repeat_next_round() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        await cancel(h, "bob", proposal.reply)
        again = await run_round(h, ROUND + WEEK)
        assert again.where != proposal.where and "paired before" not in again.reply.text
    finally:
        await h.close()


# 3. waiting: told once per stretch, with what helps ---------------------------------------------------
def told(h: Harness, who: str) -> list[str]:
    return [s.reply.text for s in h.chat.dms(who) if s.reply.title == TITLE]


async def test_a_member_whose_times_meet_nobodys_is_told_once_per_stretch_and_what_helps() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        await join(h, "cyd", availability="Sat 06:00-08:00")  # nobody else is free then
        await run_round(h)
        (first,) = told(h, "cyd")
        assert "nobody in the pool is free for a full hour at the same time as you" in first
        assert "/mock availability" in first and "first in line" in first and "track" not in first
        for n in range(1, RETELL_ROUNDS):  # the same reason, the same times: not every round
            await h.run_until(ROUND + n * WEEK + timedelta(minutes=1))
            assert len(told(h, "cyd")) == 1, n
        await h.run_until(ROUND + RETELL_ROUNDS * WEEK + timedelta(minutes=1))
        assert len(told(h, "cyd")) == 2  # at most every RETELL_ROUNDS rounds
        # cyd's times change (still meeting nobody's): told again at the next round, with the same advice
        changed = await h.command("cyd", "mock", "availability", text="Sun 06:00-08:00")
        assert changed.reply is not None
        await h.click("cyd", changed.reply.choices[0].action)
        await h.run_until(ROUND + (RETELL_ROUNDS + 1) * WEEK + timedelta(minutes=1))
        assert len(told(h, "cyd")) == 3
    finally:
        await h.close()


async def test_a_member_whose_track_nobody_free_shares_hears_which_tracks_would_help() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        await join(h, "cyd", tracks=("behavioural",))  # same evenings, no shared track
        await run_round(h)
        (text,) = told(h, "cyd")
        assert "practise other tracks (ML fundamentals)" in text and "Adding one of those tracks" in text
        await h.run_until(ROUND + WEEK + timedelta(minutes=1))
        assert len(told(h, "cyd")) == 1
    finally:
        await h.close()


# 4. an earlier build's counted no-show --------------------------------------------------------------
async def missed_in_row(h: Harness, who: str) -> int:
    return int((await h.core.db.read(lambda c: c.execute(
        "SELECT missed_in_row FROM mock_profiles WHERE community = ? AND member = ?",
        (COMMUNITY.key, who)).fetchone()))[0])


def old_build_no_show(session: int, who: str) -> Callable[[sqlite3.Connection], None]:
    """What the earlier build wrote when a partner pressed "<who> didn't show" in a trio: the absent mark and
    the miss counted at once, no answer row (that build had none), the session still booked."""

    def w(c: sqlite3.Connection) -> None:
        c.execute("UPDATE mock_members SET absent = 1 WHERE session_id = ? AND member = ?", (session, who))
        c.execute("UPDATE mock_profiles SET missed_in_row = missed_in_row + 1 WHERE community = ? AND member = ?",
                  (COMMUNITY.key, who))

    return w


async def test_an_old_build_no_show_stays_counted_once_when_the_others_answer() -> None:
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who)
        board, _ = await session_done(h)
        await h.core.db.write(old_build_no_show(1, "cyd"))
        assert await missed_in_row(h, "cyd") == 1
        await h.click("ann", action(board.reply, "mock:met:"))
        last = await h.click("bob", action(board.reply, "mock:met:"))  # everyone who can still answer has
        assert last.reply is not None and "It happened" in last.reply.text
        assert await no_shows(h, "cyd") == 1 and await missed_in_row(h, "cyd") == 1  # kept, not counted twice
        exported = await h.core.registry.export_member(MemberRef(COMMUNITY, "cyd"))
        (s,) = exported["mock"]["sessions"]
        assert s["missed"] is True and s["recorded"] == "noshow"
        assert await no_shows(h, "ann") == 0 and await no_shows(h, "bob") == 0
    finally:
        await h.close()


async def test_an_old_build_no_show_survives_the_window_close_and_a_second_miss_pauses() -> None:
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who)
        _, start = await session_done(h)
        await h.core.db.write(old_build_no_show(1, "cyd"))
        late = await h.click("cyd", "mock:met:1")  # cyd's own answer changes nothing of the counted miss
        assert late.reply is not None
        for who in ("ann", "bob"):  # (their session stays; the next round pairs cyd with dan)
            await h.command(who, "mock", "pause")
        await join(h, "dan")
        proposal = await run_round(h, start + timedelta(hours=1) + REPORT_WINDOW + timedelta(minutes=5))
        assert h.chat.spaces[proposal.where] == ("cyd", "dan")
        assert await no_shows(h, "cyd") == 1 and await missed_in_row(h, "cyd") == 1  # closed: kept, once
        assert not [s for s in h.chat.dms("cyd") if s.reply.title == "Mock interviews paused"]
        # the next miss is the second in a row: counted by this build, it pauses cyd (the first was not undone)
        board, second = await meet(h, proposal, "dan")
        await h.click("dan", action(board.reply, "mock:noshow:"))
        await h.run_until(second + timedelta(hours=1) + REPORT_WINDOW + timedelta(minutes=5))
        assert await missed_in_row(h, "cyd") == 2 and await no_shows(h, "cyd") == 2
        assert [s for s in h.chat.dms("cyd") if s.reply.title == "Mock interviews paused"]
    finally:
        await h.close()
