"""What /leaderboard offers to choose from: its periods and topics. Plain data, so the command catalogue
names them without importing the board."""

from __future__ import annotations

from bot.content.vocabulary import Domain

PERIODS = ("week", "month", "all")
TOPICS = tuple(d.value for d in Domain)
