"""The audit log: every admin action is recorded centrally (StudyBot), whichever feature handles it, with
who, when, what, why and what came of it; admins read it newest first, in pages; members cannot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes import Harness

from bot.actions import encode
from bot.commands import CommandSpec, OptionSpec, OptionType, SubcommandSpec
from bot.events import OptionValue
from bot.messages import Response

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def text(resp: Response) -> str:
    assert resp.reply is not None, resp
    return resp.reply.text


@pytest.fixture
async def h() -> Harness:
    harness = await Harness.create(START)
    await harness.setup(time="09:00", timezone="UTC", days="every day")
    await harness.command("bob", "stats")  # bob is a known member
    yield harness  # type: ignore[misc]
    await harness.close()


def admin_routes(catalogue: list[CommandSpec]) -> list[tuple[str, str | None, tuple[OptionSpec, ...]]]:
    routes: list[tuple[str, str | None, tuple[OptionSpec, ...]]] = []
    for spec in catalogue:
        subs: tuple[SubcommandSpec, ...] = spec.subcommands
        if spec.admin_only and not subs:
            routes.append((spec.name, None, spec.options))
        routes += [(spec.name, s.name, s.options) for s in subs if spec.admin_only or s.admin_only]
    return routes


def sample(option: OptionSpec) -> OptionValue:
    if option.type is OptionType.MEMBER:
        return "bob"
    if option.type is OptionType.INTEGER:
        return max(1, option.min_value or 1)
    if option.type is OptionType.BOOLEAN:
        return True
    return option.choices[0] if option.choices else "x"


async def audit_text(h: Harness) -> str:
    """Every page of /studybot audit, as one text."""
    resp = await h.command("admin", "studybot", "audit", admin=True)
    pages = [text(resp)]
    while resp.reply is not None and (older := [c for c in resp.reply.choices if c.label == "Older"]):
        resp = await h.click("admin", older[0].action, admin=True)
        pages.append(text(resp))
    return "\n".join(pages)


async def test_every_admin_command_of_every_feature_is_audited(h: Harness) -> None:
    routes = admin_routes(list(h.core.catalogue))
    assert {"studybot setup", "studybot config", "studybot points", "studybot exclude", "studybot include",
            "studybot export", "studybot pack", "studybot post-now", "studybot audit"} <= {
        f"{n} {s}" if s else n for n, s, _ in routes}
    for name, sub, options in routes:
        values = {o.name: sample(o) for o in options if o.required and o.type is not OptionType.ATTACHMENT}
        if "reason" in {o.name for o in options}:
            values["reason"] = f"because-{sub or name}"
        await h.command("admin", name, sub, admin=True, **values)
    log = await audit_text(h)
    for name, sub, options in routes:
        where = f"/{name} {sub}" if sub else f"/{name}"
        assert f"{{@admin}}: `{where}`" in log, where
        if "reason" in {o.name for o in options}:
            assert f"why: because-{sub or name}" in log, where
    assert "`/studybot points` (member: {@bob}, amount: 1) · why: because-points" in log  # what and why
    assert "→ Added 1 points to @bob (because-points)." in log  # and what came of it


async def test_refused_members_leave_no_entry_and_cannot_read_the_log(h: Harness) -> None:
    refused = await h.command("mallory", "studybot", "points", member="bob", amount=5)
    assert "Only admins" in text(refused)
    assert "Only admins" in text(await h.command("mallory", "studybot", "audit"))
    assert "Only admins" in text(await h.click("mallory", encode("board", "audit", 1, 1)))
    assert "points" not in await audit_text(h)


async def test_the_setup_form_is_audited_with_what_was_submitted_and_the_newest_comes_first(h: Harness) -> None:
    await h.setup(time="07:30", timezone="Europe/Berlin", days="weekdays")
    await h.command("admin", "studybot", "config", admin=True, key="grace", value="2h")
    first = await h.command("admin", "studybot", "audit", admin=True)
    lines = [line for line in text(first).splitlines() if line.startswith("- ")]
    assert "`/studybot config` (key: grace, value: 2h)" in lines[0]
    assert "`form admin:setup`" in lines[1] and "time: 07:30" in lines[1] and "Europe/Berlin" in lines[1]
    assert "`/studybot setup`" in lines[2]
    assert "{t:" + str(int(START.timestamp())) + ":f}" in lines[0]  # when


async def test_the_log_pages_newest_first_with_buttons(h: Harness) -> None:
    for n in range(23):
        await h.command("admin", "studybot", "points", admin=True, member="bob", amount=n + 1, reason=f"r{n}")
    first = await h.command("admin", "studybot", "audit", admin=True)
    assert first.reply is not None and [c.label for c in first.reply.choices] == ["Older"]
    assert "why: r22" in text(first).splitlines()[0]
    second = await h.click("admin", first.reply.choices[0].action, admin=True)
    assert second.replace_original and second.reply is not None
    assert [c.label for c in second.reply.choices] == ["Newer", "Older"]
    assert "why: r12" in text(second).splitlines()[0]
