"""The resident dialogue driven through the engine, with real database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.engine import SessionFactory
from db.models import Attachment, AuditEvent, Conversation, Item, OutboxMessage, Resident
from handlers.conversation.engine import handle_inbound
from handlers.conversation.turn import Deps
from handlers.conversation.types import InboundMessage, Location, Photo, Reply
from handlers.ports import IntakeLimits
from handlers.rules.tracking_code import ALPHABET

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FixedPrediction:
    field: str = "dat_dai"
    confidence: float = 0.97
    kind: str = "phan_anh"
    kind_confidence: float = 0.9
    urgent: bool = False
    route: str = "auto"


class FixedClassifier:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict(self, text: str) -> FixedPrediction:
        self.seen.append(text)
        return FixedPrediction()


class Chat:
    """One user talking to the engine, each message in its own transaction."""

    def __init__(self, sessions: SessionFactory, user: str = "u1", deps: Deps | None = None):
        self.sessions = sessions
        self.user = user
        self.deps = deps or Deps()
        self.now = NOW

    async def send(self, **content: object) -> list[Reply]:
        msg = InboundMessage(channel="test", user_id=self.user, chat_id=self.user,
                             display_name="Trần Thị Bình", **content)  # type: ignore[arg-type]
        self.now += timedelta(minutes=1)
        async with self.sessions.begin() as session:
            return await handle_inbound(session, msg, now=self.now, deps=self.deps)

    async def say(self, text: str) -> str:
        replies = await self.send(text=text)
        return "\n".join(r.text for r in replies)

    async def press(self, payload: str) -> str:
        replies = await self.send(button=payload)
        return "\n".join(r.text for r in replies)


async def _count(sessions: SessionFactory, model: type[object]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_start_offers_feedback_and_lookup_but_no_community_rules(
    sessions: SessionFactory,
) -> None:
    replies = await Chat(sessions).send(text="/start")
    labels = [b.label for row in replies[0].buttons for b in row]
    assert labels == ["Gửi phản ánh, kiến nghị", "Tra cứu phản ánh"]
    assert "Hộp thư phản ánh" in replies[0].text


async def test_greetings_thanks_and_bare_announcements_open_no_draft(
    sessions: SessionFactory,
) -> None:
    chat = Chat(sessions)
    greeting = await chat.send(text="Xin chào ad ạ")
    assert "Hộp thư phản ánh" in greeting[0].text
    assert [b.payload for row in greeting[0].buttons for b in row][:2] == [
        "menu:feedback", "menu:lookup"]
    assert "cảm ơn anh/chị" in (await chat.say("cam on nhieu")).lower()
    assert "nhập nội dung" in await chat.say("em muốn phản ánh ạ")
    async with sessions() as session:
        conversation = (await session.scalars(select(Conversation))).one()
        assert conversation.step == "await_text"
    # What follows the announcement is the feedback itself.
    assert "đồng ý" in (await chat.say("Đèn đường ngõ 4 hỏng cả tuần nay")).lower()
    async with sessions() as session:
        conversation = (await session.scalars(select(Conversation))).one()
        assert conversation.data["draft"]["text"] == "Đèn đường ngõ 4 hỏng cả tuần nay"
    assert await _count(sessions, Item) == 0


async def test_full_submission_stores_item_with_code_and_audit(sessions: SessionFactory) -> None:
    classifier = FixedClassifier()
    chat = Chat(sessions, deps=Deps(classifier=classifier))
    assert "đồng ý" in (await chat.say("Nhà hàng xóm lấn sang đất nhà tôi 2m")).lower()
    assert "ảnh" in await chat.press("consent:yes")
    assert "Đã nhận 1 ảnh" in (await chat.send(photos=(Photo("f1"),)))[0].text
    assert "ở đâu" in await chat.press("photos:done")
    assert "Số điện thoại" in await chat.say("Tổ 5, phường Thành Nam")
    summary = await chat.say("0912 345 678")
    assert "Nhà hàng xóm lấn sang đất" in summary
    assert "0912345678" in summary
    done = await chat.press("send")
    async with sessions() as session:
        item = (await session.scalars(select(Item))).one()
        resident = await session.get(Resident, item.resident_id)
        events = (await session.scalars(select(AuditEvent.action))).all()
        photos = (await session.scalars(select(Attachment))).all()
    assert item.tracking_code in done
    assert len(item.tracking_code) == 9
    assert item.tracking_code[4] == "-"
    assert set(item.tracking_code.replace("-", "")) <= set(ALPHABET)
    assert item.status == "routed"
    assert item.field == "dat_dai"
    assert item.unit_code == "kinh_te"
    assert item.address == "Tổ 5, phường Thành Nam"
    assert item.contact_phone == "0912345678"
    assert resident is not None
    assert resident.consent_at is not None
    assert resident.display_name == "Trần Thị Bình"
    assert resident.phone == "0912345678"
    assert [p.file_ref for p in photos] == ["f1"]
    assert events == ["consent", "submit", "route"]
    assert classifier.seen == ["Nhà hàng xóm lấn sang đất nhà tôi 2m"]
    assert "Đất đai" in done
    assert "Phòng Kinh tế, Hạ tầng và Đô thị" in done
    # Received Mon 2/3/2026: phản ánh processing 10 calendar days = Thu 12/3/2026; service
    # target 10 working days = Mon 16/3/2026 (no holiday in between).
    assert "12/03/2026" in done
    assert "16/03/2026" in done


async def test_refusing_consent_keeps_nothing_personal(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    await chat.say("Đường vào xóm 3 bị ngập nặng")
    reply = await chat.press("consent:no")
    assert "đã được xóa" in reply
    assert "trực tiếp" in reply
    async with sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
        conversation = (await session.scalars(select(Conversation))).one()
    assert resident.display_name is None
    assert resident.phone is None
    assert resident.consent_at is None
    assert "draft" not in conversation.data
    assert conversation.step == "idle"
    assert await _count(sessions, Item) == 0


async def test_consent_is_asked_once(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    await chat.say("Đèn đường hỏng")
    await chat.press("consent:yes")
    await chat.press("skip")
    await chat.press("skip")
    await chat.press("skip")
    await chat.press("send")
    second = await chat.say("Rác ứ đọng đầu ngõ 7")
    assert "đồng ý" not in second.lower()
    assert "ảnh" in second


async def test_typed_choices_work_without_buttons(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    await chat.say("Xe tải chạy ban đêm gây ồn")
    assert "ảnh" in await chat.say("dong y")
    assert "ở đâu" in await chat.say("bo qua")
    assert "Số điện thoại" in await chat.say("Ngõ 12")
    assert "kiểm tra lại" in await chat.say("1")  # the only typed choice here: Bỏ qua
    assert "Mã tra cứu" in await chat.say("Gửi")


async def test_typed_choices_allow_punctuation_and_polite_particles(
    sessions: SessionFactory,
) -> None:
    chat = Chat(sessions)
    await chat.say("Xe tải chạy ban đêm gây ồn")
    assert "ảnh" in await chat.say("Đồng ý ạ!")
    assert "ở đâu" in await chat.say("bỏ qua nhé")
    assert "Số điện thoại" in await chat.say("Ngõ 12")
    assert "kiểm tra lại" in await chat.say("1.")
    assert "Mã tra cứu" in await chat.say("gửi đi")


async def test_location_is_kept(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    await chat.say("Cây đổ chắn đường")
    await chat.press("consent:yes")
    await chat.press("skip")
    await chat.send(location=Location(20.42, 106.17))
    await chat.press("skip")
    await chat.press("send")
    async with sessions() as session:
        item = (await session.scalars(select(Item))).one()
    assert (item.latitude, item.longitude) == (20.42, 106.17)


async def test_status_shows_text_only_to_the_sender(sessions: SessionFactory) -> None:
    owner = Chat(sessions, "owner")
    await owner.say("Bãi rác tự phát cạnh trường học")
    await owner.press("consent:yes")
    for _ in range(3):
        await owner.press("skip")
    await owner.press("send")
    async with sessions() as session:
        code = (await session.scalars(select(Item.tracking_code))).one()
    mine = await owner.say(f"/status {code}")
    theirs = await Chat(sessions, "stranger").say(code.lower().replace("-", " "))
    # No classifier here: the item waits at the triage desk.
    assert "Đang phân loại" in mine
    assert "Bãi rác tự phát" in mine
    assert "02/03/2026" in mine
    assert "Đang phân loại" in theirs
    assert "Bãi rác" not in theirs


async def test_unknown_code_and_lookup_menu(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    assert "mã phản ánh" in await chat.press("menu:lookup")
    assert "Không tìm thấy" in await chat.say("ABCD-2345")


async def test_cancel_discards_draft(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    await chat.say("Karaoke hát tới 1 giờ sáng")
    await chat.press("consent:yes")
    assert "Đã hủy" in await chat.say("/huy")
    assert "không có thao tác" in await chat.say("/huy")
    assert await _count(sessions, Item) == 0


async def test_help_lists_commands(sessions: SessionFactory) -> None:
    reply = await Chat(sessions).say("/help")
    for command in ("/start", "/status", "/huy", "/help"):
        assert command in reply


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("sticker", "nhãn dán"), ("voice", "thoại"), ("file", "tệp"), ("too_large", "10 MB"),
     ("video", "video")],
)
async def test_unsupported_content_is_answered_and_nothing_changes(
    sessions: SessionFactory, reason: str, expected: str
) -> None:
    chat = Chat(sessions)
    await chat.say("Cống thoát nước bị tắc")
    await chat.press("consent:yes")
    reply = await chat.send(unsupported=reason)
    assert expected in reply[0].text
    async with sessions() as session:
        conversation = (await session.scalars(select(Conversation))).one()
    assert conversation.step == "await_photos"
    assert conversation.data["draft"]["text"] == "Cống thoát nước bị tắc"


async def test_very_long_text_is_refused(sessions: SessionFactory) -> None:
    chat = Chat(sessions, deps=Deps(limits=IntakeLimits(max_text_length=200)))
    reply = await chat.say("a" * 201)
    assert "dài quá" in reply
    assert await _count(sessions, Item) == 0


async def test_photo_limit(sessions: SessionFactory) -> None:
    chat = Chat(sessions, deps=Deps(limits=IntakeLimits(max_photos=2)))
    await chat.say("Tường rào sắp đổ")
    await chat.press("consent:yes")
    await chat.send(photos=(Photo("a"), Photo("b"), Photo("c")))
    reply = await chat.send(photos=(Photo("d"),))
    assert "đủ 2 ảnh" in reply[0].text


async def test_replies_are_outbox_rows(sessions: SessionFactory) -> None:
    await Chat(sessions).say("/start")
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 1
    assert rows[0].status == "pending"
    assert rows[0].chat_id == "u1"
