"""Private things stay private: when a member's DMs are closed and the platform cannot show one member a
message in a channel, only a pointer is posted, and its button shows the content to that member alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakes import FakeChat, Harness

from bot.messages import Visibility

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


async def test_a_checklist_for_closed_dms_is_never_posted_where_others_read_it() -> None:
    chat = FakeChat(private_notices=False)
    h = await Harness.create(START, chat=chat)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        await h.run_until(NINE)
        await h.answer("alice", "my private answer about dropout")
        chat.closed_dms.add("alice")
        await h.run_until(NINE + timedelta(hours=2, minutes=1))
        public = [s for s in chat.sent if s.kind == "channel"]
        assert not chat.dms("alice")
        pointers = [s for s in public if "{@alice}" in s.reply.text and "waiting" in s.reply.text]
        assert len(pointers) == 1
        (pointer,) = pointers
        for post in public:  # nothing of the checklist (its key points) reached the channel
            assert "point A" not in post.reply.text or (post.reply.title and post.reply.title.startswith("Reveal"))
            assert not any("☐" in c.label for c in post.reply.choices)
        show = pointer.reply.choices[0].action
        other = await h.click("bob", show)
        assert other.reply and "someone else" in other.reply.text
        mine = await h.click("alice", show)
        assert mine.visibility is Visibility.ONLY_YOU and mine.reply is not None
        assert mine.reply.title == "Your checklist" and any("☐" in c.label for c in mine.reply.choices)
        await h.run_until(NINE + timedelta(hours=3))
        assert len([s for s in chat.sent if "waiting" in s.reply.text]) == 1  # settled: not posted again
    finally:
        await h.close()


async def test_where_the_platform_can_show_one_member_the_notice_is_private() -> None:
    chat = FakeChat(private_notices=True)
    h = await Harness.create(START, chat=chat)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        await h.run_until(NINE)
        await h.answer("alice", "an answer")
        chat.closed_dms.add("alice")
        await h.run_until(NINE + timedelta(hours=2, minutes=1))
        notices = [s for s in chat.sent if s.kind == "notice"]
        assert len(notices) == 1 and notices[0].where.endswith("@alice")
        assert not [s for s in chat.sent if s.kind == "channel" and "waiting" in s.reply.text]
    finally:
        await h.close()
