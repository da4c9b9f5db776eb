"""A fake Zalo Bot Platform API over real HTTP: getUpdates (one update per call, HTTP 408
when nothing arrived), webhooks, sendMessage (1-2,000 characters) and image files."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.local_server import serve, shut
from tests.fakes.waiting import wait_for_count

TOKEN = "1234567:zalo-bot-test-token"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeZaloBot:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = None
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def push(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    def sent(self, chat_id: str) -> list[str]:
        return [
            str(c.params["text"]) for c in self.calls
            if c.method == "sendMessage" and c.params.get("_ok")
            and str(c.params["chat_id"]) == chat_id
        ]

    def empty_polls(self) -> int:
        return sum(1 for c in self.calls if c.method == "getUpdates" and c.params.get("_408"))

    async def wait_sent(self, chat_id: str, count: int, within: float = 10.0) -> list[str]:
        return await wait_for_count(lambda: self.sent(chat_id), count, within,
                                    f"bot sent to {chat_id}")

    async def start(self) -> FakeZaloBot:
        app = web.Application()
        app.router.add_post(f"/bot{self.token}/{{method}}", self._api)
        app.router.add_get("/files/{name}", self._file)
        self._runner, self.port = await serve(app)
        return self

    async def stop(self) -> None:
        await shut(self._runner)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await request.json() if request.can_read_body else {}
        call = Call(method, dict(params))
        self.calls.append(call)
        if method == "getUpdates":
            return await self._get_updates(call)
        if method == "sendMessage":
            text = str(params.get("text", ""))
            if not 1 <= len(text) <= 2000:
                return _fail(400, "Bad Request: text must be 1-2000 characters")
            call.params["_ok"] = True
            return _ok({"message_id": f"b{len(self.calls)}", "date": int(time.time() * 1000)})
        if method == "setWebhook":
            self.webhook = dict(params)
            return _ok(True)
        if method == "deleteWebhook":
            self.webhook = {}
            return _ok(True)
        if method in ("getMe", "sendChatAction"):
            return _ok({"id": "bot1", "account_name": "hopthu_bot"})
        return _fail(404, f"Not Found: method {method}")

    async def _get_updates(self, call: Call) -> web.Response:
        timeout = float(call.params.get("timeout") or 0)
        if not self.updates and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), min(timeout, 1.0))
        if not self.updates:
            call.params["_408"] = True
            return _fail(408, "Request timeout")
        return _ok(self.updates.pop(0))  # one update per call, gone once handed out

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _fail(status: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": status, "description": description}, status=status
    )
