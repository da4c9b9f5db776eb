"""Zalo Bot Platform: a Telegram-like Bot API without buttons (choices are typed).

Calls go to `<base>/bot<TOKEN>/<method>` and answer `{ok, result, description, error_code}`.
Updates arrive by webhook (header `X-Bot-Api-Secret-Token`) or by long polling, where
getUpdates hands out one update per call and HTTP 408 means nothing arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.channels.base import SendError
from bot.channels.zalo_common import LazyHttp, download, numbered_choices, pieces
from bot.settings import Settings
from handlers.conversation.types import InboundMessage, Photo

log = logging.getLogger(__name__)
NAME = "zalo_bot"
NOTHING_YET = 408
# The flag the pre-engine hook reads: the platform withheld the content (protected sender).
PROTECTED_FLAG = "protected_sender"
# Failures that resending the same call cannot fix.
PERMANENT_CODES = frozenset({400, 401, 403, 404})


class ZaloBotError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"zalo bot error {code}: {description}")
        self.code = code


def unwrap(body: dict[str, Any]) -> dict[str, Any]:
    """Webhook bodies come with or without the `{ok, result}` envelope."""
    result = body.get("result")
    return result if isinstance(result, dict) and "event_name" in result else body


def event_id(update: dict[str, Any]) -> str | None:
    """The de-duplication key: the message id, else event + sender + time."""
    message = _dict(update.get("message"))
    if message.get("message_id"):
        return f"m:{message['message_id']}"
    sender = _dict(message.get("from")).get("id")
    if update.get("event_name") and sender and message.get("date"):
        return f"{update['event_name']}:{sender}:{message['date']}"
    return None


class ZaloBotChannel:
    name = NAME
    per_chat_interval = 0.5
    global_rate = 10.0

    def __init__(self, settings: Settings, token: str, http: LazyHttp) -> None:
        self.settings = settings
        self.http = http
        self.api = f"{settings.ZALO_BOT_API_BASE_URL.rstrip('/')}/bot{token}/"
        self.max_photo_bytes = settings.MAX_PHOTO_BYTES

    async def stop(self) -> None:
        await self.http.close()

    # -- inbound ---------------------------------------------------------------------------

    def parse(self, payload: dict[str, Any]) -> InboundMessage | None:
        update = unwrap(payload)
        event = str(update.get("event_name", ""))
        message = _dict(update.get("message"))
        sender = _dict(message.get("from"))
        if not sender.get("id") or sender.get("is_bot"):
            return None
        chat = _dict(message.get("chat"))
        base: dict[str, Any] = {
            "channel": NAME,
            "user_id": str(sender["id"]),
            "chat_id": str(chat.get("id") or sender["id"]),
            "display_name": sender.get("display_name") or None,
            "is_group": str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE",
        }
        text = message.get("text") if isinstance(message.get("text"), str) else None
        if event == "message.text.received":
            return InboundMessage(text=text, **base)
        if event == "message.image.received":
            url = message.get("photo_url") or message.get("photo")
            if not isinstance(url, str) or not url:
                return InboundMessage(unsupported="other", **base)
            caption = message.get("caption") if isinstance(message.get("caption"), str) else None
            return InboundMessage(photos=(Photo(file_ref=url),), text=caption or None, **base)
        if event == "message.sticker.received":
            return InboundMessage(unsupported="sticker", **base)
        if event == "message.unsupported.received":
            return InboundMessage(unsupported="other", extra={PROTECTED_FLAG: True}, **base)
        if event.startswith("message."):
            return InboundMessage(unsupported="other", **base)
        return None

    # -- outbound --------------------------------------------------------------------------

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        for piece in pieces(numbered_choices(payload)):
            try:
                await self.call("sendMessage", {"chat_id": chat_id, "text": piece})
            except ZaloBotError as exc:
                retry_after = 30.0 if exc.code == 429 else None
                raise SendError(str(exc), permanent=exc.code in PERMANENT_CODES,
                                retry_after=retry_after) from exc

    async def fetch_file(self, file_ref: str) -> bytes:
        return await download(self.http(), file_ref, self.max_photo_bytes)

    async def call(
        self, method: str, body: dict[str, Any], wait: float | None = None
    ) -> Any:
        """One API call; the `ok` field decides, not only the HTTP status."""
        client_timeout = aiohttp.ClientTimeout(total=wait) if wait else None
        try:
            async with self.http().post(self.api + method, json=body,
                                        timeout=client_timeout) as response:
                status = response.status
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"zalo bot: {type(exc).__name__}: {exc}") from exc
        if not isinstance(answer, dict):
            raise ZaloBotError(status, f"HTTP {status}, no JSON answer")
        if not answer.get("ok"):
            code = answer.get("error_code") or status
            raise ZaloBotError(int(code), str(answer.get("description", "")))
        return answer.get("result")

    # -- transport -------------------------------------------------------------------------

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret})

    async def next_updates(self, seconds: int) -> list[dict[str, Any]]:
        """Wait up to `seconds` for updates; [] when nothing arrived (HTTP 408)."""
        try:
            result = await self.call("getUpdates", {"timeout": seconds}, wait=seconds + 10)
        except ZaloBotError as exc:
            if exc.code == NOTHING_YET:
                return []
            raise
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) else []

    async def poll_forever(
        self,
        store: Callable[[list[dict[str, Any]]], Awaitable[None]],
        retry_delay: float = 2.0,
    ) -> None:
        """Long polling for development; webhook mode is for production."""
        try:
            await self.call("deleteWebhook", {})
        except (SendError, ZaloBotError) as exc:
            log.warning("zalo bot: deleteWebhook: %s", exc)
        # getUpdates has no offset: an update is gone from Zalo once fetched, so a batch the
        # database refused is kept here and stored again before anything new is fetched.
        pending: list[dict[str, Any]] = []
        while True:
            try:
                if not pending:
                    pending = await self.next_updates(self.settings.ZALO_BOT_POLL_TIMEOUT)
                if pending:
                    await store(pending)
                    pending = []
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network or database trouble: wait, then try again
                log.warning("zalo bot polling: %s", exc)
                await asyncio.sleep(retry_delay)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
