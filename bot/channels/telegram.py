"""Telegram: python-telegram-bot parses updates and calls the Bot API; our engine decides."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels.base import SendError
from bot.settings import Settings
from handlers.conversation.types import InboundMessage, Location, Photo, UnsupportedReason

log = logging.getLogger(__name__)
NAME = "telegram"
ALLOWED_UPDATES = ("message", "callback_query")
MESSAGE_LIMIT = 4096


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB warns that retry_after will become a timedelta; accept either form.
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split on line breaks where possible so each piece fits one message."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


class TelegramChannel:
    name = NAME

    def __init__(self, settings: Settings, token: str) -> None:
        self.settings = settings
        # Telegram asks for about one message a second per chat and 30 a second in all.
        self.per_chat_interval = settings.TELEGRAM_CHAT_INTERVAL
        self.global_rate = settings.TELEGRAM_GLOBAL_RATE
        self.max_photo_bytes = settings.MAX_PHOTO_BYTES
        poll_read = float(settings.TELEGRAM_POLL_TIMEOUT + 10)
        self.bot = Bot(
            token,
            base_url=settings.TELEGRAM_API_BASE_URL,
            base_file_url=settings.telegram_file_url,
            request=HTTPXRequest(connection_pool_size=16, read_timeout=15.0),
            get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=poll_read),
        )

    async def start(self) -> None:
        await self.bot.initialize()

    async def stop(self) -> None:
        await self.bot.shutdown()

    # -- inbound ---------------------------------------------------------------------------

    def parse(self, payload: dict[str, Any]) -> InboundMessage | None:
        update = Update.de_json(payload, self.bot)
        if update.callback_query is not None:
            query = update.callback_query
            chat = query.message.chat if query.message is not None else None
            if chat is None or query.data is None:
                return None
            return InboundMessage(
                channel=NAME,
                user_id=str(query.from_user.id),
                chat_id=str(chat.id),
                display_name=query.from_user.full_name,
                button=query.data,
                is_group=chat.type != "private",
                extra={"callback_query_id": query.id},
            )
        if update.message is None:
            return None  # edits, channel posts, member updates: nothing for the engine
        return self._parse_message(update.message)

    def _parse_message(self, message: Message) -> InboundMessage | None:
        user = message.from_user
        if user is None:
            return None
        base: dict[str, Any] = {
            "channel": NAME,
            "user_id": str(user.id),
            "chat_id": str(message.chat.id),
            "display_name": user.full_name,
            "is_group": message.chat.type != "private",
        }
        if message.text is not None:
            return InboundMessage(text=message.text, **base)
        if message.photo:
            largest = max(message.photo, key=lambda p: p.width * p.height)
            return self._photo(base, largest.file_id, largest.file_size, "image/jpeg",
                               message.caption)
        if message.document is not None:
            doc = message.document
            if (doc.mime_type or "").startswith("image/"):
                return self._photo(base, doc.file_id, doc.file_size, doc.mime_type or "",
                                   message.caption)
            return InboundMessage(unsupported="file", **base)
        if message.location is not None:
            loc = Location(message.location.latitude, message.location.longitude)
            return InboundMessage(location=loc, **base)
        if message.contact is not None:
            # Only the sender's own number, shared with the contact button, counts.
            own = message.contact.user_id == user.id
            return InboundMessage(phone=message.contact.phone_number if own else None, **base)
        return InboundMessage(unsupported=_unsupported_kind(message), **base)

    def _photo(
        self,
        base: dict[str, Any],
        file_id: str,
        size: int | None,
        content_type: str,
        caption: str | None,
    ) -> InboundMessage:
        if size is not None and size > self.max_photo_bytes:
            return InboundMessage(unsupported="too_large", **base)
        photo = Photo(file_ref=file_id, size=size, content_type=content_type)
        return InboundMessage(photos=(photo,), text=caption, **base)

    # -- outbound --------------------------------------------------------------------------

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        pieces = split_text(payload["text"])
        markup = _markup(payload.get("buttons", []))
        try:
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                await self.bot.send_message(chat_id=int(chat_id), text=piece,
                                            reply_markup=markup if last else None)
        except RetryAfter as exc:
            raise SendError(str(exc), retry_after=retry_seconds(exc)) from exc
        except (Forbidden, BadRequest, InvalidToken) as exc:
            raise SendError(str(exc), permanent=True) from exc
        except TelegramError as exc:
            raise SendError(str(exc)) from exc

    async def fetch_file(self, file_ref: str) -> bytes:
        file = await self.bot.get_file(file_ref)
        return bytes(await file.download_as_bytearray())

    # -- transport -------------------------------------------------------------------------

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url=url, secret_token=secret,
                                   allowed_updates=list(ALLOWED_UPDATES))

    async def poll_forever(
        self, store: Callable[[Sequence[Update]], Awaitable[None]], retry_delay: float = 2.0
    ) -> None:
        """Long polling where the offset moves only past updates already committed."""
        await self.bot.delete_webhook()
        offset: int | None = None
        timeout = timedelta(seconds=self.settings.TELEGRAM_POLL_TIMEOUT)
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=timeout, allowed_updates=list(ALLOWED_UPDATES)
                )
                if updates:
                    await store(updates)
                    offset = updates[-1].update_id + 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network or database trouble: same offset, try again
                log.warning("telegram polling: %s", exc)
                await asyncio.sleep(retry_delay)


def _unsupported_kind(message: Message) -> UnsupportedReason:
    if message.sticker is not None:
        return "sticker"
    if message.voice is not None or message.audio is not None:
        return "voice"
    if message.video is not None or message.video_note is not None or message.animation:
        return "video"
    return "other"


def _markup(rows: list[list[dict[str, Any]]]) -> Any:
    if not rows:
        return ReplyKeyboardRemove()
    if any(b.get("request") for row in rows for b in row):
        return ReplyKeyboardMarkup(
            [
                [
                    KeyboardButton(
                        b["label"],
                        request_location=b.get("request") == "location",
                        request_contact=b.get("request") == "contact",
                    )
                    for b in row
                ]
                for row in rows
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["label"], callback_data=b["payload"]) for b in row]
         for row in rows]
    )
