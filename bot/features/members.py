"""Whether a member named in a command is real: someone studybot has seen here, or the platform knows."""

from __future__ import annotations

from bot.ids import MemberRef
from bot.ports import ChatPort
from bot.store.protocols import MemberStore


async def known_member(members: MemberStore, chat: ChatPort, member: MemberRef) -> bool:
    """False only when nobody knows them: never seen here, and the platform says they are not a member.

    When the platform cannot tell just now (a failed lookup), the member is given the benefit of the doubt.
    """
    if await members.get(member.community.key, member.id) is not None:
        return True
    return await chat.member_exists(member) is not False
