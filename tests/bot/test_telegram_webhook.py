"""Telegram in webhook mode: the secret is checked and nothing is acknowledged before storage."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text

from bot.web.keys import SESSIONS
from db.models import InboxEvent, Item
from tests.bot.service import make_settings, running
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_server import FakeTelegram

USER = 5151
SECRET = "webhook-secret-123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _settings(database_url: str, tmp_path: Path, fake: FakeTelegram):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url, tmp_path, TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url, TELEGRAM_WEBHOOK_SECRET=SECRET,
        PUBLIC_BASE_URL="https://hopthu.example.gov.vn",
    )


async def _post(http: aiohttp.ClientSession, url: str, body: object, secret: str = SECRET,
                raw: bytes | None = None) -> tuple[int, dict[str, object]]:
    headers = {HEADER: secret} if secret else {}
    async with http.post(url, json=None if raw is not None else body, data=raw,
                         headers=headers) as response:
        return response.status, await response.json()


async def test_webhook_flow_to_a_code(database_url: str, tmp_path: Path, fake: FakeTelegram
                                      ) -> None:
    async with running(_settings(database_url, tmp_path, fake)) as (app, base), \
            aiohttp.ClientSession() as http:
        url = f"{base}/webhooks/telegram"
        assert fake.webhook_url == "https://hopthu.example.gov.vn/webhooks/telegram"
        assert not [c for c in fake.calls if c.method == "getUpdates"]
        status, _ = await _post(http, url, tg.text(USER, "Cây xanh đổ chắn ngang đường"))
        assert status == 200
        await fake.wait_sent(USER, 1)
        for count, payload in enumerate(["consent:yes", "skip", "skip", "skip"], start=2):
            status, body = await _post(http, url, tg.button(USER, payload))
            # The webhook answer itself stops the button's spinner.
            assert status == 200 and body["method"] == "answerCallbackQuery"
            await fake.wait_sent(USER, count)
        press = tg.button(USER, "send")
        assert (await _post(http, url, press))[0] == 200
        assert (await _post(http, url, press))[0] == 200  # a redelivery is acknowledged
        messages = await fake.wait_sent(USER, 6)
        async with app[SESSIONS]() as session:
            items = await session.scalar(select(func.count()).select_from(Item))
    assert "Mã tra cứu" in messages[-1]["text"]
    assert items == 1


@pytest.mark.parametrize("secret", ["", "wrong-secret"])
async def test_wrong_or_missing_secret_is_403_and_nothing_stored(
    database_url: str, tmp_path: Path, fake: FakeTelegram, secret: str
) -> None:
    async with running(_settings(database_url, tmp_path, fake)) as (app, base), \
            aiohttp.ClientSession() as http:
        status, _ = await _post(http, f"{base}/webhooks/telegram", tg.text(USER, "hi"), secret)
        async with app[SESSIONS]() as session:
            stored = await session.scalar(select(func.count()).select_from(InboxEvent))
    assert status == 403 and stored == 0


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}', b"\xff\xfe"]
)
async def test_malformed_update_is_400(
    database_url: str, tmp_path: Path, fake: FakeTelegram, raw: bytes
) -> None:
    async with running(_settings(database_url, tmp_path, fake)) as (app, base), \
            aiohttp.ClientSession() as http:
        status, body = await _post(http, f"{base}/webhooks/telegram", None, raw=raw)
        async with app[SESSIONS]() as session:
            stored = await session.scalar(select(func.count()).select_from(InboxEvent))
    assert status == 400 and body["ok"] is False and stored == 0


async def test_database_down_answers_503_then_redelivery_works(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    update = tg.text(USER, "Mất điện cả khu phố từ chiều")
    async with running(_settings(database_url, tmp_path, fake)) as (app, base), \
            aiohttp.ClientSession() as http:
        url = f"{base}/webhooks/telegram"
        async with app[SESSIONS].begin() as session:  # the inbox table goes away
            await session.execute(text("ALTER TABLE inbox RENAME TO inbox_away"))
        status, _ = await _post(http, url, update)
        assert status == 503
        async with app[SESSIONS].begin() as session:
            await session.execute(text("ALTER TABLE inbox_away RENAME TO inbox"))
        status, _ = await _post(http, url, update)  # Telegram redelivers
        assert status == 200
        messages = await fake.wait_sent(USER, 1)
    assert "đồng ý" in messages[0]["text"]


async def test_unknown_update_types_are_stored_and_ignored(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    edited = {"update_id": 31337, "edited_message": tg.text(USER, "sửa")["message"]}
    async with running(_settings(database_url, tmp_path, fake)) as (app, base), \
            aiohttp.ClientSession() as http:
        status, _ = await _post(http, f"{base}/webhooks/telegram", edited)
        for _ in range(100):
            async with app[SESSIONS]() as session:
                event = (await session.scalars(select(InboxEvent))).one()
            if event.processed_at is not None:
                break
            await fake.wait_sent(USER, 0, timeout=0.05)
    assert status == 200 and event.processed_at is not None and event.last_error is None
    assert fake.sent(USER) == []
