"""One inbound message being handled: what the dialogue code reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation, Resident
from handlers.conversation.types import Button, InboundMessage, Reply
from handlers.ports import IntakeLimits, TextClassifier


@dataclass(frozen=True)
class Locality:
    """What residents are told about the place they write to."""

    name: str = "Phường Thành Nam (demo)"
    contact: str = "Bộ phận Tiếp công dân, UBND phường (giờ hành chính)"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))


@dataclass(frozen=True)
class Deps:
    locality: Locality = field(default_factory=Locality)
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    classifier: TextClassifier | None = None


@dataclass
class Turn:
    session: AsyncSession
    msg: InboundMessage
    now: datetime
    resident: Resident
    conversation: Conversation
    deps: Deps
    replies: list[Reply] = field(default_factory=list)

    @property
    def step(self) -> str:
        return self.conversation.step

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    def go(self, step: str, data: dict[str, Any] | None = None) -> None:
        self.conversation.step = step
        if data is not None:
            # A new dict, so SQLAlchemy sees the JSON column change.
            self.conversation.data = data

    def update(self, **changes: Any) -> None:
        self.conversation.data = {**self.conversation.data, **changes}

    def say(self, text: str, *rows: tuple[Button, ...]) -> None:
        self.replies.append(Reply(text=text, buttons=tuple(rows)))

    def local_date(self, at: datetime) -> str:
        return at.astimezone(self.deps.locality.timezone).strftime("%d/%m/%Y")
