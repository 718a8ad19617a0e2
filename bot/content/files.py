"""Where the bank's files are (the shipped folder, the YAML files under a folder), and which schema is
current (`schema_key`).

Apart from the loader, so what only needs the paths (the start-up cache's fingerprint) does not import
the YAML parser, the similarity check and the schema's error formatting.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

#: the sources whose change means items must be validated again: what validates one, and what it becomes
SCHEMA_SOURCES = (Path(__file__).with_name("schema.py"), Path(__file__).with_name("item.py"))


def default_content_dir() -> Path:
    """`content/bank` next to the installed packages (a source checkout or the Docker image)."""
    return Path(__file__).resolve().parents[2] / "content" / "bank"


def bank_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml")))
        else:
            files.append(p)
    return files


@functools.cache
def schema_key() -> str:
    """Which schema validated an item: a digest of SCHEMA_SOURCES (read, not imported)."""
    h = hashlib.sha256()
    for source in SCHEMA_SOURCES:
        h.update(source.read_bytes())
    return h.hexdigest()[:32]
