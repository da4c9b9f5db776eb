"""Store inbound events (before acknowledging them) and process stored ones."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Channel
from bot.jobs.held import before_engine
from db.engine import SessionFactory
from db.models import InboxEvent
from handlers import actions
from handlers.conversation.engine import handle_inbound
from handlers.conversation.turn import Deps
from handlers.conversation.types import Reply

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SORRY = (
    "Xin lỗi anh/chị, hệ thống gặp sự cố khi xử lý tin nhắn vừa gửi. "
    "Anh/chị vui lòng thử lại sau ít phút."
)


async def store_event(
    sessions: SessionFactory, channel: str, event_id: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Commit the event to the inbox; False when it was already there (a redelivery)."""
    async with sessions.begin() as session:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            insert(InboxEvent)
            .values(channel=channel, event_id=event_id, payload=payload, received_at=now,
                    attempts=0)
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        )
        result = await session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def process_pending(
    sessions: SessionFactory,
    channels: Mapping[str, Channel],
    deps: Deps,
    clock: Callable[[], datetime],
    limit: int = 50,
) -> int:
    """Handle stored events in arrival order; each in one transaction with its effects."""
    async with sessions() as session:
        ids = (
            await session.scalars(
                select(InboxEvent.id)
                .where(InboxEvent.processed_at.is_(None), InboxEvent.attempts < MAX_ATTEMPTS)
                .order_by(InboxEvent.id)
                .limit(limit)
            )
        ).all()
    done = 0
    for event_id in ids:
        try:
            async with sessions.begin() as session:
                done += await _process_one(session, event_id, channels, deps, clock())
        except Exception as exc:  # any failure: count it, keep the event, go on with the rest
            log.exception("inbox event %s failed", event_id)
            await _record_failure(sessions, event_id, exc, channels, clock())
    return done


async def _process_one(
    session: AsyncSession,
    event_id: int,
    channels: Mapping[str, Channel],
    deps: Deps,
    now: datetime,
) -> int:
    event = await session.scalar(
        select(InboxEvent)
        .where(InboxEvent.id == event_id, InboxEvent.processed_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    if event is None:  # another process has it
        return 0
    channel = channels.get(event.channel)
    message = channel.parse(event.payload) if channel is not None else None
    # The hook releases messages held for this chat (the resident wrote again) and may
    # answer the message itself (a keep-alive "OK", withheld content).
    if message is not None and not await before_engine(session, message, deps=deps, now=now):
        await handle_inbound(session, message, now=now, deps=deps)
    event.processed_at = now
    return 1


async def _record_failure(
    sessions: SessionFactory,
    event_id: int,
    exc: Exception,
    channels: Mapping[str, Channel],
    now: datetime,
) -> None:
    async with sessions.begin() as session:
        event = await session.get(InboxEvent, event_id)
        if event is None:
            return
        event.attempts += 1
        event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if event.attempts < MAX_ATTEMPTS:
            return
        event.processed_at = now
        log.error("inbox event %s given up after %s attempts", event_id, event.attempts)
        channel = channels.get(event.channel)
        try:
            message = channel.parse(event.payload) if channel is not None else None
        except Exception:  # the payload itself may be what failed
            message = None
        if message is not None:
            actions.enqueue(session, channel=event.channel, chat_id=message.chat_id,
                            reply=Reply(SORRY), now=now)
