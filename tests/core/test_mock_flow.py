"""Peer mock interviews end to end through the real composition root, with a settable clock: join (the
availability read back, bad input refused), a pairing round, the private space with three times, booking,
reminders, the packets and the swap, "did it happen?", scorecards that reach only the interviewee, points,
no-shows and the pause after two, trios, rescheduling and cancelling, export and erase."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import CHANNEL, COMMUNITY, Harness, Sent, packed
from icalendar import Calendar

from bot.bootstrap import FEATURES
from bot.content.bank import Bank
from bot.content.item import Item
from bot.content.schema import validate_item
from bot.events import Actor, ChoiceSelected, FormSubmitted
from bot.ids import MemberRef
from bot.messages import InputKind, Reply, Response, Visibility
from bot.registry import FeatureSpec
from bot.services import Services
from bot.signals import MemberActive

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # a Monday
ROUND = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)  # the default round: Thursday 12:00 (the community is on UTC)
WEEK = timedelta(days=7)
TRACKS = {"ml-fundamentals": "ml-algorithms", "ml-system-design": "ml-system-design", "coding": "coding",
          "behavioural": "behavioural"}
RATINGS = {"modeling_judgment": "3", "production_readiness": "2", "evaluation_rigor": "4",
           "communication_clarity": "3"}


def mock_item(n: int, domain: str, level: str) -> Item:
    words = " ".join(f"w{n}{level[0]}x{i}" for i in range(90))
    return validate_item({
        "id": f"mk-{domain}-{level}-{n}", "domain": domain, "subtopic": "mock practice", "kind": "open",
        "difficulty": "medium", "seniority": level,
        "prompt": f"Mock question {n} on {domain} for a {level} candidate: walk me through it?",
        "key_points": [f"key point one of {domain} {level} {n}", f"key point two {n}", f"key point three {n}"],
        "model_answer": f"Model answer {n}. {words}", "follow_ups": [f"follow-up of {domain} {level} {n}"],
        "rubric": ["modeling_judgment", "communication_clarity"]})


def mock_bank() -> Bank:
    return packed(tuple(mock_item(n, domain, level) for domain in TRACKS.values()
                      for level in ("junior", "mid", "senior") for n in range(3)))


def spy(heard: list[MemberActive]) -> Callable[[Services], FeatureSpec]:
    async def listen(signal: MemberActive) -> None:
        heard.append(signal)

    return lambda services: FeatureSpec(name="spy", listens={MemberActive: listen})


async def make(db: str = ":memory:", heard: list[MemberActive] | None = None, start: datetime = START,
               zone: str = "UTC") -> Harness:
    features = [*(m.build for m in FEATURES), spy(heard if heard is not None else [])]
    h = await Harness.create(start, db=db, bank=mock_bank(), features=features)
    await h.setup(time="09:00", timezone=zone, days="every day")
    return h


async def join(h: Harness, who: str, *, tracks: tuple[str, ...] = ("ml-fundamentals",), level: str = "mid",
               zone: str = "Europe/Berlin", availability: str = "Mon-Fri 18:00-21:00",
               cadence: str = "weekly") -> Response:
    form = (await h.command(who, "mock", "join")).form
    assert form is not None
    checked = await h.handle(FormSubmitted(h.actor(who), CHANNEL, form.form_id,
                                           {"timezone": zone, "availability": availability},
                                           {"tracks": tracks, "level": (level,), "cadence": (cadence,)}))
    assert checked.reply is not None and not checked.form_errors, checked
    return await h.click(who, checked.reply.choices[0].action)


def in_spaces(h: Harness) -> list[Sent]:
    return [s for s in h.chat.sent if s.kind == "channel" and s.where in h.chat.spaces]


def titled(posts: list[Sent], title: str) -> list[Sent]:
    return [s for s in posts if (s.reply.title or "") == title]


def action(reply: Reply, prefix: str, nth: int = 0) -> str:
    found = [c.action for c in reply.choices if c.action.startswith(prefix)]
    assert len(found) > nth, (prefix, [c.action for c in reply.choices])
    return found[nth]


async def cancel(h: Harness, who: str, reply: Reply) -> Response:
    """Cancel through the two steps: the Cancel button asks privately, "Yes, cancel" cancels."""
    ask = await h.click(who, action(reply, "mock:cancel:"))
    assert ask.reply is not None and ask.visibility is Visibility.ONLY_YOU and not ask.replace_original
    assert ask.reply.text.startswith("Cancel the session with "), ask.reply.text
    return await h.click(who, action(ask.reply, "mock:cancelyes:"))


def times_of(reply: Reply) -> list[datetime]:
    return [datetime.fromtimestamp(int(a.split(":")[-1]), UTC) for a in (c.action for c in reply.choices)
            if a.startswith("mock:pick:")]


def everything_visible_to_others(h: Harness, owner: str) -> str:
    """All text the bot posted anywhere except in `owner`'s own DMs."""
    out = []
    for s in h.chat.sent:
        if s.kind == "dm" and s.where == owner:
            continue
        r = s.reply
        out += [r.title or "", r.text, *(f.value for f in r.fields)]
    return "\n".join(out)


async def rate(h: Harness, who: str, form_id: str, ratings: dict[str, str] = RATINGS) -> Response:
    return await h.handle(FormSubmitted(h.actor(who), CHANNEL, form_id, {},
                                        {k: (v,) for k, v in ratings.items()}))


