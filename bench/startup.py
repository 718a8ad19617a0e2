"""Start-up with Discord and Slack tokens set: how long until studybot first contacts a platform (the
login the member waits on), how long until it could answer if the platforms connected at once (the
core built and the catch-up run), and peak memory; beside the libraries it runs on.

Two baselines: the bare imports of the issue's list, and those libraries as a serving studybot uses them
(with the parts of them it imports on top).

The studybot trial drives the real `studybot run` path (`adapters.cli.run`) with the two adapters'
`start` replaced by a recorder that connects nowhere and their `wait_ready` answering at once, so the
"ready" figure is studybot's own work with the network taken out.

Each trial is a new interpreter (`python -c`), so nothing is cached in the process; the OS file cache is
warm for both (the first, cold pair is thrown away). Bytecode is compiled into a private cache by that
first pair, as an installed package or a second `make run` has it (this machine sets
PYTHONDONTWRITEBYTECODE, under which every start would compile our source again).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

TRIALS = 7
#: the issue's list of the libraries studybot runs on, imported
BARE = textwrap.dedent("""
    import time, resource
    t0 = time.perf_counter()
    import asyncio, sqlite3, aiosqlite, apscheduler.schedulers.asyncio, yaml, pydantic, discord, slack_bolt.async_app
    took = time.perf_counter() - t0
    mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(took, took, mb, mb)
""")
#: the same libraries as a serving studybot uses them: with Slack's Socket Mode handler, fsrs and tomllib
#: (its config file). Not pydantic's models: items are validated where they enter and served as plain
#: records, so pydantic (about 5 MB once a model is defined) is imported only to validate a pack or a bank
#: whose cache is stale.
AS_USED = textwrap.dedent("""
    import time, resource
    t0 = time.perf_counter()
    import asyncio, sqlite3, aiosqlite, apscheduler.schedulers.asyncio, yaml, pydantic, discord, slack_bolt.async_app
    import slack_bolt.adapter.socket_mode.async_handler, fsrs, tomllib
    took = time.perf_counter() - t0
    mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(took, took, mb, mb)
""")
STUDYBOT = textwrap.dedent("""
    import time, resource
    t0 = time.perf_counter()
    import asyncio
    from adapters import cli
    from adapters.discord.adapter import DiscordAdapter
    from adapters.slack.adapter import SlackAdapter
    marks = {}

    async def start(self):  # where the real one logs in: the first platform contact
        marks.setdefault("contact", time.perf_counter() - t0)
        marks.setdefault("contact_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        await asyncio.Event().wait()

    async def wait_ready(self):
        return None

    for adapter in (DiscordAdapter, SlackAdapter):
        adapter.start, adapter.wait_ready = start, wait_ready

    async def up():
        running = asyncio.current_task()

        def ready():
            marks["ready"] = time.perf_counter() - t0
            marks["mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            running.cancel()

        try:
            await cli.run(cli.load_config(), when_ready=ready)
        except asyncio.CancelledError:
            pass

    asyncio.run(up())
    print(marks["contact"], marks["ready"], marks["contact_mb"], marks["mb"])
""")


def trial(code: str, env: dict[str, str]) -> tuple[float, ...]:
    """(seconds to first contact, seconds to ready, peak MB at contact, peak MB when ready)."""
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return tuple(float(v) for v in out.stdout.split())


def main(quick: bool = False) -> None:
    trials = 3 if quick else TRIALS
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"DISCORD_TOKEN": "bench.token.x", "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_APP_TOKEN": "xapp-bench",
                "SLACK_SIGNING_SECRET": "bench-secret", "STUDYBOT_DB": os.path.join(tmp, "startup.db"),
                "PYTHONPYCACHEPREFIX": os.path.join(tmp, "pycache"), "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
                "STUDYBOT_LOG_LEVEL": "WARNING"}
        figures: dict[str, list[tuple[float, ...]]] = {"bare": [], "as used": [], "studybot": []}
        for n in range(trials + 1):  # alternate, so all see the same machine; the first round warms the caches
            for name, code in (("bare", BARE), ("as used", AS_USED), ("studybot", STUDYBOT)):
                result = trial(code, env)
                if n:
                    figures[name].append(result)
    print(f"start-up with Discord + Slack tokens; medians (ranges) of {trials} fresh processes")
    rows = [("figure", "studybot", "bare library imports", "libraries as used", "target")]
    for label, index, unit, target in (("first platform contact (login)", 0, "s", "< 0.7 s"),
                                       ("ready to answer, network aside", 1, "s", "-"),
                                       ("peak memory at first contact", 2, "MB", "< 70 MB"),
                                       ("peak memory when ready", 3, "MB", "< 70 MB")):
        cells = []
        for name in ("studybot", "bare", "as used"):
            values = [f[index] for f in figures[name]]
            cells.append(f"{statistics.median(values):.2f} {unit} ({min(values):.2f}-{max(values):.2f})")
        rows.append((label, *cells, target))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
