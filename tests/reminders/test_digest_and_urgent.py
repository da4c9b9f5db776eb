"""The morning digest's contents and its once-a-day guarantee; urgent items at any hour."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import SessionFactory
from db.models import DigestRun, Item, StaffMember
from handlers.actions import Rules
from handlers.conversation.turn import Deps
from handlers.reminder_actions import send_digests
from tests.handlers.chat import Chat, Clock
from tests.handlers.factories import TEST_KEY, FakeClassifier
from tests.reminders.helpers import add_item, add_staff, at, last_outbox_id, outbox


async def test_digest_for_a_unit_head_and_for_the_office(
    sessions: SessionFactory, rules: Rules
) -> None:
    # Wed 6/5/2026: A (due 5/5) is 1 working day late, B (due 7/5) has 1 day left,
    # C and the urgent E are due 16/5; D (cong_an, due 4/5) is 2 working days late.
    a = await add_item(sessions, rules, at(2026, 4, 25, 9))
    b = await add_item(sessions, rules, at(2026, 4, 27, 9))
    c = await add_item(sessions, rules, at(2026, 5, 6, 0, 30))
    d = await add_item(sessions, rules, at(2026, 4, 24, 9), field="an_ninh_trat_tu")
    e = await add_item(sessions, rules, at(2026, 5, 6, 0, 40), field="moi_truong", urgent=True)
    await add_staff(sessions, rules)
    before = await last_outbox_id(sessions)
    assert await send_digests(sessions, rules, at(2026, 5, 6, 7, 29)) == 0
    # head-kt, head-vp, office, head-ca: unit heads and the office (not officers, observers).
    assert await send_digests(sessions, rules, at(2026, 5, 6, 7, 30)) == 4
    assert await send_digests(sessions, rules, at(2026, 5, 6, 9, 0)) == 0  # once a day
    sent = {m.chat_id: m.text for m in await outbox(sessions, before)}
    assert set(sent) == {"head-kt", "head-vp", "office", "head-ca"}
    assert sent["head-kt"] == "\n".join([
        "Bản tin sáng 06/05/2026 – Phòng Kinh tế, Hạ tầng và Đô thị",
        "Đang chờ xử lý: 4 phản ánh (1 quá hạn, 1 sắp đến hạn).",
        "QUÁ HẠN (1):",
        f"• {a.tracking_code} · Phản ánh · Đất đai · hạn xử lý đơn 05/05/2026 "
        "(quá 1 ngày làm việc)",
        "SẮP ĐẾN HẠN (1):",
        f"• {b.tracking_code} · Phản ánh · Đất đai · hạn xử lý đơn 07/05/2026 "
        "(còn 1 ngày làm việc)",
        "ĐANG CHỜ KHÁC (2):",
        f"• {e.tracking_code} · KHẨN · Phản ánh · Môi trường · hạn xử lý đơn 16/05/2026",
        f"• {c.tracking_code} · Phản ánh · Đất đai · hạn xử lý đơn 16/05/2026",
        "Gõ /pending để xem danh sách, /item MÃ để xử lý.",
    ])
    office = sent["office"].splitlines()
    assert office[:5] == [
        "Bản tin sáng 06/05/2026 – toàn Phường Thành Nam (demo)",
        "Đang chờ xử lý: 5 phản ánh (2 quá hạn, 1 sắp đến hạn).",
        "Theo đơn vị:",
        "• Công an phường: 1 (1 quá hạn, 0 sắp đến hạn)",
        "• Phòng Kinh tế, Hạ tầng và Đô thị: 4 (1 quá hạn, 1 sắp đến hạn)",
    ]
    assert office[5:8] == [
        "QUÁ HẠN (2):",
        f"• {d.tracking_code} · Công an phường · Phản ánh · An ninh, trật tự · hạn xử lý đơn "
        "04/05/2026 (quá 2 ngày làm việc)",
        f"• {a.tracking_code} · Phòng Kinh tế, Hạ tầng và Đô thị · Phản ánh · Đất đai · "
        "hạn xử lý đơn 05/05/2026 (quá 1 ngày làm việc)",
    ]
    assert sent["head-vp"].endswith("Không có phản ánh nào đang chờ xử lý.")
    async with sessions() as session:
        runs = (await session.scalars(select(DigestRun.day))).all()
    assert [str(day) for day in runs] == ["2026-05-06"] * 4


async def test_no_digest_on_a_holiday_and_one_again_the_next_working_day(
    sessions: SessionFactory, rules: Rules
) -> None:
    await add_staff(sessions, rules)
    assert await send_digests(sessions, rules, at(2026, 4, 30, 8)) == 0  # 30/4
    assert await send_digests(sessions, rules, at(2026, 5, 2, 8)) == 0  # Saturday
    assert await send_digests(sessions, rules, at(2026, 5, 4, 7, 45)) == 4  # Monday
    assert await send_digests(sessions, rules, at(2026, 5, 5, 7, 45)) == 4


async def test_an_urgent_item_is_announced_at_once_at_night_and_tops_pending(
    sessions: SessionFactory, rules: Rules
) -> None:
    await add_staff(sessions, rules)
    calm = await add_item(sessions, rules, at(2026, 4, 24, 9))
    before = await last_outbox_id(sessions)
    # Saturday 2/5/2026, 22:00: a holiday weekend night.
    urgent = await add_item(sessions, rules, at(2026, 5, 2, 22), field="moi_truong",
                            urgent=True, text="Cống vỡ, nước thải tràn vào nhà dân")
    sent = await outbox(sessions, before)
    alerts = {m.chat_id: m.text for m in sent if m.text.startswith("KHẨN: ")}
    # The office and the unit's staff (head and officer), whatever the hour; the unit's
    # new-item message is itself marked urgent, so the unit is not told twice.
    assert set(alerts) == {"office", "head-kt", "officer-kt"}
    assert alerts["head-kt"].startswith(f"KHẨN: Phản ánh mới {urgent.tracking_code}")
    assert alerts["officer-kt"] == alerts["head-kt"]
    assert alerts["office"] == (
        f"KHẨN: phản ánh {urgent.tracking_code} (Phản ánh, lĩnh vực: Môi trường) cần xử lý "
        "ngay.\nĐơn vị: Phòng Kinh tế, Hạ tầng và Đô thị. Hạn xử lý đơn: 12/05/2026.\n"
        f"Gõ /item {urgent.tracking_code} để xem và xử lý."
    )
    assert [m.chat_id for m in sent if m.chat_id == "head-kt"] == ["head-kt"]
    deps = Deps(profile=rules.profile, classifier=FakeClassifier(), identity_key=TEST_KEY)
    pending = await Chat(sessions, "head-kt", deps, Clock(at(2026, 5, 4, 8))).say("/pending")
    lines = pending.splitlines()
    assert lines[1].startswith(f"• {urgent.tracking_code} KHẨN")  # first, though due later
    assert lines[2].startswith(f"• {calm.tracking_code}")


async def test_staff_mark_an_item_urgent_in_chat(sessions: SessionFactory, rules: Rules) -> None:
    await add_staff(sessions, rules)
    item = await add_item(sessions, rules, at(2026, 5, 4, 9))
    deps = Deps(profile=rules.profile, classifier=FakeClassifier(), identity_key=TEST_KEY)
    head = Chat(sessions, "head-kt", deps, Clock(at(2026, 5, 4, 20)))
    await head.say(f"/item {item.tracking_code}")
    assert head.buttons()["Đánh dấu khẩn"] == f"st:urgent:{item.tracking_code}"
    before = await last_outbox_id(sessions)
    done = await head.press(f"st:urgent:{item.tracking_code}")
    assert done == f"Đã đánh dấu {item.tracking_code} là KHẨN; Văn phòng và đơn vị đã được báo."
    alerts = sorted(m.chat_id for m in await outbox(sessions, before)
                    if m.text.startswith("KHẨN"))
    assert alerts == ["office", "officer-kt"]  # the head who marked it is not told again
    again = await head.press(f"st:urgent:{item.tracking_code}")
    assert "đã được đánh dấu khẩn" in again
    observer = Chat(sessions, "observer", deps, Clock(at(2026, 5, 4, 20)))
    await observer.say(f"/item {item.tracking_code}")
    assert "Đánh dấu khẩn" not in observer.buttons()
    async with sessions() as session:
        fresh = await session.get(Item, item.id)
        assert fresh is not None and fresh.urgent
        assert await session.scalar(select(StaffMember.id).where(
            StaffMember.role == "observer")) is not None
