"""Shared set-up for the reminder tests: local instants, a staffed ward, the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.engine import SessionFactory
from db.models import Item, OutboxMessage
from handlers.actions import Rules
from tests.handlers.factories import Prediction, make_item, make_staff

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A local (Hà Nội) instant."""
    return datetime(year, month, day, hour, minute, tzinfo=HANOI)


STAFF = {
    # external id: (role, unit)
    "head-kt": ("unit_head", "kinh_te"),
    "officer-kt": ("officer", "kinh_te"),
    "head-vp": ("unit_head", "van_phong"),
    "office": ("office", None),
    "insp": ("inspectorate", None),
    "head-ca": ("unit_head", "cong_an"),
    "observer": ("observer", None),
}


@dataclass(frozen=True)
class Sent:
    chat_id: str
    text: str
    item_id: int | None


async def add_staff(sessions: SessionFactory, rules: Rules) -> dict[str, int]:
    ids = {}
    async with sessions.begin() as session:
        for external, (role, unit) in STAFF.items():
            member = await make_staff(session, rules, role, unit, external_id=external,
                                      name=f"Cán bộ {external}")
            ids[external] = member.id
    return ids


async def add_item(
    sessions: SessionFactory, rules: Rules, received: datetime, *, field: str = "dat_dai",
    kind: str = "phan_anh", urgent: bool = False, text: str = "Tường nhà bên lấn sang đất",
) -> Item:
    async with sessions.begin() as session:
        return await make_item(session, rules, text=text, now=received,
                               prediction=Prediction(field=field, kind=kind, urgent=urgent))


async def outbox(sessions: SessionFactory, after: int = 0) -> list[Sent]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id))
        return [Sent(r.chat_id, r.payload["text"], r.item_id) for r in rows]


async def last_outbox_id(sessions: SessionFactory) -> int:
    async with sessions() as session:
        found = await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
        return found or 0
