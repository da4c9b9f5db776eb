"""What every channel adapter offers the jobs: parse stored events, send, fetch files."""

from __future__ import annotations

from typing import Any, Protocol

from handlers.conversation.types import InboundMessage


class SendError(Exception):
    """A send failed. `permanent` means retrying cannot help (blocked bot, bad request)."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class HoldUntilUserWrites(SendError):
    """The platform refuses messages until the user writes again (Zalo's 7-day window).

    The outbox keeps such a message as "held", visible as not delivered, and releases it
    when the chat's next inbound message is processed; retrying earlier cannot help.
    """


class Channel(Protocol):
    name: str
    # Messages per second this platform accepts per chat and in all.
    per_chat_interval: float
    global_rate: float

    def parse(self, payload: dict[str, Any]) -> InboundMessage | None:
        """Turn a stored inbox payload into a message; None for events we ignore."""
        ...

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None: ...

    async def fetch_file(self, file_ref: str) -> bytes: ...
