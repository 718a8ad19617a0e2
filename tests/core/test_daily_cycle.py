from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fakes import CHANNEL, FakeChat, Harness

from bot.features.delivery import DIRECT_AT_ONCE
from bot.ids import MemberRef, MessageRef
from bot.messages import Reply, Visibility

MONDAY_8 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


async def test_setup_post_answer_reveal_checklist_kudos() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        resp = await h.setup(time="09:00", timezone="UTC", days="every day")
        assert resp.visibility is Visibility.PUBLIC and resp.reply and "set up" in (resp.reply.title or "")
        assert not h.chat.sent  # nothing before 09:00
        await h.run_until(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
        posts = h.chat.titled("Daily question")
        assert len(posts) == 1 and posts[0].where == CHANNEL.key
        saved = await h.answer("alice", "Bias is error from wrong assumptions; variance from sensitivity.")
        assert saved.reply and "Saved" in saved.reply.text and "+10 points" in saved.reply.text
        share = next(c for c in saved.reply.choices if c.label.startswith("Share"))
        await h.click("alice", share.action)
        await h.answer("bob", "My private take.")
        await h.run_until(datetime(2025, 6, 3, 9, 0, tzinfo=UTC))
        reveal = h.chat.titled("Reveal")
        assert len(reveal) == 1 and "2 members answered" in reveal[0].reply.text
        thread_posts = [s for s in h.chat.channel_posts() if "/" in s.where]
        assert len(thread_posts) == 1 and "Bias is error" in thread_posts[0].reply.text
        assert len(h.chat.titled("Daily question")) == 2  # the next day's question
        checklist = h.chat.dms("bob")[0].reply
        tick = checklist.choices[0].action
        ticked = await h.click("bob", tick)
        assert ticked.replace_original and ticked.reply and ticked.reply.choices[0].label.startswith("☑")
        done = await h.click("bob", checklist.choices[-1].action)
        assert done.reply and "+2 points" in done.reply.text
        assert "already" in ((await h.click("bob", checklist.choices[-1].action)).reply or done.reply).text
        kudos = thread_posts[0].reply.choices[0].action
        assert "own answer" in ((await h.click("alice", kudos)).reply or saved.reply).text
        assert "Kudos sent" in ((await h.click("bob", kudos)).reply or saved.reply).text
        assert "already" in ((await h.click("bob", kudos)).reply or saved.reply).text
        board = await h.command("carol", "leaderboard", period="all")
        assert board.reply is not None
        text = board.reply.text
        assert text.index("{@alice}") < text.index("{@bob}")  # alice 10 + 3 kudos = 13, bob 10 + 2 = 12
        assert "13" in text and "12" in text
    finally:
        await h.close()


class SlowDMs(FakeChat):
    """Each DM takes a moment on the platform; counts how many are in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = self.peak = 0

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.001)
            return await super().send_direct(member, reply)
        finally:
            self.in_flight -= 1


async def test_a_reveal_sends_checklists_several_at_once_and_each_once() -> None:
    chat = SlowDMs()
    h = await Harness.create(MONDAY_8, chat=chat)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        await h.run_until(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
        members = [f"m{n}" for n in range(20)]
        for who in members:
            await h.answer(who, f"An answer from {who}.")
        await h.run_until(datetime(2025, 6, 3, 9, 0, tzinfo=UTC))
        got = [s.where for s in chat.sent if s.kind == "dm" and "checklist" in (s.reply.title or "").casefold()]
        assert sorted(got) == sorted(members)
        assert chat.peak == DIRECT_AT_ONCE
    finally:
        await h.close()
