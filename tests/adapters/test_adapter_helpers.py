"""Helpers the adapters share: the bounded expiring map (interaction tokens, response_urls) and file names
that carry a file's type."""

from __future__ import annotations

import pytest

from adapters.expiring import ExpiringMap
from adapters.files import upload_name
from bot.messages import FileOut


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_live_for_their_lifetime_and_no_longer() -> None:
    clock = Clock()
    kept: ExpiringMap[str] = ExpiringMap(10, clock)
    kept.put("a", "one", 60)
    kept.put("b", "two", 120)
    clock.now = 59.9
    assert kept.get("a") == "one" and kept.remaining("a") == pytest.approx(0.1)
    clock.now = 60
    assert kept.get("a") is None and kept.get("b") == "two" and len(kept) == 1
    kept.put("b", "again", 10)  # a later put replaces the entry and its lifetime
    clock.now = 71
    assert kept.get("b") is None and len(kept) == 0
    kept.put("c", "never", 0)
    assert kept.get("c") is None


def test_past_its_capacity_the_entry_closest_to_expiry_goes_first() -> None:
    clock = Clock()
    kept: ExpiringMap[int] = ExpiringMap(3, clock)
    for n, life in enumerate((50, 10, 30, 40)):
        kept.put(f"k{n}", n, life)
    assert len(kept) == 3 and kept.get("k1") is None
    assert [kept.get(k) for k in ("k0", "k2", "k3")] == [0, 2, 3]
    assert kept.pop("k2") == 2 and kept.get("k2") is None
    for n in range(1000):  # replacing one key over and over does not grow it
        kept.put("same", n, 100)
    assert len(kept) == 3 and len(kept._expiry) < 300


@pytest.mark.parametrize(("name", "mime", "sent"), [
    ("chart", "image/png", "chart.png"),
    ("chart.png", "image/png", "chart.png"),
    ("photo", "image/jpeg", "photo.jpg"),
    ("invite.ics", "text/calendar", "invite.ics"),
    ("export", "text/csv; charset=utf-8", "export.csv"),
    ("data.txt", "application/json", "data.txt.json"),
    ("blob", "application/octet-stream", "blob"),  # no type given: the name is all there is
    ("blob", "application/x-nobody-knows", "blob"),
])
def test_a_file_name_says_its_type(name: str, mime: str, sent: str) -> None:
    assert upload_name(FileOut(name, b"x", mime)) == sent
