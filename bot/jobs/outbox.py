"""Send outbox rows: retries with backoff, `retry_after`, and per-chat and global pacing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.channels.base import Channel, HoldUntilUserWrites, SendError
from db.engine import SessionFactory
from db.models import OutboxMessage
from handlers import actions

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
# A claimed row becomes due again after this, so a crash mid-send loses nothing.
CLAIM_LEASE = timedelta(seconds=60)
# Kept, shown as not delivered, until the chat writes again (see bot/jobs/held.py).
HELD = "held"


def backoff(attempts: int) -> timedelta:
    """1 s after the first failure, doubling up to 5 minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


class Pacer:
    """Keeps sends under a platform's per-chat interval and global rate."""

    def __init__(self) -> None:
        self._last_chat: dict[tuple[str, str], float] = {}
        self._last_any: dict[str, float] = {}

    async def wait(self, channel: Channel, chat_id: str) -> None:
        now = time.monotonic()
        key = (channel.name, chat_id)
        ready = max(
            self._last_chat.get(key, 0.0) + channel.per_chat_interval,
            self._last_any.get(channel.name, 0.0) + 1.0 / channel.global_rate,
        )
        if ready > now:
            await asyncio.sleep(ready - now)
        stamp = time.monotonic()
        self._last_chat[key] = stamp
        self._last_any[channel.name] = stamp


async def send_due(
    sessions: SessionFactory,
    channels: Mapping[str, Channel],
    clock: Callable[[], datetime],
    pacer: Pacer,
    limit: int = 100,
) -> int:
    """Send what is due, oldest first; a chat waiting on a retry keeps its later messages."""
    now = clock()
    async with sessions.begin() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending",
                       OutboxMessage.channel.in_(list(channels)))
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        blocked: set[tuple[str, str]] = set()
        claimed: list[OutboxMessage] = []
        for row in rows:
            key = (row.channel, row.chat_id)
            if key in blocked or row.next_attempt_at > now:
                blocked.add(key)
                continue
            row.next_attempt_at = now + CLAIM_LEASE
            claimed.append(row)
    sent = 0
    failed_chats: set[tuple[str, str]] = set()
    for row in claimed:
        key = (row.channel, row.chat_id)
        if key in failed_chats:
            await _release(sessions, row.id, clock())
            continue
        ok = await _send_one(sessions, channels[row.channel], row, clock, pacer)
        sent += ok
        if not ok:
            failed_chats.add(key)
    return sent


async def _send_one(
    sessions: SessionFactory,
    channel: Channel,
    row: OutboxMessage,
    clock: Callable[[], datetime],
    pacer: Pacer,
) -> bool:
    await pacer.wait(channel, row.chat_id)
    try:
        # Adapters may render item-related messages differently (Zalo's keep-alive line).
        payload = row.payload if row.item_id is None else {**row.payload, "item_id": row.item_id}
        await channel.send(row.chat_id, payload)
    except SendError as exc:
        await _failed(sessions, row.id, exc, clock())
        return False
    except Exception as exc:  # unknown failures are retried like network errors
        log.exception("outbox %s: unexpected send error", row.id)
        await _failed(sessions, row.id, SendError(repr(exc)), clock())
        return False
    async with sessions.begin() as session:
        stored = await session.get(OutboxMessage, row.id)
        if stored is not None:
            stored.status = "sent"
            stored.sent_at = clock()
            stored.attempts += 1
    return True


async def _release(sessions: SessionFactory, row_id: int, now: datetime) -> None:
    async with sessions.begin() as session:
        stored = await session.get(OutboxMessage, row_id)
        if stored is not None:
            stored.next_attempt_at = now


async def _failed(sessions: SessionFactory, row_id: int, exc: SendError, now: datetime) -> None:
    async with sessions.begin() as session:
        stored = await session.get(OutboxMessage, row_id)
        if stored is None:
            return
        stored.attempts += 1
        stored.last_error = str(exc)[:2000]
        if isinstance(exc, HoldUntilUserWrites):
            stored.status = HELD
            if stored.item_id is not None:  # the item's history shows it as not delivered
                actions.audit(session, at=now, actor="system", action="delivery_held",
                              item_id=stored.item_id, data={"outbox_id": row_id,
                                                            "reason": str(exc)[:200]})
            log.info("outbox %s held until the chat writes again: %s", row_id, exc)
            return
        if exc.permanent or stored.attempts >= MAX_ATTEMPTS:
            stored.status = "failed"
            log.warning("outbox %s failed for good: %s", row_id, exc)
            return
        delay = (
            timedelta(seconds=exc.retry_after)
            if exc.retry_after is not None
            else backoff(stored.attempts)
        )
        stored.next_attempt_at = now + delay
