"""The daily question feature: what it declares (commands, job kind) and how it is built. The machinery
(settings, cycle, answers, store, views) lives in `feature` and is imported only by `build`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import ANSWER_LIMIT, CommandSpec, OptionSpec, SubcommandSpec

if TYPE_CHECKING:
    from bot.registry import FeatureSpec
    from bot.services import Services

NAME = "daily"
JOB = "daily.run"  # one per community: "do whatever is due", rescheduled by the run itself

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "daily",
        "Today's study question: read it and answer privately",
        options=(
            OptionSpec("answer", "Your answer, if you'd rather type it here than in the form",
                       max_length=ANSWER_LIMIT, named_only=True),
        ),
    ),
    CommandSpec(
        "studybot",
        "Help, setup and settings",
        subcommands=(
            SubcommandSpec("post-now", "Post today's question now", admin_only=True),
            SubcommandSpec("reveal-now", "Reveal the open question now", admin_only=True),
        ),
    ),
)


def build(services: Services) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading COMMANDS
    (the catalogue the adapters parse against before the core exists) imports none of it."""
    from bot.features.daily.feature import build_feature

    return build_feature(services)
