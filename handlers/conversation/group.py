"""Messages in group chats. The bot talks to residents and staff in private; a group only
links itself to a unit with ``/link CODE`` (a group code from ``python -m bot staff
invite-group``) and then receives that unit's announcements.

A linked group's own talk is left alone; a command there gets a short pointer to the
private chat. An unlinked group is told the bot works in private chats only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from handlers.actions import ActionRefused
from handlers.conversation import texts as t
from handlers.conversation.turn import Deps
from handlers.conversation.types import InboundMessage, Reply
from handlers.group_chats import link_group


async def handle(
    session: AsyncSession, msg: InboundMessage, *, now: datetime, deps: Deps
) -> list[Reply]:
    command = msg.command
    if command is not None and command[0] == "link":
        return await _link(session, msg, command[1], now, deps)
    group = await queries.group_chat(session, msg.channel, msg.chat_id)
    if group is None:
        return [Reply(t.NO_GROUPS)]
    if command is not None or msg.button is not None:
        return [Reply(t.GROUP_LINKED_HELP.format(unit=deps.rules.unit_name(group.unit_code)))]
    return []


async def _link(
    session: AsyncSession, msg: InboundMessage, code: str, now: datetime, deps: Deps
) -> list[Reply]:
    if not code.strip():
        return [Reply(t.GROUP_LINK_ASK)]
    try:
        async with session.begin_nested():  # a refused code leaves nothing behind
            group = await link_group(session, code=code, channel=msg.channel,
                                     chat_id=msg.chat_id, user_id=msg.user_id, now=now)
    except ActionRefused as exc:
        return [Reply(exc.reason)]
    return [Reply(t.GROUP_LINKED.format(unit=deps.rules.unit_name(group.unit_code)))]
