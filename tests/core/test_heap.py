"""The start-up heap is set aside (frozen) so full collections skip it, and given back when asked."""

from __future__ import annotations

import gc

from bot.heap import release_startup_heap, set_aside_startup_heap


def tracked(obj: object) -> bool:
    """Whether a collection would walk `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_what_start_up_built_is_skipped_by_collections_until_released() -> None:
    built_at_start = {"bank": [object()]}
    try:
        assert tracked(built_at_start)
        frozen = set_aside_startup_heap()
        assert frozen >= 1 and gc.get_freeze_count() == frozen
        assert not tracked(built_at_start)
        made_later = {"answer": [object()]}
        assert tracked(made_later)  # what comes after start-up is collected as usual
    finally:
        release_startup_heap()
    assert gc.get_freeze_count() == 0 and tracked(built_at_start)
