"""Community packs: an admin adds questions only their community sees; a bad pack is refused whole."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes import CHANNEL, COMMUNITY, Harness, small_bank

from adapters.cli import main as cli_main
from bot.content.formats import export_studybot
from bot.content.loader import BankError
from bot.events import Actor, Attachment, CommandInvoked, OptionValue
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.messages import Response

MONDAY_8 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
WORDS = " ".join(f"reason{i}" for i in range(85))


def open_item(n: int, prompt: str | None = None) -> str:
    return f"""
  - id: "team-q{n}"
    subtopic: "our stack"
    kind: "open"
    difficulty: "medium"
    tags: ["team"]
    prompt: "{prompt or f'How does our feature pipeline number {n} backfill late events without double counting?'}"
    key_points:
      - "watermark {n}"
      - "idempotent upsert {n}"
      - "replay window {n}"
    model_answer: "Answer {n}. {WORDS}"
    follow_ups:
      - "What if the source replays a whole day {n}?"
"""


async def pack_command(h: Harness, who: str = "admin", admin: bool = True, can_open_form: bool = True,
                       **options: OptionValue) -> Response:
    return await h.core.bot.handle(CommandInvoked(h.actor(who, admin), CHANNEL, "studybot", options, "pack",
                                                  can_open_form))


def pack(*items: str) -> str:
    return 'domain: "mlops"\nitems:' + "".join(items)


async def add_by_form(h: Harness, name: str, content: str, fmt: str = "studybot", topic: str = "",
                      who: str = "admin", admin: bool = True) -> Response:
    opened = await pack_command(h, who, admin, action="add", name=name)
    if opened.form is None:
        return opened
    return await h.submit(who, opened.form.form_id, admin=admin, name=name, format=fmt, topic=topic,
                          content=content)


async def test_an_added_pack_is_posted_first_and_only_in_its_community(tmp_path: Path) -> None:
    db = str(tmp_path / "packs.db")
    h = await Harness.create(MONDAY_8, db=db)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        added = await add_by_form(h, "team-ops", pack(open_item(1), open_item(2)))
        assert added.reply and "Added pack" in added.reply.text and "2 can be daily questions" in added.reply.text
        await h.run_until(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
        first = h.chat.titled("Daily question")[0].reply.text
        assert "feature pipeline number" in first  # packs-first: the community's own questions come first
        await h.answer("alice", "Use a watermark and idempotent upserts.")
        await h.run_until(datetime(2025, 6, 3, 9, 0, tzinfo=UTC))
        reveal = h.chat.titled("Reveal")[0].reply.text
        assert "watermark" in reveal and "reason84" in reveal  # the pack item's key points and model answer
        second = h.chat.titled("Daily question")[1].reply.text
        assert "feature pipeline number" in second and second != first
        await h.run_until(datetime(2025, 6, 4, 9, 0, tzinfo=UTC))
        assert "Question number" in h.chat.titled("Daily question")[2].reply.text  # pack used up: shared bank
    finally:
        await h.close()
    # another community on the same database never sees it
    h2 = await Harness.create(MONDAY_8, db=db)
    try:
        other = CommunityRef(Platform.CONSOLE, "elsewhere")
        bank = await h2.core.packs.bank_for(other.key)
        assert not bank.pack_ids and bank.get("team-q1") is None
        mine = await h2.core.packs.bank_for(COMMUNITY.key)
        assert mine.get("team-q1") is not None  # and it survived the restart
        listed = await h2.command("admin", "studybot", "pack", admin=True)
        assert listed.reply and "team-ops" in listed.reply.text and "2 questions" in listed.reply.text
        theirs = await h2.core.bot.handle(CommandInvoked(
            Actor(MemberRef(other, "boss"), "Boss", is_admin=True), ChannelRef(other, "c"), "studybot",
            {"action": "list"}, "pack"))
        assert theirs.reply and "no packs yet" in theirs.reply.text
    finally:
        await h2.close()


async def test_a_bad_pack_is_refused_whole_with_every_problem() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        bad = pack(open_item(1), open_item(2).replace('kind: "open"', 'kind: "essay"'),
                   open_item(3).replace('"watermark 3"', '""'))
        refused = await add_by_form(h, "team-ops", bad)
        assert refused.form_errors and "content" in refused.form_errors
        assert refused.reply and "refused; nothing was added" in refused.reply.text
        assert "team-q2" in refused.reply.text and "team-q3" in refused.reply.text  # both problems, at once
        assert "team-q2" in refused.form_errors["content"] and "team-q3" in refused.form_errors["content"]
        assert not (await h.core.packs.bank_for(COMMUNITY.key)).pack_ids  # not half-loaded
        for text in ("not: [valid", "", "items: 3", pack(open_item(1), open_item(1))):
            r = await add_by_form(h, "x", text)
            assert r.reply and "refused" in r.reply.text, text
        dup = await add_by_form(h, "copycat", pack(open_item(
            9, "Question number 3 about ml-algorithms: explain the idea 3 carefully?")))
        assert dup.reply and "duplicate prompt" in dup.reply.text  # against the shared bank
        for name in ("Bad Name!", "-x", "a" * 40):
            r = await add_by_form(h, name, pack(open_item(1)))
            assert r.reply and ("pack name" in r.reply.text or "'name' is too long" in r.reply.text), name
        assert not (await h.core.packs.active(COMMUNITY.key))
    finally:
        await h.close()


async def test_members_cannot_manage_packs_and_unknown_names_are_explained() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        refused = await pack_command(h, "mallory", False, action="add", name="x")
        assert refused.reply and "Only admins" in refused.reply.text and refused.form is None
        form = await h.submit("mallory", "packs:add", name="x", format="studybot", content=pack(open_item(1)))
        assert form.reply and "Only admins" in form.reply.text
        gone = await pack_command(h, action="remove", name="nope")
        assert gone.reply and "no pack called" in gone.reply.text
    finally:
        await h.close()


async def test_replacing_and_removing_keep_posted_questions_resolvable() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        await add_by_form(h, "team-ops", pack(open_item(1)))
        await h.run_until(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
        assert "number 1" in h.chat.titled("Daily question")[0].reply.text
        await h.answer("alice", "watermarks")
        replaced = await add_by_form(h, "team-ops", pack(open_item(5)))
        assert replaced.reply and "Replaced pack" in replaced.reply.text
        removed = await pack_command(h, action="remove", name="team-ops")
        assert removed.reply and "Removed pack" in removed.reply.text
        await h.run_until(datetime(2025, 6, 3, 9, 0, tzinfo=UTC))
        reveal = h.chat.titled("Reveal")
        assert len(reveal) == 1 and "watermark 1" in reveal[0].reply.text  # the retired item still reveals
        assert "Question number" in h.chat.titled("Daily question")[1].reply.text  # nothing new from it
    finally:
        await h.close()


async def test_question_source_setting_mixes_or_restricts() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day")
        bad = await h.command("admin", "studybot", "config", admin=True, key="questions", value="mine")
        assert bad.reply and "Not changed" in bad.reply.text
        ok = await h.command("admin", "studybot", "config", admin=True, key="questions", value="packs")
        assert ok.reply and "questions is now packs" in ok.reply.text
        # with no pack, "packs" still posts from the shared bank rather than nothing
        await h.run_until(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
        assert "Question number" in h.chat.titled("Daily question")[0].reply.text
        await add_by_form(h, "team-ops", pack(open_item(1)))
        for day in (3, 4, 5):
            await h.run_until(datetime(2025, 6, day, 9, 0, tzinfo=UTC))
        later = [s.reply.text for s in h.chat.titled("Daily question")[1:]]
        assert len(later) == 3 and all("feature pipeline number 1" in t for t in later)  # only the pack, again
    finally:
        await h.close()


async def test_an_attached_file_in_an_import_format_becomes_a_pack() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        text = ("prompt,choices,answer,explanation,difficulty,domain\n"
                '"Which of our clusters serves the ranking model?",eu-1 | us-2 | ap-3 | sa-4,us-2,'
                '"The ranking model moved to us-2 last spring because of latency to most users.",easy,mlops\n')
        calls: list[str] = []

        async def fetch() -> bytes:
            calls.append("read")
            return text.encode()

        file = Attachment("Team Import.csv", len(text), fetch)
        resp = await h.command("admin", "studybot", "pack", admin=True, action="add", file=file)
        assert calls == ["read"]
        assert resp.reply and "Added pack `team-import`: 1 question" in resp.reply.text, resp
        assert "0 can be daily questions" in resp.reply.text and "quizzes" in resp.reply.text
        item = (await h.core.packs.bank_for(COMMUNITY.key)).get("team-import-001")
        assert item is not None and item.answer == "us-2" and item.domain.value == "mlops"
        big = Attachment("huge.yaml", 5_000_000, fetch)
        too_big = await h.command("admin", "studybot", "pack", admin=True, action="add", file=big)
        assert too_big.reply and "limit" in too_big.reply.text and calls == ["read"]  # refused before download

        async def broken() -> bytes:
            raise OSError("cdn down")

        failed = await h.command("admin", "studybot", "pack", admin=True, action="add",
                                 file=Attachment("p.yaml", 10, broken))
        assert failed.reply and "could not download" in failed.reply.text
        binary = await h.command("admin", "studybot", "pack", admin=True, action="add",
                                 file=Attachment("p.yaml", 3, lambda: _bytes(b"\xff\xfe\x00")))
        assert binary.reply and "not UTF-8" in binary.reply.text
    finally:
        await h.close()


async def _bytes(data: bytes) -> bytes:
    return data


async def test_forms_unavailable_points_to_files_and_the_host_command() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        resp = await h.command("admin", "studybot", "pack", admin=True, can_open_form=False, action="add")
        assert resp.reply and "studybot pack add" in resp.reply.text
    finally:
        await h.close()


def test_the_catalogue_offers_every_format_and_topic() -> None:
    from bot.commands import find
    from bot.content.formats import FORMATS
    from bot.content.vocabulary import Domain

    studybot = find("studybot")
    assert studybot is not None
    options = {o.name: o for o in studybot.options_of("pack")}
    assert options["format"].choices == FORMATS
    assert options["topic"].choices == tuple(d.value for d in Domain)


async def test_a_file_named_as_text_where_files_cannot_be_attached_is_explained() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        resp = await pack_command(h, action="add", name="x", file="pack.yaml")
        assert resp.reply and "paste the questions" in resp.reply.text and resp.form is None
    finally:
        await h.close()


async def test_a_question_whose_pack_stops_validating_is_skipped_not_retried_forever(tmp_path: Path) -> None:
    db = str(tmp_path / "packs.db")
    h = await Harness.create(MONDAY_8, db=db)
    try:
        await h.setup(time="09:00", timezone="UTC", days="every day", reveal="2h")
        await add_by_form(h, "team-ops", pack(open_item(1), open_item(2)))
        await h.run_until(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
        assert "number 1" in h.chat.titled("Daily question")[0].reply.text
        # a later, stricter schema rejects the stored pack: restart with it unreadable, validated by another
        await h.core.db.write(lambda c: c.execute("UPDATE community_packs SET items = 'items: 3', "
                                                  "schema_key = 'an-older-schema'"))
    finally:
        await h.close()
    h2 = await Harness.create(datetime(2025, 6, 2, 11, 0, tzinfo=UTC), db=db)
    try:
        await h2.core.sweep()
        assert not h2.chat.titled("Reveal")
        rounds = await h2.core.db.read(lambda c: c.execute("SELECT status FROM daily_rounds").fetchall())
        assert rounds == [("revealed",)]  # closed, not left revealing
        wake = h2.scheduler.next_run()
        assert wake is not None and wake.hour == 9  # the next post, not a retry every minute
    finally:
        await h2.close()


def several_problems() -> str:
    """A pack with five different problems, each of which the old check only reported in a later round."""
    return pack(
        open_item(2).replace('kind: "open"', 'kind: "essay"'),  # schema
        open_item(3).replace('"team-q3"', '"t-ml-algorithms-000"'),  # id of a shared-bank item
        open_item(4, "Question number 3 about ml-algorithms: explain the idea 3 carefully?"),  # a bank prompt
        open_item(1, "Which watermark does our clickstream join use for events that arrive late?"),  # team-a's id
        open_item(6), open_item(6),  # the same id twice in the pack
    )


def _expect_all(text: str) -> None:
    assert "[team-q2]: kind: Input should be" in text
    assert "[t-ml-algorithms-000]: duplicate id (also in the shared bank)" in text
    assert "[team-q4]: duplicate prompt (same as t-ml-algorithms-003)" in text
    assert "[team-q1]: duplicate id (also in pack team-a)" in text
    assert "[team-q6]: duplicate id (also in pack team-b)" in text


async def test_a_pack_with_several_problems_is_refused_once_listing_all_of_them() -> None:
    h = await Harness.create(MONDAY_8)
    try:
        await add_by_form(h, "team-a", pack(open_item(1)))
        refused = await add_by_form(h, "team-b", several_problems())
        assert refused.reply and "refused; nothing was added" in refused.reply.text
        _expect_all(refused.reply.text.replace("\\", ""))
        assert [r.name for r in await h.core.packs.active(COMMUNITY.key)] == ["team-a"]
        # a wrong topic is reported with the pack's own problems, not before them
        wrong_topic = await add_by_form(h, "team-b", several_problems(), topic="nlp")
        assert wrong_topic.reply and "'nlp' is not a topic" in wrong_topic.reply.text
        _expect_all(wrong_topic.reply.text.replace("\\", ""))
    finally:
        await h.close()


def test_content_check_pack_lists_exactly_what_pack_add_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "packs.db")
    bank_dir = tmp_path / "bank"
    bank_dir.mkdir()
    (bank_dir / "bank.yaml").write_text(export_studybot(list(small_bank().items)), encoding="utf-8")
    pack_file = tmp_path / "Team B.yaml"  # named team-b, as pack add names it
    pack_file.write_text(several_problems(), encoding="utf-8")

    async def refuse() -> list[str]:
        h = await Harness.create(MONDAY_8, db=db)
        try:
            await add_by_form(h, "team-a", pack(open_item(1)))
            with pytest.raises(BankError) as exc:
                await h.core.packs.add(COMMUNITY.key, "team-b", several_problems(), "studybot", None, "host",
                                       MONDAY_8)
            return [str(p) for p in exc.value.problems]
        finally:
            await h.close()

    refused = asyncio.run(refuse())
    _expect_all("\n".join(refused))
    monkeypatch.setenv("STUDYBOT_DB", db)
    monkeypatch.delenv("STUDYBOT_CONTENT_DIR", raising=False)
    args = ["content", "check", "--pack", str(pack_file), str(bank_dir)]
    assert cli_main([*args, "--community", COMMUNITY.key]) == 1
    out = capsys.readouterr().out
    assert [ln for ln in out.splitlines() if ln.startswith("pack team-b")] == refused  # the same list, in order
    assert f"`pack add` would refuse pack team-b: {len(refused)} problem(s)" in out
    # without the community only its other packs are unknown: everything else is still found
    assert cli_main(args) == 1
    alone = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("pack team-b")]
    assert alone == [p for p in refused if "pack team-a" not in p]
    # and a good pack passes both
    (tmp_path / "good.yaml").write_text(pack(open_item(7)), encoding="utf-8")
    assert cli_main(["content", "check", "--pack", str(tmp_path / "good.yaml"), str(bank_dir)]) == 0
    assert "`pack add` would accept it" in capsys.readouterr().out


def test_pack_problems_reports_name_topic_and_content_together() -> None:
    from bot.content.pack_check import pack_problems

    _, problems = pack_problems("Bad Name!", "not: [valid", "gift", None, small_bank().items)
    text = "\n".join(str(p) for p in problems)
    assert "pack name" in text and "say which topic" in text and "no answer block" in text
    _, problems = pack_problems("x", "", "docx", None, ())
    assert [p.message.split(";")[0] for p in problems] == ["unknown format 'docx'"]


async def test_a_pack_is_checked_off_the_loop_so_members_are_answered_meanwhile(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking a pack against the whole bank takes a quarter of a second: it runs in a worker thread."""
    import threading

    from bot.content import pack_check

    h = await Harness.create(MONDAY_8)
    started, answered = threading.Event(), threading.Event()
    waited: list[bool] = []
    real = pack_check.pack_problems

    def held_check(*args: object) -> object:
        started.set()
        waited.append(answered.wait(5))  # on the loop, this would block the member's request below
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_check, "pack_problems", held_check)
    try:
        adding = asyncio.create_task(add_by_form(h, "team-ops", pack(open_item(1))))
        assert await asyncio.to_thread(started.wait, 5)
        meanwhile = await h.core.bot.handle(CommandInvoked(h.actor("bo"), CHANNEL, "studybot", {}, "help"))
        assert meanwhile.reply is not None and "/daily" in meanwhile.reply.text
        answered.set()
        added = await adding
        assert waited == [True]
        assert added.reply is not None and "Added pack" in added.reply.text
    finally:
        await h.close()


