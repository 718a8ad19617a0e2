"""The daily question's domain types: a round (one day's question) and a member's answer to it."""

from bot.store.daily import Answer, Round, RoundStatus, SaveOutcome

__all__ = ["Answer", "Round", "RoundStatus", "SaveOutcome"]
