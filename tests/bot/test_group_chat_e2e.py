"""End to end through the fake Telegram Bot API with the real service and the real CLI:
unit group chats linked with `/link CODE`, a new item announced in the unit's group,
reminders at chosen instants (the service's clock is moved), the overdue reminder and the
escalation (in the office's group too), the morning digests, an urgent item at night.

Printed (pytest -s) is the transcript quoted in the issue note.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.__main__ import main
from bot.app import create_app
from bot.settings import Settings
from bot.web.keys import SWEEPER, WORKER
from tests.bot.service import make_settings
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_server import FakeTelegram
from tests.handlers.factories import FakeClassifier, Prediction
from tests.reminders.helpers import at

RESIDENT = 5201
HEAD_KT = 6201  # head of Phòng Kinh tế, Hạ tầng và Đô thị
HEAD_VP = 6202  # head of Văn phòng HĐND và UBND (an escalation unit)
GROUP_KT = -100201
GROUP_VP = -100202
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
_ids = itertools.count(90_000)
TRANSCRIPT: list[str] = []


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def group_text(chat_id: int, user_id: int, body: str, title: str) -> dict[str, Any]:
    """A message in a Telegram group (the shape the Bot API sends)."""
    return tg.update({"message": {
        "message_id": next(_ids), "date": int(time.time()),
        "chat": {"id": chat_id, "type": "group", "title": title},
        "from": {"id": user_id, "is_bot": False, "first_name": "Cán bộ"},
        "text": body,
    }})


@asynccontextmanager
async def _service(settings: Settings, clock: MovableClock,
                   classifier: FakeClassifier) -> AsyncIterator[web.Application]:
    app = create_app(settings, clock=clock, classifier=classifier, worker_interval=0.05,
                     sweep_interval=3600)  # the test runs each sweep itself
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        yield app
    finally:
        await runner.cleanup()


def _cli(command: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(command) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    TRANSCRIPT.append("$ python -m bot " + " ".join(command) + "\n" + "\n".join(printed))
    return printed[-1]


async def _exchange(fake: FakeTelegram, chat: int, update: dict[str, Any], who: str) -> str:
    before = len(fake.sent(chat))
    fake.push(update)
    await fake.wait_sent(chat, before + 1)
    await asyncio.sleep(0.1)
    said = update.get("message", {}).get("text") or update.get("callback_query", {}).get("data")
    TRANSCRIPT.append(f"{who} > {said}")
    for message in fake.sent(chat)[before:]:
        TRANSCRIPT.append(f"bot → {who}:\n{message['text']}")
    return str(fake.sent(chat)[-1]["text"])


async def _new_messages(fake: FakeTelegram, chats: dict[int, str], counts: dict[int, int],
                        expected: dict[int, int]) -> dict[int, list[str]]:
    """Wait for ``expected`` new messages per chat, then check no more arrive."""
    for chat, n in expected.items():
        await fake.wait_sent(chat, counts[chat] + n)
    await asyncio.sleep(0.3)
    got = {chat: [m["text"] for m in fake.sent(chat)[counts[chat]:]] for chat in chats}
    for chat, texts in got.items():
        assert len(texts) == expected.get(chat, 0), (chats[chat], texts)
        for text in texts:
            TRANSCRIPT.append(f"bot → {chats[chat]}:\n{text}")
        counts[chat] += len(texts)
    return got


async def _sweep(app: web.Application, clock: MovableClock, now: datetime) -> None:
    clock.now = now
    TRANSCRIPT.append(f"-- sweep at {now:%a %d/%m/%Y %H:%M} (giờ Hà Nội)")
    result = await app[SWEEPER].run_once()
    assert result is not None
    app[WORKER].kick()


async def test_group_chats_reminders_escalation_digest_and_urgent(
    database_url: str, tmp_path: Path, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(database_url, tmp_path, TELEGRAM_BOT_TOKEN=fake.token,
                             TELEGRAM_API_BASE_URL=fake.base_url, PROFILE="demo_ward")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    codes = {}
    for who, name, unit in (("head_kt", "Phạm Thị Dung", "kinh_te"),
                            ("head_vp", "Lê Văn Hùng", "van_phong")):
        command = ["staff", "invite", "--name", name, "--role", "unit_head", "--unit", unit]
        codes[who] = await asyncio.to_thread(_cli, command, capsys)
    for unit in ("kinh_te", "van_phong"):
        codes[unit] = await asyncio.to_thread(
            _cli, ["staff", "invite-group", "--unit", unit], capsys)
    assert CODE.search(codes["kinh_te"]) and "Thêm bot vào nhóm" in TRANSCRIPT[-1]

    clock = MovableClock(at(2026, 4, 25, 9))  # Saturday 25/4/2026, 09:00
    classifier = FakeClassifier(Prediction(field="dat_dai", kind="phan_anh", confidence=0.93))
    chats = {RESIDENT: "resident", HEAD_KT: "head of kinh_te", HEAD_VP: "head of van_phong",
             GROUP_KT: "group kinh_te", GROUP_VP: "group van_phong"}
    async with _service(settings, clock, classifier) as app:
        await _exchange(fake, HEAD_KT, tg.text(HEAD_KT, f"/link {codes['head_kt']}"),
                        "head of kinh_te")
        await _exchange(fake, HEAD_VP, tg.text(HEAD_VP, f"/link {codes['head_vp']}"),
                        "head of van_phong")
        # In a group: an unlinked group hears the bot is private-only; /link links it once.
        said = await _exchange(fake, GROUP_KT, group_text(GROUP_KT, HEAD_KT, "Chào cả nhóm",
                                                          "Phòng KT"), "group kinh_te")
        assert "chỉ nhận tin nhắn riêng" in said
        linked = await _exchange(fake, GROUP_KT, group_text(
            GROUP_KT, HEAD_KT, f"/link {codes['kinh_te']}", "Phòng KT"), "group kinh_te")
        assert linked.startswith("Đã liên kết nhóm này với Phòng Kinh tế, Hạ tầng và Đô thị.")
        await _exchange(fake, GROUP_VP, group_text(
            GROUP_VP, HEAD_VP, f"/link@hopthu_bot {codes['van_phong']}", "Văn phòng"),
            "group van_phong")
        again = await _exchange(fake, GROUP_VP, group_text(
            GROUP_VP, HEAD_VP, f"/link {codes['van_phong']}", "Văn phòng"), "group van_phong")
        assert "đã được dùng" in again  # one-time
        counts = {chat: len(fake.sent(chat)) for chat in chats}

        # A resident reports; the unit's group hears of the new item.
        await _exchange(fake, RESIDENT, tg.text(RESIDENT, "Nhà số 12 ngõ 5 xây tường lấn "
                                                "sang đất nhà tôi khoảng 2 mét."), "resident")
        for payload in ("consent:yes", "skip", "skip", "skip"):
            await _exchange(fake, RESIDENT, tg.button(RESIDENT, payload), "resident")
        confirmation = await _exchange(fake, RESIDENT, tg.button(RESIDENT, "send"), "resident")
        match = CODE.search(confirmation)
        assert match is not None
        code = match.group(0)
        assert "Chậm nhất ngày 05/05/2026" in confirmation
        counts[RESIDENT] = len(fake.sent(RESIDENT))
        new = await _new_messages(fake, chats, counts, {HEAD_KT: 1, GROUP_KT: 1})
        assert new[GROUP_KT][0].startswith(f"Phản ánh mới {code}")

        # Wed 29/4 08:00: two working days left (30/4 and 1/5 are holidays): due soon.
        await _sweep(app, clock, at(2026, 4, 29, 8))
        new = await _new_messages(fake, chats, counts,
                                  {HEAD_KT: 2, HEAD_VP: 1, GROUP_KT: 1})  # + digests
        assert new[GROUP_KT][0].startswith(f"Nhắc hạn: phản ánh {code}")
        assert any(t.startswith("Bản tin sáng 29/04/2026") for t in new[HEAD_KT])

        # Thu 30/4 (holiday) and Tue 5/5 (the deadline day): nothing new to remind.
        await _sweep(app, clock, at(2026, 4, 30, 9))
        await _new_messages(fake, chats, counts, {})
        await _sweep(app, clock, at(2026, 5, 5, 15))
        await _new_messages(fake, chats, counts, {HEAD_KT: 1, HEAD_VP: 1})  # digests only

        # Wed 6/5 07:35: overdue. The unit head, the unit's group, the van_phong head and
        # group (escalation), the resident (told plainly), and the morning digests.
        await _sweep(app, clock, at(2026, 5, 6, 7, 35))
        new = await _new_messages(fake, chats, counts, {
            HEAD_KT: 2, GROUP_KT: 1, HEAD_VP: 2, GROUP_VP: 1, RESIDENT: 1})
        overdue = next(t for t in new[HEAD_KT] if t.startswith("QUÁ HẠN"))
        digest = next(t for t in new[HEAD_KT] if t.startswith("Bản tin sáng"))
        escalation = next(t for t in new[HEAD_VP] if t.startswith("Báo cáo quá hạn"))
        assert new[GROUP_KT] == [overdue]
        assert new[GROUP_VP] == [escalation]
        assert f"{code} · Phản ánh · Đất đai · hạn xử lý đơn 05/05/2026 (quá 1 ngày làm việc)" \
            in digest
        assert "đã quá hạn xử lý đơn (05/05/2026)" in new[RESIDENT][0]
        assert "Văn phòng HĐND và UBND trực tiếp theo dõi" in new[RESIDENT][0]
        await _sweep(app, clock, at(2026, 5, 6, 10))  # nothing twice
        await _new_messages(fake, chats, counts, {})

        # Sat 9/5 22:00: an urgent report reaches the unit and its group at once.
        clock.now = at(2026, 5, 9, 22)
        classifier.prediction = Prediction(field="moi_truong", kind="phan_anh",
                                           confidence=0.9, urgent=True)
        await _exchange(fake, RESIDENT, tg.text(RESIDENT, "Cống vỡ, nước thải tràn vào "
                                                "nhà dân ngõ 7, cần xử lý gấp."), "resident")
        await _exchange(fake, RESIDENT, tg.button(RESIDENT, "skip"), "resident")
        await _exchange(fake, RESIDENT, tg.button(RESIDENT, "skip"), "resident")
        await _exchange(fake, RESIDENT, tg.button(RESIDENT, "skip"), "resident")
        confirmation = await _exchange(fake, RESIDENT, tg.button(RESIDENT, "send"), "resident")
        urgent_code = CODE.search(confirmation)
        assert urgent_code is not None
        counts[RESIDENT] = len(fake.sent(RESIDENT))
        new = await _new_messages(fake, chats, counts, {HEAD_KT: 1, GROUP_KT: 1})
        assert new[GROUP_KT][0].startswith(f"KHẨN: Phản ánh mới {urgent_code.group(0)}")
        pending = await _exchange(fake, HEAD_KT, tg.text(HEAD_KT, "/pending"),
                                  "head of kinh_te")
        assert pending.splitlines()[1].startswith(f"• {urgent_code.group(0)} KHẨN")
    print("\n\n".join(TRANSCRIPT))
    print("\n\n== as the unit heads receive them ==\n")
    print(f"[head of kinh_te, digest]\n{digest}\n\n[head of kinh_te, overdue]\n{overdue}\n\n"
          f"[head of van_phong, escalation]\n{escalation}")
