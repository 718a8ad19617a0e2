"""Spaced review (`/review`): cards for the items a member missed elsewhere, scheduled by the fsrs library,
rated Again / Hard / Good / Easy after seeing the answer; and an opt-in daily DM when cards are due.

This module declares the feature (name, job kind, commands); `feature` builds it, imported only by `build`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import CommandSpec, OptionSpec

if TYPE_CHECKING:
    from bot.registry import FeatureSpec
    from bot.services import Services

__all__ = ["COMMANDS", "JOB", "NAME", "build"]
NAME = "review"
JOB = "review.remind"
SETTING_OPTIONS = ("remind", "time", "timezone", "days_off")
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "review",
        "Spaced review of questions you missed: your next due card, or your reminder settings",
        options=(
            OptionSpec("show", "What to open (default: your next due card)", choices=("cards", "settings")),
            OptionSpec("remind", "Daily DM when cards are due: on or off", choices=("on", "off"), named_only=True),
            OptionSpec("time", "Reminder time, 24h HH:MM in your timezone", max_length=5, named_only=True),
            OptionSpec("timezone", "Your timezone (IANA, e.g. Europe/Berlin)", max_length=64, named_only=True),
            OptionSpec("days_off", "Days without a reminder, e.g. sat,sun (none to clear)", max_length=60,
                       named_only=True),
        ),
    ),
)
ENDED = "That review button has ended. Run /review for your next card."


def build(services: Services) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading COMMANDS
    (the catalogue the adapters parse against before the core exists) imports none of it."""
    from bot.features.review.feature import build_feature

    return build_feature(services)
