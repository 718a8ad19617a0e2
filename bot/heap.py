"""Garbage collection for a long-running bot: what start-up built is set aside, so collections stay short.

CPython's full (oldest-generation) collection walks every tracked object, and most of a running bot's
objects are made once at start-up and live for ever: the imported libraries, the question bank, the
feature registry, the platform clients. Measured on this code: a full collection after start-up walks some
76,000 objects and stops everything (the event loop and the database threads) for 28-54 ms, and such
collections came once or twice a minute under load, each one the slowest answer of its burst. Once
start-up is done, `gc.freeze()` moves all of it to a permanent generation that collections skip: the same
full collection then takes well under a millisecond, and only objects made since are walked.

Freezing is for a process's one start-up, not for every core a test builds: objects frozen are never
freed, so the composition root's entry points call it once (`adapters.cli`), as benchmarks that mirror
them do.
"""

from __future__ import annotations

import gc


def set_aside_startup_heap() -> int:
    """Collect what start-up left as garbage, then freeze the rest; how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def release_startup_heap() -> None:
    """Undo `set_aside_startup_heap` (a benchmark running several processes' lives in one)."""
    gc.unfreeze()
