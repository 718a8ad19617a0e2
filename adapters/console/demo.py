"""`studybot demo`: a scripted week for a few members on the console, transcript and leaderboard printed."""

from __future__ import annotations

from datetime import UTC, datetime

DEMO_START = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)  # a Monday morning


def demo_script(days: int = 7) -> list[str]:
    members = ["alice", "bob", "chen"]
    lines = ["# An admin sets up the daily question: 08:00 Europe/London, every day, reveal at the next post.",
             "/studybot setup", "08:00", "Europe/London", "every day", "all", "next",
             "/clock +1h"]
    for day in range(days):
        lines.append(f"# Day {day + 1}")
        for n, who in enumerate(members):
            if (day + n) % 4 == 3:
                continue  # someone skips now and then
            lines += [f"/as {who}", "/daily",
                      f"{who.title()}'s answer for day {day + 1}: start from the objective, name the trade-off, "
                      "and say how you would check it on held-out data."]
            if who == "alice":
                lines.append("/daily")  # alice reopens the form and edits her answer
                lines.append(f"Alice's edited answer for day {day + 1}, now with a concrete metric.")
        lines.append("/clock +1d")
    lines += ["/as you", "/leaderboard all", "/stats member:alice"]
    return lines

