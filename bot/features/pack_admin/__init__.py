"""`/studybot pack`: an admin lists, adds (through a form or an attached file) and removes their
community's own question packs.

This module declares the feature (name, commands); `feature` builds it, imported only by `build`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import CommandSpec, OptionSpec, OptionType, SubcommandSpec
from bot.content.format_names import FORMATS
from bot.content.vocabulary import Domain

if TYPE_CHECKING:
    from bot.registry import FeatureSpec
    from bot.services import Services

NAME = "packs"
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "studybot",
        "Help, setup and settings",
        subcommands=(
            SubcommandSpec(
                "pack",
                "This community's own question packs: list, add or remove",
                options=(
                    OptionSpec("action", "What to do (default: list)", choices=("list", "add", "remove")),
                    OptionSpec("name", "The pack's name, like team-nlp", max_length=32),
                    OptionSpec("file", "The pack as a file (our YAML, or an import format)",
                               type=OptionType.ATTACHMENT),
                    OptionSpec("format", "The file's format (default: from the file)", choices=FORMATS),
                    OptionSpec("topic", "Topic of the questions, for formats without one",
                               choices=tuple(d.value for d in Domain)),
                ),
                admin_only=True,
            ),
        ),
    ),
)


def build(services: Services) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading COMMANDS
    (the catalogue the adapters parse against before the core exists) imports none of it."""
    from bot.features.pack_admin.feature import build_feature

    return build_feature(services)
