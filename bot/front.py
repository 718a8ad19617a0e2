"""What an adapter needs of the core (`Front`), and `CoreOnItsWay`, which stands in while the core is built.

With tokens set, studybot connects to Discord and Slack first and builds the core meanwhile, so start-up
costs the platforms' round trips, not those and our imports one after the other. An adapter needs the
catalogue at once (to parse a slash command before it acknowledges it) and the chat router to register
with; both exist before the core. What reaches the core (`handle`, `community_removed`) waits for it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.chat import ChatRouter
    from bot.events import Event
    from bot.messages import Response
    from bot.registry import Catalogue


class Front(Protocol):
    """The core as an adapter sees it."""

    @property
    def chat(self) -> ChatRouter: ...

    @property
    def catalogue(self) -> Catalogue: ...

    async def handle(self, event: Event) -> Response: ...

    async def community_removed(self, community_key: str) -> None: ...


class CoreOnItsWay:
    """A `Front` for a core still being built: `handle` and `community_removed` wait until `arrived`
    hands over the core (or `failed` says why there will be none)."""

    def __init__(self, chat: ChatRouter, catalogue: Catalogue) -> None:
        self._chat = chat
        self._catalogue = catalogue
        self._core: asyncio.Future[Front] = asyncio.get_running_loop().create_future()

    @property
    def chat(self) -> ChatRouter:
        return self._chat

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    def arrived(self, core: Front) -> None:
        if core.catalogue.commands != self._catalogue.commands:  # what was parsed is what the core routes
            raise RuntimeError("the core's catalogue differs from the one the adapters were given")
        self._core.set_result(core)

    def failed(self, exc: BaseException) -> None:
        if not self._core.done():
            self._core.set_exception(exc)
            self._core.exception()  # retrieved here: nobody may be waiting

    async def handle(self, event: Event) -> Response:
        return await (await asyncio.shield(self._core)).handle(event)

    async def community_removed(self, community_key: str) -> None:
        await (await asyncio.shield(self._core)).community_removed(community_key)