async def scorecard(h: Harness, who: str, session: int, strengths: str, improve: str) -> Response:
    form = (await h.click(who, f"mock:card:{session}")).form
    assert form is not None
    step_two = await rate(h, who, form.form_id)
    assert step_two.reply is not None
    words = (await h.click(who, action(step_two.reply, "mock:next:"))).form
    assert words is not None
    return await h.submit(who, words.form_id, strengths=strengths, improve=improve)


async def points(h: Harness, who: str) -> list[tuple[str, int]]:
    """The member's mock rows of the points ledger, read through the leaderboard's own export."""
    rows = (await h.core.registry.export_member(MemberRef(COMMUNITY, who)))["board"]["points"]
    return [(r["reason"], r["points"]) for r in rows if r["reason"].startswith("mock")]


async def run_round(h: Harness, when: datetime = ROUND) -> Sent:
    await h.run_until(when)
    proposals = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")]
    assert proposals, [s.reply.title for s in h.chat.sent]
    return proposals[-1]


# joining ----------------------------------------------------------------------------------------------
async def test_the_join_form_has_five_fields_and_prefills_the_platforms_timezone() -> None:
    h = await make()
    try:
        zoned = Actor(MemberRef(COMMUNITY, "ann"), "Ann", timezone="America/Denver")
        from bot.events import CommandInvoked

        form = (await h.handle(CommandInvoked(zoned, CHANNEL, "mock", {}, "join"))).form
        assert form is not None and len(form.fields) == 5  # a Discord modal holds five
        tracks, level, zone, availability, cadence = form.fields
        assert tracks.kind is InputKind.MULTI_SELECT and [o.label for o in tracks.options] == [
            "ML fundamentals", "ML system design", "Coding", "Behavioural"]
        assert level.kind is InputKind.SELECT and [o.value for o in level.options] == ["junior", "mid", "senior"]
        assert zone.default == "America/Denver"  # from the platform (Slack's profile)
        assert availability.kind is InputKind.LONG and cadence.kind is InputKind.SELECT
        assert [o.value for o in cadence.options] == ["weekly", "biweekly"]
        plain = (await h.command("bob", "mock", "join")).form
        assert plain is not None and plain.fields[2].default == "UTC"  # no zone from the platform: the community's
    finally:
        await h.close()


async def test_availability_is_shown_back_and_nothing_is_saved_before_confirm() -> None:
    h = await make()
    try:
        form = (await h.command("ann", "mock", "join")).form
        assert form is not None

        async def submit(values: dict[str, str], picks: dict[str, tuple[str, ...]]) -> Response:
            return await h.handle(FormSubmitted(h.actor("ann"), CHANNEL, form.form_id, values, picks))

        good = {"tracks": ("coding", "behavioural"), "level": ("senior",), "cadence": ("biweekly",)}
        bad = await submit({"timezone": "Europe/Berlin", "availability": "Mon 25:00-26:00, Funday 10-12"}, good)
        assert "availability" in bad.form_errors and "Funday" in bad.form_errors["availability"]
        assert bad.reply is not None and "Nothing saved yet" in bad.reply.text
        assert "Funday 10-12" in bad.reply.text  # what they typed is handed back
        zone = await submit({"timezone": "Mars/Olympus", "availability": "Mon 18:00-20:00"}, good)
        assert "timezone" in zone.form_errors and "availability" not in zone.form_errors
        never = await submit({"timezone": "UTC", "availability": "none"}, good)
        assert "never free" in never.form_errors["availability"]
        no_track = await submit({"timezone": "UTC", "availability": "Mon 18:00-20:00"},
                                {"tracks": (), "level": ("mid",), "cadence": ("weekly",)})
        assert "tracks" in no_track.form_errors
        forged = await submit({"timezone": "UTC", "availability": "Mon 18:00-20:00"},
                              {"tracks": ("coding",), "level": ("boss",), "cadence": ("daily",)})
        assert set(forged.form_errors) == {"level", "cadence"}
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "not in the mock interview pool" in status.reply.text

        first = await submit({"timezone": "Europe/Berlin", "availability": "Mon-Thu 6pm-9pm, sat 10:00-13:15"}, good)
        assert first.reply is not None and first.visibility is Visibility.ONLY_YOU
        assert "Mon-Thu 18:00-21:00, Sat 10:00-13:00" in first.reply.text  # normalised, in their own zone
        assert "13:00" in first.reply.text and "Please check" in first.reply.text  # 13:15 rounds inward, and says so
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "not in the mock interview pool" in status.reply.text
        second = await submit({"timezone": "Europe/Berlin", "availability": "Tue 19:00-21:00"}, good)
        assert second.reply is not None
        stale = await h.click("ann", action(first.reply, "mock:confirm:"))
        assert stale.reply is not None and "out of date" in stale.reply.text
        foreign = await h.click("bob", action(second.reply, "mock:confirm:"))
        assert foreign.reply is not None and "another member" in foreign.reply.text
        done = await h.click("ann", action(second.reply, "mock:confirm:"))
        assert done.reply is not None and "in the mock interview pool" in done.reply.text and done.replace_original
        again = await h.click("ann", action(second.reply, "mock:confirm:"))
        assert again.reply is not None and "out of date" in again.reply.text
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "Tue 19:00-21:00" in status.reply.text
        assert "Coding, Behavioural" in status.reply.text and "every two weeks" in status.reply.text
        typed = await h.command("ann", "mock", "availability", text="Wed 07:00-09:00")
        assert typed.reply is not None and "Wed 07:00-09:00" in typed.reply.text
        await h.click("ann", action(typed.reply, "mock:confirm:"))
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "Wed 07:00-09:00" in status.reply.text
    finally:
        await h.close()


