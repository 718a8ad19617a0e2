"""Quizzes: `/quiz [topic] [difficulty] [count]` (a private quiz, one question at a time) and
`/quiz race [topic] [count] [seconds]` (a public race in a channel, picks private until each reveal).

Every answer to a bank item is published as `ItemAttempted` (source "quiz" or "race"), so a review
feature can turn misses into cards without this one knowing it.

This module declares the feature (name, job kind, option bounds, commands); `feature` builds it, imported
only by `build`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import CommandSpec, OptionSpec, OptionType, SubcommandSpec

if TYPE_CHECKING:
    from bot.registry import FeatureSpec
    from bot.services import Services

__all__ = ["COMMANDS", "JOB", "NAME", "build"]
NAME = "quiz"
JOB = "quiz.race"
#: what a member may ask for (options.py checks it): (lowest, highest) and the default
SOLO_COUNT = (1, 20)
SOLO_DEFAULT = 5
RACE_COUNT = (1, 20)
RACE_DEFAULT = 5
SECONDS = (10, 120)
SECONDS_DEFAULT = 20
TOPIC = OptionSpec("topic", "A topic such as deep-learning or math-stats (default: any)", max_length=40)
COUNT_HELP = "How many questions ({}-{}, default 5)"
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "quiz",
        "A multiple-choice quiz just for you, or a race in the channel",
        subcommands=(
            SubcommandSpec("solo", "A quiz only you see, one question at a time", options=(
                TOPIC,
                OptionSpec("difficulty", "easy, medium, hard or mixed (default: mixed)", max_length=10),
                OptionSpec("count", COUNT_HELP.format(*SOLO_COUNT), type=OptionType.INTEGER),
            )),
            SubcommandSpec("race", "A public race in this channel: fastest right answers score most", options=(
                TOPIC,
                OptionSpec("count", COUNT_HELP.format(*RACE_COUNT), type=OptionType.INTEGER),
                OptionSpec("seconds", f"Seconds per question ({SECONDS[0]}-{SECONDS[1]}, default 20)",
                           type=OptionType.INTEGER),
            )),
            SubcommandSpec("stop", "Stop the race in this channel (its starter or an admin)"),
        ),
        default_subcommand="solo",
    ),
)


def build(services: Services) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading COMMANDS
    (the catalogue the adapters parse against before the core exists) imports none of it."""
    from bot.features.quiz.feature import build_feature

    return build_feature(services)
