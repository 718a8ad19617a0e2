"""Where the bank's files are: the shipped folder, and the YAML files under a folder.

Apart from the loader, so what only needs the paths (the start-up cache's fingerprint) does not import
the YAML parser, the similarity check and the schema's error formatting.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


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
