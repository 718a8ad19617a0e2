"""The ChatPort the core sees: routes each call to the adapter of the community's platform."""

from __future__ import annotations

from datetime import datetime

from bot.ids import ChannelRef, CommunityRef, MemberRef, MessageRef, Platform
from bot.messages import Reply
from bot.ports import ChatPort, DeliveryError, DeliveryProblem


class ChatRouter:
    def __init__(self) -> None:
        self._ports: dict[Platform, ChatPort] = {}

    def register(self, platform: Platform, port: ChatPort) -> None:
        self._ports[platform] = port

    def _port(self, platform: Platform) -> ChatPort:
        port = self._ports.get(platform)
        if port is None:
            raise DeliveryError(DeliveryProblem.UNAVAILABLE, f"{platform.value} is not connected")
        return port

    async def send(self, destination: ChannelRef, reply: Reply) -> MessageRef:
        return await self._port(destination.community.platform).send(destination, reply)

    async def send_direct(self, member: MemberRef, reply: Reply) -> MessageRef:
        return await self._port(member.community.platform).send_direct(member, reply)

    async def send_private_notice(self, channel: ChannelRef, member: MemberRef, reply: Reply) -> None:
        await self._port(channel.community.platform).send_private_notice(channel, member, reply)

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        await self._port(message.channel.community.platform).edit(message, reply)

    async def delete(self, message: MessageRef) -> None:
        await self._port(message.channel.community.platform).delete(message)

    async def edit_private(self, community: CommunityRef, key: str, reply: Reply) -> bool:
        """False when the platform is not connected here: only its adapter could know the key."""
        port = self._ports.get(community.platform)
        if port is None:
            return False
        return await port.edit_private(community, key, reply)

    async def open_private_space(self, channel: ChannelRef, members: tuple[MemberRef, ...],
                                 name: str) -> ChannelRef:
        return await self._port(channel.community.platform).open_private_space(channel, members, name)

    async def find_private_space(self, channel: ChannelRef, name: str,
                                 members: tuple[MemberRef, ...]) -> ChannelRef | None:
        return await self._port(channel.community.platform).find_private_space(channel, name, members)

    async def start_thread(self, message: MessageRef, name: str) -> ChannelRef:
        return await self._port(message.channel.community.platform).start_thread(message, name)

    async def member_exists(self, member: MemberRef) -> bool | None:
        try:
            port = self._port(member.community.platform)
        except DeliveryError:
            return None
        return await port.member_exists(member)

    async def find_posted(self, destination: ChannelRef, idempotency_key: str,
                          since: datetime) -> MessageRef | None:
        port = self._port(destination.community.platform)
        return await port.find_posted(destination, idempotency_key, since)
