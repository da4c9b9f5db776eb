"""A resident comments on a draft through Telegram (the fake Bot API over real HTTP), and a
staff member answers; the answer reaches the resident's chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import utc_now
from bot.web.keys import SESSIONS
from db.drafts_models import RuleComment, RuleParticipant, RuleVote
from db.models import StaffAccount, StaffMember
from handlers import draft_actions
from handlers.profiles import load_profile
from tests.bot.service import make_settings, running
from tests.drafts.helpers import DEMO, GROUP
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_server import FakeTelegram

RESIDENT = 5151
STAFF = 6161


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def _wait_for(fake: FakeTelegram, chat: int, after: int, needle: str,
                    timeout: float = 10) -> list[dict[str, Any]]:
    """Messages sent to ``chat`` after the first ``after`` once one of them holds ``needle``."""
    for _ in range(int(timeout / 0.05)):
        fresh = fake.sent(chat)[after:]
        if any(needle in str(m.get("text")) for m in fresh):
            return fresh
        await asyncio.sleep(0.05)
    raise AssertionError(f"no message with {needle!r}: {fake.sent(chat)[after:]}")


async def _press(fake: FakeTelegram, chat: int, label: str, needle: str) -> list[dict[str, Any]]:
    last = fake.sent(chat)[-1]
    payload = _buttons(last)[label]
    seen = len(fake.sent(chat))
    fake.push(tg.button(chat, payload))
    return await _wait_for(fake, chat, seen, needle)


async def test_resident_votes_and_comments_on_telegram_and_gets_the_answer(
    database_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    settings = make_settings(database_url, tmp_path, TELEGRAM_BOT_TOKEN=fake.token,
                             TELEGRAM_API_BASE_URL=fake.base_url)
    profile = load_profile("demo_ward")
    now = utc_now()
    async with running(settings) as (app, _):
        async with app[SESSIONS].begin() as session:
            local = now.astimezone(ZoneInfo(profile.timezone)).date()
            await draft_actions.import_draft(
                session, title="Quy ước Tổ dân phố Đông Thành (dự thảo)", place=GROUP,
                opens_on=local, closes_on=local + timedelta(days=30),
                text=DEMO.read_text(encoding="utf-8"), profile=profile, now=now)
            member = StaffMember(name="Phạm Thu", role="officer", unit_code="van_hoa_xa_hoi",
                                 active=True, created_at=now)
            session.add(member)
            await session.flush()
            session.add(StaffAccount(staff_id=member.id, channel="telegram",
                                     external_id=str(STAFF), chat_id=str(STAFF), linked_at=now))
        fake.push(tg.text(RESIDENT, "/start"))
        menu = (await _wait_for(fake, RESIDENT, 0, "Hộp thư phản ánh"))[-1]
        assert "Góp ý dự thảo hương ước, quy ước" in _buttons(menu)
        await _press(fake, RESIDENT, "Góp ý dự thảo hương ước, quy ước", "Các dự thảo")
        await _press(fake, RESIDENT, "Quy ước Tổ dân phố Đông Thành (dự thảo)", "25 điều")
        await _press(fake, RESIDENT, "Đọc từng điều", "Điều 1. Phạm vi điều chỉnh")
        await _press(fake, RESIDENT, "Điều 2 ▶", "Điều 2. Đối tượng áp dụng")
        await _press(fake, RESIDENT, "Không đồng ý", "Nghị định 356/2025")
        await _press(fake, RESIDENT, "Đồng ý", "thôn, tổ dân phố")
        await _press(fake, RESIDENT, GROUP, "không đồng ý với Điều 2")
        await _press(fake, RESIDENT, "Góp ý", "nhập ý kiến góp ý cho Điều 2")
        seen = len(fake.sent(RESIDENT))
        fake.push(tg.text(RESIDENT, "Người thuê trọ dài hạn cũng nên thực hiện đầy đủ."))
        thanks = (await _wait_for(fake, RESIDENT, seen, "Góp ý số"))[-1]["text"]
        comment_id = int(thanks.split("Góp ý số ")[1].split()[0])

        fake.push(tg.text(STAFF, "/draft 1"))
        view = await _wait_for(fake, STAFF, 0, "Điều 2. Đối tượng áp dụng: 0 / 1 / 1")
        assert f"Số {comment_id}" in view[-1]["text"]
        await _press(fake, STAFF, f"Góp ý số {comment_id}", "Người thuê trọ dài hạn")
        await _press(fake, STAFF, "Trả lời", "nhập nội dung trả lời")
        seen_staff = len(fake.sent(STAFF))
        fake.push(tg.text(STAFF, "Tổ soạn thảo tiếp thu, sẽ bổ sung người thuê trọ."))
        await _wait_for(fake, STAFF, seen_staff, "Đã gửi trả lời")
        answer = await _wait_for(fake, RESIDENT, seen + 1, "Tổ soạn thảo tiếp thu")
        assert f"góp ý số {comment_id}" in answer[-1]["text"]
        async with app[SESSIONS]() as session:
            vote = (await session.scalars(select(RuleVote))).one()
            comment = (await session.scalars(select(RuleComment))).one()
            joined = (await session.scalars(select(RuleParticipant))).one()
    assert vote.agree is False and joined.residential_group == GROUP
    assert comment.answer_text == "Tổ soạn thảo tiếp thu, sẽ bổ sung người thuê trọ."
