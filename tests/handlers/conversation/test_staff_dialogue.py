"""The staff workflow in chat: link, lists, item view, actions by button and text step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.engine import SessionFactory
from db.models import AuditEvent, Item, Rating, StaffAccount, StaffMember
from handlers import actions
from handlers.conversation.turn import Deps
from handlers.profiles import load_profile
from tests.handlers.chat import Chat, Clock
from tests.handlers.factories import NOW, TEST_KEY, FakeClassifier, Prediction

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def deps() -> Deps:
    return Deps(profile=load_profile("demo_ward"), classifier=FakeClassifier(),
                identity_key=TEST_KEY)


async def _invite(sessions: SessionFactory, role: str, unit: str | None, name: str) -> str:
    async with sessions.begin() as session:
        _, code = await actions.create_invite(session, name=name, role=role, unit_code=unit,
                                              profile=load_profile("demo_ward"), now=NOW)
    return code


async def _staff(sessions: SessionFactory, deps: Deps, clock: Clock, user: str, role: str,
                 unit: str | None, name: str = "Lê Văn Cường") -> Chat:
    chat = Chat(sessions, user, deps, clock, name)
    code = await _invite(sessions, role, unit, name)
    assert "Đã liên kết" in await chat.say(f"/link {code}")
    return chat


async def test_unknown_user_is_refused_politely(sessions: SessionFactory, deps: Deps) -> None:
    chat = Chat(sessions, "nobody", deps, Clock())
    for command in ("/pending", "/overdue", "/triage", "/item ABCD-2345"):
        reply = await chat.say(command)
        assert "chỉ dành cho cán bộ" in reply
        assert "/start" in reply
    assert "chỉ dành cho cán bộ" in await chat.press("st:do:accept:ABCD-2345")
    assert "Mã liên kết không đúng" in await chat.say("/link ABCD-EFGH-JKLM")


async def test_link_code_works_once_and_expires(sessions: SessionFactory, deps: Deps) -> None:
    clock = Clock()
    code = await _invite(sessions, "unit_head", "kinh_te", "Phạm Thị Dung")
    first = Chat(sessions, "phone", deps, clock)
    linked = await first.say(f"/link {code.lower()}")
    assert "Phạm Thị Dung" in linked
    assert "Lãnh đạo đơn vị" in linked
    assert "/pending" in linked
    assert "Mã liên kết không đúng" in await Chat(sessions, "other", deps, clock).say(
        f"/link {code}")
    late = await _invite(sessions, "officer", "kinh_te", "Vũ Văn Em")
    clock.now = NOW + timedelta(hours=73)
    assert "hết hạn" in await Chat(sessions, "late", deps, clock).say(f"/link {late}")
    async with sessions() as session:
        accounts = (await session.scalars(select(StaffAccount))).all()
    assert [a.external_id for a in accounts] == ["phone"]


async def test_one_staff_member_can_link_a_second_account(
    sessions: SessionFactory, deps: Deps
) -> None:
    clock = Clock()
    await _staff(sessions, deps, clock, "desk", "office", None)
    async with sessions.begin() as session:
        member = (await session.scalars(select(StaffMember))).one()
        code = await actions.invite_existing(session, member, now=NOW)
    laptop = Chat(sessions, "laptop", deps, clock)
    assert "Đã liên kết" in await laptop.say(f"/link {code}")
    assert "Hàng chờ phân loại (0)" in await laptop.say("/triage")
    async with sessions() as session:
        accounts = (await session.scalars(select(StaffAccount))).all()
    assert {a.staff_id for a in accounts} == {member.id}
    assert len(accounts) == 2


async def test_unit_head_accepts_answers_and_resident_rates(
    sessions: SessionFactory, deps: Deps
) -> None:
    clock = Clock()
    head = await _staff(sessions, deps, clock, "head", "unit_head", "kinh_te")
    office = await _staff(sessions, deps, clock, "desk", "office", None, "Nguyễn Thị Hoa")
    resident = Chat(sessions, "r1", deps, clock, "Trần Thị Bình")
    confirmation = await resident.submit("Nhà số 12 lấn chiếm đất ngõ 5")
    code = CODE.search(confirmation)
    assert code is not None
    code_text = code.group(0)
    assert "Lĩnh vực: Đất đai" in confirmation
    assert "Đơn vị xử lý: Phòng Kinh tế, Hạ tầng và Đô thị" in confirmation
    assert "Chậm nhất ngày 12/03/2026" in confirmation
    assert "Hạn trả lời dự kiến: 16/03/2026" in confirmation
    # The unit was told of the new item.
    assert any(code_text in text and "Phản ánh mới" in text for text in await head.inbox())

    pending = await head.say("/pending")
    assert code_text in pending
    assert "hạn 12/03/2026" in pending
    view = await head.press(f"st:item:{code_text}")
    assert "Trần Thị Bình" in view
    assert "Nhà số 12 lấn chiếm đất" in view
    labels = set(head.buttons())
    assert {"Thụ lý", "Từ chối", "Chuyển cơ quan khác", "Trả về phân loại"} <= labels
    assert "Trả lời" not in labels  # not accepted yet

    accepted = await head.press(head.buttons()["Thụ lý"])
    assert "Đã thụ lý" in accepted
    assert "23/03/2026" in accepted
    await head.say(f"/item {code_text}")
    assert "Lịch sử:" in head.last[-1].text
    assert "thụ lý" in head.last[-1].text
    assert "Trả lời" in head.buttons()
    assert "Thụ lý" not in head.buttons()
    again = await head.press(f"st:do:accept:{code_text}")  # a stale button
    assert "Không thực hiện được" in again
    assert "đã được thụ lý" in again
    prompt = await head.press(f"st:do:answer:{code_text}")
    assert "nội dung trả lời" in prompt
    done = await head.say("Đã yêu cầu hộ số 12 trả lại hiện trạng; biên bản số 15/BB.")
    assert "Đã gửi trả lời" in done

    messages = await resident.inbox()
    assert any("đã được Phòng Kinh tế, Hạ tầng và Đô thị thụ lý" in m for m in messages)
    assert "biên bản số 15/BB" in messages[-1]
    unhappy = await resident.say("Chưa hài lòng")  # typed: the answer's buttons are choices
    assert "mở lại" in unhappy
    assert "Đã ghi nhận" in await resident.say("Hộ số 12 vẫn chưa tháo dỡ")
    assert any("CHƯA HÀI LÒNG" in m for m in await office.inbox())
    head_inbox = await head.inbox()
    assert any("CHƯA HÀI LÒNG" in m for m in head_inbox)
    assert any("vẫn chưa tháo dỡ" in m for m in head_inbox)

    await head.press(f"st:do:answer:{code_text}")
    await head.say("Đã cưỡng chế tháo dỡ ngày 20/3.")
    assert "Cảm ơn anh/chị đã đánh giá" in await resident.press(f"rate:{code_text}:yes")
    async with sessions() as session:
        item = (await session.scalars(select(Item))).one()
        ratings = (await session.scalars(select(Rating).order_by(Rating.id))).all()
    assert item.status == "closed"
    assert [(r.satisfied, r.unit_code) for r in ratings] == [(False, "kinh_te"),
                                                            (True, "kinh_te")]


async def test_reject_asks_reason_then_where(sessions: SessionFactory, deps: Deps) -> None:
    clock = Clock()
    head = await _staff(sessions, deps, clock, "head", "unit_head", "kinh_te")
    resident = Chat(sessions, "r1", deps, clock)
    code = CODE.search(await resident.submit("Tranh chấp đất với hàng xóm"))
    assert code is not None
    assert "lý do không thụ lý" in await head.press(f"st:do:reject:{code.group(0)}")
    assert "liên hệ ở đâu" in await head.say("Tranh chấp đất đai thuộc thẩm quyền hòa giải")
    assert "Đã từ chối" in await head.say("Tổ hòa giải tổ dân phố Đông Thành")
    last = (await resident.inbox())[-1]
    assert "không được thụ lý" in last
    assert "Tổ hòa giải tổ dân phố Đông Thành" in last


async def test_extend_and_cancel_a_text_step(sessions: SessionFactory, deps: Deps) -> None:
    clock = Clock()
    head = await _staff(sessions, deps, clock, "head", "unit_head", "kinh_te")
    resident = Chat(sessions, "r1", deps, clock)
    code = CODE.search(await resident.submit("Xây nhà không phép"))
    assert code is not None
    code_text = code.group(0)
    await head.press(f"st:do:accept:{code_text}")
    await head.press(f"st:do:extend:{code_text}")
    assert "Đã hủy" in await head.say("/huy")
    await head.press(f"st:do:extend:{code_text}")
    done = await head.say("Chờ kết quả đo đạc của Văn phòng đăng ký đất đai")
    # Accepted Mon 2/3/2026 (09:0x): 15 working days -> Mon 23/3; +10 -> Mon 6/4/2026.
    assert "Đã gia hạn" in done
    assert "06/04/2026" in done
    refused = await head.press(f"st:do:extend:{code_text}")
    assert "Không thực hiện được" in refused
    assert "tối đa 1 lần" in refused


async def test_office_routes_from_triage_with_a_unit_picker(
    sessions: SessionFactory, deps: Deps
) -> None:
    clock = Clock()
    unsure = Deps(profile=deps.profile, identity_key=TEST_KEY,
                  classifier=FakeClassifier(Prediction(route="triage", confidence=0.3)))
    office = await _staff(sessions, unsure, clock, "desk", "office", None)
    resident = Chat(sessions, "r1", unsure, clock)
    confirmation = await resident.submit("Có việc cần hỏi về giấy tờ căn nhà ở thôn 2")
    assert "cán bộ đang phân loại" in confirmation
    code = CODE.search(confirmation)
    assert code is not None
    code_text = code.group(0)
    assert code_text in await office.say("/triage")
    await office.press(f"st:item:{code_text}")
    assert "Chuyển đơn vị xử lý" in office.buttons()
    assert "Đổi loại" in office.buttons()
    picker = await office.press(office.buttons()["Chuyển đơn vị xử lý"])
    assert "Chọn đơn vị" in picker
    await office.press(office.buttons()["Phòng Văn hóa - Xã hội"])
    assert "Đã chuyển" in await office.press("st:skip")
    assert "Phòng Văn hóa - Xã hội" in (await resident.inbox())[-1]
    assert "Hàng chờ phân loại (0)" in await office.say("/triage")
    await office.press(f"st:do:set_kind:{code_text}")
    changed = await office.press(office.buttons()["Kiến nghị"])
    assert "Đã đổi loại" in changed
    assert "Kiến nghị" in changed
    async with sessions() as session:
        kinds = (await session.scalars(select(AuditEvent.data).where(
            AuditEvent.action == "set_kind"))).all()
    assert kinds == [{"from": "phan_anh", "to": "kien_nghi", "processing_due": "2026-03-12",
                      "resolution_due": None}]


async def test_overdue_lists_only_late_items(sessions: SessionFactory, deps: Deps) -> None:
    clock = Clock()
    head = await _staff(sessions, deps, clock, "head", "unit_head", "kinh_te")
    resident = Chat(sessions, "r1", deps, clock)
    code = CODE.search(await resident.submit("Đổ đất lấn vỉa hè"))
    assert code is not None
    assert "Phản ánh quá hạn (0)" in await head.say("/overdue")
    clock.now = NOW + timedelta(days=11)  # Fri 13/3/2026: the 12/3 processing day is past
    overdue = await head.say("/overdue")
    assert code.group(0) in overdue
    assert "QUÁ HẠN" in overdue
