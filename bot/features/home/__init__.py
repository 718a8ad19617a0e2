"""A member's own page (Slack's App Home tab): streak, points this week, today's question and whether
they answered it. Read-only: it writes nothing and sends nothing; the adapter renders the Reply.

It has no commands; `feature` builds it, imported only by `build`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.registry import FeatureSpec
    from bot.services import Services

NAME = "home"


def build(services: Services) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading the
    catalogue (the adapters parse against it before the core exists) imports none of it."""
    from bot.features.home.feature import build_feature

    return build_feature(services)
