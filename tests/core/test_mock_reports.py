"""After a mock interview each member answers "did it happen?" for themselves, through the real core: an
unanswered session closes as unconfirmed when the report window ends (told once, kindly; a late click is
answered clearly), a no-show counts only when a partner reported it and the member did not say it
happened, contradicting answers are recorded as disputed and count against nobody, and what was recorded
is told truthfully. Two counted no-shows pause a member; unconfirmed or disputed sessions never do."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from fakes import COMMUNITY, FakeChat, Harness, Sent
from test_mock_flow import ROUND, WEEK, action, in_spaces, join, make, points, run_round, times_of, titled
from test_mock_restart import MONDAY, booked_pair, boot, once_each

from bot.features.mock import REPORT_WINDOW
from bot.ids import MemberRef
from bot.messages import Visibility
from bot.signals import MemberActive

RECORDED = "Mock interview: what was recorded"


async def session_done(h: Harness, when: datetime = ROUND, picker: str = "ann") -> tuple[Sent, datetime]:
    """A pairing round, a booking, the session's hour: the "did it happen?" board and the start."""
    return await meet(h, await run_round(h, when), picker)


async def meet(h: Harness, proposal: Sent, picker: str = "ann") -> tuple[Sent, datetime]:
    """The proposal's first time booked, the session's hour: the "did it happen?" board and the start."""
    await h.click(picker, action(proposal.reply, "mock:pick:", 0))
    start = times_of(proposal.reply)[0]
    await h.run_until(start + timedelta(hours=1, minutes=5))
    return titled(in_spaces(h), "Did it happen?")[-1], start


async def no_shows(h: Harness, who: str) -> int:
    """The member's sessions recorded as a no-show, by their own export."""
    exported = await h.core.registry.export_member(MemberRef(COMMUNITY, who))
    return sum(1 for s in exported["mock"]["sessions"] if s["recorded"] == "noshow")


# 4. an unanswered "did it happen?" expires --------------------------------------------------------------
async def test_nobody_answers_and_the_window_closes_the_session_as_unconfirmed_once() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, start = await session_done(h)
        end = start + timedelta(hours=1)
        await h.run_until(end + REPORT_WINDOW - timedelta(minutes=1))
        assert not titled(in_spaces(h), RECORDED)  # still open a minute before the window ends
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "**Did it happen?** Answer for your session" in status.reply.text
        await h.run_until(end + REPORT_WINDOW + timedelta(days=2))
        (closed,) = titled(in_spaces(h), RECORDED)  # both members read it in their space, once
        assert "Nobody answered" in closed.reply.text and "unconfirmed" in closed.reply.text
        assert "no points, and nothing counts against anyone" in closed.reply.text
        assert "No worries" in closed.reply.text and not closed.reply.choices
        late = await h.click("bob", action(board.reply, "mock:met:"))
        assert late.visibility is Visibility.ONLY_YOU and late.reply is not None and not late.replace_original
        assert "Too late to answer" in late.reply.text and "unconfirmed" in late.reply.text
        late_noshow = await h.click("ann", action(board.reply, "mock:noshow:"))
        assert late_noshow.reply is not None and "Too late to answer" in late_noshow.reply.text
        assert await points(h, "ann") == [] and await points(h, "bob") == []
        assert await no_shows(h, "ann") == 0
        card = await h.click("ann", "mock:card:1")
        assert card.form is None
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "unconfirmed (nobody answered)" in status.reply.text
        assert len(titled(in_spaces(h), RECORDED)) == 1
    finally:
        await h.close()


async def test_two_unanswered_sessions_pause_nobody() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        for when in (ROUND, ROUND + WEEK):  # (the first closes while the second round runs)
            _, start = await session_done(h, when)
        await h.run_until(start + timedelta(hours=1) + REPORT_WINDOW)
        assert len(titled(in_spaces(h), RECORDED)) == 2
        assert not [s for s in h.chat.sent if s.reply.title == "Mock interviews paused"]
        await run_round(h, ROUND + 2 * WEEK)  # both are paired again
        assert len(h.chat.spaces) == 3
    finally:
        await h.close()


async def test_the_window_survives_a_restart_and_a_bot_down_at_its_end(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, FakeChat(), heard)
    try:
        _, start = await booked_pair(h)
        await h.run_until(start + timedelta(hours=1, minutes=5))
        (board,) = titled(in_spaces(h), "Did it happen?")
        await h.click("bob", action(board.reply, "mock:met:"))  # ann never answers
        chat = h.chat
        await h.close()  # down from here until a day after the window's end
        h = await boot(path, start + timedelta(hours=1) + REPORT_WINDOW + timedelta(days=1), chat, heard)
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        (closed,) = titled(in_spaces(h), RECORDED)
        assert "It happened" in closed.reply.text and "{@ann}: was there (+15 points)" in closed.reply.text
        assert await points(h, "ann") == [("mock_session", 15)] and await points(h, "bob") == [("mock_session", 15)]
        once_each(h)
    finally:
        await h.close()


