"""`studybot` as an operator runs it: start-up mistakes are one clear line, signals shut it down cleanly,
and the console keeps its clock across a restart. Run as real child processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adapters.cli import main

STUDYBOT = [sys.executable, "-m", "adapters"]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "STUDYBOT_"))}
    env.update(STUDYBOT_DB=str(tmp_path / "bot.db"), **extra)
    return env


@pytest.mark.parametrize(("argv", "env", "said"), [
    (["run", "--db", "/no/such/folder/bot.db"], {}, "database folder /no/such/folder does not exist"),
    (["run", "--console"], {"STUDYBOT_LOG_LEVEL": "LOUD"}, "not a log level"),
    (["discord", "invite-url"], {"DISCORD_TOKEN": "not-a-token"}, "application id"),
    (["discord", "invite-url", "--client-id", "abc"], {}, "numeric application id"),
])
def test_start_up_mistakes_are_one_clear_line(tmp_path: Path, argv: list[str], env: dict[str, str],
                                              said: str) -> None:
    done = subprocess.run([*STUDYBOT, *argv], env=env_for(tmp_path, **env), capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and said in lines[0], done.stderr


def test_invite_url_with_a_client_id_needs_no_token(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["discord", "invite-url", "--client-id", "123456789012345678"]) == 0
    assert "client_id=123456789012345678" in capsys.readouterr().out


def _start(tmp_path: Path, prefix: list[str] | None = None) -> subprocess.Popen[str]:
    proc = subprocess.Popen([*(prefix or []), *STUDYBOT, "run", "--console"], env=env_for(tmp_path),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # ready once it greets
        line = proc.stdout.readline()
        if "studybot console" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"the console never started: {proc.stderr.read() if proc.stderr else ''}")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_shuts_the_bot_down_cleanly_without_waiting_for_input(tmp_path: Path, sig: signal.Signals,
                                                                       code: int) -> None:
    proc = _start(tmp_path)
    try:
        proc.send_signal(sig)  # stdin stays open: nothing is typed, nothing is closed
        assert proc.wait(timeout=10) == code
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare as root")
def test_as_pid_1_sigterm_stops_it_at_once(tmp_path: Path) -> None:
    probe = subprocess.run(["unshare", "--fork", "--pid", "--mount-proc", "true"], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        pytest.skip("this sandbox cannot make a PID namespace")
    proc = _start(tmp_path, ["unshare", "--fork", "--pid", "--mount-proc"])
    try:
        child = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False)
        pids = [int(p) for p in child.stdout.split()]
        assert len(pids) == 1
        # PID 1 of its namespace: a signal from outside is dropped unless the process handles it
        os.kill(pids[0], signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_console_clock_survives_a_restart(tmp_path: Path) -> None:
    script = "/clock +3d\n/quit\n"
    subprocess.run([*STUDYBOT, "run", "--console"], env=env_for(tmp_path), input=script, capture_output=True,
                   text=True, timeout=60, check=True)
    assert (tmp_path / "bot.db.clock").read_text().strip() == str(3 * 86400)
    again = subprocess.run([*STUDYBOT, "run", "--console"], env=env_for(tmp_path), input="/time\n",
                           capture_output=True, text=True, timeout=60, check=True)
    shown = [line for line in again.stdout.splitlines() if "It is" in line]
    assert shown, again.stdout
    from datetime import UTC, datetime, timedelta
    expected = (datetime.now(UTC) + timedelta(days=3)).strftime("%d %b %Y")
    assert expected in shown[0]
