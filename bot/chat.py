"""The ChatPort the core sees: routes each call to the adapter of the community's platform.

A platform call made by background work (a job, a listener) waits for its turn on the event loop once it
returns (bot.precedence), as its database calls do: a member's request goes first."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TypeVar

from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Reply
from bot.ports import ChatPort, DeliveryError, DeliveryProblem
from bot.precedence import MembersFirst

T = TypeVar("T")


class ChatRouter:
    def __init__(self) -> None:
        self._ports: dict[Platform, ChatPort] = {}
        self._precedence: MembersFirst | None = None

    def give_way(self, precedence: MembersFirst) -> None:
        """Background work's platform calls take turns there (the composition root's one MembersFirst)."""
        self._precedence = precedence

    async def _then_turn(self, call: Awaitable[T]) -> T:
        """The platform call's outcome, once the caller's turn came (at once for members' work). A member's
        request waiting on the platform does not hold background work up meanwhile."""
        if self._precedence is None:
            return await call
        with self._precedence.platform_call():
            result = await call
        await self._precedence.turn()
        return result

    def register(self, platform: Platform, port: ChatPort) -> None:
        self._ports[platform] = port

    def _port(self, platform: Platform) -> ChatPort:
        port = self._ports.get(platform)
        if port is None:
            raise DeliveryError(DeliveryProblem.UNAVAILABLE, f"{platform.value} is not connected")
        return port

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        return await self._then_turn(self._port(destination.community.platform).send(destination, reply))

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        return await self._then_turn(self._port(member.community.platform).send_direct(member, reply))

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        port = self._port(channel.community.platform)
        await self._then_turn(port.send_private_notice(channel, member, reply))

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        await self._then_turn(self._port(message.channel.community.platform).edit(message, reply))

    async def delete(self, message: MessageRef) -> None:
        await self._then_turn(self._port(message.channel.community.platform).delete(message))

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """False when the platform is not connected here: only its adapter could know the key."""
        port = self._ports.get(community.platform)
        if port is None:
            return False
        return await self._then_turn(port.edit_private(community, key, reply))

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        port = self._port(channel.community.platform)
        return await self._then_turn(port.open_private_space(channel, members, name))

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        port = self._port(channel.community.platform)
        return await self._then_turn(port.find_private_space(channel, name, members))

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        port = self._port(message.channel.community.platform)
        return await self._then_turn(port.start_thread(message, name))

    async def member_exists(self, member: MemberRef) -> bool | None:
        try:
            port = self._port(member.community.platform)
        except DeliveryError:
            return None
        return await self._then_turn(port.member_exists(member))

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        port = self._port(destination.community.platform)
        return await self._then_turn(port.find_posted(destination, idempotency_key, since))
