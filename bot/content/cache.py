"""A cache of the validated bank, so a start-up does not parse 1,000+ YAML items again.

The cache holds the items as JSON lines, as the schema validated them, keyed by the name, size and
modification time of every bank file and by the source of the schema and the item record (a changed
schema is a different cache). Its first line also carries a SHA-256 of the lines, so a cache changed or
cut short after it was written is never read: the items are trusted as the schema's own output and made
into records without pydantic (serving never imports it). A missing, stale, foreign or corrupt cache is
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

from bot.content.bank import Bank, item_json, packed_row
from bot.content.files import bank_files, schema_key

log = logging.getLogger(__name__)
FORMAT = 2


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "studybot"


def fingerprint(folder: Path, files: Sequence[Path]) -> str:
    """What the cache must match: every bank file (name, size, mtime) and the schema that validated it."""
    h = hashlib.sha256(f"{FORMAT}\0{folder.resolve()}\0".encode())
    h.update(schema_key().encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.relative_to(folder)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def load_cached_bank(folder: Path, cache_dir: Path | None = None) -> Bank:
    """The bank in `folder`, from the cache when it matches the files, else loaded and cached."""
    files = bank_files([folder])
    key = fingerprint(folder, files)
    where = (cache_dir or default_cache_dir()) / f"bank-{hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError), where.open("rb") as cached:
        stored_key, _, digest = cached.readline().rstrip(b"\n").decode().partition(" ")
        if stored_key == key:
            body = cached.read()
            if hashlib.sha256(body).hexdigest() == digest:
                return Bank.packed(packed_row(line) for line in body.split(b"\n") if line)
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
            body = b"".join(line + b"\n" for line in lines)
            out.write(f"{key} {hashlib.sha256(body).hexdigest()}\n".encode() + body)
        os.replace(tmp, where)
    except OSError as exc:
        log.info("bank cache not written (%s); the next start parses the bank again", exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
