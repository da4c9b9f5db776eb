"""Zalo Official Account (Open API v3): webhook events in, customer-service messages out.

Zalo answers HTTP 200 even when it refuses a message: the JSON body's `error` decides. A
message may only be sent within 7 days of the resident's last interaction; outside it the
message goes as a ZNS template when one is configured and the resident gave a phone number,
otherwise it is held (bot/jobs/held.py) until the resident writes again.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.channels.base import HoldUntilUserWrites, SendError
from bot.channels.zalo_common import LazyHttp, download, numbered_choices, pieces
from bot.jobs.zalo_token import TokenRefreshFailed, ZaloTokens
from bot.settings import Settings
from db.engine import SessionFactory
from db.models import Resident
from handlers.conversation.types import InboundMessage, Location, Photo, UnsupportedReason
from handlers.rules.tracking_code import ALPHABET

log = logging.getLogger(__name__)
NAME = "zalo_oa"
SEND_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"
TOKEN_ERRORS = frozenset({-216, -220})
# Outside the 7-day window (-230, -232) or no longer following (-213): only the resident
# writing again opens the way, so the message waits rather than failing.
WINDOW_ERRORS = frozenset({-230, -232, -213})
RATE_LIMITED = -32
# Messages tied to an item (progress, answers) carry this invitation: any reply from the
# resident reopens Zalo's 7-day window, so later news can still reach them.
KEEP_WINDOW_OPEN = "Anh/chị trả lời «OK» để tiếp tục nhận thông báo về phản ánh này."
_CODE = re.compile(rf"\b[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}\b")
# The flag the pre-engine hook reads: on this channel a bare "OK" keeps the window open.
WINDOW_FLAG = "keeps_window_open"

UNSUPPORTED_EVENTS: dict[str, UnsupportedReason] = {
    "user_send_file": "file",
    "user_send_sticker": "sticker",
    "user_send_gif": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
}

PhoneLookup = Callable[[str], Awaitable[str | None]]


class ZaloApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zalo error {code}: {message}")
        self.code = code


class ZaloOAChannel:
    name = NAME
    # Zalo allows about 4,000 calls a minute per app; no per-chat limit is documented.
    per_chat_interval = 0.2
    global_rate = 50.0

    def __init__(
        self,
        settings: Settings,
        tokens: ZaloTokens,
        http: LazyHttp,
        phone_lookup: PhoneLookup | None = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.http = http
        self.phone_lookup = phone_lookup
        self.api_base = settings.ZALO_OA_API_BASE_URL.rstrip("/")
        self.max_photo_bytes = settings.MAX_PHOTO_BYTES

    async def stop(self) -> None:
        await self.http.close()

    # -- inbound ---------------------------------------------------------------------------

    def parse(self, payload: dict[str, Any]) -> InboundMessage | None:
        event = str(payload.get("event_name", ""))
        if event.startswith("oa_send_") or event in ("unfollow", "user_seen_message",
                                                      "user_received_message"):
            # Echoes of our own sends and receipts; after an unfollow nothing can be sent.
            return None
        user = _sender_id(payload)
        if user is None:
            return None
        base: dict[str, Any] = {
            "channel": NAME,
            "user_id": user,
            "chat_id": user,
            "extra": {WINDOW_FLAG: True},
        }
        message = _dict(payload.get("message"))
        text = message.get("text") if isinstance(message.get("text"), str) else None
        if event == "follow":
            return InboundMessage(**base)  # no content: the engine greets with the menu
        if event == "user_send_text":
            return InboundMessage(text=text, **base)
        if event == "user_send_image":
            photos = tuple(
                Photo(file_ref=url, content_type="image/jpeg")
                for url in _attachment_urls(message, "image")
            )
            if not photos:
                return InboundMessage(unsupported="other", **base)
            return InboundMessage(photos=photos, text=text or None, **base)
        if event == "user_send_location":
            location = _location(message)
            if location is None:
                return InboundMessage(unsupported="other", **base)
            return InboundMessage(location=location, **base)
        if event == "user_submit_info":
            phone = _dict(payload.get("info")).get("phone")
            return InboundMessage(phone=str(phone) if phone else None, **base)
        if event in UNSUPPORTED_EVENTS:
            return InboundMessage(unsupported=UNSUPPORTED_EVENTS[event], **base)
        if event.startswith("user_send_"):
            return InboundMessage(unsupported="other", **base)
        return None

    # -- outbound --------------------------------------------------------------------------

    def render(self, payload: dict[str, Any]) -> str:
        text = numbered_choices(payload)
        if payload.get("item_id") is not None or (
            not payload.get("buttons") and _CODE.search(str(payload["text"]))
        ):
            text = f"{text}\n\n{KEEP_WINDOW_OPEN}"
        return text

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        text = self.render(payload)
        for piece in pieces(text):
            try:
                await self._call_with_token(
                    self.api_base + SEND_PATH,
                    {"recipient": {"user_id": chat_id}, "message": {"text": piece}},
                )
            except ZaloApiError as exc:
                if exc.code in WINDOW_ERRORS:
                    await self._outside_window(chat_id, text, exc)
                    return
                raise _send_error(exc) from exc

    async def _outside_window(self, chat_id: str, text: str, exc: ZaloApiError) -> None:
        phone = await self.phone_lookup(chat_id) if self.phone_lookup is not None else None
        template = self.settings.ZALO_ZNS_TEMPLATE_ID
        if not template or not phone:
            raise HoldUntilUserWrites(f"{exc}: held until the resident writes again") from exc
        code = _CODE.search(text)
        body = {
            "phone": _international(phone),
            "template_id": template,
            "template_data": {
                "ma_phan_anh": code.group(0) if code else "",
                "noi_dung": text[:400],
            },
            "tracking_id": uuid.uuid4().hex,
        }
        url = self.settings.ZALO_ZNS_API_BASE_URL.rstrip("/") + ZNS_PATH
        try:
            await self._call_with_token(url, body)
        except ZaloApiError as zns_exc:
            # A refused template must not lose the message: hold it like a closed window.
            raise HoldUntilUserWrites(
                f"{exc}; ZNS refused ({zns_exc}): held until the resident writes again"
            ) from zns_exc

    async def _call_with_token(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the access token; on an expired token refresh once and resend."""
        try:
            token = await self.tokens.access_token()
            try:
                return await self._post(url, body, token)
            except ZaloApiError as exc:
                if exc.code not in TOKEN_ERRORS:
                    raise
                log.info("zalo: token refused (%s), refreshing once", exc.code)
                token = await self.tokens.refresh(token)
                return await self._post(url, body, token)
        except TokenRefreshFailed as exc:
            raise SendError(str(exc)) from exc

    async def _post(self, url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        try:
            async with self.http().post(url, json=body, headers={"access_token": token}) as resp:
                if resp.status >= 500:
                    raise SendError(f"zalo HTTP {resp.status}")
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"zalo: {type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise SendError(f"zalo: answer is not JSON: {exc}") from exc
        if not isinstance(answer, dict):
            raise SendError("zalo: unexpected answer")
        try:
            code = int(answer.get("error", -1))
        except (TypeError, ValueError):
            code = -1
        if code != 0:
            raise ZaloApiError(code, str(answer.get("message", "")))
        return answer

    async def fetch_file(self, file_ref: str) -> bytes:
        return await download(self.http(), file_ref, self.max_photo_bytes)


def _send_error(exc: ZaloApiError) -> SendError:
    if exc.code == RATE_LIMITED:
        return SendError(str(exc), retry_after=60.0)
    if exc.code in TOKEN_ERRORS:
        return SendError(f"{exc} (after one refresh)")
    # -201 and friends: the request itself is wrong; resending the same one cannot help.
    return SendError(str(exc), permanent=exc.code in (-201, -210, -211))


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sender_id(payload: dict[str, Any]) -> str | None:
    for key in ("sender", "follower", "user"):
        holder = payload.get(key)
        if isinstance(holder, dict) and holder.get("id"):
            return str(holder["id"])
    return None


def _attachment_urls(message: dict[str, Any], kind: str) -> list[str]:
    urls: list[str] = []
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict) or attachment.get("type") != kind:
            continue
        payload = attachment.get("payload")
        if isinstance(payload, dict) and isinstance(payload.get("url"), str):
            urls.append(payload["url"])
    return urls


def _location(message: dict[str, Any]) -> Location | None:
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict) or attachment.get("type") != "location":
            continue
        payload = attachment.get("payload")
        coordinates = payload.get("coordinates") if isinstance(payload, dict) else None
        if not isinstance(coordinates, dict):
            continue
        try:  # Zalo sends the numbers as strings
            latitude = float(coordinates["latitude"])
            longitude = float(coordinates["longitude"])
        except (KeyError, TypeError, ValueError):
            continue
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return Location(latitude, longitude)
    return None


def _international(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return "84" + digits[1:] if digits.startswith("0") else digits


def consented_phone(sessions: SessionFactory) -> PhoneLookup:
    """The phone number a Zalo OA resident gave with consent, for ZNS outside the window."""

    async def lookup(chat_id: str) -> str | None:
        async with sessions() as session:
            return await session.scalar(
                select(Resident.phone).where(
                    Resident.channel == NAME,
                    Resident.external_id == chat_id,
                    Resident.consent_at.is_not(None),
                )
            )

    return lookup
