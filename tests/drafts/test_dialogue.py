"""The drafts dialogue through the engine with real rows: residents with buttons and by
typed choices (a channel without buttons), the closing date, and the staff commands."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from db.drafts_models import RuleComment, RuleParticipant, RuleVote
from db.engine import SessionFactory
from db.models import Item, OutboxMessage, Resident
from tests.drafts.helpers import GROUP, Chat, add_staff, count, publish

MENU = "Góp ý dự thảo hương ước, quy ước"


async def test_start_menu_shows_drafts_only_while_one_is_open(sessions: SessionFactory) -> None:
    chat = Chat(sessions)
    await chat.say("/start")
    assert MENU not in [label for label, _ in chat.buttons()]
    await publish(sessions, opens=date(2026, 1, 1), closes=date(2026, 1, 31))  # closed
    await chat.say("/start")
    assert MENU not in [label for label, _ in chat.buttons()]
    await publish(sessions)
    await chat.say("/start")
    assert [label for label, _ in chat.buttons()] == [
        "Gửi phản ánh, kiến nghị", "Tra cứu phản ánh", MENU]


async def test_resident_reads_votes_changes_vote_and_comments_with_buttons(
    sessions: SessionFactory,
) -> None:
    await publish(sessions)
    chat = Chat(sessions)
    await chat.say("/start")
    listing = await chat.choose(MENU)
    assert "Quy ước Tổ dân phố Đông Thành (dự thảo)" in listing
    overview = await chat.choose("Quy ước Tổ dân phố Đông Thành (dự thảo)")
    assert "25 điều trong 4 chương" in overview and "31/03/2026" in overview
    first = await chat.choose("Đọc từng điều")
    assert "Chương I. NHỮNG QUY ĐỊNH CHUNG" in first and "Điều 1. Phạm vi điều chỉnh" in first
    for _ in range(5):
        await chat.choose(next(label for label, _ in chat.buttons() if label.endswith("▶")))
    text = "\n".join(r.text for r in chat.last)
    assert "Điều 6. Giữ gìn vệ sinh môi trường" in text
    assert all(len(r.text) <= 600 for r in chat.last)

    consent = await chat.choose("Đồng ý")
    assert "Nghị định 356/2025" in consent
    group_question = await chat.choose("Đồng ý")  # consent
    assert "thôn, tổ dân phố" in group_question
    voted = await chat.choose(GROUP)
    assert "đồng ý với Điều 6" in voted
    changed = await chat.choose("Không đồng ý")  # no second consent or group question
    assert "ý kiến mới" in changed and "không đồng ý với Điều 6" in changed
    ask = await chat.choose("Góp ý")
    assert "Điều 6" in ask
    thanks = await chat.say("Đề nghị ghi rõ giờ thu gom rác buổi tối là 19h–21h.")
    assert "Góp ý số" in thanks and "Điều 6" in thanks
    again = await chat.press(chat.payload("◀ Điều 5"))
    assert "Điều 5. Phòng cháy, chữa cháy" in again

    async with sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
        votes = (await session.scalars(select(RuleVote).order_by(RuleVote.id))).all()
        comment = (await session.scalars(select(RuleComment))).one()
        joined = (await session.scalars(select(RuleParticipant))).one()
    assert resident.consent_at is not None and resident.display_name == "Nguyễn Văn An"
    assert [v.agree for v in votes] == [True, False]
    assert joined.residential_group == GROUP and comment.residential_group == GROUP
    assert comment.text.startswith("Đề nghị ghi rõ giờ thu gom")


async def test_typed_choices_on_a_channel_without_buttons(sessions: SessionFactory) -> None:
    await publish(sessions)
    chat = Chat(sessions, "typed")
    await chat.say("/start")
    assert "Góp ý dự thảo" in chat.buttons()[2][0]
    await chat.say("3")  # the third choice of the menu
    await chat.say("1")  # the first draft
    await chat.say("doc tung dieu")  # label without accents
    assert "Điều 1. Phạm vi điều chỉnh" in chat.last[-1].text or any(
        "Điều 1." in r.text for r in chat.last)
    await chat.say("3")  # Góp ý
    assert "Nghị định 356/2025" in chat.last[-1].text
    await chat.say("dong y")  # consent
    await chat.say("Tổ dân phố Tây Thành")  # typed label of a group
    assert "nhập ý kiến" in chat.last[-1].text
    thanks = await chat.say("Nên nêu rõ phạm vi áp dụng với người thuê trọ.")
    assert "Góp ý số" in thanks
    await chat.say("1")  # Đồng ý on the same article
    assert "đồng ý với Điều 1" in chat.last[-1].text
    async with sessions() as session:
        comment = (await session.scalars(select(RuleComment))).one()
        vote = (await session.scalars(select(RuleVote))).one()
    assert comment.residential_group == "Tổ dân phố Tây Thành" and vote.agree


async def test_after_the_closing_date_comments_are_refused_but_reading_works(
    sessions: SessionFactory,
) -> None:
    draft_id = await publish(sessions)
    chat = Chat(sessions, now=datetime(2026, 4, 1, 1, 0, tzinfo=UTC))  # 1/4, 8:00 local
    listing = await chat.say("/duthao")
    assert "đã hết hạn góp ý ngày 31/03/2026" in listing
    overview = await chat.press(f"draft:open:{draft_id}")
    assert "Đã hết thời gian góp ý ngày 31/03/2026" in overview
    assert "Góp ý chung cho dự thảo" not in [label for label, _ in chat.buttons()]
    article = await chat.choose("Đọc từng điều")
    assert "Điều 1. Phạm vi điều chỉnh" in article and "chỉ xem" in article
    assert "Đồng ý" not in [label for label, _ in chat.buttons()]
    assert chat.payload("Điều 2 ▶").startswith("draft:art:")
    # An old button pressed after the date: refused, with the date.
    refused = await chat.press(f"draft:cmt:{draft_id}:0")
    assert "hết thời gian lấy ý kiến ngày 31/03/2026" in refused
    assert await count(sessions, RuleComment) == 0


async def test_refusing_consent_stores_nothing(sessions: SessionFactory) -> None:
    draft_id = await publish(sessions)
    chat = Chat(sessions)
    await chat.press(f"draft:open:{draft_id}")
    await chat.choose("Góp ý chung cho dự thảo")
    refused = await chat.choose("Không đồng ý")
    assert "chưa được ghi nhận" in refused
    async with sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
    assert resident.consent_at is None and resident.display_name is None
    assert await count(sessions, RuleParticipant) == 0


async def _resident_comment(sessions: SessionFactory, draft_id: int) -> int:
    chat = Chat(sessions, "r1")
    await chat.press(f"draft:open:{draft_id}")
    await chat.choose("Góp ý chung cho dự thảo")
    await chat.choose("Đồng ý")
    await chat.choose(GROUP)
    await chat.say("Đề nghị bổ sung quy định về giữ gìn cây xanh trong ngõ.")
    async with sessions() as session:
        return (await session.scalars(select(RuleComment.id))).one()


async def test_staff_list_view_answer_and_turn_into_item(sessions: SessionFactory) -> None:
    draft_id = await publish(sessions)
    comment_id = await _resident_comment(sessions, draft_id)
    await add_staff(sessions, role="officer", unit="van_hoa_xa_hoi", user="s1")
    staff = Chat(sessions, "s1")
    listing = await staff.say("/drafts")
    assert f"#{draft_id} Quy ước Tổ dân phố Đông Thành" in listing
    assert "1 người tham gia" in listing and "1 góp ý (1 chưa trả lời)" in listing
    view = await staff.say(f"/draft {draft_id}")
    assert "Điều 1. Phạm vi điều chỉnh: 0 / 0 / 0" in view
    assert "Góp ý chung: 1" in view and f"Số {comment_id}" in view
    detail = await staff.choose(f"Góp ý số {comment_id}")
    assert "Nguyễn Văn An" in detail and GROUP in detail
    assert [label for label, _ in staff.buttons()][:2] == ["Trả lời", "Chuyển thành phản ánh"]
    ask = await staff.choose("Trả lời")
    assert "trả lời góp ý" in ask
    done = await staff.say("Cảm ơn anh, Tổ soạn thảo sẽ bổ sung vào Điều 16.")
    assert f"góp ý số {comment_id}" in done
    await staff.press(f"sd:c:{comment_id}")
    converted = await staff.choose("Chuyển thành phản ánh")
    async with sessions() as session:
        item = (await session.scalars(select(Item))).one()
        told = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.chat_id == "r1").order_by(OutboxMessage.id))).all()
    assert item.tracking_code in converted
    texts = [m.payload["text"] for m in told]
    assert any("Tổ soạn thảo sẽ bổ sung vào Điều 16" in text for text in texts)
    assert item.tracking_code in texts[-1]


async def test_observer_reads_only_and_others_are_refused(sessions: SessionFactory) -> None:
    draft_id = await publish(sessions)
    comment_id = await _resident_comment(sessions, draft_id)
    await add_staff(sessions, role="observer", unit=None, user="obs")
    await add_staff(sessions, role="unit_head", unit="kinh_te", user="kt")
    observer = Chat(sessions, "obs")
    assert "Góp ý chung: 1" in await observer.say(f"/draft {draft_id}")
    detail = await observer.press(f"sd:c:{comment_id}")
    assert "Nguyễn Văn An" not in detail and GROUP in detail
    assert "Trả lời" not in [label for label, _ in observer.buttons()]
    refused = await observer.press(f"sd:ans:{comment_id}")
    assert "chỉ được xem" in refused
    await observer.press(f"sd:item:{comment_id}")
    assert "chỉ được xem" in observer.last[-1].text
    other = Chat(sessions, "kt")
    assert "chỉ dành cho Văn phòng" in await other.say("/drafts")
    resident = Chat(sessions, "nobody")
    assert "chỉ dành cho cán bộ" in await resident.say(f"/draft {draft_id}")
    assert await count(sessions, Item) == 0
    async with sessions() as session:
        comment = await session.get(RuleComment, comment_id)
    assert comment is not None and comment.answer_text is None