# the whole loop -----------------------------------------------------------------------------------
async def test_the_whole_loop_from_join_to_scorecards() -> None:
    heard: list[MemberActive] = []
    h = await make(heard=heard)
    try:
        joined = await join(h, "ann", tracks=("ml-fundamentals", "coding"))
        assert joined.reply is not None and f"{{t:{int(ROUND.timestamp())}:f}}" in joined.reply.text
        await join(h, "bob")
        await join(h, "cyd", tracks=("behavioural",))  # shares no track with anyone

        proposal = await run_round(h)
        assert h.chat.spaces[proposal.where] == ("ann", "bob")
        text = proposal.reply.text
        assert "{@ann}" in text and "{@bob}" in text and "ML fundamentals" in text
        starts = times_of(proposal.reply)
        # three times in the week after the round, on different days, inside both members' evenings
        # (Mon-Fri 18:00-21:00 Berlin = 16:00-19:00 UTC in June), each shown in the reader's own zone
        assert len(starts) == 3 and len({t.date() for t in starts}) == 3
        assert all(datetime(2025, 6, 9, tzinfo=UTC) <= t < datetime(2025, 6, 14, tzinfo=UTC) for t in starts)
        assert all(16 <= t.hour and t + timedelta(hours=1) <= t.replace(hour=19, minute=0) for t in starts)
        assert all(f"{{t:{int(t.timestamp())}:f}}" in text for t in starts)
        assert any(c.label == "Other times" for c in proposal.reply.choices)
        waiting = h.chat.dms("cyd")
        assert waiting and "first in line next round" in waiting[-1].reply.text

        # a stranger cannot book; a member books time 2; a second pick is refused kindly
        stranger = await h.click("cyd", action(proposal.reply, "mock:pick:", 1))
        assert stranger.reply is not None and "another member" in stranger.reply.text
        picked = await h.click("bob", action(proposal.reply, "mock:pick:", 1))
        assert picked.replace_original and picked.reply is not None and "Booked" in picked.reply.text
        late = await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        assert late.reply is not None and "already booked" in late.reply.text
        start = starts[1]
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        (invite,) = booked.reply.files
        assert invite.mime == "text/calendar" and invite.name.endswith(".ics")
        event = Calendar.from_ical(invite.data).walk("VEVENT")[0]
        assert event["DTSTART"].dt == start and event["DTEND"].dt == start + timedelta(hours=1)
        assert "{@bob} booked it" in booked.reply.text

        # reminders 24 h and 15 min before, in the space; the first packet 30 min before, to ann alone
        await h.run_until(start - timedelta(hours=24))
        (day_before,) = titled(in_spaces(h), "Mock interview reminder")
        # the time left as a relative timestamp (true even if sent late), never raw markup inside bold
        assert f"({{t:{int(start.timestamp())}:R}})" in day_before.reply.text
        assert "**{t:" not in booked.reply.text
        assert not [s for s in h.chat.sent if s.reply.title == "Your interviewer packet"]
        await h.run_until(start - timedelta(minutes=30))
        (packet,) = [s for s in h.chat.sent if s.reply.title == "Your interviewer packet"]
        assert packet.kind == "dm" and packet.where == "ann" and "You interview {@bob}" in packet.reply.text
        assert "Mock question" in packet.reply.text and "mid candidate" in packet.reply.text  # bob's level
        assert "ml-algorithms" in packet.reply.fields[0].value  # bob's track
        assert "Key points" in packet.reply.text and "Follow-ups" in packet.reply.text and "Rubric" in packet.reply.text
        question = packet.reply.text.split("**Ask**\n", 1)[1].split("\n", 1)[0]
        await h.run_until(start - timedelta(minutes=15))
        assert len(titled(in_spaces(h), "Mock interview reminder")) == 2
        # ann's packet again, privately, from the space's button; bob's has not come yet
        shown = await h.click("ann", action(booked.reply, "mock:packet:"))
        assert shown.visibility is Visibility.ONLY_YOU and shown.reply is not None and question in shown.reply.text
        not_yet = await h.click("bob", action(booked.reply, "mock:packet:"))
        assert not_yet.reply is not None and "comes by DM" in not_yet.reply.text

        # half time: the roles swap, bob gets a packet about ann (another question), the space is told
        await h.run_until(start + timedelta(minutes=30))
        swaps = [s for s in in_spaces(h) if s.reply.text.startswith("Time to swap")]
        assert len(swaps) == 1 and "{@bob} now interviews {@ann}" in swaps[0].reply.text
        (bobs,) = [s for s in h.chat.dms("bob") if s.reply.title == "Your interviewer packet"]
        assert "You interview {@ann}" in bobs.reply.text and question not in bobs.reply.text
        for secret in (question, bobs.reply.text.split("**Ask**\n", 1)[1].split("\n", 1)[0]):
            assert not [s for s in h.chat.sent if s.kind == "channel" and secret in s.reply.text]

        # after: did it happen? each answers for themselves: points and MemberActive for each "we met"
        await h.run_until(start + timedelta(hours=1, minutes=5))
        (after,) = titled(in_spaces(h), "Did it happen?")
        early_card = await h.click("ann", "mock:card:1")
        assert early_card.form is None
        met = await h.click("bob", action(after.reply, "mock:met:"))
        assert met.replace_original and met.reply is not None and "{@bob}: we met (+15 points)" in met.reply.text
        assert "{@ann}: not answered yet" in met.reply.text
        assert [(s.member.id, s.source) for s in heard if s.source == "mock"] == [("bob", "mock")]
        assert await points(h, "ann") == [] and await points(h, "bob") == [("mock_session", 15)]
        both = await h.click("ann", action(after.reply, "mock:met:"))
        assert both.reply is not None and both.reply.title == "Mock interview: what was recorded"
        assert "It happened" in both.reply.text and both.replace_original
        assert sorted(s.member.id for s in heard if s.source == "mock") == ["ann", "bob"]
        (recorded,) = titled(in_spaces(h), "Mock interview: what was recorded")  # told in the space, once
        assert "{@ann}: was there (+15 points)" in recorded.reply.text
        again = await h.click("ann", action(after.reply, "mock:met:"))
        assert again.reply is not None and again.visibility is Visibility.ONLY_YOU
        assert "can't change now" in again.reply.text
        assert await points(h, "ann") == [("mock_session", 15)] and await points(h, "bob") == [("mock_session", 15)]

        # ann's scorecard for bob, in two steps (a Discord modal holds five fields)
        form = (await h.click("ann", action(met.reply, "mock:card:"))).form
        assert form is not None and len(form.fields) == 4 and all(f.kind is InputKind.SELECT for f in form.fields)
        assert [o.value for o in form.fields[0].options] == ["1", "2", "3", "4"]
        assert form.fields[0].options[0].description and form.fields[0].options[3].description  # weak / strong
        outsider = await h.click("cyd", action(met.reply, "mock:card:"))
        assert outsider.form is None and outsider.reply is not None and "another member" in outsider.reply.text
        wrong = await rate(h, "ann", form.form_id, {**RATINGS, "evaluation_rigor": "7"})
        assert "evaluation_rigor" in wrong.form_errors
        forged = await rate(h, "bob", form.form_id)  # bob may not fill in ann's scorecard (turn 0)
        assert forged.reply is not None and "another member" in forged.reply.text
        secret_strength = "Clear structure; asked about the data before choosing a model"
        secret_improve = "Say which metric you would put on the dashboard"
        sent = await scorecard(h, "ann", 1, secret_strength, secret_improve)
        assert sent.reply is not None and "only to them" in sent.reply.text and "+5 points" in sent.reply.text
        assert secret_strength not in sent.reply.text
        (card,) = [s for s in h.chat.sent if s.reply.title == "Your mock interview scorecard"]
        assert card.kind == "dm" and card.where == "bob"
        assert secret_strength in card.reply.text and secret_improve in card.reply.text
        assert [(f.name, f.value) for f in card.reply.fields][2] == ("Evaluation rigor", "4/4")
        twice = await scorecard_again(h, "ann", 1)
        assert "already sent" in twice
        assert await points(h, "ann") == [("mock_session", 15), ("mock_feedback", 5)]

        # the scorecard reaches only bob: no other member, no admin, no export shows it
        assert secret_strength not in everything_visible_to_others(h, "bob")
        for who, admin in (("ann", False), ("cyd", False), ("admin", True)):
            for sub in ("status", "feedback"):
                resp = await h.command(who, "mock", sub, admin=admin)
                assert resp.reply is not None and secret_strength not in resp.reply.text
                assert all(f.value != "4.0/4" for f in resp.reply.fields)
            listed = await h.command(who, "studybot", "config", admin=admin)
            assert listed.reply is None or secret_strength not in listed.reply.text
        for who in ("ann", "bob"):
            exported = str(await h.core.registry.export_member(MemberRef(COMMUNITY, who)))
            assert secret_strength not in exported and secret_improve not in exported
        mine = await h.command("bob", "mock", "feedback")
        assert mine.visibility is Visibility.ONLY_YOU and mine.reply is not None
        assert secret_strength in mine.reply.text

        # bob's scorecard for ann; status shows the session, the history and the averages
        await scorecard(h, "bob", 1, "Good trade-offs", "Slow down on the maths")
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "happened" in status.reply.text and "{@bob}" in status.reply.text
        assert [f.name for f in status.reply.fields] == ["Modeling judgment", "Production readiness",
                                                        "Evaluation rigor", "Communication clarity"]
        # /stats @bob as an admin shows the session count, never bob's scorecard averages
        seen = await h.command("admin", "stats", admin=True, member="bob")
        assert seen.reply is not None and ("Mock interviews", "1 happened") in [(f.name, f.value) for f in seen.reply.fields]
        assert "scorecard averages" not in str(seen.reply)

        # the next round pairs them again (nobody else shares a track), flagged as a repeat
        second = await run_round(h, ROUND + WEEK)
        assert second.where != proposal.where and "paired before" in second.reply.text
        for n, rnd in ((2, second), (3, await next_round(h, ROUND + 2 * WEEK))):
            await h.click("ann", action(rnd.reply, "mock:pick:", 0))
            begin = times_of(rnd.reply)[0]
            await h.run_until(begin + timedelta(hours=1, minutes=5))
            await h.click("ann", action(titled(in_spaces(h), "Did it happen?")[-1].reply, "mock:met:"))
            await scorecard(h, "ann", n, "Better pacing", "Name a baseline first")
            # however many scorecards there are, an admin's /stats @bob never shows their averages
            seen = await h.command("admin", "stats", admin=True, member="bob")
            assert seen.reply is not None and "scorecard averages" not in str(seen.reply)
            assert ("Mock interviews", f"{n} happened") in [(f.name, f.value) for f in seen.reply.fields]
        # bob's own /stats shows his averages; the lines other members see are the hook's with them as viewer
        own = await h.command("bob", "stats")
        assert own.reply is not None
        mine = dict((f.name, f.value) for f in own.reply.fields)
        assert mine["Mock interviews"] == "3 happened" and "evaluation 4.0" in mine["Mock scorecard averages"]
        bob = MemberRef(COMMUNITY, "bob")
        as_ann = await h.core.registry.member_stats(bob, MemberRef(COMMUNITY, "ann"))
        assert dict((f.name, f.value) for f in as_ann) == {"Mock interviews": "3 happened"}
        assert mine["Mock scorecard averages"] == ("modeling 3.0, production 2.0, evaluation 4.0, communication 3.0 "
                                                   "(of 4; 3 scorecards)")
        seen = [s.reply.text.split("**Ask**\n", 1)[1].split("\n", 1)[0] for s in h.chat.dms("ann")
                if s.reply.title == "Your interviewer packet"]
        assert len(seen) == len(set(seen)) == 3  # bob never gets a question he has met before
    finally:
        await h.close()


