"""The ChatPort the core sees: routes each call to the adapter of the community's platform.

A platform call made by background work (a job, a listener) waits for its turn on the event loop once it
returns (bot.precedence), as its database calls do: a member's request goes first."""

from __future__ import annotations

from datetime import datetime

from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Reply
from bot.ports import ChatPort, DeliveryError, DeliveryProblem
from bot.precedence import MembersFirst


class ChatRouter:
    def __init__(self) -> None:
        self._ports: dict[Platform, ChatPort] = {}
        self._precedence: MembersFirst | None = None

    def give_way(self, precedence: MembersFirst) -> None:
        """Background work's platform calls take turns there (the composition root's one MembersFirst)."""
        self._precedence = precedence

    async def _turn(self) -> None:
        if self._precedence is not None:
            await self._precedence.turn()

    def register(self, platform: Platform, port: ChatPort) -> None:
        self._ports[platform] = port

    def _port(self, platform: Platform) -> ChatPort:
        port = self._ports.get(platform)
        if port is None:
            raise DeliveryError(DeliveryProblem.UNAVAILABLE, f"{platform.value} is not connected")
        return port

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        result = await self._port(destination.community.platform).send(destination, reply)
        await self._turn()
        return result

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        result = await self._port(member.community.platform).send_direct(member, reply)
        await self._turn()
        return result

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        await self._port(channel.community.platform).send_private_notice(channel, member, reply)
        await self._turn()

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        await self._port(message.channel.community.platform).edit(message, reply)
        await self._turn()

    async def delete(self, message: MessageRef) -> None:
        await self._port(message.channel.community.platform).delete(message)
        await self._turn()

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """False when the platform is not connected here: only its adapter could know the key."""
        port = self._ports.get(community.platform)
        if port is None:
            return False
        result = await port.edit_private(community, key, reply)
        await self._turn()
        return result

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        result = await self._port(channel.community.platform).open_private_space(channel, members, name)
        await self._turn()
        return result

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        result = await self._port(channel.community.platform).find_private_space(channel, name, members)
        await self._turn()
        return result

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        result = await self._port(message.channel.community.platform).start_thread(message, name)
        await self._turn()
        return result

    async def member_exists(self, member: MemberRef) -> bool | None:
        try:
            port = self._port(member.community.platform)
        except DeliveryError:
            return None
        result = await port.member_exists(member)
        await self._turn()
        return result

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        port = self._port(destination.community.platform)
        result = await port.find_posted(destination, idempotency_key, since)
        await self._turn()
        return result
