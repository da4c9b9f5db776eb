"""The local web chat driven over HTTP, as a browser would."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.web.keys import SESSIONS
from db.models import Attachment, Item
from tests.bot.service import make_settings, running

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2048


def _client() -> aiohttp.ClientSession:
    # Browsers keep cookies from 127.0.0.1; aiohttp's client does only when told to.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


class Browser:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base
        self.seen = 0

    async def open(self) -> None:
        async with self.http.get(f"{self.base}/") as response:
            assert response.status == 200
            assert "Hộp thư phản ánh" in await response.text()

    async def post(self, **body: Any) -> int:
        body.setdefault("id", uuid.uuid4().hex)
        async with self.http.post(f"{self.base}/api/chat/messages", json=body) as response:
            return response.status

    async def replies(self, count: int = 1) -> list[dict[str, Any]]:
        """Wait for `count` new bot messages."""
        got: list[dict[str, Any]] = []
        for _ in range(200):
            async with self.http.get(
                f"{self.base}/api/chat/messages", params={"after": str(self.seen)}
            ) as response:
                got += (await response.json())["messages"]
            if got:
                self.seen = max(m["id"] for m in got)
            if len(got) >= count:
                return got
            await asyncio.sleep(0.03)
        raise AssertionError(f"expected {count} replies, got {got}")

    async def say(self, text: str) -> str:
        assert await self.post(text=text) == 202
        return str((await self.replies())[-1]["text"])

    async def press(self, payload: str) -> str:
        assert await self.post(button=payload) == 202
        return str((await self.replies())[-1]["text"])


async def test_web_chat_to_a_tracking_code(database_url: str, tmp_path: Path) -> None:
    async with running(make_settings(database_url, tmp_path)) as (app, base), \
            _client() as http:
        browser = Browser(http, base)
        await browser.open()
        assert await browser.post(text="/start") == 202
        greeting = (await browser.replies())[0]
        assert [b["label"] for row in greeting["buttons"] for b in row] == [
            "Gửi phản ánh, kiến nghị", "Tra cứu phản ánh"]
        assert "nội dung" in await browser.press("menu:feedback")
        assert "đồng ý" in await browser.say("Hố ga trước số nhà 12 mất nắp, rất nguy hiểm")
        await browser.press("consent:yes")
        form = aiohttp.FormData()
        form.add_field("file", JPEG, filename="hien-truong.jpg", content_type="image/jpeg")
        async with http.post(f"{base}/api/chat/photo", data=form) as response:
            assert response.status == 202
        assert "Đã nhận 1 ảnh" in (await browser.replies())[-1]["text"]
        await browser.press("photos:done")
        assert await browser.post(location={"latitude": 20.43, "longitude": 106.16}) == 202
        await browser.replies()
        await browser.press("skip")
        done = await browser.press("send")
        code = done.split("Mã tra cứu: ")[1][:9]
        assert code in await browser.say(code)
        for _ in range(100):
            async with app[SESSIONS]() as session:
                item = (await session.scalars(select(Item))).one()
                attachment = (await session.scalars(select(Attachment))).one()
            if attachment.stored_path:
                break
            await asyncio.sleep(0.05)
    assert item.tracking_code == code and item.channel == "web"
    assert (item.latitude, item.longitude) == (20.43, 106.16)
    assert attachment.stored_path and Path(attachment.stored_path).read_bytes() == JPEG


async def test_each_browser_is_its_own_resident(database_url: str, tmp_path: Path) -> None:
    async with running(make_settings(database_url, tmp_path)) as (_, base), \
            _client() as first, _client() as second:
        alice, bob = Browser(first, base), Browser(second, base)
        await alice.open()
        await bob.open()
        await alice.say("Rác thải ùn ứ ở chợ")
        assert "Hộp thư phản ánh" in await bob.say("/start")
        # Bob sees only his own conversation.
        async with second.get(f"{base}/api/chat/messages", params={"after": "0"}) as response:
            texts = [m["text"] for m in (await response.json())["messages"]]
    assert len(texts) == 1 and "Rác" not in texts[0]


async def test_forged_or_missing_cookie_is_refused(database_url: str, tmp_path: Path) -> None:
    async with running(make_settings(database_url, tmp_path)) as (_, base), \
            _client() as http:
        async with http.post(f"{base}/api/chat/messages", json={"id": "1", "text": "hi"}) as r:
            assert r.status == 401 and "tải lại trang" in (await r.json())["error"]
        http.cookie_jar.update_cookies({"hopthu_uid": "someone.0000"})
        async with http.get(f"{base}/api/chat/messages") as r:
            assert r.status == 401


async def test_bad_requests_get_clear_answers(database_url: str, tmp_path: Path) -> None:
    async with running(make_settings(database_url, tmp_path)) as (_, base), \
            _client() as http:
        await Browser(http, base).open()
        async with http.post(f"{base}/api/chat/messages", data=b"{oops",
                             headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400 and "không hợp lệ" in (await r.json())["error"]
        async with http.post(f"{base}/api/chat/messages", json={"id": "x"}) as r:
            assert r.status == 400 and "trống" in (await r.json())["error"]
        async with http.get(f"{base}/api/chat/messages", params={"after": "abc"}) as r:
            assert r.status == 400


async def test_non_image_and_oversized_uploads_are_answered(database_url: str, tmp_path: Path
                                                            ) -> None:
    settings = make_settings(database_url, tmp_path, MAX_PHOTO_BYTES=4096)
    async with running(settings) as (app, base), _client() as http:
        browser = Browser(http, base)
        await browser.open()
        await browser.say("Đường ngập sâu sau mưa")
        await browser.press("consent:yes")
        for payload, expected in ((b"%PDF-1.7 ...", "tệp"), (JPEG * 3, "quá lớn")):
            form = aiohttp.FormData()
            form.add_field("file", payload, filename="x", content_type="application/octet-stream")
            async with http.post(f"{base}/api/chat/photo", data=form) as response:
                assert response.status == 202
            assert expected in (await browser.replies())[-1]["text"]
        async with app[SESSIONS]() as session:
            assert (await session.scalars(select(Attachment))).all() == []


async def test_healthz(database_url: str, tmp_path: Path) -> None:
    async with running(make_settings(database_url, tmp_path)) as (_, base), \
            _client() as http, http.get(f"{base}/healthz") as response:
        assert response.status == 200 and (await response.json())["status"] == "ok"
