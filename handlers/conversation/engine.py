"""The conversation engine: one inbound message in, state and outbox rows out.

Channel-neutral and stateless in memory: the dialogue state is a database row, so a restart
(or another process) resumes where the user was.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation
from db.queries import staff_by_account
from handlers import actions
from handlers.conversation import drafts as drafts_dialogue
from handlers.conversation import drafts_staff as drafts_staff_dialogue
from handlers.conversation import group as group_dialogue
from handlers.conversation import resident as resident_dialogue
from handlers.conversation import staff as staff_dialogue
from handlers.conversation.turn import Deps, Turn
from handlers.conversation.types import InboundMessage, Reply
from handlers.rules.small_talk import bare


async def handle_inbound(
    session: AsyncSession, msg: InboundMessage, *, now: datetime, deps: Deps
) -> list[Reply]:
    """Handle one message inside the caller's transaction; replies go to the outbox."""
    if msg.is_group:  # only /link (a unit's group chat); everything else happens in private
        replies = await group_dialogue.handle(session, msg, now=now, deps=deps)
    else:
        conversation = await _conversation(session, msg, now)
        msg = _typed_choice(msg, conversation.data.get("choices", []))
        member = await staff_by_account(session, msg.channel, msg.user_id)
        resident = await actions.get_or_create_resident(
            session, channel=msg.channel, external_id=msg.user_id, now=now
        )
        turn = Turn(session, msg, now, resident, conversation, deps)
        # Drafts of community rules (issue 7): staff /drafts, /draft, sd:*; residents draft:*.
        if drafts_staff_dialogue.wants(msg, conversation.step):
            await drafts_staff_dialogue.handle(turn, member)
        elif staff_dialogue.wants(msg, conversation, member):
            await staff_dialogue.handle(turn, member)
        elif drafts_dialogue.wants(msg, conversation.step):
            await drafts_dialogue.handle(turn)
        else:
            await resident_dialogue.handle(turn)
        replies = turn.replies
        _remember_choices(conversation, replies)
        conversation.updated_at = now
    for reply in replies:
        actions.enqueue(session, channel=msg.channel, chat_id=msg.chat_id, reply=reply, now=now)
    await session.flush()
    return replies


async def _conversation(session: AsyncSession, msg: InboundMessage, now: datetime) -> Conversation:
    found = await session.scalar(
        select(Conversation).where(
            Conversation.channel == msg.channel, Conversation.external_user_id == msg.user_id
        )
        # Two processes handling one user's messages take turns on this row (PostgreSQL).
        .with_for_update()
    )
    if found is not None:
        return found
    conversation = Conversation(
        channel=msg.channel,
        external_user_id=msg.user_id,
        chat_id=msg.chat_id,
        step="idle",
        data={},
        updated_at=now,
    )
    session.add(conversation)
    await session.flush()
    return conversation


def _remember_choices(conversation: Conversation, replies: list[Reply]) -> None:
    buttons = [b for reply in replies[-1:] for row in reply.buttons for b in row]
    choices = [[b.label, b.payload] for b in buttons if b.request is None]
    conversation.data = {**conversation.data, "choices": choices}


def _typed_choice(msg: InboundMessage, choices: list[Any]) -> InboundMessage:
    """On channels without buttons a user types the number or the label of a choice."""
    if msg.button is not None or not msg.text or not choices:
        return msg
    typed = bare(msg.text)
    for number, (label, payload) in enumerate(choices, start=1):
        if typed in (str(number), bare(label)):
            return dataclasses.replace(msg, text=None, button=payload)
    return msg
