"""End to end through the fake Telegram Bot API, over real HTTP, with the real service:
a resident submits a land complaint; the kinh_te unit head, invited with the CLI and linked
with /link, sees it in /pending, accepts and answers it; the resident gets the answer and
rates it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.__main__ import main
from bot.app import create_app
from bot.settings import Settings
from bot.web.keys import SESSIONS
from db.models import Item, Rating
from tests.bot.service import make_settings
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_server import FakeTelegram
from tests.handlers.factories import FakeClassifier, Prediction

RESIDENT = 5101
HEAD = 6101
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2/3/2026 09:00 in Hà Nội
TRANSCRIPT: list[str] = []


def _clock() -> Callable[[], datetime]:
    began = time.monotonic()
    return lambda: START + timedelta(seconds=time.monotonic() - began)


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[web.Application]:
    classifier = FakeClassifier(Prediction(field="dat_dai", kind="phan_anh", confidence=0.93))
    app = create_app(settings, clock=_clock(), classifier=classifier, worker_interval=0.05)
    runner = web.AppRunner(app)
    await runner.setup()  # runs the lifecycle: migrate, worker, Telegram polling
    try:
        yield app
    finally:
        await runner.cleanup()


async def _exchange(fake: FakeTelegram, chat: int, update: dict[str, Any], who: str) -> str:
    before = len(fake.sent(chat))
    fake.push(update)
    sent = await fake.wait_sent(chat, before + 1)
    await asyncio.sleep(0.1)  # a second message of the same step, if any
    sent = fake.sent(chat)
    said = update.get("message", {}).get("text") or update.get("callback_query", {}).get("data")
    TRANSCRIPT.append(f"{who} > {said}")
    for message in sent[before:]:
        TRANSCRIPT.append(f"bot → {who}:\n{message['text']}")
    return str(sent[-1]["text"])


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_land_complaint_from_submission_to_rating(
    database_url: str, tmp_path: Path, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(database_url, tmp_path, TELEGRAM_BOT_TOKEN=fake.token,
                             TELEGRAM_API_BASE_URL=fake.base_url, PROFILE="demo_ward")
    # The invite through the real CLI (in a thread: it runs its own event loop).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    command = ["staff", "invite", "--name", "Phạm Thị Dung", "--role", "unit_head",
               "--unit", "kinh_te"]
    assert await asyncio.to_thread(main, command) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    link_code = printed[-1]
    TRANSCRIPT.append("$ python -m bot " + " ".join(command) + "\n" + "\n".join(printed))

    async with _service(settings) as app:
        # The resident writes and sends a land complaint.
        await _exchange(fake, RESIDENT, tg.text(RESIDENT, "Nhà số 12 ngõ 5 xây tường lấn "
                                                "sang đất nhà tôi khoảng 2 mét."), "resident")
        for payload in ("consent:yes", "skip", "skip", "skip"):
            await _exchange(fake, RESIDENT, tg.button(RESIDENT, payload), "resident")
        confirmation = await _exchange(fake, RESIDENT, tg.button(RESIDENT, "send"), "resident")
        match = CODE.search(confirmation)
        assert match is not None
        code = match.group(0)
        assert "Lĩnh vực: Đất đai" in confirmation
        assert "Đơn vị xử lý: Phòng Kinh tế, Hạ tầng và Đô thị" in confirmation
        # Mon 2/3/2026: processing 10 calendar days -> 12/03/2026; service target 10
        # working days -> 16/03/2026.
        assert "Chậm nhất ngày 12/03/2026" in confirmation
        assert "Hạn trả lời dự kiến: 16/03/2026" in confirmation

        # The unit head links the chat account and finds the item.
        linked = await _exchange(fake, HEAD, tg.text(HEAD, f"/link {link_code}"), "unit head")
        assert "Phạm Thị Dung" in linked
        assert "Lãnh đạo đơn vị" in linked
        pending = await _exchange(fake, HEAD, tg.text(HEAD, "/pending"), "unit head")
        assert code in pending
        assert "hạn 12/03/2026" in pending
        view = await _exchange(fake, HEAD, tg.button(HEAD, f"st:item:{code}"), "unit head")
        assert "Nhà số 12 ngõ 5" in view
        buttons = _buttons(fake.sent(HEAD)[-1])
        accepted = await _exchange(fake, HEAD, tg.button(HEAD, buttons["Thụ lý"]), "unit head")
        assert "Đã thụ lý" in accepted
        assert "23/03/2026" in accepted
        await _exchange(fake, HEAD, tg.button(HEAD, f"st:do:answer:{code}"), "unit head")
        done = await _exchange(fake, HEAD, tg.text(
            HEAD, "Phường đã kiểm tra, lập biên bản và yêu cầu hộ số 12 tháo dỡ phần tường "
            "lấn chiếm trước ngày 20/3/2026."), "unit head")
        assert "Đã gửi trả lời" in done

        # The resident was told of the acceptance and receives the answer with buttons.
        answer = (await fake.wait_sent(RESIDENT, 8))[-1]
        texts = [m["text"] for m in fake.sent(RESIDENT)]
        assert any("thụ lý" in t and "23/03/2026" in t for t in texts)
        assert "yêu cầu hộ số 12 tháo dỡ" in answer["text"]
        rating = _buttons(answer)
        assert set(rating) == {"Hài lòng", "Chưa hài lòng"}
        for message in fake.sent(RESIDENT)[6:]:
            TRANSCRIPT.append(f"bot → resident:\n{message['text']}")
        thanks = await _exchange(fake, RESIDENT, tg.button(RESIDENT, rating["Hài lòng"]),
                                 "resident")
        assert "Cảm ơn anh/chị đã đánh giá" in thanks
        async with app[SESSIONS]() as session:
            item = (await session.scalars(select(Item))).one()
            ratings = (await session.scalars(select(Rating))).all()
    assert item.status == "closed"
    assert item.unit_code == "kinh_te"
    assert [(r.satisfied, r.unit_code) for r in ratings] == [(True, "kinh_te")]
    print("\n\n".join(TRANSCRIPT))
