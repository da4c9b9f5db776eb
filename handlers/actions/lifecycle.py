"""What staff and residents do to an item after intake, one function per action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Item,
    Rating,
    Resident,
)
from handlers.actions.common import (
    A,
    ActionRefused,
    Actor,
    Rules,
    S,
    audit,
    iso_date,
    notify_staff,
    tell_resident,
)
from handlers.actions.intake import seal_sender
from handlers.actions.moves import move, start_clocks, transition, unit_code_of
from handlers.conversation import texts as t
from handlers.conversation.types import Button, Reply
from handlers.rules import deadlines
from handlers.rules.permissions import (
    ROUTES_ANYWHERE,
    Role,
)
from handlers.rules.states import (
    ItemKind,
)


async def route(
    session: AsyncSession,
    item: Item,
    *,
    unit_code: str,
    reason: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Send a received or triaged item to a unit (the triage desk's decision)."""
    transition(item, A.ROUTE, actor, S.ROUTED)
    unit_code = unit_code_of(unit_code, rules)
    await move(session, item, unit_code, S.ROUTED, reason.strip() or "Phân loại thủ công.",
                actor, A.ROUTE, rules, now)
    await tell_resident(session, item, Reply(t.NOTIFY_ROUTED.format(
        code=item.tracking_code, unit=rules.unit_name(unit_code))), now)
    return item


async def reroute(
    session: AsyncSession,
    item: Item,
    *,
    unit_code: str | None,
    reason: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Move an item to another unit, or back to the triage desk (``unit_code`` None).

    A reason is required and kept in the history. Only office and inspectorate pick the
    unit; a unit head can only send an item back to triage ("not ours").
    """
    if not reason.strip():
        raise ActionRefused("Chuyển đơn vị khác phải nêu lý do.")
    to_triage = unit_code is None
    if not to_triage and actor.viewer is not None and actor.viewer.role not in ROUTES_ANYWHERE:
        raise ActionRefused("Anh/chị chỉ có thể trả phản ánh về bộ phận phân loại.")
    target = S.TRIAGE if to_triage else S.ROUTED
    transition(item, A.REROUTE, actor, target)
    unit = rules.profile.triage_unit if to_triage else unit_code_of(str(unit_code), rules)
    if item.kind == ItemKind.TO_CAO and to_triage:
        unit = rules.profile.denunciations_unit
    if unit == item.unit_code and target is S.ROUTED:
        raise ActionRefused("Phản ánh đã ở đơn vị này.")
    await move(session, item, unit, target, reason.strip(), actor, A.REROUTE, rules, now)
    if target is S.ROUTED:
        await tell_resident(session, item, Reply(t.NOTIFY_ROUTED.format(
            code=item.tracking_code, unit=rules.unit_name(unit))), now)
    return item


async def set_kind(
    session: AsyncSession,
    item: Item,
    *,
    kind: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Staff decide the legal kind; a complaint or denunciation moves to its handler, and the
    clocks of the new kind apply."""
    try:
        new_kind = ItemKind(kind)
    except ValueError:
        raise ActionRefused(f"Không có loại đơn «{kind}».") from None
    status = transition(item, A.SET_KIND, actor)
    old_kind = item.kind
    if new_kind.value == old_kind:
        raise ActionRefused("Phản ánh đã thuộc loại này.")
    item.kind = new_kind.value
    if new_kind is ItemKind.TO_CAO and not item.confidential:
        resident = await session.get(Resident, item.resident_id)
        if resident is not None:
            seal_sender(item, resident, item.contact_phone, rules)
    start_clocks(item, rules)
    if item.accepted_at is not None and status is S.ACCEPTED:
        item.resolution_due = deadlines.resolution_deadline(
            item.kind, item.accepted_at, rules.profile, rules.calendar
        )
        item.extensions_used = 0
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.SET_KIND.value, item_id=item.id,
          data={"from": old_kind, "to": new_kind.value,
                "processing_due": iso_date(item.processing_due),
                "resolution_due": iso_date(item.resolution_due)})
    handler = {
        ItemKind.TO_CAO: rules.profile.denunciations_unit,
        ItemKind.KHIEU_NAI: rules.profile.complaints_unit,
    }.get(new_kind)
    if handler is not None and handler != item.unit_code:
        label = deadlines.KIND_LABELS[new_kind]
        await move(session, item, handler, status,
                    f"Xác định là {label.lower()}: chuyển đơn vị giải quyết {label.lower()}.",
                    actor, A.SET_KIND, rules, now)
    await session.flush()
    return item


