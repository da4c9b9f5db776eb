"""Denunciations (tố cáo): never routed to the unit of their field (it may be the accused),
and the sender's identity is sealed: visible to the inspectorate role only.

Luật Tố cáo 2018, Điều 9.1.b and 47: the accuser's name, address and other personal
information are kept secret.
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select, text

from db.engine import SessionFactory
from db.models import AuditEvent, Item, OutboxMessage, StaffAccount
from handlers import actions
from handlers.actions import ActionRefused, Actor
from handlers.conversation.turn import Deps
from handlers.crypto import unseal
from handlers.profiles import load_profile
from handlers.rules.permissions import Role, Viewer
from tests.handlers.chat import Chat, Clock
from tests.handlers.factories import (
    NOW,
    TEST_KEY,
    FakeClassifier,
    Prediction,
    make_item,
    make_staff,
    ward_rules,
)

NAME = "Đỗ Thị Mai Phương"
PHONE = "0987654321"
USER = "tg-77441235"
SECRETS = (NAME, PHONE, "987654321", USER)
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
# Field dat_dai would send it to kinh_te, the unit it accuses.
ACCUSATION = (
    "Tôi tố cáo cán bộ địa chính phòng Kinh tế nhận tiền để hợp thức hóa đất lấn chiếm "
    "của hộ ông K ở tổ dân phố Đông Thành."
)


@pytest.fixture
def deps() -> Deps:
    return Deps(profile=load_profile("demo_ward"), identity_key=TEST_KEY,
                classifier=FakeClassifier(Prediction(field="dat_dai", kind="to_cao")))


async def test_denunciation_goes_to_its_handler_and_its_sender_stays_secret(
    sessions: SessionFactory, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Statement logging by SQLAlchemy and the drivers would print bound values; the service
    # pins those loggers to WARNING (bot/__main__.py) and so does this test.
    for name in ("sqlalchemy.engine", "aiosqlite", "asyncpg"):
        caplog.set_level(logging.WARNING, logger=name)
    rules = deps.rules
    clock = Clock()
    async with sessions.begin() as session:
        roles = [("office", None), ("unit_head", "kinh_te"), ("officer", "kinh_te"),
                 ("unit_head", "van_phong"), ("observer", None), ("inspectorate", None)]
        for role, unit in roles:
            await make_staff(session, rules, role, unit, external_id=f"{role}-{unit}")

    accuser = Chat(sessions, USER, deps, clock, NAME)
    await accuser.say(ACCUSATION)
    await accuser.press("consent:yes")
    await accuser.press("skip")
    await accuser.press("skip")
    await accuser.say(PHONE)
    confirmation = await accuser.press("send")
    match = CODE.search(confirmation)
    assert match is not None
    code = match.group(0)
    assert "Loại đơn: Tố cáo" in confirmation
    assert "giữ bí mật" in confirmation
    assert "Đơn vị xử lý: Văn phòng HĐND và UBND" in confirmation

    async with sessions() as session:
        item = (await session.scalars(select(Item))).one()
        raw = (await session.execute(text(
            "SELECT sealed_identity, contact_phone, confidential FROM items"))).one()
        resident_phone = (await session.execute(text("SELECT phone FROM residents"))).scalar()
    assert (item.kind, item.unit_code, item.status) == ("to_cao", "van_phong", "routed")
    # The raw column holds ciphertext only; the phone is nowhere in clear.
    assert raw.sealed_identity
    assert raw.contact_phone is None
    assert bool(raw.confidential)
    for secret in SECRETS:
        assert secret not in raw.sealed_identity
    assert resident_phone is None
    opened = unseal(TEST_KEY, raw.sealed_identity)
    assert (opened["name"], opened["phone"], opened["external_id"]) == (NAME, PHONE, USER)

    # The accused unit neither receives nor finds it.
    for user in ("unit_head-kinh_te", "officer-kinh_te"):
        staff = Chat(sessions, user, deps, clock)
        assert await staff.inbox() == []  # no notification of it
        assert code not in await staff.say("/pending")
        assert "Không tìm thấy" in await staff.say(f"/item {code}")

    views = {}
    for user in ("office-None", "unit_head-van_phong", "observer-None", "inspectorate-None"):
        staff = Chat(sessions, user, deps, clock)
        assert code in await staff.say("/pending")
        views[user] = await staff.say(f"/item {code}")
    for user, view in views.items():
        if user == "inspectorate-None":
            assert NAME in view
            assert PHONE in view
        else:
            assert "Người gửi: được bảo mật" in view
            for secret in SECRETS:
                assert secret not in view, (user, secret)

    # Acting on it (accept, extend, answer) writes nothing identifying for staff either.
    office = Chat(sessions, "office-None", deps, clock)
    await office.press(f"st:do:accept:{code}")
    await office.press(f"st:do:answer:{code}")
    await office.say("Đã chuyển hồ sơ cho bộ phận giải quyết tố cáo.")
    async with sessions() as session:
        inspector_chats = set((await session.scalars(
            select(StaffAccount.chat_id).where(StaffAccount.external_id == "inspectorate-None")
        )).all())
        staff_rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.chat_id != USER))).all()
        audit_rows = (await session.scalars(select(AuditEvent))).all()
    staff_texts = [str(r.payload) for r in staff_rows if r.chat_id not in inspector_chats]
    assert staff_texts  # notifications and replies were written
    for secret in SECRETS:
        assert not any(secret in t for t in staff_texts), secret
        assert not any(secret in str(a.data) for a in audit_rows), secret
        assert not any(secret in r.getMessage() for r in caplog.records), secret


async def test_denunciation_cannot_be_routed_to_a_unit_by_field(sessions: SessionFactory) -> None:
    rules = ward_rules()
    office = Actor("staff:1", Viewer(Role.OFFICE, "van_phong"), 1)
    async with sessions.begin() as session:
        item = await make_item(session, rules, prediction=Prediction(kind="to_cao"))
        assert item.unit_code == "van_phong"
        with pytest.raises(ActionRefused, match="Tố cáo chỉ chuyển"):
            await actions.reroute(session, item, unit_code="kinh_te", reason="Theo lĩnh vực",
                                  actor=office, rules=rules, now=NOW)
        # Back to triage keeps it with the denunciations handler.
        await actions.reroute(session, item, unit_code=None, reason="Phân loại lại",
                              actor=office, rules=rules, now=NOW)
        assert (item.unit_code, item.status) == ("van_phong", "triage")
        with pytest.raises(ActionRefused, match="Tố cáo chỉ chuyển"):
            await actions.route(session, item, unit_code="kinh_te", reason="",
                                actor=office, rules=rules, now=NOW)
        assert item.unit_code == "van_phong"


async def test_confirmed_denunciation_moves_seals_and_gets_its_clocks(
    sessions: SessionFactory,
) -> None:
    rules = ward_rules()
    office = Actor("staff:1", Viewer(Role.OFFICE, "van_phong"), 1)
    async with sessions.begin() as session:
        item = await make_item(session, rules, phone=PHONE)  # a phản ánh at kinh_te
        assert (item.unit_code, item.contact_phone) == ("kinh_te", PHONE)
        await actions.set_kind(session, item, kind="to_cao", actor=office, rules=rules,
                               now=NOW)
        assert (item.unit_code, item.confidential, item.contact_phone) == (
            "van_phong", True, None)
        assert item.sealed_identity is not None
        assert PHONE not in item.sealed_identity
        assert unseal(TEST_KEY, item.sealed_identity)["phone"] == PHONE
        # Tố cáo processing: 7 working days from Mon 2/3/2026 = Wed 11/3/2026.
        assert str(item.processing_due) == "2026-03-11"
        head = Actor("staff:2", Viewer(Role.UNIT_HEAD, "kinh_te"), 2)
        with pytest.raises(ActionRefused, match="phạm vi"):
            await actions.accept(session, item, actor=head, rules=rules, now=NOW)