async def next_round(h: Harness, when: datetime) -> Sent:
    before = {s.where for s in in_spaces(h)}
    latest = await run_round(h, when)
    assert latest.where not in before
    return latest


async def scorecard_again(h: Harness, who: str, session: int) -> str:
    resp = await h.click(who, f"mock:card:{session}")
    assert resp.reply is not None
    return resp.reply.text


async def test_nobody_picks_so_the_deadline_books_the_first_time() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        first = times_of(proposal.reply)[0]
        other = await h.click("ann", action(proposal.reply, "mock:more:"))
        assert other.replace_original and other.reply is not None
        more = times_of(other.reply)
        assert more and not set(more) & set(times_of(proposal.reply))
        await h.run_until(ROUND + timedelta(hours=24))
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        assert "Nobody picked a time, so I booked the first one" in booked.reply.text
        assert f"{{t:{int(first.timestamp())}:f}}" in booked.reply.text
        stale = await h.click("bob", action(proposal.reply, "mock:pick:", 2))
        assert stale.reply is not None and "already booked" in stale.reply.text
    finally:
        await h.close()


async def test_reschedule_and_cancel_tell_the_others_and_old_buttons_and_jobs_do_nothing() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        t1, t2, _ = times_of(proposal.reply)
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        moved = await h.click("bob", action(booked.reply, "mock:resched:"))
        assert moved.reply is not None and "the other is told" in moved.reply.text
        (told,) = titled(in_spaces(h), "Mock interview: new time needed")
        assert "{@bob} can't make" in told.reply.text
        cancel_ics = Calendar.from_ical(told.reply.files[0].data)
        assert str(cancel_ics["METHOD"]) == "CANCEL"
        fresh = [s for s in in_spaces(h) if (s.reply.title or "").startswith("Mock interview ·")][-1]
        assert fresh is not proposal and t1 not in times_of(fresh.reply)
        old = await h.click("ann", action(proposal.reply, "mock:pick:", 1))
        assert old.reply is not None and "earlier step" in old.reply.text
        again = await h.click("ann", action(booked.reply, "mock:resched:"))
        assert again.reply is not None and "earlier step" in again.reply.text
        await h.click("ann", action(fresh.reply, "mock:pick:", 0))
        new_start = times_of(fresh.reply)[0]
        rebooked = titled(in_spaces(h), "Mock interview booked")[-1]
        seq = [int(Calendar.from_ical(s.reply.files[0].data).walk("VEVENT")[0]["SEQUENCE"])
               for s in [booked, told, rebooked]]
        assert seq == sorted(seq) and len(set(seq)) == 3  # calendars update one event
        # the first booking's time passes: nothing of it fires any more
        assert new_start > t1 + timedelta(hours=2)
        await h.run_until(t1 + timedelta(hours=2))
        assert not titled(in_spaces(h), "Did it happen?") and len(titled(in_spaces(h), "Mock interview reminder")) <= 1
        assert not [s for s in h.chat.sent if s.reply.title == "Your interviewer packet"]
        cancelled = await cancel(h, "ann", rebooked.reply)
        assert cancelled.reply is not None and "Cancelled by {@ann}" in cancelled.reply.text
        (gone,) = titled(in_spaces(h), "Mock interview cancelled")
        assert "{@ann} cancelled" in gone.reply.text
        before = len(in_spaces(h))
        await h.run_until(new_start + timedelta(hours=2))
        assert len(in_spaces(h)) == before  # no reminders, no packets, no "did it happen?"
        assert not [s for s in h.chat.sent if s.reply.title == "Your interviewer packet"]
        status = await h.command("bob", "mock", "status")
        assert status.reply is not None and "cancelled" in status.reply.text
        assert t2  # (the second time was offered, unused)
    finally:
        await h.close()