async def accept(
    session: AsyncSession, item: Item, *, actor: Actor, rules: Rules, now: datetime
) -> Item:
    """Thụ lý: the resolution clock of the item's kind starts now."""
    item.status = transition(item, A.ACCEPT, actor).value
    item.accepted_at = now
    item.extensions_used = 0
    item.resolution_due = deadlines.resolution_deadline(
        item.kind, now, rules.profile, rules.calendar
    )
    notice = t.NOTIFY_ACCEPTED.format(code=item.tracking_code,
                                      unit=rules.unit_name(item.unit_code),
                                      due=rules.date(item.resolution_due))
    return await _record(
        session, item, A.ACCEPT, actor, now,
        {"unit": item.unit_code, "resolution_due": iso_date(item.resolution_due)},
        Reply(notice),
    )


async def extend(
    session: AsyncSession,
    item: Item,
    *,
    reason: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Extend the resolution clock once more, within the legal cap, with a reason."""
    transition(item, A.EXTEND, actor)
    if item.accepted_at is None:
        raise ActionRefused("Phản ánh chưa được thụ lý, chưa thể gia hạn.")
    try:
        extension = deadlines.extend(
            item.kind, item.accepted_at, rules.profile, rules.calendar,
            extensions_used=item.extensions_used, reason=reason,
        )
    except deadlines.ExtensionRefused as exc:
        raise ActionRefused(exc.reason) from None
    item.extensions_used = extension.extensions_used
    item.resolution_due = extension.deadline
    notice = t.NOTIFY_EXTENDED.format(code=item.tracking_code,
                                      due=rules.date(extension.deadline),
                                      reason=extension.reason)
    return await _record(
        session, item, A.EXTEND, actor, now,
        {"reason": extension.reason, "from": iso_date(extension.previous_deadline),
         "to": iso_date(extension.deadline), "count": extension.extensions_used},
        Reply(notice),
    )


def rating_buttons(code: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(t.BTN_SATISFIED, f"rate:{code}:yes"),
             Button(t.BTN_UNSATISFIED, f"rate:{code}:no")),)


async def answer(
    session: AsyncSession,
    item: Item,
    *,
    text: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """The unit's answer reaches the resident, with the rating buttons."""
    if not text.strip():
        raise ActionRefused("Nội dung trả lời không được để trống.")
    item.status = transition(item, A.ANSWER, actor).value
    item.answer_text = text.strip()
    item.answered_at = now
    notice = t.NOTIFY_ANSWERED.format(code=item.tracking_code,
                                      unit=rules.unit_name(item.unit_code),
                                      text=item.answer_text)
    return await _record(
        session, item, A.ANSWER, actor, now,
        {"unit": item.unit_code, "length": len(item.answer_text)},
        Reply(notice, rating_buttons(item.tracking_code)),
        choices=True,
    )


async def close(
    session: AsyncSession, item: Item, *, actor: Actor, rules: Rules, now: datetime
) -> Item:
    item.status = transition(item, A.CLOSE, actor).value
    item.closed_at = now
    return await _record(session, item, A.CLOSE, actor, now, {},
                         Reply(t.NOTIFY_CLOSED.format(code=item.tracking_code)))


async def reject(
    session: AsyncSession,
    item: Item,
    *,
    reason: str,
    where: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Không thụ lý: the resident learns why and where to go instead."""
    if not reason.strip() or not where.strip():
        raise ActionRefused("Từ chối phải nêu lý do và nơi công dân cần liên hệ.")
    item.status = transition(item, A.REJECT, actor).value
    item.reject_reason = reason.strip()
    item.redirect_to = where.strip()
    item.closed_at = now
    notice = t.NOTIFY_REJECTED.format(code=item.tracking_code, reason=item.reject_reason,
                                      where=item.redirect_to)
    return await _record(
        session, item, A.REJECT, actor, now,
        {"reason": item.reject_reason, "where": item.redirect_to},
        Reply(notice),
    )


async def forward(
    session: AsyncSession,
    item: Item,
    *,
    to: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Send the item to another body (outside this locality's units)."""
    if not to.strip():
        raise ActionRefused("Phải nêu cơ quan nhận.")
    item.status = transition(item, A.FORWARD, actor).value
    item.redirect_to = to.strip()
    item.closed_at = now
    notice = t.NOTIFY_FORWARDED.format(code=item.tracking_code,
                                       place=rules.profile.display_name, where=item.redirect_to)
    return await _record(session, item, A.FORWARD, actor, now, {"to": item.redirect_to},
                         Reply(notice))


async def reopen(
    session: AsyncSession,
    item: Item,
    *,
    reason: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
) -> Item:
    """Open an answered or closed item again; a fresh processing clock runs from now."""
    if not reason.strip():
        raise ActionRefused("Mở lại phải nêu lý do.")
    await _reopen(session, item, reason.strip(), actor, rules, now)
    return item


async def _reopen(
    session: AsyncSession,
    item: Item,
    reason: str,
    actor: Actor,
    rules: Rules,
    now: datetime,
    *,
    tell: bool = True,
) -> None:
    item.status = transition(item, A.REOPEN, actor).value
    item.closed_at = None
    item.resolution_due = None
    item.extensions_used = 0
    item.processing_due = deadlines.processing_deadline(
        item.kind, now, rules.profile, rules.calendar
    )
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.REOPEN.value, item_id=item.id,
          data={"reason": reason, "processing_due": iso_date(item.processing_due)})
    if tell:  # a rating reopens in the resident's own dialogue, which answers them there
        await tell_resident(session, item,
                            Reply(t.NOTIFY_REOPENED.format(code=item.tracking_code)), now)
    await session.flush()


async def rate(
    session: AsyncSession,
    item: Item,
    *,
    resident: Resident,
    satisfied: bool,
    rules: Rules,
    now: datetime,
) -> Rating:
    """Record the sender's rating of the last answer (kept per unit). "Chưa hài lòng"
    reopens the item and tells the unit and the office."""
    if item.resident_id != resident.id:
        raise ActionRefused("Chỉ người gửi phản ánh mới đánh giá được.")
    actor = Actor.resident(resident)
    target = S.CLOSED if satisfied or item.status == S.CLOSED else S.ANSWERED
    new_status = transition(item, A.RATE, actor, target)
    if item.answered_at is None:
        raise ActionRefused("Phản ánh chưa được trả lời, chưa thể đánh giá.")
    already = await session.scalar(
        select(Rating.id).where(Rating.item_id == item.id, Rating.answered_at == item.answered_at)
    )
    if already is not None:
        raise ActionRefused("Anh/chị đã đánh giá câu trả lời này. Cảm ơn anh/chị.")
    rating = Rating(item_id=item.id, unit_code=item.unit_code, satisfied=satisfied,
                    answered_at=item.answered_at, at=now)
    session.add(rating)
    item.status = new_status.value
    if new_status is S.CLOSED and item.closed_at is None:
        item.closed_at = now
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.RATE.value, item_id=item.id,
          data={"satisfied": satisfied, "unit": item.unit_code})
    await session.flush()
    if not satisfied:
        await _reopen(session, item, "Người gửi chưa hài lòng với kết quả.", actor, rules, now,
                      tell=False)
        await notify_staff(
            session, item,
            t.STAFF_UNSATISFIED.format(code=item.tracking_code,
                                       unit=rules.unit_name(item.unit_code)),
            now, unit=item.unit_code, roles=frozenset({Role.OFFICE}),
        )
    return rating


