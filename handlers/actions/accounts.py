"""Staff invites and linking chat accounts to staff records."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    StaffAccount,
    StaffInvite,
    StaffMember,
)
from handlers.actions.common import ActionRefused, audit
from handlers.conversation import texts as t
from handlers.profiles import Profile
from handlers.rules.permissions import (
    UNIT_REQUIRED,
    Role,
)
from handlers.rules.tracking_code import ALPHABET

INVITE_TTL = timedelta(hours=72)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode("utf-8")).hexdigest()


def new_link_code() -> str:
    """12 characters from the tracking alphabet: 60 random bits."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


async def create_invite(
    session: AsyncSession,
    *,
    name: str,
    role: str,
    unit_code: str | None,
    profile: Profile,
    now: datetime,
    ttl: timedelta = INVITE_TTL,
    actor: str = "cli",
) -> tuple[StaffMember, str]:
    """Create a staff member and a one-time link code for their first chat account."""
    try:
        staff_role = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ActionRefused(f"Vai trò «{role}» không có (chọn: {roles}).") from None
    if not name.strip():
        raise ActionRefused("Phải có tên cán bộ.")
    if staff_role in UNIT_REQUIRED and not unit_code:
        raise ActionRefused(f"Vai trò «{staff_role.value}» cần --unit (mã đơn vị).")
    if unit_code is not None and unit_code not in profile.units:
        units = ", ".join(profile.units)
        raise ActionRefused(f"Không có đơn vị «{unit_code}» (có: {units}).")
    if unit_code is None and staff_role is Role.INSPECTORATE:
        unit_code = profile.inspectorate_unit
    elif unit_code is None and staff_role is Role.OFFICE:
        unit_code = profile.triage_unit
    member = StaffMember(name=name.strip(), role=staff_role.value, unit_code=unit_code,
                         active=True, created_at=now)
    session.add(member)
    await session.flush()
    code = await _new_invite(session, member, now, ttl)
    audit(session, at=now, actor=actor, action="staff_invite",
          data={"staff_id": member.id, "role": member.role, "unit": member.unit_code})
    await session.flush()
    return member, code


async def invite_existing(
    session: AsyncSession, member: StaffMember, *, now: datetime, ttl: timedelta = INVITE_TTL,
    actor: str = "cli",
) -> str:
    """Another link code for an existing staff member (a second chat account)."""
    code = await _new_invite(session, member, now, ttl)
    audit(session, at=now, actor=actor, action="staff_invite", data={"staff_id": member.id})
    await session.flush()
    return code


async def _new_invite(
    session: AsyncSession, member: StaffMember, now: datetime, ttl: timedelta
) -> str:
    code = new_link_code()
    session.add(StaffInvite(code_hash=hash_code(code), staff_id=member.id, created_at=now,
                            expires_at=now + ttl))
    await session.flush()
    return code


async def link_account(
    session: AsyncSession,
    *,
    code: str,
    channel: str,
    external_id: str,
    chat_id: str,
    now: datetime,
) -> StaffMember:
    """Attach a chat account to the staff member of a valid, unused, unexpired code."""
    invite = await session.scalar(
        select(StaffInvite).where(StaffInvite.code_hash == hash_code(code))
        .with_for_update()
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise ActionRefused(t.STAFF_LINK_BAD)
    member = await session.get(StaffMember, invite.staff_id)
    if member is None or not member.active:
        raise ActionRefused(t.STAFF_LINK_BAD)
    existing = await session.scalar(
        select(StaffAccount).where(StaffAccount.channel == channel,
                                   StaffAccount.external_id == external_id)
    )
    if existing is not None and existing.staff_id != member.id:
        raise ActionRefused(t.STAFF_LINK_TAKEN)
    invite.used_at = now
    if existing is None:
        session.add(StaffAccount(staff_id=member.id, channel=channel, external_id=external_id,
                                 chat_id=chat_id, linked_at=now))
    audit(session, at=now, actor=f"staff:{member.id}", action="staff_link",
          data={"staff_id": member.id, "channel": channel})
    await session.flush()
    return member
