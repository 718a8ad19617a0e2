"""A pack's limits and names: how big it may be, what it may be called, its format guessed from a file.

Plain rules, apart from the check itself (bot.content.pack_check, which parses and compares against the
bank), so the pack commands can be declared and answer without importing the parsers.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

MAX_PACK_ITEMS = 500
MAX_PACK_BYTES = 1_000_000
FORMATS_WITH_TOPICS = ("studybot", "csv")  # the others need the admin to say what the questions are about
PACK_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
SHARED_BANK = "the shared bank"
#: id prefix used to read a pack whose name is not valid, so its questions are still checked
STAND_IN_PREFIX = "pack"


_BY_SUFFIX = {".json": "opentdb", ".gift": "gift", ".txt": "gift", ".tsv": "anki-tsv", ".csv": "csv"}


def name_from_filename(filename: str) -> str:
    """A pack name from a file name: `Team NLP.yaml` -> `team-nlp`."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem.casefold()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:32]


def guess_format(suffix: str, text: str) -> str:
    """A file's format from its name, and for YAML from its shape: ours has a top-level `items:` list,
    a Red trivia list is question keys with answer lists."""
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in (".yaml", ".yml") and not re.search(r"(?m)^items\s*:", text):
        return "red-trivia"
    return "studybot"


def pack_source(name: str) -> str:
    return f"pack {name or '(no name)'}"