async def add_rating_reason(
    session: AsyncSession,
    item: Item,
    *,
    resident: Resident,
    reason: str,
    rules: Rules,
    now: datetime,
) -> Rating:
    """The optional reason given after "Chưa hài lòng"; the unit and the office get it."""
    if item.resident_id != resident.id:
        raise ActionRefused("Chỉ người gửi phản ánh mới đánh giá được.")
    rating = await session.scalar(
        select(Rating).where(Rating.item_id == item.id).order_by(Rating.id.desc()).limit(1)
    )
    if rating is None or rating.satisfied:
        raise ActionRefused("Chưa có đánh giá «Chưa hài lòng» để bổ sung lý do.")
    rating.reason = reason.strip()[:2000]
    audit(session, at=now, actor=Actor.resident(resident).label, action="rating_reason",
          item_id=item.id, data={"length": len(rating.reason)})
    await notify_staff(
        session, item,
        t.STAFF_UNSATISFIED_REASON.format(code=item.tracking_code, reason=rating.reason),
        now, unit=item.unit_code, roles=frozenset({Role.OFFICE}),
    )
    await session.flush()
    return rating


async def _record(
    session: AsyncSession,
    item: Item,
    action: A,
    actor: Actor,
    now: datetime,
    data: dict[str, Any],
    reply: Reply,
    *,
    choices: bool = False,
) -> Item:
    """The common tail of an item action: audit it and tell the resident."""
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=action.value, item_id=item.id, data=data)
    await tell_resident(session, item, reply, now, choices=choices)
    await session.flush()
    return item