async def test_two_missed_sessions_pause_a_member_who_is_told_how_to_come_back() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        for n, when in enumerate((ROUND, ROUND + WEEK), 1):
            proposal = await run_round(h, when)
            await h.click("bob", action(proposal.reply, "mock:pick:", 0))
            start = times_of(proposal.reply)[0]
            await h.run_until(start + timedelta(hours=1, minutes=5))
            after = titled(in_spaces(h), "Did it happen?")[-1]
            assert [c.label for c in after.reply.choices] == ["Yes, we met", "My partner didn't show",
                                                              "Neither of us could make it"]
            recorded = await h.click("bob", action(after.reply, "mock:noshow:"))
            assert recorded.reply is not None and "{@bob}: {@ann} didn't show" in recorded.reply.text
            assert "{@ann}: {@bob} says you didn't show. If you were there" in recorded.reply.text
            twice = await h.click("bob", action(after.reply, "mock:noshow:"))
            assert twice.reply is not None and "You already answered" in twice.reply.text
            assert await points(h, "ann") == [] and await points(h, "bob") == []
            no_card = await h.click("bob", f"mock:card:{n}")
            assert no_card.form is None
            if n == 1:  # ann says nothing: the window closes three days later, and the no-show counts
                assert not [s for s in h.chat.dms("ann") if s.reply.title == "Mock interviews paused"]
                continue
            # ann answers for herself that she couldn't make it: not "it happened", so it counts, now
            admitted = await h.click("ann", action(after.reply, "mock:none:"))
            assert admitted.reply is not None and admitted.reply.title == "Mock interview: what was recorded"
        first, second = titled(in_spaces(h), "Mock interview: what was recorded")
        for closed in (first, second):
            assert "{@ann}: didn't show (as {@bob} reported, and did not say it happened): it counts as a missed " \
                   "session" in closed.reply.text and "It did not take place" in closed.reply.text
        (paused,) = [s for s in h.chat.dms("ann") if s.reply.title == "Mock interviews paused"]
        assert "/mock resume" in paused.reply.text
        assert not [s for s in h.chat.sent if s.kind == "dm" and s.where == "bob" and "paused" in s.reply.text]
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "paused" in status.reply.text and "missed" in status.reply.text
        # the third round leaves ann out; bob waits, told he is first in line
        await h.run_until(ROUND + 2 * WEEK)
        assert len(h.chat.spaces) == 2
        assert "first in line" in h.chat.dms("bob")[-1].reply.text
        back = await h.command("ann", "mock", "resume")
        assert back.reply is not None and "Welcome back" in back.reply.text
        await run_round(h, ROUND + 3 * WEEK)
        assert len(h.chat.spaces) == 3
    finally:
        await h.close()


