"""Drive the conversation engine as one chat user, each message in its own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from db.engine import SessionFactory
from db.models import OutboxMessage
from handlers.conversation.engine import handle_inbound
from handlers.conversation.turn import Deps
from handlers.conversation.types import InboundMessage, Reply
from tests.handlers.factories import NOW


class Clock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


class Chat:
    def __init__(
        self,
        sessions: SessionFactory,
        user: str,
        deps: Deps,
        clock: Clock,
        name: str = "Người dùng",
    ) -> None:
        self.sessions = sessions
        self.user = user
        self.deps = deps
        self.clock = clock
        self.name = name
        self.last: list[Reply] = []

    async def send(self, **content: object) -> list[Reply]:
        msg = InboundMessage(channel="test", user_id=self.user, chat_id=self.user,
                             display_name=self.name, **content)  # type: ignore[arg-type]
        async with self.sessions.begin() as session:
            self.last = await handle_inbound(session, msg, now=self.clock.tick(), deps=self.deps)
        return self.last

    async def say(self, text: str) -> str:
        return "\n".join(r.text for r in await self.send(text=text))

    async def press(self, payload: str) -> str:
        return "\n".join(r.text for r in await self.send(button=payload))

    def buttons(self) -> dict[str, str]:
        """Label -> payload of the buttons under the last reply."""
        return {b.label: b.payload for r in self.last[-1:] for row in r.buttons for b in row}

    async def inbox(self) -> list[str]:
        """Every message queued for this chat so far, replies and notifications alike."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id == self.user)
                .order_by(OutboxMessage.id))
            return [row.payload["text"] for row in rows]

    async def submit(self, text: str) -> str:
        """Write, consent (once), skip the optional steps, send; returns the confirmation."""
        reply = await self.say(text)
        if "đồng ý" in reply.lower():
            await self.press("consent:yes")
        for _ in range(3):
            reply = await self.press("skip")
            if "kiểm tra lại" in reply:
                break
        return await self.press("send")
