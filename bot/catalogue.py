"""Which features studybot runs, and the commands they declare, without building any of them.

Each feature package's `__init__` is a light declaration (its COMMANDS as data, its constants, and a
`build` that imports the machinery when the core is built), so this module is cheap: the adapters parse
against the catalogue while the core is still being built, and command sync and the Slack manifest need
no database.
"""

from __future__ import annotations

import functools
from types import ModuleType

from bot.features import admin, daily, home, inbox, leaderboard, mock, pack_admin, quiz, review
from bot.registry import Catalogue, merge_catalogue

#: every feature studybot runs, in the order their commands appear in help and the catalogue
FEATURES: tuple[ModuleType, ...] = (admin, daily, leaderboard, pack_admin, home, inbox, review, mock, quiz)


@functools.cache
def default_catalogue() -> Catalogue:
    """The catalogue of FEATURES, from their declarations alone."""
    return Catalogue(merge_catalogue(c for module in FEATURES for c in getattr(module, "COMMANDS", ())))
