"""Every ChatPort implementation keeps step with the protocol: each method the core may call is there, is
async, and takes the same parameters (mypy checks the adapters' ports where they are registered; this
also covers the test fake and the router)."""

from __future__ import annotations

import inspect

import pytest
from fakes import FakeChat

from adapters.console.adapter import ConsoleChat
from adapters.discord.chat import DiscordChat
from adapters.slack.chat import SlackChat
from bot.chat import ChatRouter
from bot.ports import ChatPort

METHODS = sorted(name for name, member in vars(ChatPort).items()
                 if inspect.iscoroutinefunction(member) and not name.startswith("_"))


def test_the_protocol_has_the_methods_the_core_uses() -> None:
    assert {"send", "send_direct", "send_private_notice", "edit", "edit_private", "delete", "open_private_space",
            "start_thread", "find_posted", "member_exists"} <= set(METHODS)


@pytest.mark.parametrize("port", [DiscordChat, SlackChat, ConsoleChat, FakeChat, ChatRouter],
                         ids=lambda p: p.__name__)
@pytest.mark.parametrize("name", METHODS)
def test_every_port_implements_every_method(port: type, name: str) -> None:
    method = getattr(port, name, None)
    assert method is not None, f"{port.__name__} has no {name}"
    assert inspect.iscoroutinefunction(method), f"{port.__name__}.{name} is not async"
    wanted = list(inspect.signature(getattr(ChatPort, name)).parameters)
    assert list(inspect.signature(method).parameters) == wanted, f"{port.__name__}.{name}"
