"""The start-up cache of the bank: the same items as the YAML, and never stale, foreign or trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.content.cache import load_cached_bank
from bot.content.loader import default_content_dir, load_bank

ITEM = """
domain: "math-stats"
items:
  - id: "cache-one"
    subtopic: "caching"
    kind: "multiple_choice"
    difficulty: "easy"
    prompt: "Which of these is a sign that a model is overfitting its training data?"
    choices: ["Low train and test error", "Low train error, high test error", "High train error", "None of these"]
    answer: "Low train error, high test error"
    explanation: "A gap between a low training error and a high held-out error is the usual sign of overfitting."
"""


def _folder(tmp_path: Path, text: str = ITEM) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir(exist_ok=True)
    (folder / "one.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_cached_bank_is_the_bank(tmp_path: Path) -> None:
    folder = tmp_path / "shipped"
    shutil.copytree(default_content_dir(), folder)
    first = load_cached_bank(folder, tmp_path / "cache")
    again = load_cached_bank(folder, tmp_path / "cache")
    assert list(again.items) == list(first.items) == list(load_bank([folder], root=folder).items)
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    cache = tmp_path / "cache"
    assert load_cached_bank(folder, cache).get("cache-one") is not None
    (folder / "one.yaml").write_text(ITEM.replace("cache-one", "cache-two"), encoding="utf-8")
    bank = load_cached_bank(folder, cache)
    assert bank.get("cache-two") is not None and bank.get("cache-one") is None


def test_a_corrupt_or_tampered_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    cache = tmp_path / "cache"
    load_cached_bank(folder, cache)
    (where,) = cache.iterdir()
    head = where.read_bytes().split(b"\n", 1)[0]
    # an item the schema refuses (no choices for a multiple-choice item) is never served from the cache
    where.write_bytes(head + b'\n{"id": "bad", "domain": "ml-fundamentals"}\n')
    assert [i.id for i in load_cached_bank(folder, cache).items] == ["cache-one"]
    where.write_bytes(b"\x00\xff not a cache")
    assert [i.id for i in load_cached_bank(folder, cache).items] == ["cache-one"]
    assert where.read_bytes().split(b"\n", 1)[0] == head  # rewritten


def test_a_cache_that_cannot_be_written_still_loads_the_bank(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # even root cannot make a folder inside a file
    assert [i.id for i in load_cached_bank(folder, blocked / "cache").items] == ["cache-one"]
    assert blocked.read_text() == "not a folder"


def test_a_bank_read_from_its_cache_needs_no_pydantic(tmp_path: Path) -> None:
    """The items in the cache are the schema's output, guarded by a checksum: reading them makes records
    without importing pydantic (validating, on a cache miss, does)."""
    import subprocess
    import sys

    probe = f"""
import sys
from pathlib import Path
from bot.content.cache import load_cached_bank
from bot.content.files import default_content_dir
bank = load_cached_bank(default_content_dir(), Path({str(tmp_path / "cache")!r}))
item = bank.get(bank.entries[0].id)
assert item is not None and len(bank) > 1000
print("pydantic" if "pydantic.main" in sys.modules else "none")
"""
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
            for _ in range(2)]
    assert runs == ["pydantic", "none"]  # the first validates and writes the cache, the second only reads it
