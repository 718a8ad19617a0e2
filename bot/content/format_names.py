"""The formats a pack can be imported from and the bank exported to, by name: plain data, so the command
catalogue can offer them without importing the converters (formats.py) or the item schema."""

from __future__ import annotations

FORMATS = ("studybot", "red-trivia", "opentdb", "gift", "anki-tsv", "csv")
FORMAT_NAMES = {
    "studybot": "studybot YAML",
    "red-trivia": "a Red-DiscordBot trivia list",
    "opentdb": "Open Trivia DB",
    "gift": "Moodle GIFT",
    "anki-tsv": "an Anki TSV deck",
    "csv": "CSV",
}
