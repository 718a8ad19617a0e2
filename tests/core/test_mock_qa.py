"""Regressions from playing the whole mock loop as three members on the console: what each message said
that was untrue, confusing or ungrammatical, now said right (each test names what it used to say)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fakes import COMMUNITY
from test_mock_flow import (
    ROUND,
    WEEK,
    action,
    cancel,
    in_spaces,
    join,
    make,
    run_round,
    scorecard,
    times_of,
    titled,
)
from test_mock_reports import session_done

from bot.features.mock import REPORT_WINDOW
from bot.features.mock.availability_parser import parse_availability
from bot.ids import MemberRef
from bot.messages import MAX_FIELDS, Reply


def dated(text: str) -> list[int]:
    """The unix times of the {t:...} timestamps in a text, in order."""
    out = []
    for part in text.split("{t:")[1:]:
        out.append(int(part.split(":", 1)[0]))
    return out


async def test_the_schedule_names_the_weekday_and_the_zone() -> None:
    """It said "every fri at 18:30 (the community's timezone)" and "It starts once someone joins"."""
    h = await make(zone="Europe/Berlin")
    try:
        empty = await h.command("admin", "mock", "schedule", admin=True, day="fri", time="18:30")
        assert empty.reply is not None
        assert "every Friday at 18:30 (Europe/Berlin, the community's timezone)" in empty.reply.text
        assert "The first one is planned once someone joins" in empty.reply.text
    finally:
        await h.close()


async def test_every_page_of_times_names_the_time_the_deadline_books_and_the_last_page_goes_back() -> None:
    """Paging on with "Other times" kept saying "I book the first one" of times no longer on the message,
    and the last page had no way back to them."""
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        first = times_of(proposal.reply)[0]
        assert f"I book {{t:{int(first.timestamp())}:f}} (time 1)" in proposal.reply.text
        reply: Reply = proposal.reply
        pages = 0
        while any(c.label == "Other times" for c in reply.choices):
            page = await h.click("ann", action(reply, "mock:more:"))
            assert page.reply is not None
            reply = page.reply
            pages += 1
            assert first not in times_of(reply)
            assert f"I book {{t:{int(first.timestamp())}:f}}." in reply.text  # the first page's first time
        assert pages >= 1
        back = [c for c in reply.choices if c.label == "Back to the first times"]
        assert back and not any(c.label == "Other times" for c in reply.choices)
        again = await h.click("bob", back[0].action)
        assert again.reply is not None and times_of(again.reply) == times_of(proposal.reply)
    finally:
        await h.close()


async def test_after_a_reschedule_the_new_times_are_in_order_on_other_days_and_no_second_welcome() -> None:
    """After a reschedule the times came out of order (Wed, Thu, then Tue) and the space was welcomed
    again as if newly paired."""
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        t1 = times_of(proposal.reply)[0]
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        await h.click("bob", action(booked.reply, "mock:resched:"))
        fresh = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")][-1]
        times = times_of(fresh.reply)
        assert len(times) == 3 and times == sorted(times) and t1 not in times
        assert t1.date() not in {t.date() for t in times}  # not the day bob could not make, while others have times
        assert not fresh.reply.text.startswith("Welcome") and "new times for your" in fresh.reply.text
        assert "Times that suit both of you" in fresh.reply.text
        assert dated(fresh.reply.text)[-1] == int(times[0].timestamp())  # the deadline books the first shown
    finally:
        await h.close()


async def test_a_pair_hears_of_the_other_and_a_trio_of_the_others() -> None:
    """A pair was told "the others are told" and "Either of you ... the others"; the invite said "your partner"."""
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        assert "Either of you can reschedule or cancel here; the other is told." in booked.reply.text
        assert b"Meet in your private space" in booked.reply.files[0].data.replace(b"\r\n ", b"")
        gone = await cancel(h, "bob", booked.reply)
        assert gone.reply is not None and gone.reply.text == "Cancelled by {@bob}. The other is told."
        (told,) = titled(in_spaces(h), "Mock interview cancelled")
        assert "The next round pairs you again" not in told.reply.text
    finally:
        await h.close()
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who)
        proposal = await run_round(h)
        assert "Times that suit all of you" in proposal.reply.text
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        assert "Any of you can reschedule or cancel here; the others are told." in booked.reply.text
        wait = await h.click("bob", action(booked.reply, "mock:packet:"))  # bob interviews second
        assert wait.reply is not None and "when your turn as interviewer starts" in wait.reply.text
        assert "before your turn" not in wait.reply.text
    finally:
        await h.close()


async def test_the_board_says_whose_attendance_is_disputed_without_calling_the_session_disputed() -> None:
    """In a trio, one "didn't show" and one "we met" made the board say "this session will be recorded as
    disputed", though the two who were there made it a session that happened."""
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who)
        board, _ = await session_done(h)
        await h.click("ann", action(board.reply, "mock:noshow:", 2))  # cyd didn't show
        now = await h.click("bob", action(board.reply, "mock:met:"))
        assert now.reply is not None and "These answers disagree about {@cyd}" in now.reply.text
        assert "recorded as disputed" not in now.reply.text
        last = await h.click("cyd", action(board.reply, "mock:met:"))
        assert last.reply is not None and "It happened" in last.reply.text
    finally:
        await h.close()


