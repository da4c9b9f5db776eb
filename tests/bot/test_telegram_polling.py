"""Telegram through long polling against the fake Bot API, over real HTTP."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.web.keys import SESSIONS
from db.models import Attachment, InboxEvent, Item, OutboxMessage
from tests.bot.service import make_settings, running
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_server import FakeTelegram, server_error, too_many_requests

USER = 4242


def _settings(database_url: str, tmp_path: Path, fake: FakeTelegram):  # type: ignore[no-untyped-def]
    return make_settings(database_url, tmp_path, TELEGRAM_BOT_TOKEN=fake.token,
                         TELEGRAM_API_BASE_URL=fake.base_url)


async def _submit(fake: FakeTelegram, user: int, text: str, start: int) -> str:
    """Type a problem, agree, skip the optional steps, send; returns the confirmation."""
    fake.push(tg.text(user, text))
    await fake.wait_sent(user, start + 1)
    for step, payload in enumerate(["consent:yes", "skip", "skip", "skip", "send"], start=2):
        fake.push(tg.button(user, payload))
        await fake.wait_sent(user, start + step)
    return str(fake.sent(user)[-1]["text"])


async def test_resident_gets_a_code_and_status_names_it(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    async with running(_settings(database_url, tmp_path, fake)):
        confirmation = await _submit(fake, USER, "Đèn đường ngõ 5 hỏng cả tuần nay", 0)
        assert "Mã tra cứu" in confirmation
        code = confirmation.split("Mã tra cứu: ")[1][:9]
        fake.push(tg.text(USER, f"/status {code}"))
        status = await fake.wait_sent(USER, 7)
    # No classifier in this service: the item waits at the triage desk.
    assert code in status[-1]["text"]
    assert "Đang phân loại" in status[-1]["text"]
    consent_message = fake.sent(USER)[0]
    keyboard = consent_message["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in keyboard[0]] == ["Đồng ý", "Không đồng ý"]
    # The offset only moved past updates already committed to the inbox.
    assert fake.confirmed_offset > 0


async def test_restart_mid_dialogue_resumes(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    settings = _settings(database_url, tmp_path, fake)
    async with running(settings):
        fake.push(tg.text(USER, "Nước thải chảy ra đường"))
        await fake.wait_sent(USER, 1)
        fake.push(tg.button(USER, "consent:yes"))
        await fake.wait_sent(USER, 2)
    async with running(settings) as (app, _):
        fake.push(tg.button(USER, "skip"))
        messages = await fake.wait_sent(USER, 3)
        assert "ở đâu" in messages[-1]["text"]
        for index, payload in enumerate(["skip", "skip", "send"], start=4):
            fake.push(tg.button(USER, payload))
            await fake.wait_sent(USER, index)
        async with app[SESSIONS]() as session:
            item = (await session.scalars(select(Item))).one()
    assert item.text == "Nước thải chảy ra đường"


async def test_photo_bytes_land_in_storage(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    image = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    fake.files["AgADphoto1"] = image
    async with running(_settings(database_url, tmp_path, fake)) as (app, _):
        fake.push(tg.text(USER, "Tường rào trường học nứt, sắp đổ"))
        await fake.wait_sent(USER, 1)
        fake.push(tg.button(USER, "consent:yes"))
        await fake.wait_sent(USER, 2)
        fake.push(tg.photo(USER, "AgADphoto1"))
        assert "Đã nhận 1 ảnh" in (await fake.wait_sent(USER, 3))[-1]["text"]
        for index, payload in enumerate(["photos:done", "skip", "skip", "send"], start=4):
            fake.push(tg.button(USER, payload))
            await fake.wait_sent(USER, index)
        attachment = None
        for _ in range(200):
            async with app[SESSIONS]() as session:
                attachment = (await session.scalars(select(Attachment))).one()
            if attachment.stored_path:
                break
            await asyncio.sleep(0.05)
    assert attachment is not None
    assert attachment.stored_path
    assert Path(attachment.stored_path).read_bytes() == image
    assert attachment.sha256 == hashlib.sha256(image).hexdigest()
    assert attachment.size == len(image)


async def test_429_then_500_still_delivers_exactly_once(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    fake.send_failures = [too_many_requests(1), server_error()]
    async with running(_settings(database_url, tmp_path, fake)) as (app, _):
        fake.push(tg.text(USER, "/start"))
        messages = await fake.wait_sent(USER, 1, timeout=15)
        await asyncio.sleep(0.5)
        async with app[SESSIONS]() as session:
            row = (await session.scalars(select(OutboxMessage))).one()
    attempts = [c for c in fake.calls if c.method == "sendMessage"]
    assert len(attempts) == 3
    assert len(fake.sent(USER)) == 1
    assert "Xin chào" in messages[0]["text"]
    assert row.status == "sent"
    assert row.attempts == 3
    assert row.sent_at is not None
    assert (row.sent_at - row.created_at).total_seconds() >= 1


async def test_same_update_twice_gives_one_item(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    async with running(_settings(database_url, tmp_path, fake)) as (app, _):
        fake.push(tg.text(USER, "Có người đổ trộm phế thải ra bờ sông"))
        await fake.wait_sent(USER, 1)
        for index, payload in enumerate(["consent:yes", "skip", "skip", "skip"], start=2):
            fake.push(tg.button(USER, payload))
            await fake.wait_sent(USER, index)
        # The "Gửi" press arrives twice with one update_id, as after a lost confirmation.
        press = tg.button(USER, "send", update_id=10**9)
        fake.push(press)
        fake.push(press)
        await fake.wait_sent(USER, 6)
        await asyncio.sleep(0.5)
        async with app[SESSIONS]() as session:
            items = await session.scalar(select(func.count()).select_from(Item))
            stored = await session.scalar(
                select(func.count()).select_from(InboxEvent)
                .where(InboxEvent.event_id == str(10**9))
            )
    assert items == 1
    assert stored == 1
    assert len(fake.sent(USER)) == 6


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (tg.sticker(USER), "nhãn dán"),
        (tg.voice(USER), "thoại"),
        (tg.document(USER, "application/pdf", 2000), "tệp"),
        (tg.photo(USER, "huge", size=50 * 1024 * 1024), "quá lớn"),
        (tg.text(USER, "x" * 4001), "dài quá"),
    ],
)
async def test_bad_input_gets_a_vietnamese_answer(
    database_url: str, tmp_path: Path, fake: FakeTelegram, update: dict[str, object],
    expected: str,
) -> None:
    async with running(_settings(database_url, tmp_path, fake)) as (app, _):
        fake.push(update)
        messages = await fake.wait_sent(USER, 1)
        async with app[SESSIONS]() as session:
            items = await session.scalar(select(func.count()).select_from(Item))
    assert expected in messages[0]["text"]
    assert items == 0


async def test_phone_shared_with_the_contact_button_is_kept(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    async with running(_settings(database_url, tmp_path, fake)) as (app, _):
        fake.push(tg.text(USER, "Chó thả rông cắn người ở ngõ 9"))
        await fake.wait_sent(USER, 1)
        for index, payload in enumerate(["consent:yes", "skip", "skip"], start=2):
            fake.push(tg.button(USER, payload))
            await fake.wait_sent(USER, index)
        phone_step = fake.sent(USER)[-1]["reply_markup"]["keyboard"]
        assert phone_step[0][0]["request_contact"] is True
        fake.push(tg.contact(USER, "+84 912 345 678", owner=999))  # someone else's card
        assert "chưa đúng" in (await fake.wait_sent(USER, 5))[-1]["text"]
        fake.push(tg.contact(USER, "+84912345678"))
        assert "0912345678" in (await fake.wait_sent(USER, 6))[-1]["text"]
        fake.push(tg.button(USER, "send"))
        await fake.wait_sent(USER, 7)
        async with app[SESSIONS]() as session:
            item = (await session.scalars(select(Item))).one()
    assert item.contact_phone == "0912345678"
