"""Messages held until the resident writes again, and the pre-engine hook that releases them.

Zalo OA refuses messages more than 7 days after the resident's last interaction; the outbox
keeps such a message as "held" (bot/jobs/outbox.py), visible on its item as not delivered.
The resident's next message reopens the window: `before_engine` puts the chat's held
messages back in the queue (they keep their order, ahead of the new replies) and tells the
resident. The same hook answers a bare "OK" (the reply Zalo messages invite, to keep the
window open) and content a platform withheld, so neither reaches the dialogue as input.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs.outbox import HELD
from db.models import Conversation, OutboxMessage
from handlers import actions
from handlers.conversation.turn import Deps
from handlers.conversation.types import InboundMessage, Reply
from handlers.rules.small_talk import fold

# Set by adapters in InboundMessage.extra.
KEEPS_WINDOW_OPEN = "keeps_window_open"
PROTECTED_SENDER = "protected_sender"
KEEPALIVE_WORDS = frozenset({"ok", "oke", "okay", "ok a", "vang", "da", "co", "u", "uh"})

RELEASED = (
    "Trên đây là {count} tin nhắn của cơ quan gửi anh/chị trong thời gian anh/chị chưa nhắn "
    "lại nên Zalo chưa chuyển được. Cảm ơn anh/chị đã phản hồi."
)
KEEPALIVE_THANKS = (
    "Cảm ơn anh/chị. Hệ thống sẽ tiếp tục gửi thông báo tiến độ phản ánh qua Zalo."
)
PROTECTED = (
    "Xin lỗi, Zalo không chuyển nội dung tin nhắn của tài khoản này tới hệ thống. "
    "Anh/chị vui lòng liên hệ trực tiếp: {contact}."
)


async def undelivered(session: AsyncSession, item_id: int) -> Sequence[OutboxMessage]:
    """An item's messages the resident has not received yet (held or still queued)."""
    return (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.item_id == item_id,
                   OutboxMessage.status.in_([HELD, "pending", "failed"]))
            .order_by(OutboxMessage.id)
        )
    ).all()


async def release(session: AsyncSession, *, channel: str, chat_id: str, now: datetime) -> int:
    """Queue the chat's held messages again, oldest first; how many there were."""
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id,
                   OutboxMessage.status == HELD)
            .order_by(OutboxMessage.id)
        )
    ).all()
    for row in rows:
        row.status = "pending"
        row.next_attempt_at = now
        if row.item_id is not None:
            actions.audit(session, at=now, actor="system", action="delivery_released",
                          item_id=row.item_id, data={"outbox_id": row.id})
    return len(rows)


async def before_engine(
    session: AsyncSession, msg: InboundMessage, *, deps: Deps, now: datetime
) -> bool:
    """Runs in the inbound event's transaction; True when the message is fully answered."""
    released = await release(session, channel=msg.channel, chat_id=msg.chat_id, now=now)
    if released:
        _say(session, msg, RELEASED.format(count=released), now)
    if msg.extra.get(PROTECTED_SENDER):
        _say(session, msg, PROTECTED.format(contact=deps.locality.contact), now)
        return True
    if msg.extra.get(KEEPS_WINDOW_OPEN) and _is_keepalive(msg) and await _idle(session, msg):
        if not released:
            _say(session, msg, KEEPALIVE_THANKS, now)
        return True
    return False


def _say(session: AsyncSession, msg: InboundMessage, text: str, now: datetime) -> None:
    actions.enqueue(session, channel=msg.channel, chat_id=msg.chat_id, reply=Reply(text),
                    now=now)


def _is_keepalive(msg: InboundMessage) -> bool:
    return bool(msg.text) and fold(msg.text or "").strip(" .!") in KEEPALIVE_WORDS


async def _idle(session: AsyncSession, msg: InboundMessage) -> bool:
    """Only outside a dialogue: inside one, "ok" may be an answer to a question."""
    step = await session.scalar(
        select(Conversation.step).where(Conversation.channel == msg.channel,
                                        Conversation.external_user_id == msg.user_id)
    )
    return step in (None, "idle")
