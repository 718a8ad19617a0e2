"""Start-up with Discord and Slack tokens set, up to the moment before either platform is contacted:
wall time and peak memory of a fresh process, beside the bare imports of the libraries it runs on.

Each trial is a new interpreter (`python -c`), so nothing is cached in the process; the OS file cache is
warm for both (the first, cold trial of each is thrown away).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

TRIALS = 7
BARE = textwrap.dedent("""
    import time, resource
    t0 = time.perf_counter()
    import asyncio, sqlite3, aiosqlite, apscheduler.schedulers.asyncio, yaml, pydantic, discord, slack_bolt.async_app
    print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
""")
STUDYBOT = textwrap.dedent("""
    import time, resource
    t0 = time.perf_counter()
    import asyncio
    from adapters import cli

    async def up():
        config = cli.load_config()
        core = await cli.build_core(config)
        adapters = [cli.importlib.import_module("adapters.discord.adapter").DiscordAdapter(core, config),
                    cli.importlib.import_module("adapters.slack.adapter").SlackAdapter(core, config)]
        took = time.perf_counter() - t0
        await core.close()
        return took

    took = asyncio.run(up())
    print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
""")


def trial(code: str, env: dict[str, str]) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    seconds, mb = out.stdout.split()
    return float(seconds), float(mb)


def main(quick: bool = False) -> None:
    trials = 3 if quick else TRIALS
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DISCORD_TOKEN": "bench.token.x", "SLACK_BOT_TOKEN": "xoxb-bench",
               "SLACK_SIGNING_SECRET": "bench-secret", "STUDYBOT_DB": os.path.join(tmp, "startup.db")}
        figures: dict[str, list[tuple[float, float]]] = {"bare": [], "studybot": []}
        for n in range(trials + 1):  # alternate, so both see the same machine; the first pair warms the cache
            for name, code in (("bare", BARE), ("studybot", STUDYBOT)):
                result = trial(code, env)
                if n:
                    figures[name].append(result)
    print(f"start-up with Discord + Slack tokens, before login; medians (ranges) of {trials} fresh processes")
    rows = [("figure", "studybot", "bare library imports", "target")]
    for label, index, unit, target in (("wall time", 0, "s", "< 0.7 s"), ("peak memory", 1, "MB", "< 70 MB")):
        cells = []
        for name in ("studybot", "bare"):
            values = [f[index] for f in figures[name]]
            cells.append(f"{statistics.median(values):.2f} {unit} ({min(values):.2f}-{max(values):.2f})")
        rows.append((label, *cells, target))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
