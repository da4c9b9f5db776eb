"""Zalo Bot Platform end to end: webhook (secret header) and long polling (HTTP 408)."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select, text

from bot.jobs.held import PROTECTED
from bot.web.keys import SESSIONS
from db.models import InboxEvent, Item, StaffAccount
from handlers import actions
from handlers.profiles import load_profile
from tests.bot.service import make_settings
from tests.bot.zalo_harness import (
    Clock,
    count,
    enqueue_answer,
    eventually,
    fixture,
    item_by_code,
    photo_stored,
    running,
)
from tests.fakes.zalo_bot_server import FakeZaloBot

USER = "6ede9afa66b88fe6d6a9"
SECRET = "zalo-bot-webhook-secret"
PHOTO = b"\xff\xd8\xff\xe0 bai rac \xff\xd9"
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
_ids = itertools.count(1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def bot() -> AsyncIterator[FakeZaloBot]:
    server = await FakeZaloBot().start()
    server.files["bai-rac.jpg"] = PHOTO
    yield server
    await server.stop()


def bot_settings(database_url: str, tmp_path: Path, bot: FakeZaloBot, webhook: bool) -> Any:
    extra: dict[str, Any] = {"ZALO_BOT_POLL_TIMEOUT": 1}
    if webhook:
        extra.update(ZALO_BOT_WEBHOOK_SECRET=SECRET, PUBLIC_BASE_URL="https://hopthu.example.vn")
    return make_settings(database_url, tmp_path, ZALO_BOT_TOKEN=bot.token,
                         ZALO_BOT_API_BASE_URL=bot.base_url, **extra)


def text_update(text: str) -> dict[str, Any]:
    """The captured text event with new text and a new message id."""
    update = copy.deepcopy(fixture("bot_text.json"))
    update["result"]["message"].update(text=text, message_id=f"t{next(_ids)}")
    return update


class Resident:
    def __init__(self, http: aiohttp.ClientSession, base: str, bot: FakeZaloBot) -> None:
        self.http = http
        self.url = base + "/webhooks/zalo-bot"
        self.bot = bot
        self.seen = 0

    async def post(self, update: dict[str, Any], secret: str = SECRET) -> int:
        async with self.http.post(self.url, json=update,
                                  headers={"X-Bot-Api-Secret-Token": secret}) as response:
            return response.status

    async def says(self, text: str) -> None:
        assert await self.post(text_update(text)) == 200

    async def reads(self, contains: str, chat: str = USER) -> str:
        while True:
            messages = await self.bot.wait_sent(chat, self.seen + 1)
            self.seen += 1
            if contains in messages[self.seen - 1]:
                return messages[self.seen - 1]


async def test_resident_submits_by_typing_and_receives_the_answer_later(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    settings = bot_settings(database_url, tmp_path, bot, webhook=True)
    async with running(settings, clock) as (app, base), aiohttp.ClientSession() as http:
        resident = Resident(http, base, bot)
        assert await resident.post(fixture("bot_text.json")) == 200
        consent = await resident.reads("đồng ý")
        assert "1. Đồng ý" in consent
        await resident.says("Đồng ý")
        await resident.reads("ảnh")
        image = fixture("bot_image.json")  # without the envelope, as Zalo also sends
        image["message"]["photo_url"] = f"{bot.base_url}/files/bai-rac.jpg"
        assert await resident.post(image) == 200
        await resident.reads("Đã nhận 1 ảnh")
        await resident.says("1")  # Xong, tiếp tục
        await resident.reads("vị trí")
        await resident.says("Ngõ 7, tổ dân phố 3")
        await resident.reads("điện thoại")
        await resident.says("bo qua")
        summary = await resident.reads("1. Gửi")
        assert "Ngõ 7, tổ dân phố 3" in summary
        await resident.says("Gửi")
        confirmation = await resident.reads("Mã tra cứu")
        match = CODE.search(confirmation)
        assert match is not None
        code = match.group(0)
        sessions = app[SESSIONS]
        item = await item_by_code(sessions, code)
        await photo_stored(sessions, item.id)
        clock.advance(days=12)  # no 7-day window on this platform
        await enqueue_answer(app, item, f"Phản ánh {code}: rác đã được thu dọn.", clock())
        answer = await resident.reads("rác đã được thu dọn")
    assert bot.webhook == {"url": "https://hopthu.example.vn/webhooks/zalo-bot",
                           "secret_token": SECRET}
    assert item.channel == "zalo_bot"
    assert item.address == "Ngõ 7, tổ dân phố 3"
    assert item.text.startswith("Rác thải đổ trộm")
    assert code in answer


async def test_wrong_secret_is_refused_and_replays_are_stored_once(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    settings = bot_settings(database_url, tmp_path, bot, webhook=True)
    async with running(settings, clock) as (app, base), aiohttp.ClientSession() as http:
        resident = Resident(http, base, bot)
        update = fixture("bot_text.json")
        refused = [await resident.post(update, secret="wrong-secret"),
                   await resident.post(update, secret="")]
        sessions = app[SESSIONS]
        assert await count(sessions, InboxEvent) == 0
        accepted = [await resident.post(update) for _ in range(3)]
        await resident.reads("đồng ý")
        stored = await count(sessions, InboxEvent)
    assert refused == [403, 403]
    assert accepted == [200, 200, 200]
    assert stored == 1
    assert len(bot.sent(USER)) == 1


async def test_protected_sender_is_told_another_way_and_stickers_are_declined(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    settings = bot_settings(database_url, tmp_path, bot, webhook=True)
    async with running(settings, clock) as (_app, base), aiohttp.ClientSession() as http:
        resident = Resident(http, base, bot)
        assert await resident.post(fixture("bot_unsupported.json")) == 200
        protected = await bot.wait_sent("0c4f2a9e7d1b3c5a6e8d", 1)
        assert await resident.post(fixture("bot_sticker.json")) == 200
        sticker = await resident.reads("nhãn dán")
    assert protected[0].startswith(PROTECTED.split("{")[0])
    assert "liên hệ trực tiếp" in protected[0]
    assert "chữ" in sticker


async def test_long_polling_waits_through_408_and_answers(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    settings = bot_settings(database_url, tmp_path, bot, webhook=False)
    async with running(settings, clock) as (app, _base):
        await eventually(lambda: _polled_empty(bot))  # nothing yet: HTTP 408, ask again
        bot.push(fixture("bot_text.json")["result"])
        await bot.wait_sent(USER, 1)
        bot.push(text_update("1")["result"])  # Đồng ý, typed as its number
        replies = await bot.wait_sent(USER, 2)
        stored = await count(app[SESSIONS], InboxEvent)
    assert "1. Đồng ý" in replies[0]
    assert "ảnh" in replies[1]
    assert stored == 2
    assert any(c.method == "deleteWebhook" for c in bot.calls)


async def test_polled_update_survives_a_database_outage(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    """Zalo forgets an update once fetched: it is kept and stored when the database is back."""
    settings = bot_settings(database_url, tmp_path, bot, webhook=False)
    async with running(settings, clock) as (app, _base):
        await eventually(lambda: _polled_empty(bot))
        async with app[SESSIONS].begin() as session:  # the inbox table goes away
            await session.execute(text("ALTER TABLE inbox RENAME TO inbox_away"))
        bot.push(fixture("bot_text.json")["result"])

        async def fetched() -> bool:
            return not bot.updates

        await eventually(fetched)
        async with app[SESSIONS].begin() as session:
            await session.execute(text("ALTER TABLE inbox_away RENAME TO inbox"))
        replies = await bot.wait_sent(USER, 1)
        stored = await count(app[SESSIONS], InboxEvent)
    assert "1. Đồng ý" in replies[0]
    assert stored == 1


async def _polled_empty(bot: FakeZaloBot) -> bool:
    return bot.empty_polls() >= 1


async def test_no_item_without_consent(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    settings = bot_settings(database_url, tmp_path, bot, webhook=True)
    async with running(settings, clock) as (app, base), aiohttp.ClientSession() as http:
        resident = Resident(http, base, bot)
        assert await resident.post(fixture("bot_text.json")) == 200
        await resident.reads("đồng ý")
        await resident.says("2")  # Không đồng ý
        await resident.reads("xóa")
        items = await count(app[SESSIONS], Item)
    assert items == 0


async def test_staff_links_a_zalo_account_with_the_same_command(
    database_url: str, tmp_path: Path, bot: FakeZaloBot, clock: Clock
) -> None:
    settings = bot_settings(database_url, tmp_path, bot, webhook=True)
    async with running(settings, clock) as (app, base), aiohttp.ClientSession() as http:
        async with app[SESSIONS].begin() as session:
            _member, link_code = await actions.create_invite(
                session, name="Trần Thị Bình", role="office", unit_code="van_phong",
                profile=load_profile("demo_ward"), now=clock())
        resident = Resident(http, base, bot)
        await resident.says(f"/link {link_code}")
        linked = await resident.reads("Đã liên kết")
        async with app[SESSIONS]() as session:
            account = await session.scalar(select(StaffAccount))
    assert "Trần Thị Bình" in linked
    assert account is not None
    assert (account.channel, account.external_id) == ("zalo_bot", USER)
