"""Read queries shared by handlers and web views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Attachment,
    AuditEvent,
    Item,
    OutboxMessage,
    Rating,
    StaffAccount,
    StaffMember,
    UnitGroupChat,
)
from handlers.rules.permissions import Viewer, sees_all_units, sees_triage
from handlers.rules.states import ItemStatus

OPEN_STATUSES: tuple[str, ...] = (
    ItemStatus.RECEIVED, ItemStatus.TRIAGE, ItemStatus.ROUTED, ItemStatus.ACCEPTED,
    ItemStatus.REOPENED,
)
"""Statuses in which an item still waits for staff."""


async def item_by_code(session: AsyncSession, code: str) -> Item | None:
    return await session.scalar(select(Item).where(Item.tracking_code == code))


async def outbox_for_chat(
    session: AsyncSession, channel: str, chat_id: str, after_id: int, limit: int = 50
) -> Sequence[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.id > after_id,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return rows.all()


async def attachments_to_fetch(
    session: AsyncSession, channels: Sequence[str], max_attempts: int, limit: int = 20
) -> Sequence[Attachment]:
    rows = await session.scalars(
        select(Attachment)
        .where(
            Attachment.stored_path.is_(None),
            Attachment.attempts < max_attempts,
            Attachment.channel.in_(channels),
        )
        .order_by(Attachment.id)
        .limit(limit)
    )
    return rows.all()


# -- staff -----------------------------------------------------------------------------


async def staff_by_account(
    session: AsyncSession, channel: str, external_id: str
) -> StaffMember | None:
    """The active staff member a chat account is linked to, if any."""
    return await session.scalar(
        select(StaffMember)
        .join(StaffAccount, StaffAccount.staff_id == StaffMember.id)
        .where(
            StaffAccount.channel == channel,
            StaffAccount.external_id == external_id,
            StaffMember.active.is_(True),
        )
    )


async def staff_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(ids))
    )
    return {row.id: row.name for row in rows}


# -- items as a staff member sees them (the role's scope is applied here) ---------------


def current_due() -> ColumnElement[Any]:
    """The deadline that runs now: resolution once accepted, else processing."""
    return func.coalesce(Item.resolution_due, Item.processing_due)


def scoped(viewer: Viewer) -> Select[Item]:
    """Items within ``viewer``'s scope: every unit for office, inspectorate and observers;
    their own unit for unit heads and officers."""
    query = select(Item)
    if not sees_all_units(viewer):
        query = query.where(Item.unit_code == viewer.unit_code)
    return query


def _by_due(query: Select[Item]) -> Select[Item]:
    # Urgent items stay at the top, whatever their deadline.
    due = current_due()
    return query.order_by(case((Item.urgent.is_(True), 0), else_=1),
                          case((due.is_(None), 1), else_=0), due, Item.received_at, Item.id)


async def pending_items(
    session: AsyncSession, viewer: Viewer, limit: int = 200
) -> Sequence[Item]:
    """Open items in scope, soonest deadline first."""
    query = scoped(viewer).where(Item.status.in_(OPEN_STATUSES))
    return (await session.scalars(_by_due(query).limit(limit))).all()


async def overdue_items(
    session: AsyncSession, viewer: Viewer, today: date, limit: int = 200
) -> Sequence[Item]:
    """Open items in scope whose running deadline is before ``today`` (local date)."""
    query = scoped(viewer).where(Item.status.in_(OPEN_STATUSES), current_due() < today)
    return (await session.scalars(_by_due(query).limit(limit))).all()


async def triage_queue(session: AsyncSession, viewer: Viewer, limit: int = 200) -> Sequence[Item]:
    """Items waiting for a person to classify them; office and inspectorate only."""
    if not sees_triage(viewer):
        raise PermissionError("the triage queue is for office and inspectorate staff")
    query = select(Item).where(Item.status.in_((ItemStatus.RECEIVED, ItemStatus.TRIAGE)))
    return (await session.scalars(_by_due(query).limit(limit))).all()


async def item_for_viewer(session: AsyncSession, viewer: Viewer, code: str) -> Item | None:
    """The item with ``code`` if it is within ``viewer``'s scope."""
    return await session.scalar(scoped(viewer).where(Item.tracking_code == code))


async def item_history(session: AsyncSession, item_id: int) -> Sequence[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent).where(AuditEvent.item_id == item_id).order_by(AuditEvent.id)
    )
    return rows.all()


# -- satisfaction -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Satisfaction:
    unit_code: str | None
    satisfied: int
    unsatisfied: int

    @property
    def total(self) -> int:
        return self.satisfied + self.unsatisfied


async def satisfaction_by_unit(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> list[Satisfaction]:
    """Counts of "Hài lòng" / "Chưa hài lòng" ratings per answering unit, by unit code."""
    yes = func.sum(case((Rating.satisfied.is_(True), 1), else_=0))
    no = func.sum(case((Rating.satisfied.is_(True), 0), else_=1))
    query = select(Rating.unit_code, yes, no).group_by(Rating.unit_code)
    if since is not None:
        query = query.where(Rating.at >= since)
    if until is not None:
        query = query.where(Rating.at < until)
    rows = (await session.execute(query.order_by(Rating.unit_code))).all()
    return [Satisfaction(unit, int(y or 0), int(n or 0)) for unit, y, n in rows]


# -- reminders and group chats ----------------------------------------------------------


async def items_due_by(
    session: AsyncSession, last_day: date, *, urgent_only: bool = False, limit: int = 5000
) -> Sequence[Item]:
    """Waiting items whose running deadline is on or before ``last_day``: the sweep's
    candidates, found through ``ix_items_status_current_due`` (a range scan, not a scan of
    every item)."""
    query = items_due_query(last_day, urgent_only=urgent_only)
    return (await session.scalars(query.order_by(current_due(), Item.id).limit(limit))).all()


def items_due_query(last_day: date, *, urgent_only: bool = False) -> Select[Item]:
    query = select(Item).where(Item.status.in_(OPEN_STATUSES), current_due() <= last_day)
    if urgent_only:
        query = query.where(Item.urgent.is_(True))
    return query


async def unit_group_chats(
    session: AsyncSession, unit_codes: Sequence[str]
) -> Sequence[UnitGroupChat]:
    """The active group chats linked to any of ``unit_codes``."""
    if not unit_codes:
        return []
    rows = await session.scalars(
        select(UnitGroupChat)
        .where(UnitGroupChat.unit_code.in_(list(unit_codes)), UnitGroupChat.active.is_(True))
        .order_by(UnitGroupChat.id)
    )
    return rows.all()


async def group_chat(session: AsyncSession, channel: str, chat_id: str) -> UnitGroupChat | None:
    return await session.scalar(
        select(UnitGroupChat).where(UnitGroupChat.channel == channel,
                                    UnitGroupChat.chat_id == chat_id,
                                    UnitGroupChat.active.is_(True))
    )
