"""Item actions on real database rows: intake routing, clocks, every transition, messages.

Dates are hand-computed from profiles/demo_ward.yaml (see tests/handlers/rules/
test_deadlines.py for the rules) and the days off it lists (Tết 2026: 14/2 - 22/2/2026).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import SessionFactory
from db.models import AuditEvent, Item, OutboxMessage, Rating, Resident
from db.queries import satisfaction_by_unit
from handlers import actions
from handlers.actions import ActionRefused, Actor, Rules
from handlers.rules.permissions import Role, Viewer
from handlers.rules.states import TRANSITIONS, ItemAction, ItemStatus, refusal_reason
from tests.handlers.factories import NOW, Prediction, make_item, make_resident, ward_rules

A = ItemAction
S = ItemStatus
OFFICE = Actor("staff:1", Viewer(Role.OFFICE, "van_phong"), 1)


@pytest.fixture
def rules() -> Rules:
    return ward_rules()


async def _outbox(session: AsyncSession, chat_id: str = "r1") -> list[str]:
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
    )
    return [row.payload["text"] for row in rows]


# -- intake ------------------------------------------------------------------------------


async def test_confident_field_routes_to_its_unit_and_starts_the_clocks(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        item = await make_item(session, rules)
        events = (await session.scalars(select(AuditEvent).where(
            AuditEvent.item_id == item.id).order_by(AuditEvent.id))).all()
    assert (item.status, item.unit_code, item.field) == ("routed", "kinh_te", "dat_dai")
    # Received Mon 2/3/2026: phản ánh processing 10 calendar days -> Thu 12/3/2026;
    # service target 10 working days -> Mon 16/3/2026.
    assert item.processing_due == date(2026, 3, 12)
    assert item.answer_due == date(2026, 3, 16)
    assert item.resolution_due is None
    assert [e.action for e in events] == ["submit", "route"]
    assert events[1].data["to_unit"] == "kinh_te"


@pytest.mark.parametrize(
    "prediction",
    [Prediction(route="triage", confidence=0.41), Prediction(field="not_a_field")],
)
async def test_unsure_classification_goes_to_the_triage_desk(
    sessions: SessionFactory, rules: Rules, prediction: Prediction
) -> None:
    async with sessions.begin() as session:
        item = await make_item(session, rules, prediction=prediction)
    assert (item.status, item.unit_code) == ("triage", "van_phong")


async def test_threshold_from_deps_also_sends_to_triage(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        resident = await make_resident(session)
        item = await actions.submit_item(
            session, resident, actions.Draft(text="Đường ngập"), now=NOW,
            classifier=_Fixed(Prediction(confidence=0.55)), rules=rules, triage_threshold=0.6,
        )
    assert item.status == "triage"


class _Fixed:
    def __init__(self, prediction: Prediction) -> None:
        self.prediction = prediction

    def predict(self, text: str) -> Prediction:
        return self.prediction


async def test_no_classifier_means_triage(sessions: SessionFactory, rules: Rules) -> None:
    async with sessions.begin() as session:
        resident = await make_resident(session)
        item = await actions.submit_item(session, resident, actions.Draft(text="Có việc"),
                                         now=NOW, classifier=None, rules=rules)
    assert (item.status, item.unit_code, item.kind) == ("triage", "van_phong", "phan_anh")


async def test_complaint_goes_to_the_complaints_unit_with_its_clocks(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        item = await make_item(session, rules, prediction=Prediction(kind="khieu_nai"))
    assert (item.status, item.unit_code) == ("routed", "van_phong")
    # Khiếu nại: accept within 10 calendar days (Thu 12/3/2026); answer expected 30 calendar
    # days after that latest acceptance: Sat 11/4/2026.
    assert item.processing_due == date(2026, 3, 12)
    assert item.answer_due == date(2026, 4, 11)


# -- clocks through the actions --------------------------------------------------------------


async def test_accept_and_extend_across_tet_2026(sessions: SessionFactory, rules: Rules) -> None:
    received = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)  # Thu 12/2/2026 09:00 ICT
    async with sessions.begin() as session:
        item = await make_item(session, rules, now=received)
        await actions.accept(session, item, actor=OFFICE, rules=rules, now=received)
        # 15 working days from Thu 12/2: Fri 13/2 (1), 14-22/2 off, Mon 23/2 (2) ..
        # Fri 27/2 (6), Mon 2/3 (7) .. Fri 6/3 (11), Mon 9/3 (12) .. Thu 12/3 (15).
        assert item.resolution_due == date(2026, 3, 12)
        await actions.extend(session, item, reason="Cần đo đạc lại hiện trạng",
                             actor=OFFICE, rules=rules, now=received + timedelta(days=20))
        # + 10 working days: Fri 13/3 (1), Mon 16/3 (2) .. Fri 20/3 (6), Mon 23/3 (7) ..
        # Thu 26/3 (10).
        assert item.resolution_due == date(2026, 3, 26)
        assert item.extensions_used == 1
        with pytest.raises(ActionRefused, match="tối đa 1 lần"):
            await actions.extend(session, item, reason="Lần nữa", actor=OFFICE, rules=rules,
                                 now=received + timedelta(days=30))
        messages = await _outbox(session)
    assert "đã được Phòng Kinh tế, Hạ tầng và Đô thị thụ lý" in messages[-2]
    assert "12/03/2026" in messages[-2]
    assert "26/03/2026" in messages[-1]
    assert "Cần đo đạc lại hiện trạng" in messages[-1]


async def test_denunciation_extensions_twice_then_refused(
    sessions: SessionFactory, rules: Rules
) -> None:
    accepted = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2/3/2026
    async with sessions.begin() as session:
        item = await make_item(session, rules, prediction=Prediction(kind="to_cao"))
        await actions.accept(session, item, actor=OFFICE, rules=rules, now=accepted)
        # Tố cáo: 30 calendar days -> Wed 1/4/2026; +30 -> Fri 1/5/2026 (a holiday, not
        # moved: calendar days); +30 -> Sun 31/5/2026; a third extension is refused
        # (Luật Tố cáo 2018, Điều 30).
        assert item.resolution_due == date(2026, 4, 1)
        await actions.extend(session, item, reason="Phức tạp", actor=OFFICE, rules=rules,
                             now=accepted)
        assert item.resolution_due == date(2026, 5, 1)
        await actions.extend(session, item, reason="Đặc biệt phức tạp", actor=OFFICE,
                             rules=rules, now=accepted)
        assert item.resolution_due == date(2026, 5, 31)
        with pytest.raises(ActionRefused, match="tối đa 2 lần"):
            await actions.extend(session, item, reason="Nữa", actor=OFFICE, rules=rules,
                                 now=accepted)


async def test_extension_needs_a_reason(sessions: SessionFactory, rules: Rules) -> None:
    async with sessions.begin() as session:
        item = await make_item(session, rules)
        await actions.accept(session, item, actor=OFFICE, rules=rules, now=NOW)
        with pytest.raises(ActionRefused, match="lý do"):
            await actions.extend(session, item, reason="  ", actor=OFFICE, rules=rules, now=NOW)


async def test_set_kind_moves_a_complaint_and_gives_it_its_clocks(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        item = await make_item(session, rules)
        await actions.set_kind(session, item, kind="khieu_nai", actor=OFFICE, rules=rules,
                               now=NOW)
        events = (await session.scalars(select(AuditEvent).where(
            AuditEvent.item_id == item.id).order_by(AuditEvent.id))).all()
    assert (item.kind, item.unit_code, item.status) == ("khieu_nai", "van_phong", "routed")
    assert item.answer_due == date(2026, 4, 11)  # 30 calendar days after Thu 12/3/2026
    assert [e.action for e in events] == ["submit", "route", "set_kind", "set_kind"]
    assert events[2].data["from"] == "phan_anh"
    assert events[2].data["to"] == "khieu_nai"
    assert events[3].data["from_unit"] == "kinh_te"
    assert events[3].data["to_unit"] == "van_phong"


async def test_reroute_keeps_every_hop_with_its_reason(
    sessions: SessionFactory, rules: Rules
) -> None:
    head = Actor("staff:2", Viewer(Role.UNIT_HEAD, "kinh_te"), 2)
    async with sessions.begin() as session:
        item = await make_item(session, rules)
        with pytest.raises(ActionRefused, match="lý do"):
            await actions.reroute(session, item, unit_code=None, reason="", actor=head,
                                  rules=rules, now=NOW)
        with pytest.raises(ActionRefused, match="phân loại"):
            await actions.reroute(session, item, unit_code="cong_an", reason="x", actor=head,
                                  rules=rules, now=NOW)
        await actions.reroute(session, item, unit_code=None, reason="Không thuộc lĩnh vực",
                              actor=head, rules=rules, now=NOW)
        assert (item.status, item.unit_code) == ("triage", "van_phong")
        await actions.route(session, item, unit_code="van_hoa_xa_hoi", reason="An sinh",
                            actor=OFFICE, rules=rules, now=NOW)
        hops = (await session.scalars(select(AuditEvent).where(
            AuditEvent.item_id == item.id, AuditEvent.action.in_(("route", "reroute")))
            .order_by(AuditEvent.id))).all()
        messages = await _outbox(session)
    assert [(h.data["from_unit"], h.data["to_unit"], h.data["reason"]) for h in hops[1:]] == [
        ("kinh_te", "van_phong", "Không thuộc lĩnh vực"),
        ("van_phong", "van_hoa_xa_hoi", "An sinh"),
    ]
    assert (item.status, item.unit_code) == ("routed", "van_hoa_xa_hoi")
    assert "chuyển đến Phòng Văn hóa - Xã hội" in messages[-1]


async def test_answer_reaches_the_resident_with_rating_buttons(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        item = await make_item(session, rules)
        await actions.accept(session, item, actor=OFFICE, rules=rules, now=NOW)
        await actions.answer(session, item, text="Đã lập biên bản, yêu cầu tháo dỡ.",
                             actor=OFFICE, rules=rules, now=NOW)
        row = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.chat_id == "r1").order_by(OutboxMessage.id.desc()))).first()
    assert row is not None
    assert "Đã lập biên bản, yêu cầu tháo dỡ." in row.payload["text"]
    labels = [b["label"] for r in row.payload["buttons"] for b in r]
    assert labels == ["Hài lòng", "Chưa hài lòng"]
    assert row.item_id == item.id


async def test_reject_and_forward_tell_the_resident_why_and_where(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        first = await make_item(session, rules)
        await actions.reject(session, first, reason="Vụ việc đang được Tòa án thụ lý",
                             where="Tòa án nhân dân khu vực 1", actor=OFFICE, rules=rules,
                             now=NOW)
        second = await make_item(session, rules)
        await actions.forward(session, second, to="Sở Nông nghiệp và Môi trường",
                              actor=OFFICE, rules=rules, now=NOW)
        with pytest.raises(ActionRefused):
            await actions.reject(session, second, reason="", where="", actor=OFFICE,
                                 rules=rules, now=NOW)
        messages = await _outbox(session)
    assert "không được thụ lý" in messages[-2]
    assert "Tòa án nhân dân khu vực 1" in messages[-2]
    assert "Sở Nông nghiệp và Môi trường" in messages[-1]
    assert (first.status, second.status) == ("rejected", "forwarded")


async def test_ratings_close_or_reopen_and_count_per_unit(
    sessions: SessionFactory, rules: Rules
) -> None:
    async with sessions.begin() as session:
        resident = await make_resident(session)
        happy = await make_item(session, rules, resident=resident)
        unhappy = await make_item(session, rules, resident=resident)
        for item in (happy, unhappy):
            await actions.accept(session, item, actor=OFFICE, rules=rules, now=NOW)
            await actions.answer(session, item, text="Đã xử lý.", actor=OFFICE, rules=rules,
                                 now=NOW)
        await actions.rate(session, happy, resident=resident, satisfied=True, rules=rules,
                           now=NOW)
        await actions.rate(session, unhappy, resident=resident, satisfied=False, rules=rules,
                           now=NOW)
        with pytest.raises(ActionRefused):  # rated once per answer
            await actions.rate(session, happy, resident=resident, satisfied=False,
                               rules=rules, now=NOW)
        stranger = await make_resident(session, "r2")
        with pytest.raises(ActionRefused, match="người gửi"):
            await actions.rate(session, unhappy, resident=stranger, satisfied=True,
                               rules=rules, now=NOW)
        await actions.add_rating_reason(session, unhappy, resident=resident,
                                        reason="Chưa tháo dỡ", rules=rules, now=NOW)
        counts = await satisfaction_by_unit(session)
        ratings = (await session.scalars(select(Rating).order_by(Rating.id))).all()
    assert (happy.status, unhappy.status) == ("closed", "reopened")
    assert [(c.unit_code, c.satisfied, c.unsatisfied) for c in counts] == [("kinh_te", 1, 1)]
    assert ratings[1].reason == "Chưa tháo dỡ"


# -- every transition at the action level ----------------------------------------------------


async def _item_in(session: AsyncSession, rules: Rules, status: ItemStatus) -> Item:
    item = await make_item(session, rules)
    item.status = status.value
    item.accepted_at = NOW
    item.answered_at = NOW
    await session.flush()
    return item


async def _do(
    session: AsyncSession, item: Item, action: ItemAction, rules: Rules, actor: Actor = OFFICE
) -> Any:
    common: dict[str, Any] = {"actor": actor, "rules": rules, "now": NOW}
    if action is A.ROUTE:
        return await actions.route(session, item, unit_code="cong_an", reason="", **common)
    if action is A.REROUTE:
        return await actions.reroute(session, item, unit_code=None, reason="Sai", **common)
    if action is A.SET_KIND:
        return await actions.set_kind(session, item, kind="kien_nghi", **common)
    if action is A.ACCEPT:
        return await actions.accept(session, item, **common)
    if action is A.EXTEND:
        return await actions.extend(session, item, reason="Phức tạp", **common)
    if action is A.ANSWER:
        return await actions.answer(session, item, text="Trả lời", **common)
    if action is A.CLOSE:
        return await actions.close(session, item, **common)
    if action is A.REJECT:
        return await actions.reject(session, item, reason="R", where="W", **common)
    if action is A.FORWARD:
        return await actions.forward(session, item, to="Cơ quan X", **common)
    if action is A.REOPEN:
        return await actions.reopen(session, item, reason="Xem lại", **common)
    resident = await session.get(Resident, item.resident_id)
    assert resident is not None
    return await actions.rate(session, item, resident=resident, satisfied=True, rules=rules,
                              now=NOW)


@pytest.mark.parametrize("action", list(ItemAction))
async def test_every_status_allows_or_refuses_each_action(
    sessions: SessionFactory, rules: Rules, action: ItemAction
) -> None:
    async with sessions.begin() as session:
        for status in ItemStatus:
            item = await _item_in(session, rules, status)
            outcomes = TRANSITIONS.get((status, action))
            if outcomes:
                await _do(session, item, action, rules)
                assert item.status in outcomes, (status, action, item.status)
            else:
                with pytest.raises(ActionRefused) as refused:
                    await _do(session, item, action, rules)
                assert refused.value.reason == refusal_reason(status, action)
                assert item.status == status.value
