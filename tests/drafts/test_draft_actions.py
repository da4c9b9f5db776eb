"""Draft actions on real rows: import, revise, vote (the last counts), comment, window
enforcement with time as an input, answers and comments turned into feedback items."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db import drafts_queries as dq
from db.drafts_models import RuleArticle, RuleComment, RuleDraft, RuleParticipant, RuleVote
from db.engine import SessionFactory
from db.models import AuditEvent, Item, OutboxMessage, Resident, StaffMember
from handlers import draft_actions
from handlers.actions import ActionRefused, Actor, give_consent
from handlers.conversation.turn import Deps
from handlers.drafts.votes import tally
from tests.drafts.helpers import DEMO, GROUP, NOW, add_staff, count, publish, ward


async def _resident(sessions: SessionFactory, user: str = "r1", consent: bool = True) -> int:
    async with sessions.begin() as session:
        resident = Resident(channel="test", external_id=user, created_at=NOW)
        session.add(resident)
        await session.flush()
        if consent:
            await give_consent(session, resident, display_name="Lê Thị Hoa", now=NOW)
        return resident.id


async def _article(sessions: SessionFactory, draft_id: int, number: int) -> RuleArticle:
    async with sessions() as session:
        draft = await session.get(RuleDraft, draft_id)
        assert draft is not None
        version = await dq.version(session, draft)
        article = await dq.article_by_number(session, version.id, number)
        assert article is not None
        return article


async def _vote(sessions: SessionFactory, resident_id: int, article: RuleArticle, agree: bool,
                now: datetime, group: str | None = GROUP) -> None:
    async with sessions.begin() as session:
        resident = await session.get(Resident, resident_id)
        assert resident is not None
        await draft_actions.cast_vote(session, resident, article, agree=agree, group=group,
                                      profile=ward(), now=now)


async def test_import_stores_version_one_with_every_article_and_an_audit_event(
    sessions: SessionFactory,
) -> None:
    draft_id = await publish(sessions)
    async with sessions() as session:
        draft = await session.get(RuleDraft, draft_id)
        assert draft is not None and draft.current_version == 1
        version = await dq.version(session, draft)
        articles = await dq.articles(session, version.id)
        event = (await session.scalars(select(AuditEvent)
                                       .where(AuditEvent.action == "draft_import"))).one()
    assert len(articles) == 25 and articles[5].title == "Giữ gìn vệ sinh môi trường"
    assert articles[5].chapter == "Chương II. NHỮNG QUY ĐỊNH CỤ THỂ"
    assert version.source == DEMO.read_text(encoding="utf-8")
    assert event.data["articles"] == 25 and event.data["chapters"] == 4
    assert event.data["place"] == GROUP


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes": date(2026, 3, 29)}, "ít hơn 30 ngày"),
        ({"place": "Thôn Không Có"}, "không có trong danh sách"),
        ({"text": "Không có điều nào cả."}, "Không tìm thấy điều nào"),
    ],
)
async def test_import_refusals_leave_nothing_behind(
    sessions: SessionFactory, changes: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"closes": date(2026, 3, 31), "place": GROUP,
                                 "text": DEMO.read_text(encoding="utf-8")}
    values.update(changes)
    with pytest.raises(ActionRefused) as caught:
        async with sessions.begin() as session:
            await draft_actions.import_draft(
                session, title="Quy ước", place=str(values["place"]), opens_on=date(2026, 3, 1),
                closes_on=values["closes"], text=str(values["text"]),  # type: ignore[arg-type]
                profile=ward(), now=NOW)
    assert message in caught.value.reason
    assert await count(sessions, RuleDraft) == 0


async def test_a_changed_vote_replaces_the_earlier_one_and_both_are_kept(
    sessions: SessionFactory,
) -> None:
    draft_id = await publish(sessions)
    article = await _article(sessions, draft_id, 6)
    resident = await _resident(sessions)
    other = await _resident(sessions, "r2")
    await _vote(sessions, resident, article, True, NOW)
    await _vote(sessions, other, article, True, NOW, group="Tổ dân phố Tây Thành")
    await _vote(sessions, resident, article, False, NOW + timedelta(hours=2), group=None)
    async with sessions() as session:
        records = await dq.vote_records(session, article.version_id)
        participants = (await session.scalars(select(RuleParticipant))).all()
        events = (await session.scalars(select(AuditEvent)
                                        .where(AuditEvent.action == "draft_vote")
                                        .order_by(AuditEvent.id))).all()
    counted = tally(records)[article.id]
    assert len(records) == 3
    assert (counted.total.agree, counted.total.disagree) == (1, 1)
    assert counted.by_group[GROUP].disagree == 1
    assert counted.by_group["Tổ dân phố Tây Thành"].agree == 1
    # The group is asked once per draft: the second vote reused it.
    assert {p.residential_group for p in participants} == {GROUP, "Tổ dân phố Tây Thành"}
    assert len(participants) == 2
    assert [e.data["changed_from"] for e in events] == [None, None, True]


async def test_window_enforced_by_the_moment_given(sessions: SessionFactory) -> None:
    draft_id = await publish(sessions, opens=date(2026, 3, 1), closes=date(2026, 3, 31))
    article = await _article(sessions, draft_id, 1)
    resident = await _resident(sessions)
    before = datetime(2026, 2, 28, 16, 59, tzinfo=UTC)  # 28/2 23:59 in Hà Nội
    last_minute = datetime(2026, 3, 31, 16, 59, tzinfo=UTC)  # 31/3 23:59
    after = last_minute + timedelta(minutes=1)  # 1/4 00:00
    with pytest.raises(ActionRefused, match="bắt đầu lấy ý kiến từ ngày 01/03/2026"):
        await _vote(sessions, resident, article, True, before)
    await _vote(sessions, resident, article, True, last_minute)
    with pytest.raises(ActionRefused, match="hết thời gian lấy ý kiến ngày 31/03/2026"):
        await _vote(sessions, resident, article, False, after)
    with pytest.raises(ActionRefused, match="31/03/2026"):
        await _draft_comment(sessions, draft_id, resident, after)
    assert await count(sessions, RuleVote) == 1 and await count(sessions, RuleComment) == 0


async def test_no_vote_without_consent_or_group(sessions: SessionFactory) -> None:
    draft_id = await publish(sessions)
    article = await _article(sessions, draft_id, 1)
    without_consent = await _resident(sessions, "r9", consent=False)
    with pytest.raises(ActionRefused, match="đồng ý xử lý dữ liệu"):
        await _vote(sessions, without_consent, article, True, NOW)
    resident = await _resident(sessions)
    with pytest.raises(ActionRefused, match="thôn, tổ dân phố"):
        await _vote(sessions, resident, article, True, NOW, group=None)


async def test_revision_keeps_comments_on_their_version_and_tells_participants(
    sessions: SessionFactory,
) -> None:
    draft_id = await publish(sessions)
    article = await _article(sessions, draft_id, 10)
    resident = await _resident(sessions)
    await _vote(sessions, resident, article, False, NOW)
    async with sessions.begin() as session:
        draft = await session.get(RuleDraft, draft_id)
        person = await session.get(Resident, resident)
        assert draft is not None and person is not None
        comment = await draft_actions.add_comment(
            session, person, draft, article, text="Không nên hạn chế tiệc cưới nhiều ngày.",
            group=None, profile=ward(), now=NOW)
        revised = DEMO.read_text(encoding="utf-8").replace(
            "Hạn chế tổ chức tiệc cưới kéo dài nhiều ngày; ", "")
        version = await draft_actions.revise_draft(session, draft, text=revised,
                                                   profile=ward(), now=NOW + timedelta(days=3))
    assert version.number == 2
    new_article = await _article(sessions, draft_id, 10)
    assert new_article.id != article.id and "kéo dài nhiều ngày" not in new_article.body
    async with sessions() as session:
        stored = await session.get(RuleComment, comment.id)
        old_votes = await dq.vote_records(session, article.version_id)
        new_votes = await dq.vote_records(session, new_article.version_id)
        told = (await session.scalars(select(OutboxMessage))).all()
    assert stored is not None and stored.article_id == article.id
    assert stored.version_id == article.version_id
    assert len(old_votes) == 1 and new_votes == []
    assert [m.chat_id for m in told] == ["r1"]
    assert "phiên bản 2" in told[0].payload["text"]
    # Voting on the old version's article is refused: the resident must read the new text.
    with pytest.raises(ActionRefused, match="phiên bản 2"):
        await _vote(sessions, resident, article, True, NOW + timedelta(days=4))


async def _draft_comment(sessions: SessionFactory, draft_id: int, resident_id: int,
                         now: datetime) -> None:
    async with sessions.begin() as session:
        draft = await session.get(RuleDraft, draft_id)
        person = await session.get(Resident, resident_id)
        assert draft is not None and person is not None
        await draft_actions.add_comment(session, person, draft, None, text="Muộn rồi",
                                        group=None, profile=ward(), now=now)


async def _convert(sessions: SessionFactory, comment_id: int, actor: Actor) -> None:
    async with sessions.begin() as session:
        comment = await session.get(RuleComment, comment_id)
        assert comment is not None
        await draft_actions.comment_to_item(session, comment, actor=actor,
                                            rules=Deps(profile=ward()).rules, classifier=None,
                                            now=NOW)


async def _answer(sessions: SessionFactory, comment_id: int, actor: Actor, text: str) -> None:
    async with sessions.begin() as session:
        comment = await session.get(RuleComment, comment_id)
        assert comment is not None
        await draft_actions.answer_comment(session, comment, text=text, actor=actor,
                                           profile=ward(), now=NOW)


async def _comment(sessions: SessionFactory, draft_id: int, resident_id: int,
                   text: str = "Đề nghị bổ sung giờ giữ trật tự vào buổi trưa.") -> int:
    article = await _article(sessions, draft_id, 8)
    async with sessions.begin() as session:
        draft = await session.get(RuleDraft, draft_id)
        person = await session.get(Resident, resident_id)
        assert draft is not None and person is not None
        comment = await draft_actions.add_comment(session, person, draft, article, text=text,
                                                  group=GROUP, profile=ward(), now=NOW)
        return comment.id


async def _actor(sessions: SessionFactory, staff_id: int) -> Actor:
    async with sessions() as session:
        member = await session.get(StaffMember, staff_id)
        assert member is not None
        return Actor.staff(member)


async def test_comment_becomes_a_routed_feedback_item_and_the_resident_gets_the_code(
    sessions: SessionFactory,
) -> None:
    draft_id = await publish(sessions)
    resident = await _resident(sessions)
    comment_id = await _comment(sessions, draft_id, resident)
    actor = await _actor(sessions, await add_staff(sessions, role="officer",
                                                    unit="van_hoa_xa_hoi", user="s1"))
    deps = Deps(profile=ward())
    async with sessions.begin() as session:
        comment = await session.get(RuleComment, comment_id)
        assert comment is not None
        item = await draft_actions.comment_to_item(session, comment, actor=actor,
                                                   rules=deps.rules, classifier=None, now=NOW)
        code = item.tracking_code
    async with sessions() as session:
        stored = (await session.scalars(select(Item))).one()
        comment = await session.get(RuleComment, comment_id)
        told = (await session.scalars(select(OutboxMessage)
                                      .where(OutboxMessage.chat_id == "r1"))).all()
        event = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "draft_comment_to_item"))).one()
    assert comment is not None and comment.item_id == stored.id
    assert stored.resident_id == resident and stored.tracking_code == code
    assert "Điều 8" in stored.text and "giờ giữ trật tự" in stored.text
    assert stored.address == GROUP
    # No classifier: it waits at the triage desk like any unclassified item.
    assert stored.status == "triage" and stored.unit_code == "van_phong"
    assert stored.processing_due is not None
    assert any(code in m.payload["text"] for m in told)
    assert event.actor == actor.label and event.item_id == stored.id
    with pytest.raises(ActionRefused, match="đã được chuyển thành phản ánh"):
        await _convert(sessions, comment_id, actor)


async def test_answer_reaches_the_resident_and_permissions_hold(sessions: SessionFactory) -> None:
    draft_id = await publish(sessions)
    resident = await _resident(sessions)
    comment_id = await _comment(sessions, draft_id, resident)
    office = await _actor(sessions, await add_staff(sessions, role="office", unit="van_phong",
                                                     user="s1"))
    observer = await _actor(sessions, await add_staff(sessions, role="observer", unit=None,
                                                       user="s2"))
    other_unit = await _actor(sessions, await add_staff(sessions, role="unit_head",
                                                         unit="kinh_te", user="s3"))
    for actor, message in ((observer, "chỉ được xem"), (other_unit, "chỉ dành cho")):
        with pytest.raises(ActionRefused, match=message):
            await _answer(sessions, comment_id, actor, "Trả lời")
        with pytest.raises(ActionRefused, match=message):
            await _convert(sessions, comment_id, actor)
    await _answer(sessions, comment_id, office, "Tổ soạn thảo sẽ bổ sung khung giờ 11h30–13h30.")
    async with sessions() as session:
        stored = await session.get(RuleComment, comment_id)
        told = (await session.scalars(select(OutboxMessage))).all()
    assert stored is not None and stored.answer_text == "Tổ soạn thảo sẽ bổ sung khung giờ "\
        "11h30–13h30."
    assert stored.answered_by == office.staff_id
    assert [m.chat_id for m in told] == ["r1"]
    assert f"góp ý số {comment_id}" in told[0].payload["text"]
    assert "Điều 8" in told[0].payload["text"] and "11h30" in told[0].payload["text"]
    assert await count(sessions, Item) == 0