async def test_an_odd_member_makes_a_trio_with_three_turns_and_three_packets() -> None:
    h = await make()
    try:
        for who in ("ann", "bob", "cyd"):
            await join(h, who, tracks=("ml-system-design",), level="senior")
        proposal = await run_round(h)
        assert h.chat.spaces[proposal.where] == ("ann", "bob", "cyd")
        assert "three of you" in proposal.reply.text
        await h.click("cyd", action(proposal.reply, "mock:pick:", 0))
        start = times_of(proposal.reply)[0]
        await h.run_until(start + timedelta(hours=1, minutes=5))
        packets = [(s.where, s.reply.text.split("You interview ", 1)[1].split(" ", 1)[0])
                   for s in h.chat.sent if s.reply.title == "Your interviewer packet"]
        assert packets == [("ann", "{@bob}"), ("bob", "{@cyd}"), ("cyd", "{@ann}")]
        swaps = [s for s in in_spaces(h) if s.reply.text.startswith("Time to swap")]
        assert len(swaps) == 2
        assert "every 20 minutes" in titled(in_spaces(h), "Mock interview booked")[0].reply.text
        after = titled(in_spaces(h), "Did it happen?")[0]
        await h.click("ann", action(after.reply, "mock:met:"))
        await scorecard(h, "cyd", 1, "Strong on serving", "Quantify the latency budget")
        (card,) = [s for s in h.chat.sent if s.reply.title == "Your mock interview scorecard"]
        assert card.where == "ann"  # cyd interviewed ann
    finally:
        await h.close()


async def test_pause_until_a_date_then_leave_cancels_and_tells_the_partner() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        bad = await h.command("ann", "mock", "pause", until="next week")
        assert bad.reply is not None and "YYYY-MM-DD" in bad.reply.text
        past = await h.command("ann", "mock", "pause", until="2025-01-01")
        assert past.reply is not None and "passed" in past.reply.text
        paused = await h.command("ann", "mock", "pause", until="2025-06-10")
        assert paused.reply is not None and "Paused until" in paused.reply.text
        await h.run_until(ROUND)
        assert not h.chat.spaces and "first in line" in h.chat.dms("bob")[-1].reply.text
        proposal = await run_round(h, ROUND + WEEK)  # the pause ran out: paired again
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        status = await h.command("bob", "mock", "status")
        assert status.reply is not None and "Next session" in status.reply.text and "{@ann}" in status.reply.text
        left = await h.command("ann", "mock", "leave")
        assert left.reply is not None and "Your arranged session was cancelled and the others in it were told" \
            in left.reply.text
        (gone,) = titled(in_spaces(h), "Mock interview cancelled")
        assert "{@ann} left the mock interview pool" in gone.reply.text
        again = await h.command("ann", "mock", "leave")
        assert again.reply is not None and "not in the mock interview pool" in again.reply.text
    finally:
        await h.close()


