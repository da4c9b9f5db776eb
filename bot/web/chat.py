"""The local web chat: a page, an endpoint to post events and one to read replies."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.webchat import NAME
from bot.web.intake import accept_event
from bot.web.keys import SESSIONS, SETTINGS
from db.queries import outbox_for_chat

STATIC = Path(__file__).parent / "static"
COOKIE = "hopthu_uid"
BUSY = "Hệ thống đang bận, anh/chị vui lòng thử lại sau ít phút."
IMAGE_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"RIFF": "image/webp"}


def _sign(request: web.Request, uid: str) -> str:
    key = request.app[SETTINGS].SECRET_KEY.get_secret_value().encode()
    return hmac.new(key, uid.encode(), hashlib.sha256).hexdigest()[:32]


def visitor_id(request: web.Request) -> str | None:
    raw = request.cookies.get(COOKIE, "")
    uid, _, signature = raw.partition(".")
    if uid and hmac.compare_digest(signature, _sign(request, uid)):
        return uid
    return None


async def page(request: web.Request) -> web.StreamResponse:
    response = web.FileResponse(STATIC / "index.html")
    if visitor_id(request) is None:
        uid = secrets.token_hex(12)
        response.set_cookie(COOKIE, f"{uid}.{_sign(request, uid)}", httponly=True,
                            samesite="Lax", max_age=365 * 24 * 3600)
    return response


def _error(text: str, status: int) -> web.Response:
    return web.json_response({"ok": False, "error": text}, status=status)


async def post_message(request: web.Request) -> web.Response:
    uid = visitor_id(request)
    if uid is None:
        return _error("Phiên trò chuyện đã hết hạn. Anh/chị vui lòng tải lại trang.", 401)
    try:
        body = await request.json()
    except ValueError:
        return _error("Dữ liệu gửi lên không hợp lệ.", 400)
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        return _error("Dữ liệu gửi lên không hợp lệ.", 400)
    payload: dict[str, Any] = {"user": uid}
    for key in ("text", "button"):
        if isinstance(body.get(key), str):
            payload[key] = body[key]
    location = body.get("location")
    if isinstance(location, dict):
        try:
            payload["location"] = {"latitude": float(location["latitude"]),
                                   "longitude": float(location["longitude"])}
        except (KeyError, TypeError, ValueError):
            return _error("Vị trí không hợp lệ.", 400)
    if len(payload) == 1:
        return _error("Tin nhắn trống.", 400)
    return await _accept(request, f"{uid}:{body['id'][:64]}", payload)


async def post_photo(request: web.Request) -> web.Response:
    uid = visitor_id(request)
    if uid is None:
        return _error("Phiên trò chuyện đã hết hạn. Anh/chị vui lòng tải lại trang.", 401)
    settings = request.app[SETTINGS]
    event_id = f"{uid}:{uuid.uuid4().hex}"
    try:
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader):
            return _error("Chưa chọn ảnh.", 400)
        data = await _read_capped(part, settings.MAX_PHOTO_BYTES)
    except (ValueError, AssertionError):
        return _error("Dữ liệu gửi lên không hợp lệ.", 400)
    if data is None:
        return await _accept(request, event_id, {"user": uid, "unsupported": "too_large"})
    content_type = next((t for magic, t in IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if content_type is None:
        return await _accept(request, event_id, {"user": uid, "unsupported": "file"})
    ref = f"web/{uuid.uuid4().hex}"
    target = settings.DATA_DIR / "uploads" / ref
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    photo = {"ref": ref, "size": len(data), "content_type": content_type}
    return await _accept(request, event_id, {"user": uid, "photo": photo})


async def _read_capped(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes, or None as soon as it exceeds the limit (nothing huge in memory)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _accept(request: web.Request, event_id: str, payload: dict[str, Any]) -> web.Response:
    stored = await accept_event(request, NAME, event_id, payload)
    if stored is None:
        return _error(BUSY, 503)
    return web.json_response({"ok": True}, status=202)


async def get_messages(request: web.Request) -> web.Response:
    uid = visitor_id(request)
    if uid is None:
        return _error("Phiên trò chuyện đã hết hạn. Anh/chị vui lòng tải lại trang.", 401)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        return _error("Tham số không hợp lệ.", 400)
    try:
        async with request.app[SESSIONS]() as session:
            rows = await outbox_for_chat(session, NAME, uid, after)
    except SQLAlchemyError:
        return _error(BUSY, 503)
    return web.json_response(
        {"messages": [{"id": row.id, **row.payload} for row in rows]}
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", page)
    app.router.add_post("/api/chat/messages", post_message)
    app.router.add_get("/api/chat/messages", get_messages)
    app.router.add_post("/api/chat/photo", post_photo)
    app.router.add_static("/static/", STATIC)
