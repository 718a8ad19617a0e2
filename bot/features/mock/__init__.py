"""Peer mock interviews: a pool, pairing rounds, a private space per group with proposed times, packets
for the interviewers, "did it happen?" answered by each member for themselves, and scorecards that reach
only the interviewee.

The parts: pool.py (joining), rounds.py + pairing.py (rounds, the engine), booking.py (times, reminders,
reschedule, cancel), packets.py, reports.py + attendance.py (did it happen, no-shows, the report window),
scorecards.py, notices.py (what the others are told, exactly once, planned with the change it reports),
upkeep.py (the jobs open sessions need, caught up for sessions an earlier build left).

What it declares: `/mock` and its subcommands, the action prefix "mock", its job kinds (every timer is a
durable job), three community settings (round day, round time, booking deadline), its own tables, the
export/erase hooks, a /stats hook, and a listener that remembers which bank items a member has met.

This module holds what is read without building it (name, commands, help, the constants they show);
`feature` builds it, imported only by `build`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.commands import CommandSpec, OptionSpec, SubcommandSpec
from bot.features.mock.points import FEEDBACK_GIVEN, SESSION_DONE

if TYPE_CHECKING:
    from bot.registry import FeatureSpec
    from bot.services import Services

NAME = "mock"
#: how long after a session's planned end its members may answer "did it happen?"; then it is closed with
#: what they said (nobody answered: unconfirmed, no points, nothing counted against anyone)
REPORT_WINDOW = timedelta(hours=72)
#: the weekdays a pairing round can run on (the ROUND_DAY setting's values), and their names
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

HELP = ("Join the pool with your tracks, level and weekly free times. Each round pairs you with a member who "
        "shares a track and a free hour; you get a private space with three times to pick from. Before each "
        "turn the interviewer gets a private packet (a question you have not met, its key points, follow-ups "
        "and rubric); you swap halfway. Afterwards each of you answers \"Did it happen?\" for yourself (within "
        f"{REPORT_WINDOW.days} days) and scores the other; a scorecard reaches only the person it is about. "
        f"{SESSION_DONE} points for a session that happened, {FEEDBACK_GIVEN} for each scorecard you write. A "
        "missed session counts only when your partner reports it and you don't say it happened; two in a row "
        "pause you until you come back with /mock resume.")

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "mock",
        "Peer mock interviews: join the pool, get a partner, practise, score each other",
        subcommands=(
            SubcommandSpec("help", "How peer mock interviews work"),
            SubcommandSpec("join", "Join the mock interview pool (a short form)"),
            SubcommandSpec("availability", "Change when you are free each week",
                           options=(OptionSpec("text", "Your weekly times, e.g. Mon-Thu 18:00-21:00",
                                               max_length=500),)),
            SubcommandSpec("pause", "Pause pairing, until a date or until you resume",
                           options=(OptionSpec("until", "The date you come back (YYYY-MM-DD)", max_length=10),)),
            SubcommandSpec("resume", "Come back after a pause"),
            SubcommandSpec("leave", "Leave the mock interview pool"),
            SubcommandSpec("status", "Your next session, partner, history and scorecard averages"),
            SubcommandSpec("feedback", "Your latest scorecard (only you can see it)"),
            SubcommandSpec("schedule", "When this community's pairing round runs",
                           options=(OptionSpec("day", "Weekday of the round", choices=DAYS),
                                    OptionSpec("time", "Time of day, HH:MM in the community's timezone",
                                               max_length=5)),
                           admin_only=True),
            SubcommandSpec("pair-now", "Run a pairing round now", admin_only=True),
        ),
    ),
)


def build(services: Services) -> FeatureSpec:
    """The feature, built. Its machinery is imported here, when the core is built, so reading COMMANDS
    (the catalogue the adapters parse against before the core exists) imports none of it."""
    from bot.features.mock.feature import build_feature

    return build_feature(services)