async def test_admins_set_the_round_and_pair_now_others_cannot() -> None:
    h = await make()
    try:
        refused = await h.command("bob", "mock", "pair-now")
        assert refused.reply is not None and "Only admins" in refused.reply.text
        refused = await h.command("bob", "mock", "schedule", day="mon")
        assert refused.reply is not None and "Only admins" in refused.reply.text
        empty = await h.command("admin", "mock", "pair-now", admin=True)
        assert empty.reply is not None and "Nobody to pair" in empty.reply.text
        await join(h, "ann")
        await join(h, "bob")
        bad = await h.command("admin", "mock", "schedule", admin=True, time="25:00")
        assert bad.reply is not None and "Not changed" in bad.reply.text
        moved = await h.command("admin", "mock", "schedule", admin=True, day="tue", time="07:30")
        tuesday = datetime(2025, 6, 3, 7, 30, tzinfo=UTC)
        assert moved.reply is not None and f"{{t:{int(tuesday.timestamp())}:f}}" in moved.reply.text
        config = await h.command("admin", "studybot", "config", admin=True, key="mock-deadline", value="200")
        assert config.reply is not None and "Not changed" in config.reply.text
        now = await h.command("admin", "mock", "pair-now", admin=True)
        assert now.reply is not None and "2 members in 1 group" in now.reply.text
        await h.run_until(h.clock.now())  # the space opens as its own job
        assert len(h.chat.spaces) == 1
        same = await h.command("admin", "mock", "pair-now", admin=True)  # a second click at the same instant
        assert same.reply is not None and "already ran" in same.reply.text
        h.clock.set(h.clock.now() + timedelta(minutes=1))
        twice = await h.command("admin", "mock", "pair-now", admin=True)
        assert twice.reply is not None and "Nobody to pair" in twice.reply.text
        await h.run_until(tuesday)  # the scheduled round finds both busy: no second space
        assert len(h.chat.spaces) == 1
    finally:
        await h.close()


async def test_export_carries_no_scorecard_and_erase_leaves_nothing_of_the_member() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        start = times_of(proposal.reply)[0]
        await h.run_until(start + timedelta(hours=1, minutes=5))
        await h.click("ann", action(titled(in_spaces(h), "Did it happen?")[0].reply, "mock:met:"))
        await scorecard(h, "ann", 1, "Precise about leakage", "Draw the pipeline")
        await scorecard(h, "bob", 1, "Calm under follow-ups", "Start from requirements")
        exported: dict[str, Any] = (await h.core.registry.export_member(MemberRef(COMMUNITY, "bob")))["mock"]
        assert exported["profile"]["availability"] == "Mon-Fri 18:00-21:00"
        assert exported["scorecards_received"] == 1 and exported["scorecards_written"] == 1
        assert "Precise" not in str(exported) and "Calm" not in str(exported)
        erased = await h.core.registry.erase_member(MemberRef(COMMUNITY, "bob"))
        assert erased["mock"] >= 4
        tables = ("mock_profiles", "mock_drafts", "mock_members", "mock_turns", "mock_scorecards", "mock_seen",
                  "mock_sessions", "mock_rounds")

        def dump(c: Any) -> str:
            return "\n".join(str(row) for t in tables for row in c.execute(f"SELECT * FROM {t}"))

        left = await h.core.db.read(dump)
        assert "'bob'" not in left and "Precise about leakage" not in left  # the scorecard about bob went
        assert "Calm under follow-ups" in left  # the one bob wrote about ann is ann's: it stays, unsigned
        ann_status = await h.command("ann", "mock", "status")
        assert ann_status.reply is not None and "happened" in ann_status.reply.text
        assert (await h.core.registry.export_member(MemberRef(COMMUNITY, "bob")))["mock"]["profile"] is None
    finally:
        await h.close()


@pytest.mark.parametrize("verb", ["pick", "more", "resched", "cancel", "packet", "met", "noshow", "none", "card", "next",
                                  "confirm", "edit"])
async def test_malformed_or_unknown_ids_get_a_kind_answer(verb: str) -> None:
    h = await make()
    try:
        for tail in ("", ":999", ":999:1:1", ":abc"):
            resp = await h.handle(ChoiceSelected(h.actor("ann"), CHANNEL, f"mock:{verb}{tail}"))
            assert resp.reply is not None and resp.visibility is Visibility.ONLY_YOU
            assert "went wrong" not in resp.reply.text
        for form in ("mock:rate:999:0", "mock:words:999:0", "mock:rate:x", "mock:nope", "mock:avail"):
            resp = await h.handle(FormSubmitted(h.actor("ann"), CHANNEL, form, {"strengths": "kept"}))
            assert resp.reply is not None and "went wrong" not in resp.reply.text
    finally:
        await h.close()


