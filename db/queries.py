"""Read queries shared by handlers and web views."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attachment, Item, OutboxMessage


async def item_by_code(session: AsyncSession, code: str) -> Item | None:
    return await session.scalar(select(Item).where(Item.tracking_code == code))


async def outbox_for_chat(
    session: AsyncSession, channel: str, chat_id: str, after_id: int, limit: int = 50
) -> Sequence[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.id > after_id,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return rows.all()


async def attachments_to_fetch(
    session: AsyncSession, channels: Sequence[str], max_attempts: int, limit: int = 20
) -> Sequence[Attachment]:
    rows = await session.scalars(
        select(Attachment)
        .where(
            Attachment.stored_path.is_(None),
            Attachment.attempts < max_attempts,
            Attachment.channel.in_(channels),
        )
        .order_by(Attachment.id)
        .limit(limit)
    )
    return rows.all()
