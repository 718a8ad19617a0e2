"""The Slack test harness: the real core and SlackAdapter against the fake Slack (slack_fake.py).

The fixtures live here, not in a conftest.py: test modules elsewhere import names from `conftest`,
which is whichever folder's conftest was imported last; a Slack one would shadow theirs. Test modules
here import the fixtures they use (`from slack_harness import fake_fixture, ...`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fakes import FakeScheduler, small_bank
from slack_fake import BOT_TOKEN, SECRET, FakeSlack, dispatch

from adapters.slack.adapter import SlackAdapter
from bot.bootstrap import Core, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.events import Event
from bot.messages import Response

MONDAY_8 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


class SlackHarness:
    """The real core (fake clock and scheduler) behind the real SlackAdapter, talking to a fake Slack."""

    def __init__(self, fake: FakeSlack, clock: ManualClock, db: str, **adapter_kw: Any) -> None:
        self.fake = fake
        self.clock = clock
        self.db = db
        self.adapter_kw = adapter_kw
        self.scheduler = FakeScheduler()
        self.core: Core
        self.adapter: SlackAdapter
        #: the events the core got while scripted (see `script`)
        self.events: list[Event] = []

    def config(self, **kw: Any) -> Config:
        base: dict[str, Any] = dict(db=self.db, slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET,
                                    slack_api_url=self.fake.api_url, slack_port=0)
        base.update(kw)
        return Config(**base)

    async def boot(self, **config_kw: Any) -> SlackHarness:
        self.scheduler = FakeScheduler()
        self.core = await build_core(self.config(**config_kw), clock=self.clock, scheduler=self.scheduler,
                                     bank=small_bank(), chat=ChatRouter())
        kw = {"pace_seconds": 0.0, "retry_jitter": 0.0, "host": "127.0.0.1", **self.adapter_kw}
        self.adapter = SlackAdapter(self.core, self.config(**config_kw), **kw)
        return self

    async def restart(self) -> None:
        await self.adapter.close()
        await self.core.close()
        await self.boot()

    def script(self, answer: Callable[[Event], Awaitable[Response] | Response]) -> None:
        """The core answers with `answer(event)` instead of its features (a Response the features do not
        produce yet: files, selects, refresh_home); every event is kept in `events`. Set again after a restart."""

        async def handle(event: Event) -> Response:
            self.events.append(event)
            result = answer(event)
            return result if isinstance(result, Response) else await result

        self.core.bot.handle = handle  # type: ignore[method-assign]

    async def send(self, payload: dict[str, Any], **sign: Any) -> Any:
        """Dispatch a signed request into the AsyncApp, then wait for the work it started."""
        response = await dispatch(self.adapter.app, payload, **sign)
        await self.adapter.idle()
        return response

    async def run_until(self, when: datetime) -> None:
        while (nxt := self.scheduler.next_run()) is not None and nxt <= when:
            self.clock.set(max(nxt, self.clock.now()))
            await self.scheduler.fire_due(self.clock.now())
        self.clock.set(when)
        await self.scheduler.fire_due(when)

    async def close(self) -> None:
        await self.adapter.close()
        await self.core.close()


# fixtures (imported by the test modules) ----------------------------------------------------------
@pytest.fixture(name="clock")
def clock_fixture() -> ManualClock:
    return ManualClock(MONDAY_8)


@pytest.fixture(name="fake")
async def fake_fixture(clock: ManualClock) -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack(now=clock.now).start()
    yield slack
    await slack.close()


@pytest.fixture(name="harness")
async def harness_fixture(fake: FakeSlack, clock: ManualClock) -> AsyncIterator[SlackHarness]:
    h = await SlackHarness(fake, clock, ":memory:").boot()
    yield h
    await h.close()