async def test_closed_dms_keep_packets_and_scorecards_private_and_a_refused_post_is_retried() -> None:
    from bot.ports import DeliveryError, DeliveryProblem

    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        h.chat.closed_dms.add("ann")
        proposal = await run_round(h)
        h.chat.fail_next.append(DeliveryError(DeliveryProblem.UNAVAILABLE, "hiccup"))
        picked = await h.click("bob", action(proposal.reply, "mock:pick:", 0))
        assert picked.reply is not None and "Booked" in picked.reply.text  # the booking itself is saved
        assert not titled(in_spaces(h), "Mock interview booked")  # its message was refused just then
        await h.run_until(h.clock.now() + timedelta(minutes=2))  # ... and goes out with the retry, once
        (booked,) = titled(in_spaces(h), "Mock interview booked")
        start = times_of(proposal.reply)[0]
        await h.run_until(start + timedelta(hours=1, minutes=5))
        # ann interviews first; her DMs are closed: her packet is nowhere but behind her own button
        assert not [s for s in h.chat.sent if s.reply.title == "Your interviewer packet" and s.where != "bob"]
        mine = await h.click("ann", action(booked.reply, "mock:packet:"))
        assert mine.visibility is Visibility.ONLY_YOU and mine.reply is not None
        assert mine.reply.title == "Your interviewer packet" and "You interview {@bob}" in mine.reply.text
        bobs = await h.click("bob", action(booked.reply, "mock:packet:"))
        assert bobs.reply is not None and "You interview {@ann}" in bobs.reply.text  # each sees their own
        ask = mine.reply.text.split("**Ask**\n", 1)[1].split("\n", 1)[0]
        assert ask not in everything_visible_to_others(h, "ann")
        await h.click("bob", action(titled(in_spaces(h), "Did it happen?")[0].reply, "mock:met:"))
        await scorecard(h, "bob", 1, "Kept calm when stuck", "Summarise at the end")
        assert "Kept calm" not in everything_visible_to_others(h, "nobody")  # not sent anywhere: DMs closed
        feedback = await h.command("ann", "mock", "feedback")
        assert feedback.visibility is Visibility.ONLY_YOU and feedback.reply is not None
        assert "Kept calm when stuck" in feedback.reply.text
        assert len(titled(in_spaces(h), "Mock interview booked")) == 1
    finally:
        await h.close()


async def test_a_space_the_platform_keeps_refusing_tells_the_admin_once_and_then_the_members() -> None:
    from fakes import FakeChat

    from bot.ids import ChannelRef
    from bot.ports import DeliveryError, DeliveryProblem

    class NoThreads(FakeChat):
        async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                     name: str) -> ChannelRef:
            raise DeliveryError(DeliveryProblem.MISSING_PERMISSION, "Create Private Threads")

    features = [*(m.build for m in FEATURES)]
    h = await Harness.create(START, bank=mock_bank(), chat=NoThreads(), features=features)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        await join(h, "ann")
        await join(h, "bob")
        await h.run_until(ROUND + timedelta(minutes=30))
        assert [s.reply.title for s in h.chat.dms("admin")] == ["Action needed"]  # once, not per try
        assert not [s for s in h.chat.sent if s.where in ("ann", "bob")]  # still trying
        await h.run_until(ROUND + timedelta(hours=6))
        for who in ("ann", "bob"):
            (told,) = h.chat.dms(who)
            assert told.reply.title == "Mock interviews: no session this round"
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "cancelled" in status.reply.text
        assert len(h.chat.dms("admin")) == 1
    finally:
        await h.close()


async def test_both_members_of_a_session_can_be_forgotten() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        start = times_of(proposal.reply)[0]
        await h.run_until(start + timedelta(hours=1, minutes=5))
        await h.click("ann", action(titled(in_spaces(h), "Did it happen?")[0].reply, "mock:met:"))
        await scorecard(h, "ann", 1, "Precise about leakage", "Draw the pipeline")
        await h.core.registry.erase_member(MemberRef(COMMUNITY, "ann"))
        erased = await h.core.registry.erase_member(MemberRef(COMMUNITY, "bob"))  # the same session's other seat
        assert erased["mock"] >= 1

        def dump(c: Any) -> str:
            return "\n".join(str(row) for t in ("mock_members", "mock_turns", "mock_scorecards")
                             for row in c.execute(f"SELECT * FROM {t}"))

        left = await h.core.db.read(dump)
        assert "'ann'" not in left and "'bob'" not in left
    finally:
        await h.close()


async def test_a_partner_who_was_forgotten_is_no_broken_mention_in_status() -> None:
    h = await make()
    try:
        await join(h, "ann")
        await join(h, "bob")
        proposal = await run_round(h)
        await h.click("ann", action(proposal.reply, "mock:pick:", 0))
        await h.run_until(times_of(proposal.reply)[0] + timedelta(hours=1, minutes=5))
        await h.click("ann", action(titled(in_spaces(h), "Did it happen?")[0].reply, "mock:met:"))
        await h.core.registry.erase_member(MemberRef(COMMUNITY, "bob"))
        status = await h.command("ann", "mock", "status")
        assert status.reply is not None and "with a former member: happened" in status.reply.text
        assert "{@erased" not in status.reply.text
    finally:
        await h.close()