async def test_no_scorecard_says_why_as_it_is() -> None:
    """After a disputed session "Write my scorecard" answered "answer "Did it happen?" first", to a member
    who had answered and whose session was closed."""
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, _ = await session_done(h)
        await h.click("ann", action(board.reply, "mock:met:"))
        await h.click("bob", action(board.reply, "mock:noshow:"))  # contradicts ann: disputed
        card = await h.click("ann", "mock:card:1")
        assert card.form is None and card.reply is not None
        assert "recorded as disputed" in card.reply.text and "first" not in card.reply.text
        _, second = await session_done(h, ROUND + WEEK)
        await h.run_until(second + timedelta(hours=1) + REPORT_WINDOW + timedelta(minutes=1))
        late = await h.click("bob", "mock:card:2")
        assert late.reply is not None and "Nobody answered" in late.reply.text
    finally:
        await h.close()


async def test_the_stats_lines_fit_in_the_stats_reply() -> None:
    """Five mock fields on /stats pushed the last past the reply's ten into its text ("- Mock · ...")."""
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, _ = await session_done(h)
        await h.click("ann", action(board.reply, "mock:met:"))
        await scorecard(h, "ann", 1, "Clear", "Slower")
        own = await h.command("bob", "stats")
        assert own.reply is not None and len(own.reply.fields) <= MAX_FIELDS
        mine = {f.name: f.value for f in own.reply.fields}
        assert mine["Mock interviews"] == "1 happened"
        assert mine["Mock scorecard averages"].endswith("(of 4; 1 scorecard)")
        assert "Mock" not in own.reply.text.split("Points by source")[-1].replace("Mock interviews:", "")
    finally:
        await h.close()


async def test_pause_and_resume_say_what_is_true() -> None:
    """The example date was in the past ("like 2025-07-01"); /mock resume welcomed back a member who was
    never paused. (Leaving, which said "Your 1 arranged session was ... your partners were told": test_mock_flow.)"""
    h = await make(start=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    try:
        await join(h, "ann")
        await join(h, "bob")
        bad = await h.command("ann", "mock", "pause", until="tomorrow")
        assert bad.reply is not None
        example = date.fromisoformat(bad.reply.text.rsplit("like ", 1)[1].rstrip("."))
        assert example > h.clock.now().date()
        resumed = await h.command("ann", "mock", "resume")
        assert resumed.reply is not None and "weren't paused" in resumed.reply.text
        await h.command("ann", "mock", "pause")
        back = await h.command("ann", "mock", "resume")
        assert back.reply is not None and "Welcome back" in back.reply.text
    finally:
        await h.close()


async def test_status_tells_a_member_reported_absent_what_counts() -> None:
    """/mock status asked for an answer but did not say the partner had reported the member absent."""
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        board, _ = await session_done(h)
        await h.click("ann", action(board.reply, "mock:noshow:"))
        status = await h.command("bob", "mock", "status")
        assert status.reply is not None
        assert "{@ann} says you didn't show: if you were there, answer \"Yes, we met\"" in status.reply.text
        mine = await h.command("ann", "mock", "status")
        assert mine.reply is not None and "says you didn't show" not in mine.reply.text
    finally:
        await h.close()


async def test_pair_now_that_pairs_nobody_records_nothing_and_messages_nobody() -> None:
    """Each pair-now that could pair nobody said "0 members in 0 groups; their private spaces are opening
    now" and sent every waiting member the same "no partner this round" DM again."""
    h = await make()
    try:
        await join(h, "ann", availability="Mon 18:00-20:00")
        await join(h, "bob", availability="Tue 18:00-20:00")
        for _ in range(2):
            got = await h.command("admin", "mock", "pair-now", admin=True)
            assert got.reply is not None and "Nobody could be paired right now" in got.reply.text
            assert "0 members" not in got.reply.text and "no two share a track and a free hour" in got.reply.text
            h.clock.set(h.clock.now() + timedelta(minutes=5))
        assert not h.chat.dms("ann") and not h.chat.dms("bob")
        await h.run_until(ROUND)  # the scheduled round tells each of them, once
        assert len(h.chat.dms("ann")) == 1 and "first in line" in h.chat.dms("ann")[0].reply.text
        exported = await h.core.registry.export_member(MemberRef(COMMUNITY, "ann"))
        assert exported["mock"]["sessions"] == []
    finally:
        await h.close()


def test_a_range_across_midnight_is_read_back_with_its_length() -> None:
    """"Mon 21:00-18:00" (the ends swapped by a slip) was shown back as "Mon 21:00-18:00" with no word
    that it means 21 hours, into Tuesday."""
    notes = parse_availability("Mon 21:00-18:00").notes
    assert notes == ("'21:00-18:00' runs past midnight: it ends at 18:00 the next day (21 hours in all)",)
    assert parse_availability("Fri 22:00-01:00").notes[0].endswith("(3 hours in all)")
    assert parse_availability("Fri 22:00-24:00").notes == ()
