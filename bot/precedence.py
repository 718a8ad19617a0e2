"""Members first: background work (jobs, signal listeners) takes its next step only when no member waits.

asyncio runs every ready step in arrival order, and one interpreter lock serves the event loop and the
database threads alike: whatever the process does, it does one piece at a time. At the 09:00 herd the
daily jobs' steps (reading a schedule, posting, marking a round posted, planning the next wake-up) used
about half of that one lane, and a member's answer waited behind whichever steps were queued before it:
answers' p99 went from 3.7 ms to 11-13 ms while 300 communities posted (bench scheduler). The database
already takes members' writes before background ones (bot.store.db); this does the same for the loop.

Background work marks itself (`background()`, a context variable its tasks inherit) and, at each of its
await points that cross to the outside (a database call, a platform call, the start of a job), calls
`turn()`. A turn is given at once when no member's request is being handled and nothing background is
waiting; otherwise the step waits in line, and waiting steps are let go one per turn of the event loop
while members are idle, so a member who arrives finds at most one background step ahead. While members'
requests keep coming, one waiting step still goes every `MAX_WAIT_S`, so the herd is slowed, never
stopped. A member's request waiting on a platform call (`platform_call()`, which the chat router takes) is
not using the loop meanwhile, so it does not count as busy then: a slow Slack or Discord call inside a
command holds background work up for none of its duration.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
from collections.abc import Iterator

#: while members' requests are being handled, one waiting background step still goes this often
MAX_WAIT_S = 0.005

_BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("studybot_background", default=False)


class _Request:
    """One member's request being handled: how many of its platform calls are in flight."""

    __slots__ = ("calls", "ended")

    def __init__(self) -> None:
        self.calls = 0
        self.ended = False


_REQUEST: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("studybot_request", default=None)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Within this (and the tasks started within it), work gives way to members' requests: on the event
    loop (`MembersFirst.turn`) and in the database (its background lane)."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


def in_background() -> bool:
    """Whether the current task's work is background work."""
    return _BACKGROUND.get()


class MembersFirst:
    """Counts the members' requests being handled and holds background steps back while there are any.

    One per process, built by the composition root and handed to the router (which counts members), the
    database, the chat router and the job queue (which ask for turns)."""

    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self._max_wait_s = max_wait_s
        self._members = 0
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._next_turn: asyncio.Handle | None = None  # a step let go at the loop's next turn
        self._overdue: asyncio.TimerHandle | None = None  # a step let go though members are busy
        self._stepped = False  # a background step went at once during this turn of the loop
        self.held = 0  # background steps that waited for a turn (observability, tests, benchmarks)

    @property
    def members_busy(self) -> bool:
        return self._members > 0

    @contextlib.contextmanager
    def member(self) -> Iterator[None]:
        """Around the handling of one member's request."""
        request = _Request()
        token = _REQUEST.set(request)
        self._members += 1
        try:
            yield
        finally:
            _REQUEST.reset(token)
            request.ended = True
            if not request.calls:  # (while a call of it is in flight it is counted out already)
                self._left()

    @contextlib.contextmanager
    def platform_call(self) -> Iterator[None]:
        """Around a platform call: a member's request waiting on it is not busy meanwhile (however many of
        its calls are in flight at once); background work's calls are unaffected."""
        request = None if _BACKGROUND.get() else _REQUEST.get()
        if request is not None and not request.ended:
            request.calls += 1
            if request.calls == 1:
                self._left()
        else:
            request = None
        try:
            yield
        finally:
            if request is not None:
                request.calls -= 1
                if not request.calls and not request.ended:
                    self._members += 1

    def _left(self) -> None:
        self._members -= 1
        if not self._members:
            self._schedule_next()

    async def turn(self) -> None:
        """Background work: wait until it may take its next step. Members' work never waits here."""
        if not _BACKGROUND.get():
            return
        if not self._members and not self._waiting and not self._stepped:
            # the first step of this loop turn goes at once; others wait for the next turn, so a member's
            # request arriving meanwhile finds one step ahead, not every step made ready together
            self._stepped = True
            asyncio.get_running_loop().call_soon(self._new_turn)
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiting.append(fut)
        self.held += 1
        self._schedule_next()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # its turn came as it was cancelled: hand it on
                self._schedule_next()
            raise

    def _new_turn(self) -> None:
        self._stepped = False

    def _schedule_next(self) -> None:
        if not self._waiting:
            return
        loop = asyncio.get_running_loop()
        if self._members:
            if self._overdue is None:
                self._overdue = loop.call_later(self._max_wait_s, self._let_go, True)
        elif self._next_turn is None:
            self._next_turn = loop.call_soon(self._let_go, False)

    def _let_go(self, overdue: bool) -> None:
        """Let the oldest waiting step go, if members are idle (or it waited `max_wait_s`)."""
        if overdue:
            self._overdue = None
        else:
            self._next_turn = None
        if overdue or not self._members:
            while self._waiting:
                fut = self._waiting.popleft()
                if not fut.done():
                    fut.set_result(None)
                    break
        self._schedule_next()
