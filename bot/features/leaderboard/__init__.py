"""Leaderboards, streaks, the weekly recap, /stats with a chart, fair play (points adjustments, exclusions,
the audit log) and members' data (export, my-data, forget-me).

Modules: `board` (/leaderboard, exclusions, points), `streaks` (study days, freezes), `recap` (the weekly
post), `stats` (/stats, my-points), `chart` (the PNG), `drawing` (where it is drawn: a worker process),
`audit` (the admin log), `member_data` (export and erasure), `store` (this feature's tables), `options`
(the periods and topics /leaderboard offers), `feature` (all of it built; imported only by `build`).
Per-period point totals and their rank buckets live with the ledger (bot.store.ledger).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import CommandSpec, OptionSpec, OptionType, SubcommandSpec
from bot.features.leaderboard.options import PERIODS, TOPICS

if TYPE_CHECKING:
    from bot.features.leaderboard.drawing import ChartDrawer
    from bot.registry import FeatureSpec
    from bot.services import Services

NAME = "board"
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "leaderboard",
        "Top members by points",
        options=(
            OptionSpec("period", "Which period (default: this week)", choices=PERIODS, only_if_choice=True),
            OptionSpec("topic", "Only points earned on questions of one topic", choices=TOPICS),
        ),
        public=True,
    ),
    CommandSpec(
        "stats",
        "Streak, points, accuracy and a chart, for you or another member",
        options=(OptionSpec("member", "Whose stats (default: yours)", type=OptionType.MEMBER),),
    ),
    CommandSpec(
        "studybot",
        "Help, setup and settings",
        subcommands=(
            SubcommandSpec(
                "points",
                "Add or remove a member's points (recorded in the audit log)",
                options=(
                    OptionSpec("action", "add or remove (default: add; a negative amount removes)",
                               choices=("add", "remove"), only_if_choice=True),
                    OptionSpec("member", "Who", type=OptionType.MEMBER, required=True),
                    OptionSpec("amount", "How many points", type=OptionType.INTEGER,
                               required=True, min_value=-1000, max_value=1000),
                    OptionSpec("reason", "Why (shown in the ledger and the audit log)", max_length=200),
                ),
                admin_only=True,
            ),
            SubcommandSpec(
                "exclude",
                "Leave a member (a host) off the boards and recaps; without a member, list who is",
                options=(OptionSpec("member", "Who", type=OptionType.MEMBER),
                         OptionSpec("reason", "Why", max_length=200)),
                admin_only=True,
            ),
            SubcommandSpec("include", "Put a member back on the boards",
                           options=(OptionSpec("member", "Who", type=OptionType.MEMBER, required=True),),
                           admin_only=True),
            SubcommandSpec("audit", "What admins did here, newest first", admin_only=True),
            SubcommandSpec("export", "This community's data, as CSV and JSON files", admin_only=True),
            SubcommandSpec("my-points", "How you earned your points"),
            SubcommandSpec("my-data", "Everything studybot holds about you, as a file only you get"),
            SubcommandSpec("forget-me", "Delete everything studybot holds about you (asks first)"),
        ),
    ),
)


def build(services: Services, *, charts: ChartDrawer | None = None) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading COMMANDS
    (the catalogue the adapters parse against before the core exists) imports none of it.

    `charts` draws the /stats chart (default: in a worker process; tests may pass an in-process one)."""
    from bot.features.leaderboard.feature import build_feature

    return build_feature(services, charts=charts)
