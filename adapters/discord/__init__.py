"""The Discord adapter: studybot's core behind discord.py (app commands, buttons, modals, a ChatPort).

Modules here import the library as `discord`, absolutely; this package is `adapters.discord` and never
shadows it (`adapters/__init__.py` makes the package name unambiguous, for mypy too).
"""
