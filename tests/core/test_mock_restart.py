"""Mock interviews survive restarts: the core is closed and built again on the same database file between
every two steps (join, round, pick, reminders, packets, swap, did-it-happen, both scorecard steps), and
every timer comes back as a durable job; nothing is posted twice. The round is paired in summer time and the
session falls after the clocks change, so the times are computed for the session's own week."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes import CHANNEL, COMMUNITY, FakeChat, Harness, Sent
from icalendar import Calendar
from test_mock_flow import RATINGS, action, in_spaces, join, mock_bank, spy, times_of, titled

from bot.bootstrap import FEATURES
from bot.events import FormSubmitted
from bot.ids import MemberRef, MessageRef
from bot.messages import Reply
from bot.ports import DeliveryError, DeliveryProblem
from bot.signals import MemberActive

# Europe leaves summer time on Sunday 26 October 2025, the United States on 2 November
MONDAY = datetime(2025, 10, 20, 8, 0, tzinfo=UTC)
ROUND = datetime(2025, 10, 23, 10, 0, tzinfo=UTC)  # Thursday 12:00 in Berlin (CEST, UTC+2)


async def boot(path: str, start: datetime, chat: FakeChat, heard: list[MemberActive]) -> Harness:
    h = await Harness.create(start, db=path, bank=mock_bank(), chat=chat,
                             features=[*(m.build for m in FEATURES), spy(heard)])
    await h.core.release_dead_claims()
    await h.core.sweep()  # what start_core does: due work runs, the next wake-up is planned
    return h


async def restart(h: Harness, path: str, heard: list[MemberActive]) -> Harness:
    """A new process on the same file; the platform (FakeChat: spaces, messages) carries on."""
    now, chat = h.clock.now(), h.chat
    await h.close()
    return await boot(path, now, chat, heard)


def once_each(h: Harness) -> None:
    """No message was posted twice anywhere: every outbox key appears once."""
    keys = Counter(s.reply.idempotency_key for s in h.chat.sent if s.reply.idempotency_key)
    assert [k for k, n in keys.items() if n > 1] == []


async def test_every_step_survives_a_restart_and_the_clock_change_between_pairing_and_session(
        tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, FakeChat(), heard)
    try:
        await h.setup(time="09:00", timezone="Europe/Berlin", days="every day")
        # ann in Berlin, 18:00-20:00; bob in New York, 12:00-15:00. In the week of 27 October Berlin is on
        # UTC+1 (the clocks went back) and New York still on UTC-4: they overlap 17:00-19:00 UTC. With the
        # round's own offsets (both on summer time) it would have been 16:00-18:00 UTC.
        await join(h, "ann", zone="Europe/Berlin", availability="Mon-Fri 18:00-20:00")
        h = await restart(h, path, heard)
        await join(h, "bob", zone="America/New_York", availability="Mon-Fri 12:00-15:00")
        h = await restart(h, path, heard)

        await h.run_until(ROUND - timedelta(minutes=1))  # (the daily question of the day went out at 09:00)
        h.chat.fail_next.append(DeliveryError(DeliveryProblem.UNAVAILABLE, "platform hiccup"))
        await h.run_until(ROUND)  # the round runs; the first post to the space fails and is retried
        assert len(h.chat.spaces) == 1 and not in_spaces(h)
        h = await restart(h, path, heard)
        await h.run_until(ROUND + timedelta(minutes=2))
        (proposal,) = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")]
        assert len(h.chat.spaces) == 1  # the space was not opened again
        starts = times_of(proposal.reply)
        assert [t.isoformat() for t in starts] == ["2025-10-27T17:00:00+00:00", "2025-10-29T17:00:00+00:00",
                                                   "2025-10-31T17:00:00+00:00"]
        h = await restart(h, path, heard)

        picked = await h.click("bob", action(proposal.reply, "mock:pick:", 0))  # a button from before the restart
        assert picked.reply is not None and "Booked" in picked.reply.text
        start = starts[0]
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        event = Calendar.from_ical(booked.reply.files[0].data).walk("VEVENT")[0]
        assert event["DTSTART"].to_ical() == b"20251027T170000Z"  # 18:00 in Berlin, 13:00 in New York
        h = await restart(h, path, heard)

        await h.run_until(start - timedelta(hours=24))
        assert len(titled(in_spaces(h), "Mock interview reminder")) == 1
        h = await restart(h, path, heard)
        await h.run_until(start - timedelta(minutes=30))
        assert [s.where for s in h.chat.sent if s.reply.title == "Your interviewer packet"] == ["ann"]
        h = await restart(h, path, heard)
        await h.run_until(start - timedelta(minutes=15))
        assert len(titled(in_spaces(h), "Mock interview reminder")) == 2
        h = await restart(h, path, heard)
        await h.run_until(start + timedelta(minutes=30))
        assert [s.where for s in h.chat.sent if s.reply.title == "Your interviewer packet"] == ["ann", "bob"]
        assert len([s for s in in_spaces(h) if s.reply.text.startswith("Time to swap")]) == 1
        h = await restart(h, path, heard)
        await h.run_until(start + timedelta(hours=1, minutes=5))
        (after,) = titled(in_spaces(h), "Did it happen?")
        h = await restart(h, path, heard)

        met = await h.click("ann", action(after.reply, "mock:met:"))
        assert met.reply is not None and "+15 points" in met.reply.text
        assert sorted(s.member.id for s in heard if s.source == "mock") == ["ann"]
        h = await restart(h, path, heard)
        both = await h.click("bob", action(after.reply, "mock:met:"))  # bob answers too: it is closed as done
        assert both.reply is not None and "It happened" in both.reply.text
        assert sorted(s.member.id for s in heard if s.source == "mock") == ["ann", "bob"]
        h = await restart(h, path, heard)
        form = (await h.click("bob", action(met.reply, "mock:card:"))).form
        assert form is not None
        step = await h.handle(FormSubmitted(h.actor("bob"), CHANNEL, form.form_id, {},
                                            {k: (v,) for k, v in RATINGS.items()}))
        assert step.reply is not None
        h = await restart(h, path, heard)
        words = (await h.click("bob", action(step.reply, "mock:next:"))).form
        assert words is not None
        h = await restart(h, path, heard)
        sent = await h.submit("bob", words.form_id, strengths="Kept to time", improve="Ask one more follow-up")
        assert sent.reply is not None and "only to them" in sent.reply.text
        (card,) = [s for s in h.chat.sent if s.reply.title == "Your mock interview scorecard"]
        assert card.where == "ann" and "Kept to time" in card.reply.text
        assert (card.reply.fields[0].name, card.reply.fields[0].value) == ("Modeling judgment", "3/4")

        h = await restart(h, path, heard)
        await h.run_until(start + timedelta(days=3))  # nothing left to fire, nothing fires twice
        once_each(h)
        assert len(titled(in_spaces(h), "Did it happen?")) == 1
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "happened" in status.reply.text
    finally:
        await h.close()


async def test_a_reschedule_survives_a_restart_and_the_old_bookings_jobs_stay_quiet(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, FakeChat(), heard)
    try:
        await h.setup(time="09:00", timezone="Europe/Berlin", days="every day")
        await join(h, "ann")
        await join(h, "bob")
        await h.run_until(ROUND)
        (proposal,) = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")]
        first = times_of(proposal.reply)[0]
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        h = await restart(h, path, heard)
        await h.click("bob", action(booked.reply, "mock:resched:"))
        h = await restart(h, path, heard)
        # nobody picks again: the new deadline (a durable job of the new version) books the first new time
        await h.run_until(first + timedelta(hours=3))
        rebooked = titled(in_spaces(h), "Mock interview booked")
        assert len(rebooked) == 2 and "Nobody picked" in rebooked[-1].reply.text
        assert f"{{t:{int(first.timestamp())}:f}}" not in rebooked[-1].reply.text  # not the time bob declined
        assert not titled(in_spaces(h), "Did it happen?")  # the first booking's jobs did nothing
        assert not [s for s in h.chat.sent if s.reply.title == "Your interviewer packet"]
        once_each(h)
    finally:
        await h.close()


class DiesOnDm(FakeChat):
    """The process dies while a DM with one of these titles is on its way (before the platform took it)."""

    def __init__(self, *titles: str) -> None:
        super().__init__()
        self.dying = set(titles)

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        if reply.title in self.dying:
            self.dying.discard(reply.title)
            raise RuntimeError("process died while sending a DM")
        return await super().send_direct(member, reply)


async def booked_pair(h: Harness) -> tuple[Sent, datetime]:
    await h.setup(time="09:00", timezone="Europe/Berlin", days="every day")
    await join(h, "ann")
    await join(h, "bob")
    await h.run_until(ROUND)
    (proposal,) = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")]
    await h.click("ann", action(proposal.reply, "mock:pick:", 0))
    (booked,) = titled(in_spaces(h), "Mock interview booked")
    return booked, times_of(proposal.reply)[0]


async def test_a_bot_down_through_both_reminders_sends_one_reminder_that_tells_the_truth(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, FakeChat(), heard)
    try:
        _, start = await booked_pair(h)
        chat = h.chat
        await h.close()
        h = await boot(path, start - timedelta(minutes=10), chat, heard)  # down from booking until 10 min before
        await h.run_until(start - timedelta(minutes=5))
        (reminder,) = titled(in_spaces(h), "Mock interview reminder")  # not "tomorrow" and then "in 15 minutes"
        assert f"({{t:{int(start.timestamp())}:R}})" in reminder.reply.text
        assert "tomorrow" not in reminder.reply.text and "15 minutes" not in reminder.reply.text
    finally:
        await h.close()


async def test_a_scorecard_written_as_the_process_died_still_reaches_the_interviewee_once(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesOnDm("Your mock interview scorecard"), heard)
    try:
        _, start = await booked_pair(h)
        await h.run_until(start + timedelta(hours=1, minutes=5))
        await h.click("ann", action(titled(in_spaces(h), "Did it happen?")[0].reply, "mock:met:"))
        form = (await h.click("bob", "mock:card:1")).form
        assert form is not None
        step = await h.handle(FormSubmitted(h.actor("bob"), CHANNEL, form.form_id, {},
                                            {k: (v,) for k, v in RATINGS.items()}))
        assert step.reply is not None
        words = (await h.click("bob", action(step.reply, "mock:next:"))).form
        assert words is not None
        with contextlib.suppress(RuntimeError):  # the card is saved as sent, then the process dies
            await h.submit("bob", words.form_id, strengths="Kept to time", improve="Ask one more follow-up")
        assert not [s for s in h.chat.sent if s.reply.title == "Your mock interview scorecard"]
        h = await restart(h, path, heard)
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        cards = [s for s in h.chat.sent if s.reply.title == "Your mock interview scorecard"]
        assert [(s.kind, s.where) for s in cards] == [("dm", "ann")] and "Kept to time" in cards[0].reply.text
        again = await h.click("bob", "mock:card:1")  # bob tries again: told it is sent, and gets his points
        assert again.reply is not None and "already sent" in again.reply.text
        exported = await h.core.registry.export_member(MemberRef(COMMUNITY, "bob"))
        assert [r["points"] for r in exported["board"]["points"] if r["reason"] == "mock_feedback"] == [5]
        await h.run_until(h.clock.now() + timedelta(days=1))
        once_each(h)
    finally:
        await h.close()


async def test_a_round_job_that_failed_reruns_the_same_round_and_tells_the_waiting_once(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesOnDm("Mock interviews: next round"), heard)
    try:
        await h.setup(time="09:00", timezone="Europe/Berlin", days="every day")
        await join(h, "ann")
        await join(h, "bob")
        await join(h, "cyd", tracks=("behavioural",))  # shares no track: waits
        with contextlib.suppress(RuntimeError):
            await h.run_until(ROUND)
        assert not h.chat.dms("cyd")
        h = await restart(h, path, heard)
        await h.run_until(ROUND + timedelta(hours=4))  # the round job runs again and carries on
        told = [s for s in h.chat.dms("cyd") if s.reply.title == "Mock interviews: next round"]
        assert len(told) == 1 and "first in line" in told[0].reply.text
        # the retry ran the same round (the job's retry time is not a new round): one round, one space
        assert told[0].reply.idempotency_key == "mock:waiting:1:cyd" and len(h.chat.spaces) == 1
        await h.run_until(ROUND + timedelta(days=1))
        assert len([s for s in h.chat.dms("cyd") if s.reply.title == "Mock interviews: next round"]) == 1
        once_each(h)
    finally:
        await h.close()
