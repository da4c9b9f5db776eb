"""A fake Telegram Bot API over real HTTP, for python-telegram-bot to talk to in tests.

It serves getUpdates (long polling), records every call, returns planned failures for
sendMessage, and serves files for getFile downloads. Start it with `FakeTelegram.start()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.local_server import serve, shut
from tests.fakes.waiting import wait_for_count

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Hộp thư", "username": "hopthu_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeTelegram:
    token: str = "123456:TEST"
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    # (HTTP status, body) answers for the next sendMessage calls, used before any success.
    send_failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    confirmed_offset: int = 0
    webhook_url: str = ""
    _runner: web.AppRunner | None = None
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    port: int = 0

    # -- what tests use --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def push(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent successfully, in order."""
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage"
            and c.params.get("_ok")
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    async def wait_sent(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        return await wait_for_count(lambda: self.sent(chat_id), count, timeout,
                                    f"bot sent to {chat_id}", show=lambda m: m.get("text"))

    # -- server ----------------------------------------------------------------------------

    async def start(self, port: int = 0) -> FakeTelegram:
        app = web.Application()
        app.router.add_post(f"/bot{self.token}/{{method}}", self._api)
        app.router.add_get(f"/file/bot{self.token}/{{path:.+}}", self._file)
        # Control routes, for driving the fake by hand (see `main` below).
        app.router.add_post("/_control/push", self._control_push)
        app.router.add_get("/_control/sent", self._control_sent)
        self._runner, self.port = await serve(app, port)
        return self

    async def stop(self) -> None:
        await shut(self._runner)

    async def _control_push(self, request: web.Request) -> web.Response:
        self.push(await request.json())
        return _ok(True)

    async def _control_sent(self, request: web.Request) -> web.Response:
        chat = request.query.get("chat_id")
        return _ok(self.sent(int(chat) if chat else None))

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()
            return dict(data) if isinstance(data, dict) else {}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _fail(404, f"Not Found: method {method}")
        response: web.Response = await handler(params, call)
        return response

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1].split(".", 1)[0]
        data = self.files.get(file_id)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")

    # -- Bot API methods -------------------------------------------------------------------

    async def _m_getMe(self, params: dict[str, Any], call: Call) -> web.Response:
        return _ok(BOT_USER)

    async def _m_deleteWebhook(self, params: dict[str, Any], call: Call) -> web.Response:
        self.webhook_url = ""
        return _ok(True)

    async def _m_setWebhook(self, params: dict[str, Any], call: Call) -> web.Response:
        self.webhook_url = str(params.get("url", ""))
        return _ok(True)

    async def _m_answerCallbackQuery(self, params: dict[str, Any], call: Call) -> web.Response:
        return _ok(True)

    async def _m_getUpdates(self, params: dict[str, Any], call: Call) -> web.Response:
        offset = int(params.get("offset") or 0)
        if offset:
            # As Telegram does: asking from an offset confirms everything before it.
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        return _ok(pending[:100])

    async def _m_sendMessage(self, params: dict[str, Any], call: Call) -> web.Response:
        if self.send_failures:
            status, body = self.send_failures.pop(0)
            return web.json_response(body, status=status)
        call.params["_ok"] = True
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        return _ok(message)

    async def _m_getFile(self, params: dict[str, Any], call: Call) -> web.Response:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            return _fail(400, "Bad Request: invalid file_id")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}.jpg",
            }
        )


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _fail(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def too_many_requests(retry_after: int) -> tuple[int, dict[str, Any]]:
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


def server_error() -> tuple[int, dict[str, Any]]:
    return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}


async def main(port: int, token: str) -> None:
    """Serve the fake on a fixed port so `python -m bot run` can be tried by hand against it."""
    fake = await FakeTelegram(token=token).start(port)
    print(f"fake Bot API at {fake.base_url} (token {token}); Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="A fake Telegram Bot API for manual trials")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--token", default="123456:TEST")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.port, arguments.token))
