"""The role x action matrix: as data, in the actions, in the read queries and in chat."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.engine import SessionFactory
from db.models import Item
from handlers import actions
from handlers.actions import ActionRefused, Actor, Rules
from handlers.conversation.turn import Deps
from handlers.reminder_actions import MARKS_URGENT
from handlers.rules.permissions import PERMISSIONS, Role, Viewer, may
from handlers.rules.states import ACTION_LABELS, ItemAction, ItemStatus
from tests.handlers.chat import Chat, Clock
from tests.handlers.factories import (
    NOW,
    TEST_KEY,
    FakeClassifier,
    make_item,
    make_staff,
    ward_rules,
)

A = ItemAction
UNIT_OF = {Role.OFFICE: "van_phong", Role.INSPECTORATE: "van_phong", Role.UNIT_HEAD: "kinh_te",
           Role.OFFICER: "kinh_te", Role.OBSERVER: None}
# The matrix written out longhand, so a change to the data is a visible change here.
EXPECTED = {
    Role.OFFICE: {"route", "reroute", "set_kind", "accept", "extend", "answer", "close",
                  "reject", "forward", "reopen"},
    Role.INSPECTORATE: {"route", "reroute", "set_kind", "accept", "extend", "answer", "close",
                        "reject", "forward", "reopen"},
    Role.UNIT_HEAD: {"reroute", "accept", "extend", "answer", "close", "reject", "forward",
                     "reopen"},
    Role.OFFICER: {"accept", "answer"},
    Role.OBSERVER: set(),
}
# A status in which each action's transition is allowed.
READY = {A.ROUTE: ItemStatus.TRIAGE, A.REROUTE: ItemStatus.ROUTED, A.SET_KIND: ItemStatus.ROUTED,
         A.ACCEPT: ItemStatus.ROUTED, A.EXTEND: ItemStatus.ACCEPTED,
         A.ANSWER: ItemStatus.ACCEPTED, A.CLOSE: ItemStatus.ANSWERED,
         A.REJECT: ItemStatus.ROUTED, A.FORWARD: ItemStatus.ROUTED,
         A.REOPEN: ItemStatus.ANSWERED}
STAFF_ACTIONS = list(READY)


@pytest.fixture
def rules() -> Rules:
    return ward_rules()


def test_matrix_is_the_documented_one() -> None:
    assert {role: {a.value for a in acts} for role, acts in PERMISSIONS.items()} == EXPECTED
    assert not any(may(role, A.RATE) for role in Role)  # the resident's own action


def test_unit_roles_need_a_unit() -> None:
    with pytest.raises(ValueError, match="needs a unit"):
        Viewer(Role.UNIT_HEAD)


async def _ready_item(session: AsyncSession, rules: Rules, action: ItemAction) -> Item:
    item = await make_item(session, rules)
    item.status = READY[action].value
    item.unit_code = "kinh_te"
    item.accepted_at = NOW
    item.answered_at = NOW
    await session.flush()
    return item


async def _act(session: AsyncSession, item: Item, action: ItemAction, actor: Actor,
               rules: Rules) -> None:
    common: dict[str, Any] = {"actor": actor, "rules": rules, "now": NOW}
    calls = {
        A.ROUTE: lambda: actions.route(session, item, unit_code="cong_an", reason="",
                                       **common),
        A.REROUTE: lambda: actions.reroute(session, item, unit_code=None, reason="Sai",
                                           **common),
        A.SET_KIND: lambda: actions.set_kind(session, item, kind="kien_nghi", **common),
        A.ACCEPT: lambda: actions.accept(session, item, **common),
        A.EXTEND: lambda: actions.extend(session, item, reason="Phức tạp", **common),
        A.ANSWER: lambda: actions.answer(session, item, text="Đã xử lý", **common),
        A.CLOSE: lambda: actions.close(session, item, **common),
        A.REJECT: lambda: actions.reject(session, item, reason="R", where="W", **common),
        A.FORWARD: lambda: actions.forward(session, item, to="Cơ quan X", **common),
        A.REOPEN: lambda: actions.reopen(session, item, reason="Xem lại", **common),
    }
    await calls[action]()


@pytest.mark.parametrize("role", list(Role))
async def test_actions_enforce_the_matrix(
    sessions: SessionFactory, rules: Rules, role: Role
) -> None:
    actor = Actor("staff:9", Viewer(role, UNIT_OF[role]), 9)
    async with sessions.begin() as session:
        for action in STAFF_ACTIONS:
            item = await _ready_item(session, rules, action)
            if action.value in EXPECTED[role]:
                await _act(session, item, action, actor, rules)
                assert item.status != READY[action] or action in (A.EXTEND, A.SET_KIND)
            else:
                with pytest.raises(ActionRefused, match="không được thực hiện"):
                    await _act(session, item, action, actor, rules)
                assert item.status == READY[action].value


async def test_unit_roles_cannot_act_outside_their_unit(
    sessions: SessionFactory, rules: Rules
) -> None:
    other = Actor("staff:9", Viewer(Role.UNIT_HEAD, "van_hoa_xa_hoi"), 9)
    async with sessions.begin() as session:
        item = await make_item(session, rules)  # routed to kinh_te
        with pytest.raises(ActionRefused, match="không thuộc phạm vi"):
            await actions.accept(session, item, actor=other, rules=rules, now=NOW)
        assert item.status == "routed"


async def test_queries_apply_each_roles_scope(sessions: SessionFactory, rules: Rules) -> None:
    from tests.handlers.factories import Prediction

    async with sessions.begin() as session:
        land = await make_item(session, rules)  # kinh_te
        welfare = await make_item(session, rules, prediction=Prediction(field="an_sinh_xa_hoi"))
        unsure = await make_item(session, rules, prediction=Prediction(route="triage"))
    codes = {land.tracking_code: "kinh_te", welfare.tracking_code: "van_hoa_xa_hoi",
             unsure.tracking_code: "van_phong"}
    async with sessions() as session:
        for role, unit in [(Role.OFFICE, "van_phong"), (Role.INSPECTORATE, "van_phong"),
                           (Role.OBSERVER, None), (Role.UNIT_HEAD, "kinh_te"),
                           (Role.OFFICER, "van_hoa_xa_hoi"), (Role.UNIT_HEAD, "van_phong")]:
            viewer = Viewer(role, unit)
            seen = {i.tracking_code for i in await queries.pending_items(session, viewer)}
            everything = role in (Role.OFFICE, Role.INSPECTORATE, Role.OBSERVER)
            expected = set(codes) if everything else {c for c, u in codes.items() if u == unit}
            assert seen == expected, (role, unit)
            for code, item_unit in codes.items():
                found = await queries.item_for_viewer(session, viewer, code)
                assert (found is not None) == (everything or item_unit == unit)
            if role in (Role.OFFICE, Role.INSPECTORATE):
                triage = await queries.triage_queue(session, viewer)
                assert [i.tracking_code for i in triage] == [unsure.tracking_code]
            else:
                with pytest.raises(PermissionError):
                    await queries.triage_queue(session, viewer)


@pytest.mark.parametrize("role", list(Role))
async def test_chat_offers_only_permitted_buttons_and_refuses_the_rest(
    sessions: SessionFactory, rules: Rules, role: Role
) -> None:
    deps = Deps(profile=rules.profile, classifier=FakeClassifier(), identity_key=TEST_KEY)
    async with sessions.begin() as session:
        item = await make_item(session, rules)  # routed to kinh_te
        await make_staff(session, rules, role.value, UNIT_OF[role], external_id="staff")
    chat = Chat(sessions, "staff", deps, Clock())
    view = await chat.say(f"/item {item.tracking_code}")
    assert item.tracking_code in view
    labels = set(chat.buttons())
    # In status "routed" the transitions allow accept, reroute, reject, forward, set_kind.
    possible = {A.ACCEPT, A.REROUTE, A.REJECT, A.FORWARD, A.SET_KIND}
    permitted = {a for a in possible if a.value in EXPECTED[role]}
    expected = {ACTION_LABELS[a][0].upper() + ACTION_LABELS[a][1:] for a in permitted}
    if role is Role.UNIT_HEAD:
        expected = (expected - {"Chuyển sang đơn vị khác"}) | {"Trả về phân loại"}
    if role in MARKS_URGENT:  # issue 5: any role but the observer may mark an item urgent
        expected |= {"Đánh dấu khẩn"}
    assert labels == expected
    if not permitted:
        assert "chỉ được xem" in view
    refused = await chat.press(f"st:do:accept:{item.tracking_code}")
    if "accept" in EXPECTED[role]:
        assert "Đã thụ lý" in refused
    else:
        assert "Không thực hiện được" in refused
        async with sessions() as session:
            fresh = await session.get(Item, item.id)
            assert fresh is not None
            assert fresh.status == "routed"


async def test_observer_and_other_units_get_nothing_they_should_not(
    sessions: SessionFactory, rules: Rules
) -> None:
    deps = Deps(profile=rules.profile, classifier=FakeClassifier(), identity_key=TEST_KEY)
    async with sessions.begin() as session:
        item = await make_item(session, rules)
        await make_staff(session, rules, "officer", "cong_an", external_id="police")
    chat = Chat(sessions, "police", deps, Clock())
    assert "Không tìm thấy" in await chat.say(f"/item {item.tracking_code}")
    assert item.tracking_code not in await chat.say("/pending")
    assert "chỉ dành cho Văn phòng" in await chat.say("/triage")
    assert "Không tìm thấy" in await chat.press(f"st:do:answer:{item.tracking_code}")
