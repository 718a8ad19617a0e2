"""`studybot pack add|list|remove` on the host, against a database file a bot would use."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.cli import main
from bot.community import CommunitySettings
from bot.store.communities import CommunityRepo
from bot.store.db import Database

PACK = """domain: "mlops"
items:
  - id: "team-q1"
    subtopic: "our stack"
    kind: "open"
    difficulty: "medium"
    tags: ["team"]
    prompt: "How does our feature pipeline backfill late events without double counting?"
    key_points:
      - "watermark"
      - "idempotent upsert"
      - "replay window"
    model_answer: "WORDS"
    follow_ups:
      - "What if the source replays a whole day?"
""".replace("WORDS", " ".join(f"word{i}" for i in range(90)))


def known_community(db: str, key: str) -> None:
    """A community that has been set up, as a running bot would have recorded it."""

    async def save() -> None:
        database = Database(db)
        await database.open()
        try:
            await CommunityRepo(database).save(CommunitySettings(community=key), datetime.now(UTC))
        finally:
            await database.close()

    asyncio.run(save())


def test_add_list_remove_and_a_refused_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STUDYBOT_DB", str(tmp_path / "bot.db"))
    known_community(str(tmp_path / "bot.db"), "discord:42")
    good = tmp_path / "Team Ops.yaml"
    good.write_text(PACK, encoding="utf-8")
    assert main(["pack", "add", str(good), "--community", "discord:42"]) == 0
    assert "Added pack team-ops: 1 question" in capsys.readouterr().out
    assert main(["pack", "list"]) == 0
    listed = capsys.readouterr().out
    assert "discord:42" in listed and "team-ops: 1 question (studybot)" in listed

    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.replace('"open"', '"essay"').replace("team-q1", "team-q2"), encoding="utf-8")
    assert main(["pack", "add", str(bad), "--community", "discord:42"]) == 1
    assert "nothing was added" in capsys.readouterr().err
    assert main(["pack", "add", str(good), "--community", "nowhere"]) == 2
    assert "platform:id" in capsys.readouterr().err

    assert main(["pack", "remove", "team-ops", "--community", "discord:42"]) == 0
    assert main(["pack", "remove", "team-ops", "--community", "discord:42"]) == 1
    capsys.readouterr()
    assert main(["pack", "list", "--community", "discord:42"]) == 0
    assert capsys.readouterr().out.strip() == "no packs in discord:42"


def test_a_pack_for_a_community_that_does_not_exist_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STUDYBOT_DB", str(tmp_path / "bot.db"))
    good = tmp_path / "team.yaml"
    good.write_text(PACK, encoding="utf-8")
    assert main(["pack", "add", str(good), "--community", "console:nosuch"]) == 2
    assert "no community console:nosuch" in capsys.readouterr().err
    assert main(["pack", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no packs"
