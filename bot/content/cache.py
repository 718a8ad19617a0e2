"""A cache of the validated bank, so a start-up does not parse 1,000+ YAML items again.

The cache holds the items as JSON lines, keyed by the name, size and modification time of every bank file
and by the schema's own source (a changed schema is a different cache). Reading it still validates every
item through the pydantic model (in Rust, about ten times faster than the YAML constructor), so a cache
can never hand the bot an item the schema would refuse. A missing, stale, foreign or corrupt cache is
ignored and rewritten; the cache is a convenience, never the truth.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.content import schema
from bot.content.bank import Bank, item_json, packed_row
from bot.content.files import bank_files

log = logging.getLogger(__name__)
FORMAT = 1


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "studybot"


def fingerprint(folder: Path, files: Sequence[Path]) -> str:
    """What the cache must match: every bank file (name, size, mtime) and the schema that validated it."""
    h = hashlib.sha256(f"{FORMAT}\0{folder.resolve()}\0".encode())
    h.update(Path(schema.__file__).read_bytes())
    for f in files:
        st = f.stat()
        h.update(f"{f.relative_to(folder)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def load_cached_bank(folder: Path, cache_dir: Path | None = None) -> Bank:
    """The bank in `folder`, from the cache when it matches the files, else loaded and cached."""
    files = bank_files([folder])
    key = fingerprint(folder, files)
    where = (cache_dir or default_cache_dir()) / f"bank-{hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]}.json"
    with contextlib.suppress(OSError, ValueError, ValidationError), where.open("rb") as cached:
        # one item per line, validated as it is read and kept compressed (bot.content.bank): the peak
        # memory is the packed bank, not the bank and its text
        if cached.readline().rstrip(b"\n").decode() == key:
            return Bank.packed(packed_row(line.rstrip(b"\n")) for line in cached)
    from bot.content.loader import load_bank  # the YAML parser, only when the cache does not match

    lines = [item_json(item) for item in load_bank([folder], root=folder, near_duplicates=False).items]
    _write(where, key, lines)
    return Bank.packed(packed_row(line) for line in lines)


def _write(where: Path, key: str, lines: list[bytes]) -> None:
    """Atomically (a reader sees the old cache or the new one, never half); a read-only disk is fine."""
    tmp: str | None = None
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=where.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(key.encode() + b"\n")
            for line in lines:
                out.write(line + b"\n")
        os.replace(tmp, where)
    except OSError as exc:
        log.info("bank cache not written (%s); the next start parses the bank again", exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