async def test_a_pack_is_read_back_as_validated_and_one_stored_before_is_validated_again(tmp_path: Path) -> None:
    """A pack's items come back from the JSON the schema validated at `pack add`; a pack stored without it
    (before this was kept) or under another schema is read from its YAML, validated again, the same items."""
    db = str(tmp_path / "packs.db")
    h = await Harness.create(MONDAY_8, db=db)
    try:
        await add_by_form(h, "team-ops", pack(open_item(1), open_item(2)))
        first = (await h.core.packs.bank_for(COMMUNITY.key)).get("team-q1")
        assert first is not None and "number 1" in first.prompt
        keys = await h.core.db.read(lambda c: c.execute(
            "SELECT schema_key, items_json IS NOT NULL FROM community_packs").fetchall())
        assert [flag for _, flag in keys] == [1] and keys[0][0]
    finally:
        await h.close()
    for change in ("UPDATE community_packs SET items_json = NULL, schema_key = NULL",
                   "UPDATE community_packs SET schema_key = 'an-older-schema', items_json = 'not json'",
                   "UPDATE community_packs SET items_json = '{\"id\": \"damaged\"'"):
        h2 = await Harness.create(MONDAY_8, db=db)
        try:
            await h2.core.db.write(lambda c, sql=change: c.execute(sql))
            again = (await h2.core.packs.bank_for(COMMUNITY.key)).get("team-q1")
            assert again == first, change
        finally:
            await h2.close()
