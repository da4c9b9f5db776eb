"""Sweeps at chosen instants over real database rows: exactly the expected reminders and
escalations, each once, to exactly the expected chats; two sweepers at once send each once.

Dates (see test_rules.py): an item received Sat 25/4/2026 has its processing deadline
(10 calendar days, phản ánh) on Tue 5/5/2026; due soon from Wed 29/4 (30/4 and 1/5 are
holidays), overdue from Wed 6/5.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db import queries
from db.engine import SessionFactory, create_engine, session_factory
from db.models import AuditEvent, Item, ItemReminder, StaffMember
from handlers import actions
from handlers.actions import Actor, Rules
from handlers.reminder_actions import sweep_reminders
from tests.reminders.helpers import add_item, add_staff, at, last_outbox_id, outbox

ESCALATED = {"office", "insp", "head-vp"}  # office, inspectorate, head of van_phong


async def sweep_at(sessions: SessionFactory, rules: Rules, now: datetime) -> list[tuple[str, str]]:
    """Sweep at ``now``; (chat, first words) of every message it queued."""
    before = await last_outbox_id(sessions)
    await sweep_reminders(sessions, rules, now)
    return [(m.chat_id, m.text.split(":")[0][:30]) for m in await outbox(sessions, before)]


async def test_a_week_around_30_4_gives_exactly_the_expected_reminders(
    sessions: SessionFactory, rules: Rules
) -> None:
    item = await add_item(sessions, rules, at(2026, 4, 25, 9))
    assert str(item.processing_due) == "2026-05-05"
    await add_staff(sessions, rules)
    timeline = [
        (at(2026, 4, 28, 10), []),
        (at(2026, 4, 29, 6, 30), []),  # before working hours: held
        (at(2026, 4, 29, 8), [("head-kt", "Nhắc hạn")]),
        (at(2026, 4, 29, 14), []),  # sent already
        (at(2026, 4, 30, 9), []),
        (at(2026, 5, 4, 9), []),
        (at(2026, 5, 5, 16), []),
        (at(2026, 5, 6, 7), []),  # overdue, but held until 07:30
        (at(2026, 5, 6, 7, 35), [("head-kt", "QUÁ HẠN"), ("office", "Báo cáo quá hạn"),
                                 ("insp", "Báo cáo quá hạn"), ("head-vp", "Báo cáo quá hạn"),
                                 ("r1", f"Phản ánh {item.tracking_code} của anh/chị")]),
        (at(2026, 5, 6, 13, 30), []),
        (at(2026, 5, 7, 9), []),
        (at(2026, 5, 11, 9), []),
    ]
    for now, expected in timeline:
        got = await sweep_at(sessions, rules, now)
        want = [(chat, words[:30]) for chat, words in expected]
        assert sorted(got) == sorted(want), now
    async with sessions() as session:
        keys = (await session.scalars(
            select(ItemReminder.threshold).order_by(ItemReminder.id))).all()
        history = (await session.scalars(
            select(AuditEvent.action).where(AuditEvent.item_id == item.id,
                                            AuditEvent.actor == "system"))).all()
    assert keys == ["due_soon:processing:2026-05-05", "overdue:processing:2026-05-05",
                    "escalation:processing:2026-05-05"]
    assert history.count("reminder") == 2 and history.count("escalation") == 1


async def test_the_messages_say_what_and_by_when(sessions: SessionFactory, rules: Rules) -> None:
    item = await add_item(sessions, rules, at(2026, 4, 25, 9))
    await add_staff(sessions, rules)
    code = item.tracking_code
    before = await last_outbox_id(sessions)
    await sweep_reminders(sessions, rules, at(2026, 4, 29, 8))
    await sweep_reminders(sessions, rules, at(2026, 5, 6, 8))
    sent = {m.chat_id: m.text for m in await outbox(sessions, before) if m.chat_id != "head-kt"}
    head = [m.text for m in await outbox(sessions, before) if m.chat_id == "head-kt"]
    assert head[0] == (
        f"Nhắc hạn: phản ánh {code} (Phản ánh, lĩnh vực: Đất đai) sắp đến hạn xử lý đơn "
        "05/05/2026 (còn 2 ngày làm việc).\nĐơn vị: Phòng Kinh tế, Hạ tầng và Đô thị. "
        f"Gõ /item {code} để xử lý."
    )
    assert head[1] == (
        f"QUÁ HẠN: phản ánh {code} (Phản ánh, lĩnh vực: Đất đai) đã quá hạn xử lý đơn "
        "05/05/2026 (1 ngày làm việc).\nĐơn vị: Phòng Kinh tế, Hạ tầng và Đô thị. "
        "Trạng thái: Đã chuyển đơn vị xử lý.\nĐã báo Văn phòng HĐND và UBND theo dõi, đôn đốc. "
        f"Gõ /item {code} để xử lý."
    )
    assert sent["office"] == sent["insp"] == sent["head-vp"]
    assert sent["office"].startswith(
        f"Báo cáo quá hạn: phản ánh {code} (Phản ánh, lĩnh vực: Đất đai) của Phòng Kinh tế, "
        "Hạ tầng và Đô thị đã quá hạn xử lý đơn 05/05/2026 (1 ngày làm việc).")
    assert sent["r1"] == (
        f"Phản ánh {code} của anh/chị đã quá hạn xử lý đơn (05/05/2026) mà chưa có kết quả. "
        "Chúng tôi xin lỗi anh/chị vì sự chậm trễ.\nViệc giải quyết hiện do Văn phòng HĐND và "
        "UBND trực tiếp theo dõi, đôn đốc Phòng Kinh tế, Hạ tầng và Đô thị. Anh/chị sẽ được báo "
        "ngay khi có kết quả."
    )
    assert set(sent) == ESCALATED | {"r1"}  # not cong_an's head, not the observer, not officers


async def test_the_officer_who_accepted_is_reminded_and_a_new_deadline_counts_again(
    sessions: SessionFactory, rules: Rules
) -> None:
    item = await add_item(sessions, rules, at(2026, 4, 20, 9))
    staff = await add_staff(sessions, rules)
    async with sessions.begin() as session:
        fresh = await session.get(Item, item.id)
        officer = await session.get(StaffMember, staff["officer-kt"])
        assert fresh is not None and officer is not None
        await actions.accept(session, fresh, actor=Actor.staff(officer), rules=rules,
                             now=at(2026, 4, 21, 9))
        # Accepted Tue 21/4: 15 working days (27/4, 30/4, 1/5 off) -> Fri 15/5/2026.
        assert str(fresh.resolution_due) == "2026-05-15"
    assert await sweep_at(sessions, rules, at(2026, 5, 12, 9)) == []  # 13, 14, 15 left
    got = await sweep_at(sessions, rules, at(2026, 5, 13, 9))
    assert sorted(got) == [("head-kt", "Nhắc hạn"), ("officer-kt", "Nhắc hạn")]
    async with sessions.begin() as session:
        fresh = await session.get(Item, item.id)
        head = await session.get(StaffMember, staff["head-kt"])
        assert fresh is not None and head is not None
        await actions.extend(session, fresh, reason="Cần đo đạc lại", actor=Actor.staff(head),
                             rules=rules, now=at(2026, 5, 13, 10))
        assert str(fresh.resolution_due) == "2026-05-29"  # + 10 working days
    assert await sweep_at(sessions, rules, at(2026, 5, 14, 9)) == []
    got = await sweep_at(sessions, rules, at(2026, 5, 27, 9))  # 28, 29 left
    assert sorted(got) == [("head-kt", "Nhắc hạn"), ("officer-kt", "Nhắc hạn")]


async def test_answered_items_are_not_reminded(sessions: SessionFactory, rules: Rules) -> None:
    item = await add_item(sessions, rules, at(2026, 4, 25, 9))
    await add_staff(sessions, rules)
    async with sessions.begin() as session:
        await session.execute(update(Item).where(Item.id == item.id).values(status="rejected"))
    assert await sweep_at(sessions, rules, at(2026, 5, 6, 9)) == []


async def test_two_sweepers_in_separate_connections_send_each_reminder_once(
    database_url: str, sessions: SessionFactory, rules: Rules
) -> None:
    await add_staff(sessions, rules)
    items = [await add_item(sessions, rules, at(2026, 4, 25, 9), text=f"Việc số {n}")
             for n in range(12)]
    before = await last_outbox_id(sessions)
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        factories = [session_factory(engine) for engine in engines]
        now = at(2026, 5, 6, 8)
        results = await asyncio.gather(*(sweep_reminders(f, rules, now) for f in factories))
    finally:
        for engine in engines:
            await engine.dispose()
    sent = await outbox(sessions, before)
    # Per item: the unit head (overdue), office, inspectorate, van_phong head (escalation),
    # and the resident.
    assert len(sent) == 5 * len(items)
    per_chat = Counter(m.chat_id for m in sent)
    assert per_chat == {"head-kt": 12, "office": 12, "insp": 12, "head-vp": 12, "r1": 12}
    assert len({(m.chat_id, m.item_id) for m in sent}) == len(sent)
    done = sorted(pair for result in results for pair in result.reminders)
    assert len(done) == 2 * len(items)  # every reminder claimed by exactly one sweeper
    assert len(set(done)) == len(done)
    async with sessions() as session:
        assert await session.scalar(select(func.count(ItemReminder.id))) == 2 * len(items)


async def test_the_sweep_query_uses_the_deadline_index(engine: AsyncEngine) -> None:
    query = queries.items_due_query(datetime(2026, 5, 5).date())  # noqa: DTZ001 - a date
    sql = str(query.compile(engine.sync_engine, compile_kwargs={"literal_binds": True}))
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny table otherwise
            plan = "\n".join(row[0] for row in await conn.execute(text("EXPLAIN " + sql)))
        else:
            plan = "\n".join(str(row[-1]) for row in
                             await conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_items_status_current_due" in plan, plan
