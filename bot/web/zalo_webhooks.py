"""POST /webhooks/zalo-oa and /webhooks/zalo-bot: authenticate, commit to the inbox, answer.

Zalo wants HTTP 200 within 2 seconds, so nothing is processed here: the event is committed
to the inbox (de-duplicated, so Zalo's retries change nothing) and the worker handles it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from bot.channels import zalo_bot, zalo_oa
from bot.web.intake import accept_event
from bot.web.keys import SETTINGS

OA_SIGNATURE_HEADER = "X-ZEvent-Signature"
BOT_SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


def oa_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """`mac=` + sha256 over app id, raw body, the body's timestamp and the OA secret key."""
    digest = hashlib.sha256(
        app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()
    return f"mac={digest}"


def oa_event_id(event: dict[str, Any]) -> str:
    """msg_id when the event has one, else event name + sender + timestamp."""
    message = event.get("message")
    if isinstance(message, dict) and message.get("msg_id"):
        return f"m:{message['msg_id']}"
    sender = ""
    for key in ("sender", "follower", "user"):
        holder = event.get(key)
        if isinstance(holder, dict) and holder.get("id"):
            sender = str(holder["id"])
            break
    return f"{event.get('event_name', '')}:{sender}:{event.get('timestamp', '')}"[:100]


def _refused(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


async def zalo_oa_webhook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    secret = settings.ZALO_OA_SECRET_KEY
    raw = await request.read()
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        event = None
    # The signature covers the body's timestamp, so a body we cannot read cannot be verified.
    if secret is None or not isinstance(event, dict):
        return _refused(401, "unverifiable")
    expected = oa_signature(settings.ZALO_OA_APP_ID, raw, str(event.get("timestamp", "")),
                            secret.get_secret_value())
    given = request.headers.get(OA_SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        return _refused(401, "bad signature")
    stored = await accept_event(request, zalo_oa.NAME, oa_event_id(event), event)
    if stored is None:
        # Zalo retries a failed delivery: nothing is lost while the database is away.
        return _refused(503, "storage unavailable")
    return web.json_response({"error": 0})


async def zalo_bot_webhook(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].ZALO_BOT_WEBHOOK_SECRET
    given = request.headers.get(BOT_SECRET_HEADER, "")
    if secret is None or not hmac.compare_digest(
        given.encode(), secret.get_secret_value().encode()
    ):
        return web.json_response({"ok": False, "error": "forbidden"}, status=403)
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"ok": False, "error": "malformed JSON"}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    update = zalo_bot.unwrap(body)
    key = zalo_bot.event_id(update)
    if key is None:
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    stored = await accept_event(request, zalo_bot.NAME, key, update)
    if stored is None:
        return web.json_response({"ok": False, "error": "storage unavailable"}, status=503)
    return web.json_response({"ok": True})


def add_routes(app: web.Application, *, oa: bool, bot_webhook: bool) -> None:
    if oa:
        app.router.add_post("/webhooks/zalo-oa", zalo_oa_webhook)
    if bot_webhook:
        app.router.add_post("/webhooks/zalo-bot", zalo_bot_webhook)
