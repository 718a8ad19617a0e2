"""What a mock interview's state change sets off survives the process dying right after the change:
the partner hears of a cancellation or a reschedule exactly once, a pair's private space is opened
once, and the session points of "Yes, we met" are never lost nor doubled.

"The process dies" is a chat whose send raises (before the platform took the message, or just after),
which stops the member's request where it is; then the core is closed and built again on the same file
(what start_core does on start: dead claims released, the sweep runs what is due)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import FakeChat, Harness
from test_mock_flow import action, cancel, in_spaces, join, titled
from test_mock_restart import MONDAY, booked_pair, boot, once_each, restart

from bot.features.mock.model import Session, SessionStatus
from bot.features.mock.rounds import SPACE_NAME_LIMIT, space_name
from bot.ids import ChannelRef, MemberRef, MessageRef
from bot.messages import Reply
from bot.ports import DeliveryError, DeliveryProblem
from bot.signals import MemberActive


class DiesOnPost(FakeChat):
    """The process dies while a post with one of these titles is on its way: before the platform took
    it, or (`taken`) just after it did, before we could record that."""

    def __init__(self, *titles: str, taken: bool = False) -> None:
        super().__init__()
        self.dying = set(titles)
        self.taken = taken

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        if reply.title in self.dying:
            self.dying.discard(reply.title)
            if self.taken:
                await super().send(destination, reply)
            raise RuntimeError("process died while posting")
        return await super().send(destination, reply)


class DiesAfterOpening(FakeChat):
    """The process dies right after the platform opened a private space, before we recorded it."""

    def __init__(self) -> None:
        super().__init__()
        self.dies = True

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        space = await super().open_private_space(channel, members, name)
        if self.dies:
            self.dies = False
            raise RuntimeError("process died right after opening the space")
        return space


async def points(h: Harness, who: str) -> list[int]:
    rows = (await h.core.registry.export_member(MemberRef(h.actor(who).member.community, who)))["board"]["points"]
    return [r["points"] for r in rows if r["reason"] == "mock_session"]


def died(text: str) -> bool:
    return "Something went wrong" in text


# 1. the other is told, exactly once ---------------------------------------------------------------------
@pytest.mark.parametrize("taken", [False, True], ids=["before-the-platform-took-it", "after-it-did"])
async def test_a_cancel_is_told_once_though_the_process_died_between_the_change_and_the_notice(
        tmp_path: Path, taken: bool) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesOnPost("Mock interview cancelled", taken=taken), heard)
    try:
        booked, start = await booked_pair(h)
        gone = await cancel(h, "bob", booked.reply)
        assert gone.reply is not None and died(gone.reply.text)  # the request stopped at the notice
        assert len(titled(in_spaces(h), "Mock interview cancelled")) == (1 if taken else 0)
        h = await restart(h, path, heard)
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "cancelled" in status.reply.text  # the cancellation was committed
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        (told,) = titled(in_spaces(h), "Mock interview cancelled")
        assert "{@bob} cancelled this mock interview" in told.reply.text and told.where in h.chat.spaces
        h = await restart(h, path, heard)
        await h.run_until(start + timedelta(days=4))  # nothing more: no reminders, no second notice
        assert len(titled(in_spaces(h), "Mock interview cancelled")) == 1
        assert not titled(in_spaces(h), "Did it happen?") and not titled(in_spaces(h), "Mock interview reminder")
        once_each(h)
    finally:
        await h.close()


async def test_a_reschedule_is_told_once_with_its_new_times_though_the_process_died(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesOnPost("Mock interview: new time needed"), heard)
    try:
        booked, start = await booked_pair(h)
        moved = await h.click("bob", action(booked.reply, "mock:resched:"))
        assert moved.reply is not None and died(moved.reply.text)
        assert not titled(in_spaces(h), "Mock interview: new time needed")
        h = await restart(h, path, heard)
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        (told,) = titled(in_spaces(h), "Mock interview: new time needed")
        assert "{@bob} can't make" in told.reply.text and "Pick a new time below" in told.reply.text
        proposals = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")]
        assert len(proposals) == 2  # the round's, and the new times after the reschedule, once
        assert f"{int(start.timestamp())}" not in " ".join(c.action for c in proposals[-1].reply.choices)
        h = await restart(h, path, heard)
        await h.run_until(start + timedelta(days=1))  # the new deadline books a new time; nothing twice
        assert len(titled(in_spaces(h), "Mock interview: new time needed")) == 1
        assert len(titled(in_spaces(h), "Mock interview booked")) == 2
        once_each(h)
    finally:
        await h.close()


async def test_a_notice_the_platform_refused_is_sent_once_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, FakeChat(), heard)
    try:
        booked, _ = await booked_pair(h)
        h.chat.fail_next.append(DeliveryError(DeliveryProblem.UNAVAILABLE, "hiccup"))
        gone = await cancel(h, "ann", booked.reply)
        assert gone.reply is not None and "Cancelled by {@ann}" in gone.reply.text
        assert not titled(in_spaces(h), "Mock interview cancelled")
        h = await restart(h, path, heard)  # closed before the retry ran
        await h.run_until(h.clock.now() + timedelta(minutes=10))
        assert len(titled(in_spaces(h), "Mock interview cancelled")) == 1
        once_each(h)
    finally:
        await h.close()


# 2. one private space per group -------------------------------------------------------------------------
async def test_a_crash_between_opening_the_space_and_recording_it_opens_no_second_one(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesAfterOpening(), heard)
    try:
        await h.setup(time="09:00", timezone="Europe/Berlin", days="every day")
        await join(h, "ann")
        await join(h, "bob")
        round_at = datetime(2025, 10, 23, 10, 0, tzinfo=UTC)
        await h.run_until(round_at)
        assert len(h.chat.spaces) == 1 and not in_spaces(h)  # opened, then the process died
        h = await restart(h, path, heard)
        await h.run_until(round_at + timedelta(minutes=5))
        ((space, members),) = h.chat.spaces.items()  # the same space, found again: not a second one
        assert members == ("ann", "bob")
        assert h.chat.space_names[space].startswith("Mock interview · Ann & Bob · #1-")
        (proposal,) = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")]
        assert proposal.where == space
        picked = await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        assert picked.reply is not None and "Booked" in picked.reply.text
        once_each(h)
    finally:
        await h.close()


def session(sid: int, members: tuple[str, ...]) -> Session:
    week = datetime(2025, 6, 9, tzinfo=UTC)
    return Session(sid, 1, "console:guild1", "coding", members, ("mid",) * len(members), week, frozenset(), False,
                   SessionStatus.OPENING, 1)


def test_a_space_name_carries_a_marker_no_other_session_has_even_with_long_names() -> None:
    names = {"a": "Ann", "b": "Bob"}
    one, two = space_name(session(1, ("a", "b")), names, "aaaaaa"), space_name(session(2, ("a", "b")), names, "bbbbbb")
    assert one == "Mock interview · Ann & Bob · #1-aaaaaa" and two != one  # the same pair again: another name
    assert space_name(session(1, ("a", "b")), names, "cccccc") != one  # the same id in another database
    long = {"a": "A" * 90, "b": "B" * 90}
    clipped = space_name(session(123456, ("a", "b")), long, "dddddd")
    assert len(clipped) <= SPACE_NAME_LIMIT and clipped.endswith(" · #123456-dddddd")


# 3. "Yes, we met" points: in the same write as the answer ---------------------------------------------------
async def test_points_of_the_answer_that_closed_a_session_survive_the_process_dying_after_it(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesOnPost("Mock interview: what was recorded"), heard)
    try:
        _, start = await booked_pair(h)
        await h.run_until(start + timedelta(hours=1, minutes=5))
        (after,) = titled(in_spaces(h), "Did it happen?")
        first = await h.click("ann", action(after.reply, "mock:met:"))
        assert first.reply is not None and "{@ann}: we met (+15 points)" in first.reply.text
        last = await h.click("bob", action(after.reply, "mock:met:"))  # closes it; dies telling the space
        assert last.reply is not None and died(last.reply.text)
        assert await points(h, "ann") == [15] and await points(h, "bob") == [15]  # written with the answer
        h = await restart(h, path, heard)
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        (recorded,) = titled(in_spaces(h), "Mock interview: what was recorded")
        assert "It happened" in recorded.reply.text and "{@bob}: was there (+15 points)" in recorded.reply.text
        again = await h.click("bob", action(after.reply, "mock:met:"))  # a second click: nothing doubles
        assert again.reply is not None and "can't change now" in again.reply.text
        assert await points(h, "ann") == [15] and await points(h, "bob") == [15]
        assert sorted(s.member.id for s in heard if s.source == "mock") == ["ann", "bob"]
        card = await h.click("bob", "mock:card:1")
        assert card.form is not None  # a session that happened: scorecards open
        once_each(h)
    finally:
        await h.close()


async def test_a_second_we_met_never_doubles_and_a_partner_vouched_for_gets_points_at_the_close(
        tmp_path: Path) -> None:
    path = str(tmp_path / "mock.db")
    heard: list[MemberActive] = []
    h = await boot(path, MONDAY, DiesOnPost("Mock interview: what was recorded"), heard)
    try:
        _, start = await booked_pair(h)
        await h.run_until(start + timedelta(hours=1, minutes=5))
        (after,) = titled(in_spaces(h), "Did it happen?")
        await h.click("ann", action(after.reply, "mock:met:"))
        twice = await h.click("ann", action(after.reply, "mock:met:"))
        assert twice.reply is not None and "You already answered: we met (+15 points)" in twice.reply.text
        assert await points(h, "ann") == [15] and await points(h, "bob") == []
        # bob never answers; ann's "we met" says he was there: at the window's end he gets his points, in the
        # close's own write, though the process dies telling the space
        await h.run_until(start + timedelta(hours=1) + timedelta(days=3))  # the window's end (the queue logs the death)
        assert await points(h, "bob") == [15] and not titled(in_spaces(h), "Mock interview: what was recorded")
        h = await restart(h, path, heard)
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        (recorded,) = titled(in_spaces(h), "Mock interview: what was recorded")
        assert "{@bob}: was there (+15 points)" in recorded.reply.text
        assert await points(h, "ann") == [15] and await points(h, "bob") == [15]
        assert sorted(s.member.id for s in heard if s.source == "mock") == ["ann", "bob"]
        once_each(h)
    finally:
        await h.close()
