"""Factories for Telegram updates in the shapes the Bot API documents."""

from __future__ import annotations

import itertools
import time
from typing import Any

_ids = itertools.count(1000)


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Nguyễn", "last_name": "Văn An",
            "language_code": "vi"}


def _message(user_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Nguyễn"},
        "from": _user(user_id),
        **content,
    }


def update(content: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next(_ids), **content}


def text(user_id: int, body: str, update_id: int | None = None) -> dict[str, Any]:
    return update({"message": _message(user_id, text=body)}, update_id)


def button(user_id: int, data: str, update_id: int | None = None) -> dict[str, Any]:
    message = _message(999000, text="...")
    message["chat"] = {"id": user_id, "type": "private"}
    query = {
        "id": str(next(_ids)),
        "from": _user(user_id),
        "chat_instance": "ci",
        "data": data,
        "message": message,
    }
    return update({"callback_query": query}, update_id)


def photo(user_id: int, file_id: str, size: int = 50_000, caption: str | None = None
          ) -> dict[str, Any]:
    sizes = [
        {"file_id": f"{file_id}_s", "file_unique_id": "s", "width": 90, "height": 90,
         "file_size": 1000},
        {"file_id": file_id, "file_unique_id": "l", "width": 1280, "height": 960,
         "file_size": size},
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return update({"message": _message(user_id, **content)})


def location(user_id: int, latitude: float, longitude: float) -> dict[str, Any]:
    return update({"message": _message(user_id, location={"latitude": latitude,
                                                          "longitude": longitude})})


def contact(user_id: int, phone: str, owner: int | None = None) -> dict[str, Any]:
    return update({"message": _message(user_id, contact={
        "phone_number": phone, "first_name": "An", "user_id": owner or user_id})})


def sticker(user_id: int) -> dict[str, Any]:
    return update({"message": _message(user_id, sticker={
        "file_id": "stk", "file_unique_id": "stk", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False})})


def voice(user_id: int) -> dict[str, Any]:
    return update({"message": _message(user_id, voice={
        "file_id": "v1", "file_unique_id": "v1", "duration": 4})})


def document(user_id: int, mime: str, size: int) -> dict[str, Any]:
    return update({"message": _message(user_id, document={
        "file_id": "doc1", "file_unique_id": "doc1", "file_name": "x", "mime_type": mime,
        "file_size": size})})
