"""One inbound message being handled: what the dialogue code reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation, Resident
from handlers.actions import Rules
from handlers.conversation.types import Button, InboundMessage, Reply
from handlers.crypto import DEV_IDENTITY_KEY
from handlers.ports import IntakeLimits, TextClassifier
from handlers.profiles import DEFAULT_PROFILE, Profile, load_profile
from handlers.rules.calendar import WorkingCalendar


@dataclass(frozen=True)
class Locality:
    """What residents are told about the place they write to."""

    name: str = "Phường Thành Nam (demo)"
    contact: str = "Bộ phận Tiếp công dân, UBND phường (giờ hành chính)"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    @classmethod
    def from_profile(cls, profile: Profile) -> Locality:
        return cls(profile.display_name, profile.contact, ZoneInfo(profile.timezone))


@lru_cache(maxsize=1)
def _default_profile() -> Profile:
    return load_profile(DEFAULT_PROFILE)


@dataclass(frozen=True)
class Deps:
    """What handlers need from the process: the locality profile, its calendar, limits, the
    classifier and the key that seals accusers' identities."""

    profile: Profile = field(default_factory=_default_profile)
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    classifier: TextClassifier | None = None
    identity_key: bytes = DEV_IDENTITY_KEY
    # Below this field confidence an item goes to the triage desk even when the classifier
    # itself said "auto" (0: trust the classifier's own threshold).
    triage_threshold: float = 0.0

    calendar: WorkingCalendar = field(init=False)  # always the profile's

    def __post_init__(self) -> None:
        object.__setattr__(self, "calendar", WorkingCalendar.from_profile(self.profile))

    @property
    def locality(self) -> Locality:
        return Locality.from_profile(self.profile)

    @property
    def rules(self) -> Rules:
        """The part of these dependencies that item actions need."""
        return Rules(self.profile, self.calendar, self.identity_key)


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
