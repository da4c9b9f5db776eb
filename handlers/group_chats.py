"""Unit group chats: a one-time code links a group chat to a unit, so that the unit's new
items, reminders and escalations are announced there as well as to its staff one by one.

Group announcements carry no buttons and never a denunciation's sender: staff act on items
in their private chat with the bot, where their role is checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import GroupInvite, UnitGroupChat
from handlers.actions import ActionRefused, audit, new_link_code
from handlers.actions import hash_code as hash_link_code  # staff codes' normalisation
from handlers.conversation import texts as t
from handlers.profiles import Profile

GROUP_INVITE_TTL = timedelta(hours=72)


async def create_group_invite(
    session: AsyncSession,
    *,
    unit_code: str,
    profile: Profile,
    now: datetime,
    ttl: timedelta = GROUP_INVITE_TTL,
    actor: str = "cli",
) -> str:
    """A one-time code that links a group chat to ``unit_code``; expires after ``ttl``."""
    unit = profile.units.get(unit_code)
    if unit is None:
        units = ", ".join(profile.units)
        raise ActionRefused(f"Không có đơn vị «{unit_code}» (có: {units}).")
    code = new_link_code()
    session.add(GroupInvite(code_hash=hash_link_code(code), unit_code=unit_code,
                            created_at=now, expires_at=now + ttl))
    audit(session, at=now, actor=actor, action="group_invite", data={"unit": unit_code})
    await session.flush()
    return code


async def link_group(
    session: AsyncSession,
    *,
    code: str,
    channel: str,
    chat_id: str,
    user_id: str,
    now: datetime,
) -> UnitGroupChat:
    """Link the group ``chat_id`` to the unit of a valid, unused, unexpired group code.
    A group already linked moves to the new code's unit (one unit per group)."""
    invite = await session.scalar(
        select(GroupInvite).where(GroupInvite.code_hash == hash_link_code(code))
        .with_for_update()
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise ActionRefused(t.GROUP_LINK_BAD)
    invite.used_at = now
    group = await session.scalar(
        select(UnitGroupChat).where(UnitGroupChat.channel == channel,
                                    UnitGroupChat.chat_id == chat_id)
    )
    previous = group.unit_code if group is not None and group.active else None
    if group is None:
        group = UnitGroupChat(unit_code=invite.unit_code, channel=channel, chat_id=chat_id,
                              linked_by=user_id, linked_at=now, active=True)
        session.add(group)
    else:
        group.unit_code = invite.unit_code
        group.linked_by = user_id
        group.linked_at = now
        group.active = True
    audit(session, at=now, actor=f"{channel}:{user_id}", action="group_link",
          data={"unit": invite.unit_code, "channel": channel, "previous_unit": previous})
    await session.flush()
    return group
