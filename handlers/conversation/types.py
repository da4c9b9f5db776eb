"""Channel-neutral messages: adapters turn platform JSON into these and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

UnsupportedReason = Literal["sticker", "voice", "video", "file", "too_large", "other"]


@dataclass(frozen=True)
class Button:
    label: str
    payload: str
    # Telegram shows these as reply-keyboard buttons that share the user's location or phone.
    request: Literal["location", "contact"] | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "type": "text",
            "text": self.text,
            "buttons": [
                [{"label": b.label, "payload": b.payload, "request": b.request} for b in row]
                for row in self.buttons
            ],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        rows = tuple(
            tuple(Button(b["label"], b["payload"], b.get("request")) for b in row)
            for row in payload.get("buttons", [])
        )
        return cls(text=payload["text"], buttons=rows)


@dataclass(frozen=True)
class Photo:
    file_ref: str
    size: int | None = None
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class InboundMessage:
    """One thing a user did: typed, pressed a button, shared a photo, a location or a phone."""

    channel: str
    user_id: str
    chat_id: str
    display_name: str | None = None
    text: str | None = None
    button: str | None = None
    photos: tuple[Photo, ...] = ()
    location: Location | None = None
    phone: str | None = None
    unsupported: UnsupportedReason | None = None
    is_group: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def command(self) -> tuple[str, str] | None:
        """`/status ABCD-2345` -> ("status", "ABCD-2345"); bot-name suffixes are dropped."""
        if not self.text or not self.text.startswith("/"):
            return None
        head, _, rest = self.text.strip().partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        return name, rest.strip()
