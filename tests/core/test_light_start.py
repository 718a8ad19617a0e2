"""What `studybot run` imports before it contacts a platform stays light: the command line, both adapters
and the catalogue, none of the features' machinery, the item schema or fsrs (those are imported beside
the connections, while the core is built). A top-level import that pulls one in fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.bootstrap import build_core
from bot.catalogue import default_catalogue
from bot.config import Config
from bot.content.bank import Bank

HEAVY = ("pydantic.main", "fsrs", "bot.content.schema", "bot.content.bank", "bot.bootstrap", "bot.features.packs")
PROBE = f"""
import sys
from adapters import cli
import adapters.discord.adapter, adapters.slack.adapter
from bot.catalogue import FEATURES, default_catalogue
assert len(default_catalogue()) > 5
heavy = [m for m in sys.modules if m in {HEAVY!r} or m.startswith("bot.features.") and m.endswith(".feature")]
print(" ".join(heavy))
"""


def test_the_start_up_path_imports_no_feature_machinery() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


async def test_the_catalogue_from_declarations_is_the_built_cores() -> None:
    """What the adapters parse against before the core exists is what the core routes (checked again at
    run time by CoreOnItsWay.arrived)."""
    core = await build_core(Config(db=":memory:"), bank=Bank(()))
    try:
        assert core.catalogue.commands == default_catalogue().commands
    finally:
        await core.close()


SERVING = """
import asyncio, sys
from bot.bootstrap import build_core
from bot.config import Config
from bot.content.bank import Bank

async def main():
    core = await build_core(Config(db=":memory:"), bank=Bank(()))
    await core.close()

asyncio.run(main())
print(" ".join(m for m in ("bot.content.formats", "bot.content.loader", "bot.content.similar",
                           "bot.content.pack_check", "bot.content.schema", "pydantic.main", "matplotlib")
               if m in sys.modules))
"""


def test_a_built_core_leaves_the_pack_parsers_the_schema_and_charts_until_they_are_used() -> None:
    """The YAML parser, the import formats, the similarity check, the pydantic schema and matplotlib are
    imported on first use (a pack added or read, a chart drawn), not by every process that serves."""
    out = subprocess.run([sys.executable, "-c", SERVING], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


PACKED = """
import asyncio, sys
from datetime import UTC, datetime
from bot.bootstrap import build_core
from bot.config import Config
from bot.content.bank import Bank

PACK = '''domain: "mlops"
items:
  - id: "team-q1"
    subtopic: "our stack"
    kind: "short_answer"
    difficulty: "easy"
    prompt: "Which command rolls our feature store back to yesterday's snapshot?"
    answer: "fs rollback"
    explanation: "The rollback command restores the snapshot taken at midnight, keeping today's log."
'''

async def main(adding):
    core = await build_core(Config(db=sys.argv[1]), bank=Bank(()))
    try:
        if adding:
            await core.packs.add("console:local", "team", PACK, "studybot", None, "admin", datetime.now(UTC))
        item = (await core.packs.bank_for("console:local")).get("team-q1")
        assert item is not None and item.answer == "fs rollback"
    finally:
        await core.close()

asyncio.run(main(sys.argv[2] == "add"))
print("pydantic" if "pydantic.main" in sys.modules else "none")
"""


def test_a_community_pack_is_served_without_the_schema(tmp_path: Path) -> None:
    """`pack add` validates (the schema is imported then); a process that serves the pack afterwards makes
    its records from the JSON the schema validated."""
    db = str(tmp_path / "packs.db")
    runs = [subprocess.run([sys.executable, "-c", PACKED, db, step], capture_output=True, text=True,
                           check=True).stdout.strip() for step in ("add", "serve")]
    assert runs == ["pydantic", "none"]
