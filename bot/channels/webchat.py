"""The local web chat: the browser posts events, the outbox rows are its mailbox."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from handlers.conversation.types import InboundMessage, Location, Photo

NAME = "web"


class WebChatChannel:
    name = NAME
    # The page polls; pacing only protects the database from a runaway loop.
    per_chat_interval = 0.0
    global_rate = 1000.0

    def __init__(self, uploads: Path) -> None:
        self.uploads = uploads

    def parse(self, payload: dict[str, Any]) -> InboundMessage | None:
        user = str(payload["user"])
        location = payload.get("location")
        photo = payload.get("photo")
        return InboundMessage(
            channel=NAME,
            user_id=user,
            chat_id=user,
            display_name=None,
            text=payload.get("text"),
            button=payload.get("button"),
            photos=(Photo(file_ref=photo["ref"], size=photo.get("size"),
                          content_type=photo.get("content_type", "image/jpeg")),)
            if photo
            else (),
            location=Location(float(location["latitude"]), float(location["longitude"]))
            if location
            else None,
            unsupported=payload.get("unsupported"),
        )

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Nothing to push: the page reads delivered rows from the outbox."""

    async def fetch_file(self, file_ref: str) -> bytes:
        path = (self.uploads / file_ref).resolve()
        if self.uploads.resolve() not in path.parents:
            raise ValueError("upload reference outside the uploads folder")
        return await asyncio.to_thread(path.read_bytes)
