"""The daily question's own settings (bot.features.daily.settings), through `/studybot config` and the setup
form as an admin uses them, and what they change in the cycle: the next post, the reveal, the topics."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from fakes import CHANNEL, COMMUNITY, Harness
from hypothesis import given
from hypothesis import strategies as st

from bot import markup as mk
from bot.bootstrap import DAILY_JOB
from bot.content.vocabulary import Difficulty, Domain
from bot.events import FormSubmitted
from bot.features.daily import settings as daily_settings
from bot.features.daily.model import RoundStatus
from bot.features.daily.settings import SETTINGS
from bot.messages import Response

MONDAY_8 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NINE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def text(resp: Response) -> str:
    assert resp.reply is not None, resp
    return resp.reply.text


async def config(h: Harness, key: str | None = None, value: str | None = None) -> str:
    options = {k: v for k, v in (("key", key), ("value", value)) if v is not None}
    return text(await h.command("admin", "studybot", "config", admin=True, **options))


async def next_post(h: Harness) -> str:
    """What /daily tells a member about the next question (its timestamp), before any is open."""
    said = text(await h.command("ann", "daily"))
    assert "The next one comes" in said, said
    return said


async def daily_job_due(h: Harness) -> datetime:
    row = await h.core.job_rows.get(DAILY_JOB, COMMUNITY.key)
    assert row is not None and row[0] == "pending", row
    return row[1]


@pytest.fixture
async def h() -> Harness:
    harness = await Harness.create(MONDAY_8)
    await harness.setup(time="09:00", timezone="UTC", days="every day")
    yield harness  # type: ignore[misc]
    await harness.close()


# each setting: a good value (as typed, as shown back), a bad value and a piece of its friendly refusal
CASES = [
    ("time", "7.45", "07:45", "25:99", "24-hour HH:MM"),
    ("days", "mon-wed, fri", "mon,tue,wed,fri", "someday", "is not a day"),
    ("topics", "math-stats deep-learning", "deep-learning, math-stats", "astrology", "unknown topic 'astrology'"),
    ("difficulty", "hard:2,easy:1", "easy:1,medium:0,hard:2", "easy:300", "weights go from 0 to 100"),
    ("reveal", "8 hours", "after 8h", "200h", "from 1 to 168"),
    ("grace", "2h", "120 min", "30h", "from 0 to 24h"),
    ("questions", "All", "all", "mine", "packs-first, all, packs"),
]


@pytest.mark.parametrize(("key", "typed", "shown", "bad", "why"), CASES, ids=[c[0] for c in CASES])
async def test_each_daily_setting_is_shown_set_and_refused_through_config(
        h: Harness, key: str, typed: str, shown: str, bad: str, why: str) -> None:
    before = await config(h, key)
    assert before.startswith(f"{key}: ")
    refused = await config(h, key, bad)
    assert refused.startswith("Not changed: ") and why in refused
    assert await config(h, key) == before  # nothing half-written
    assert await config(h, key, typed) == f"{key} is now {shown}."
    assert (await config(h, key)).startswith(f"{key}: {shown} (")
    assert f"- **{key}**: {mk.escape(shown)}" in await config(h)


async def test_settings_are_listed_from_the_registry_core_first_then_each_feature_in_its_order(h: Harness) -> None:
    listing = await config(h)
    keys = [line.split("**")[1] for line in listing.splitlines() if line.startswith("- **")]
    daily = [s.key for s in SETTINGS]
    assert keys[:3] == ["channel", "timezone", "enabled"]
    assert keys[3:3 + len(daily)] == daily == ["time", "days", "topics", "difficulty", "reveal", "grace", "questions"]
    assert {"recap", "mock-day"} <= set(keys[3 + len(daily):])  # the other features' settings follow
    unknown = await config(h, "colour", "blue")
    assert unknown.startswith("Unknown setting 'colour'. Settings: channel, timezone, enabled, time, days, topics")


async def test_a_new_post_time_or_days_moves_the_next_post_and_the_job_and_is_audited(h: Harness) -> None:
    assert mk.timestamp(NINE, "R") in await next_post(h)
    assert await config(h, "time", "10:30") == "time is now 10:30."
    at = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)
    assert mk.timestamp(at, "R") in await next_post(h)
    assert await daily_job_due(h) == at  # settings_changed rescheduled the daily job
    await config(h, "days", "weekends")
    saturday = datetime(2025, 6, 7, 10, 30, tzinfo=UTC)
    assert mk.timestamp(saturday, "R") in await next_post(h)
    assert await daily_job_due(h) == saturday
    audit = text(await h.command("admin", "studybot", "audit", admin=True))
    assert "`/studybot config` (key: days, value: weekends)" in audit
    assert "`/studybot config` (key: time, value: 10:30)" in audit


async def test_reveal_topics_and_grace_change_what_the_cycle_does(h: Harness) -> None:
    await config(h, "reveal", "6h")
    await config(h, "topics", "math-stats")
    await h.run_until(NINE)
    rnd = await h.core.rounds.latest_round(COMMUNITY.key)
    assert rnd is not None and rnd.status is RoundStatus.POSTED
    assert rnd.reveal_due_at == NINE + timedelta(hours=6)
    assert "about math-stats" in h.chat.titled("Daily question")[0].reply.text
    await h.run_until(NINE + timedelta(hours=6))
    assert len(h.chat.titled("Reveal")) == 1
    # grace 0: a post missed by a minute is skipped, not posted late
    await config(h, "grace", "0m")
    h.clock.set(datetime(2025, 6, 3, 9, 1, tzinfo=UTC))
    await h.core.daily.run_due(COMMUNITY.key)
    missed = await h.core.rounds.round_on(COMMUNITY.key, date(2025, 6, 3))
    assert missed is not None and missed.status is RoundStatus.SKIPPED and len(h.chat.titled("Daily question")) == 1


async def test_the_setup_form_is_built_from_declared_settings_and_saves_them(h: Harness) -> None:
    form = (await h.command("admin", "studybot", "setup", admin=True)).form
    assert form is not None
    assert [f.id for f in form.fields] == ["time", "timezone", "days", "topics", "reveal"]
    assert [f.required for f in form.fields] == [True, False, False, False, False]
    assert {f.id: f.default for f in form.fields} == {"time": "09:00", "timezone": "UTC", "days": "every day",
                                                      "topics": "all", "reveal": "at the next post"}
    refused = await h.submit("admin", form.form_id, admin=True, time="9am", days="someday", reveal="8h")
    assert set(refused.form_errors) == {"time", "days"}
    assert await config(h, "reveal") == f"reveal: at the next post ({daily_settings.REVEAL.description})"
    done = await h.setup(time="07:30", timezone="Europe/Berlin", days="weekdays", topics="deep-learning", reveal="8h")
    first = datetime(2025, 6, 3, 5, 30, tzinfo=UTC)  # Tuesday 07:30 in Berlin (today's has passed)
    assert text(done) == (f"The daily question will be posted here weekdays at 07:30 (Europe/Berlin). The first "
                          f"question comes {mk.timestamp(first, 'f')}. Answer with the buttons or /daily.")
    listing = await config(h)
    for line in ("**time**: 07:30", "**timezone**: Europe/Berlin", "**days**: weekdays", "**topics**: deep-learning",
                 "**reveal**: after 8h", "**enabled**: yes"):
        assert line in listing
    again = (await h.command("admin", "studybot", "setup", admin=True)).form
    assert again is not None and {f.id: f.default for f in again.fields}["reveal"] == "after 8h"
    where = text(await h.command("admin", "studybot", "setup", admin=True, can_open_form=False))
    assert "keys: channel, timezone, enabled, time, days" in where


async def test_daily_settings_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "studybot.db")
    h = await Harness.create(MONDAY_8, db=db)
    await h.setup(time="09:00", timezone="UTC", days="every day")
    await config(h, "time", "11:15")
    await config(h, "difficulty", "hard:1")
    listing = await config(h)
    await h.close()
    h = await Harness.create(MONDAY_8, db=db)
    try:
        assert await config(h) == listing
        assert mk.timestamp(datetime(2025, 6, 2, 11, 15, tzinfo=UTC), "R") in await next_post(h)
    finally:
        await h.close()


async def test_the_cycle_reads_its_settings_in_one_query_and_answering_reads_none(h: Harness) -> None:
    statements: list[str] = []
    await h.core.db.read(lambda c: c.set_trace_callback(statements.append))  # in memory: one connection
    try:
        await h.core.daily.run_due(COMMUNITY.key)
        assert sum("FROM settings" in s for s in statements) == 1
        await h.run_until(NINE)
        opened = (await h.command("ann", "daily")).form
        assert opened is not None
        statements.clear()
        # the router's answer, before the listeners it set off run (streaks read the community's zone)
        saved = await h.core.bot.handle(FormSubmitted(h.actor("ann"), CHANNEL, opened.form_id,
                                                      {"answer": "Bias and variance trade off."}))
        assert "Saved" in text(saved)
        assert statements and not [s for s in statements if "settings" in s or "FROM communities" in s]
        await h.core.registry.settle()
    finally:
        await h.core.db.read(lambda c: c.set_trace_callback(None))


def test_admin_code_names_no_daily_setting() -> None:
    """The admin feature lists, sets and asks for features' settings from the registry: none by name."""
    source = (ROOT / "bot" / "features" / "admin.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    daily_keys = {s.key for s in SETTINGS}
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not strings & daily_keys
    fields = {"post_time", "days", "topics", "difficulty_mix", "reveal_hours", "grace_minutes", "question_source"}
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert not names & fields
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(m and m.startswith("bot.features.daily") for m in imported)
    assert "format_days" not in source and "next_occurrence" not in source


# what a setting stores is the text it shows, so every value it can hold reads back as itself
@given(st.times().map(lambda t: t.replace(second=0, microsecond=0, tzinfo=None)),
       st.frozensets(st.integers(0, 6), min_size=1), st.frozensets(st.sampled_from(list(Domain))),
       st.lists(st.integers(0, 100), min_size=len(Difficulty), max_size=len(Difficulty)).filter(any),
       st.one_of(st.none(), st.integers(1, 168)), st.integers(0, 24 * 60),
       st.sampled_from(list(daily_settings.QUESTION_SOURCES)))
def test_every_value_reads_back_from_the_text_it_is_stored_as(
        at: time, days: frozenset[int], topics: frozenset[Domain], weights: list[int], reveal: int | None,
        grace: int, source: str) -> None:
    mix = tuple(zip(Difficulty, weights, strict=True))
    for spec, value in ((daily_settings.TIME, at), (daily_settings.DAYS, days), (daily_settings.TOPICS, topics),
                        (daily_settings.DIFFICULTY, mix), (daily_settings.REVEAL, reveal),
                        (daily_settings.GRACE, grace), (daily_settings.QUESTIONS, source)):
        assert spec.parse(spec.show(value)) == value, spec.key
