"""Who this process is, for the leases it takes (outbox claims), and which other holders are dead.

A lease names its owner as `host/pid/token`, the token new at every start. After a crash, the restarted
process finds the claims its earlier life left on this host and ends them at once instead of waiting
the lease out: their owner's pid is gone, or it is its own pid with another token (a container's PID 1).
A live process on the same host, or any process on another host, keeps its claims until they expire.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProcessId:
    host: str
    pid: int
    token: str

    @classmethod
    def current(cls) -> ProcessId:
        return cls(socket.gethostname(), os.getpid(), uuid.uuid4().hex[:12])

    @property
    def owner(self) -> str:
        return f"{self.host}/{self.pid}/{self.token}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def dead_owners(me: ProcessId, owners: list[str]) -> list[str]:
    """The owners among `owners` that are certainly dead processes of this host."""
    dead = []
    for owner in owners:
        host, _, rest = owner.partition("/")
        pid_text, _, token = rest.partition("/")
        if host != me.host or not pid_text.isdigit() or owner == me.owner:
            continue
        pid = int(pid_text)
        if (pid == me.pid and token != me.token) or (pid != me.pid and not _pid_alive(pid)):
            dead.append(owner)
    return dead
