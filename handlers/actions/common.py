"""Shared by every action: who acts, the locality's rules, audit and outbox writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AuditEvent,
    Conversation,
    Item,
    OutboxMessage,
    Resident,
    StaffAccount,
    StaffMember,
)
from db.queries import unit_group_chats
from handlers.conversation import texts as t
from handlers.conversation.types import Button, Reply
from handlers.profiles import Profile
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.permissions import (
    SEES_IDENTITY,
    Role,
    Viewer,
)
from handlers.rules.states import (
    ItemAction,
    ItemStatus,
)

A = ItemAction


S = ItemStatus


UNIT_STAFF_ROLES = (Role.UNIT_HEAD, Role.OFFICER)


class ActionRefused(Exception):
    """An action is not allowed; ``reason`` is Vietnamese, fit to show the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rules:
    """What the actions need from the locality: its profile, calendar and the sealing key."""

    profile: Profile
    calendar: WorkingCalendar
    identity_key: bytes

    def unit_name(self, code: str | None) -> str:
        if code is None or code not in self.profile.units:
            return "chưa xác định"
        return self.profile.unit_name(code)

    def date(self, day: dt.date) -> str:
        return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member (with the role that decides), a resident, or the system."""

    label: str  # the audit actor, e.g. "staff:3"; never a name or a phone
    viewer: Viewer | None = None
    staff_id: int | None = None

    @classmethod
    def staff(cls, member: StaffMember) -> Actor:
        return cls(f"staff:{member.id}", staff_viewer(member), member.id)

    @classmethod
    def resident(cls, resident: Resident) -> Actor:
        return cls(f"resident:{resident.id}")


SYSTEM = Actor("system")


def staff_viewer(member: StaffMember) -> Viewer:
    return Viewer(Role(member.role), member.unit_code)


def audit(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    action: str,
    item_id: int | None = None,
    resident_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            at=at,
            actor=actor,
            action=action,
            item_id=item_id,
            resident_id=resident_id,
            data=data or {},
        )
    )


def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    reply: Reply,
    now: datetime,
    item_id: int | None = None,
) -> None:
    session.add(
        OutboxMessage(
            channel=channel,
            chat_id=chat_id,
            payload=reply.to_payload(),
            item_id=item_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def iso_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


async def tell_resident(
    session: AsyncSession,
    item: Item,
    reply: Reply,
    now: datetime,
    *,
    choices: bool = False,
) -> None:
    """Queue a message for the item's sender, in the chat they wrote from.

    With ``choices``, the reply's buttons also become the conversation's typed choices
    (channels without buttons), unless the resident is in the middle of something.
    """
    resident = await session.get(Resident, item.resident_id)
    if resident is None:
        return
    conversation = await session.scalar(
        select(Conversation).where(
            Conversation.channel == resident.channel,
            Conversation.external_user_id == resident.external_id,
        )
    )
    chat_id = conversation.chat_id if conversation is not None else resident.external_id
    enqueue(session, channel=resident.channel, chat_id=chat_id, reply=reply, now=now,
            item_id=item.id)
    if choices and conversation is not None and conversation.step == "idle":
        listed = [[b.label, b.payload] for row in reply.buttons for b in row]
        conversation.data = {**conversation.data, "choices": listed}


async def notify_staff(
    session: AsyncSession,
    item: Item,
    text: str,
    now: datetime,
    *,
    unit: str | None = None,
    roles: frozenset[Role] = frozenset(),
    exclude_staff: int | None = None,
) -> int:
    """Message every linked account of the unit's staff and of staff holding ``roles``.

    Denunciations also reach the inspectorate role. The text never carries identity.
    """
    wanted_roles = set(roles)
    if item.confidential:
        wanted_roles |= SEES_IDENTITY
    rows = (
        await session.execute(
            select(StaffAccount, StaffMember)
            .join(StaffMember, StaffMember.id == StaffAccount.staff_id)
            .where(StaffMember.active.is_(True))
            .order_by(StaffAccount.id)
        )
    ).all()
    sent = 0
    buttons = ((Button(t.STAFF_BTN_OPEN, f"st:item:{item.tracking_code}"),),)
    for account, member in rows:
        in_unit = unit is not None and member.unit_code == unit and (
            member.role in UNIT_STAFF_ROLES
        )
        if member.id == exclude_staff or not (in_unit or member.role in wanted_roles):
            continue
        enqueue(session, channel=account.channel, chat_id=account.chat_id,
                reply=Reply(text, buttons), now=now, item_id=item.id)
        sent += 1
    if unit is not None:
        # The unit's group chats hear of it too (no buttons: staff act in private chat).
        for group in await unit_group_chats(session, [unit]):
            enqueue(session, channel=group.channel, chat_id=group.chat_id, reply=Reply(text),
                    now=now, item_id=item.id)
            sent += 1
    return sent
