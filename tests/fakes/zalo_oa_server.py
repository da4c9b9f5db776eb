"""A fake Zalo OA Open API, OAuth and ZNS over real HTTP, for the OA channel's tests.

It enforces what the real one does and the tests depend on: the `access_token` header
(-216 when unknown), the 7-day interaction window (-230), the 2,000-character limit (-201),
refresh tokens that work once (a new access token invalidates the old one), and it serves
images like Zalo's CDN. Start it with `FakeZaloOA(clock).start()`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from tests.fakes.local_server import serve, shut
from tests.fakes.waiting import wait_for_count

APP_ID = "1234567890123456789"
APP_SECRET = "app-secret-for-tests"
OA_SECRET_KEY = "oa-secret-key-for-tests"
WINDOW = timedelta(days=7)


@dataclass
class FakeZaloOA:
    clock: Callable[[], datetime]
    access_tokens: set[str] = field(default_factory=lambda: {"access-1"})
    refresh_tokens: set[str] = field(default_factory=lambda: {"refresh-1"})
    files: dict[str, bytes] = field(default_factory=dict)
    last_interaction: dict[str, datetime] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    refreshes: list[dict[str, Any]] = field(default_factory=list)
    zns: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(2))

    # -- what tests use --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def user_wrote(self, user_id: str) -> None:
        """The resident interacted with the OA: the 7-day window (re)opens."""
        self.last_interaction[user_id] = self.clock()

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def sent(self, user_id: str) -> list[str]:
        return [m["text"] for m in self.messages if m["user_id"] == user_id]

    async def wait_sent(self, user_id: str, count: int, within: float = 10.0) -> list[str]:
        return await wait_for_count(lambda: self.sent(user_id), count, within,
                                    f"OA sent to {user_id}")

    # -- server ----------------------------------------------------------------------------

    async def start(self, port: int = 0) -> FakeZaloOA:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        app.router.add_post("/message/template", self._zns)
        app.router.add_get("/zalo-cdn/{name}", self._file)
        self._runner, self.port = await serve(app, port)
        return self

    async def stop(self) -> None:
        await shut(self._runner)

    def _token_error(self, request: web.Request) -> web.Response | None:
        if request.headers.get("access_token") not in self.access_tokens:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        return None

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self._token_error(request)
        if refused is not None:
            self.refused.append({**body, "error": -216})
            return refused
        user = str(body["recipient"]["user_id"])
        text = str(body["message"]["text"])
        last = self.last_interaction.get(user)
        if last is None or self.clock() - last > WINDOW:
            self.refused.append({**body, "error": -230})
            return web.json_response(
                {"error": -230, "message": "User has not interacted with the OA in 7 days"}
            )
        if not text or len(text) > 2000:
            return web.json_response({"error": -201, "message": "text length is invalid"})
        self.messages.append({"user_id": user, "text": text})
        return web.json_response(
            {"error": 0, "message": "Success",
             "data": {"message_id": f"mid{len(self.messages)}", "user_id": user}}
        )

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        call = {key: str(value) for key, value in form.items()}
        call["secret_key"] = request.headers.get("secret_key", "")
        self.refreshes.append(call)
        if call["secret_key"] != APP_SECRET or call.get("app_id") != APP_ID:
            return web.json_response({"error": -14002, "error_name": "Invalid app secret"})
        token = call.get("refresh_token", "")
        if call.get("grant_type") != "refresh_token" or token not in self.refresh_tokens:
            return web.json_response({
                "error": -14014,
                "error_name": "Invalid refresh token",
                "error_description": "Refresh token is invalid or has been used",
            })
        self.refresh_tokens.discard(token)  # a refresh token works once
        serial = next(self._serial)
        self.access_tokens = {f"access-{serial}"}  # the new token invalidates the old
        self.refresh_tokens.add(f"refresh-{serial}")
        return web.json_response({
            "access_token": f"access-{serial}",
            "refresh_token": f"refresh-{serial}",
            "expires_in": "90000",
        })

    async def _zns(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self._token_error(request)
        if refused is not None:
            return refused
        self.zns.append(body)
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"msg_id": f"zns{len(self.zns)}"}})

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")
