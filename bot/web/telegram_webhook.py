"""POST /webhooks/telegram: check the secret, commit to the inbox, then answer 200."""

from __future__ import annotations

import hmac
import json

from aiohttp import web

from bot.web.intake import accept_event
from bot.web.keys import SETTINGS

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


async def telegram_webhook(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get(SECRET_HEADER, "")
    if secret is None or not hmac.compare_digest(
        given.encode(), secret.get_secret_value().encode()
    ):
        return web.json_response({"ok": False, "error": "forbidden"}, status=403)
    try:
        update = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"ok": False, "error": "malformed JSON"}, status=400)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    stored = await accept_event(request, "telegram", str(update["update_id"]), update)
    if stored is None:
        # Telegram redelivers on a 5xx: nothing is lost while the database is away.
        return web.json_response({"ok": False, "error": "storage unavailable"}, status=503)
    query = update.get("callback_query")
    if isinstance(query, dict) and "id" in query:
        # A webhook reply may carry one Bot API call: stop the button's spinner for free.
        return web.json_response(
            {"method": "answerCallbackQuery", "callback_query_id": query["id"]}
        )
    return web.json_response({"ok": True})