# 5. no-shows are two-sided ------------------------------------------------------------------------------
async def test_contradicting_answers_are_disputed_count_against_nobody_and_are_told_truthfully() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        for n, when in enumerate((ROUND, ROUND + WEEK), 1):
            board, _ = await session_done(h, when)
            said = await h.click("bob", action(board.reply, "mock:noshow:"))
            assert said.reply is not None and "{@ann}: {@bob} says you didn't show" in said.reply.text
            # ann was there and says so before the window closes: their answers disagree
            disputed = await h.click("ann", action(board.reply, "mock:met:"))
            assert disputed.reply is not None and disputed.reply.title == RECORDED
            assert "Your answers disagree, so I recorded this session as disputed: it counts against nobody" \
                in disputed.reply.text
            assert "{@ann}: disputed (answered: we met): nothing counts against them" in disputed.reply.text
            assert "{@bob}: was there" in disputed.reply.text and "+15" not in disputed.reply.text
            assert len(titled(in_spaces(h), RECORDED)) == n
            assert await points(h, "ann") == [] and await points(h, "bob") == []  # a disputed session earns none
            no_card = await h.click("ann", f"mock:card:{n}")
            assert no_card.form is None
        assert await no_shows(h, "ann") == 0
        assert not [s for s in h.chat.sent if s.reply.title == "Mock interviews paused"]
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "disputed (counts against nobody)" in status.reply.text
    finally:
        await h.close()


async def test_we_met_first_then_a_contradiction_keeps_the_points_already_earned_and_says_so() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, _ = await session_done(h)
        first = await h.click("ann", action(board.reply, "mock:met:"))
        assert first.reply is not None and "{@ann}: we met (+15 points)" in first.reply.text
        contra = await h.click("bob", action(board.reply, "mock:noshow:"))
        assert contra.reply is not None and contra.reply.title == RECORDED
        assert "{@ann}: disputed (answered: we met): nothing counts against them; keeps the 15 points of that " \
               "answer" in contra.reply.text
        assert await points(h, "ann") == [("mock_session", 15)] and await points(h, "bob") == []
    finally:
        await h.close()


async def test_a_no_show_the_member_does_not_contest_counts_once_the_window_closes() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, start = await session_done(h)
        await h.click("bob", action(board.reply, "mock:noshow:"))
        await h.run_until(start + timedelta(hours=1) + REPORT_WINDOW - timedelta(minutes=1))
        assert await no_shows(h, "ann") == 0  # not before the window closed: ann may still answer
        await h.run_until(start + timedelta(hours=1) + REPORT_WINDOW)
        (closed,) = titled(in_spaces(h), RECORDED)
        assert "It did not take place" in closed.reply.text
        assert "{@ann}: didn't show (as {@bob} reported, and did not say it happened): it counts as a missed " \
               "session" in closed.reply.text
        assert "{@bob}: was there" in closed.reply.text
        assert await no_shows(h, "ann") == 1 and await no_shows(h, "bob") == 0
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and ": missed" in status.reply.text
    finally:
        await h.close()


async def test_neither_could_make_it_counts_against_nobody() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, start = await session_done(h)
        said = await h.click("ann", action(board.reply, "mock:none:"))
        assert said.reply is not None and "{@ann}: neither of us could make it" in said.reply.text
        await h.run_until(start + timedelta(hours=1) + REPORT_WINDOW)
        (closed,) = titled(in_spaces(h), RECORDED)
        assert closed.reply.text.count("couldn't make it: nothing counts against them") == 2
        assert await no_shows(h, "ann") == 0 and await no_shows(h, "bob") == 0
    finally:
        await h.close()


async def test_in_a_trio_each_names_who_did_not_show_and_the_two_who_met_earn_their_points() -> None:
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who, tracks=("ml-system-design",), level="senior")
        board, _ = await session_done(h, picker="cyd")
        labels = [c.label for c in board.reply.choices]
        assert labels == ["Yes, we met", "Ann didn't show", "Bob didn't show", "Cyd didn't show",
                          "None of us could make it"]
        me = await h.click("ann", action(board.reply, "mock:noshow:", 0))  # ann's own name
        assert me.reply is not None and "That's you" in me.reply.text and me.visibility is Visibility.ONLY_YOU
        await h.click("ann", action(board.reply, "mock:noshow:", 2))  # cyd didn't show
        await h.click("bob", action(board.reply, "mock:noshow:", 2))
        last = await h.click("cyd", action(board.reply, "mock:none:"))  # cyd admits it: everyone answered
        assert last.reply is not None and last.reply.title == RECORDED and "It happened" in last.reply.text
        assert "{@cyd}: didn't show (as {@ann} and {@bob} reported" in last.reply.text
        assert await points(h, "ann") == [("mock_session", 15)] and await points(h, "bob") == [("mock_session", 15)]
        assert await points(h, "cyd") == [] and await no_shows(h, "cyd") == 1
        # bob interviews cyd (no interviewee: nothing to score); cyd interviews ann (cyd was not there)
        to_cyd = await h.click("bob", "mock:card:1")
        assert to_cyd.form is None and to_cyd.reply is not None and "wasn't there" in to_cyd.reply.text
        from_cyd = await h.click("cyd", "mock:card:1")
        assert from_cyd.form is None
        ann_card = await h.click("ann", "mock:card:1")  # ann interviewed bob: both there
        assert ann_card.form is not None
    finally:
        await h.close()
