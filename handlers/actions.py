"""State changes. Each runs inside the caller's transaction and writes its audit event.

Every item action follows one pattern: check the actor's permission (the role x action
matrix and the unit scope, ``handlers.rules.permissions``) and the transition
(``handlers.rules.states``), change the item, write an ``AuditEvent``, and write outbox rows
for the people who must hear of it (the resident in plain Vietnamese, staff where their
unit is concerned). Nothing here commits: the caller's transaction holds state, audit and
messages together. A refusal raises ``ActionRefused`` with a Vietnamese reason.

Denunciations (tố cáo): the sender's name, phone and chat ids are sealed into
``Item.sealed_identity`` and never written anywhere else by these actions (not the item's
phone column, not the resident's phone, not audit data, not logs, not staff messages).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Attachment,
    AuditEvent,
    Conversation,
    Item,
    OutboxMessage,
    Rating,
    Resident,
    StaffAccount,
    StaffInvite,
    StaffMember,
)
from db.queries import unit_group_chats
from handlers.conversation import texts as t
from handlers.conversation.types import Button, Reply
from handlers.crypto import seal
from handlers.ports import ClassifierResult, TextClassifier
from handlers.profiles import Profile
from handlers.rules import deadlines
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.permissions import (
    ROUTES_ANYWHERE,
    SEES_IDENTITY,
    SEES_TRIAGE,
    UNIT_REQUIRED,
    PermissionDenied,
    Role,
    Viewer,
    check,
)
from handlers.rules.routing import FeedbackField, RoutingDecision
from handlers.rules.routing import route as decide_route
from handlers.rules.states import (
    ItemAction,
    ItemKind,
    ItemStatus,
    TransitionRefused,
    next_status,
)
from handlers.rules.tracking_code import ALPHABET, new_code

log = logging.getLogger(__name__)

A = ItemAction
S = ItemStatus
INVITE_TTL = timedelta(hours=72)
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


@dataclass(frozen=True)
class Draft:
    """A submission being composed; lives only in the dialogue state until it is sent."""

    text: str
    photos: tuple[dict[str, Any], ...] = ()
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None


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


async def get_or_create_resident(
    session: AsyncSession, *, channel: str, external_id: str, now: datetime
) -> Resident:
    """Only the chat id is kept before consent: no name, no phone."""
    found = await session.scalar(
        select(Resident).where(Resident.channel == channel, Resident.external_id == external_id)
    )
    if found is not None:
        return found
    resident = Resident(channel=channel, external_id=external_id, created_at=now)
    session.add(resident)
    await session.flush()
    return resident


async def give_consent(
    session: AsyncSession, resident: Resident, *, display_name: str | None, now: datetime
) -> None:
    resident.consent_at = now
    resident.display_name = display_name
    audit(session, at=now, actor=f"resident:{resident.id}", action="consent",
          resident_id=resident.id, data={"basis": "Nghị định 356/2025/NĐ-CP"})
    await session.flush()


# -- intake ------------------------------------------------------------------------------


async def submit_item(
    session: AsyncSession,
    resident: Resident,
    draft: Draft,
    *,
    now: datetime,
    classifier: TextClassifier | None,
    rules: Rules,
    triage_threshold: float = 0.0,
) -> Item:
    """Store a submission, classify it, route it and start its processing clock."""
    if resident.consent_at is None:
        raise PermissionError("a resident must consent before submitting")
    prediction = classifier.predict(draft.text) if classifier is not None else None
    kind = _known_kind(prediction.kind if prediction else None)
    field = _known_field(prediction.field if prediction else None)
    confidential = kind is ItemKind.TO_CAO
    if draft.phone and not confidential:
        resident.phone = draft.phone
    item = Item(
        tracking_code="",
        resident_id=resident.id,
        channel=resident.channel,
        kind=kind.value,
        text=draft.text,
        address=draft.address,
        latitude=draft.latitude,
        longitude=draft.longitude,
        contact_phone=None if confidential else draft.phone,
        status=S.RECEIVED.value,
        field=field,
        field_confidence=prediction.confidence if prediction else None,
        kind_confidence=prediction.kind_confidence if prediction else None,
        urgent=prediction.urgent if prediction else False,
        received_at=now,
        updated_at=now,
        extensions_used=0,
        confidential=False,
    )
    if confidential:
        _seal_sender(item, resident, draft.phone, rules)
    await _insert_with_fresh_code(session, item)
    for photo in draft.photos:
        session.add(
            Attachment(
                item_id=item.id,
                channel=resident.channel,
                file_ref=str(photo["file_ref"]),
                content_type=str(photo.get("content_type") or "image/jpeg"),
                size=photo.get("size"),
                created_at=now,
            )
        )
    _start_clocks(item, rules)
    audit(session, at=now, actor=f"resident:{resident.id}", action="submit",
          item_id=item.id, resident_id=resident.id,
          data={"photos": len(draft.photos), "kind": item.kind,
                "field": item.field, "confidence": item.field_confidence,
                "processing_due": _iso(item.processing_due),
                "answer_due": _iso(item.answer_due)})
    decision = _initial_route(prediction, field, kind, rules, triage_threshold)
    _transition(item, A.ROUTE, SYSTEM, ItemStatus(decision.status))
    await _move(session, item, decision.unit_code, ItemStatus(decision.status),
                decision.reason, SYSTEM, A.ROUTE, rules, now)
    if item.urgent:
        # Imported here: reminder_actions builds on this module.
        from handlers.reminder_actions import announce_urgent

        await announce_urgent(session, item, rules, now, unit_told=True)
    await session.flush()
    log.info("item %s received: kind %s, unit %s, status %s",
             item.tracking_code, item.kind, item.unit_code, item.status)
    return item


def _known_kind(value: str | None) -> ItemKind:
    try:
        return ItemKind(value) if value else ItemKind.PHAN_ANH
    except ValueError:
        return ItemKind.PHAN_ANH


def _known_field(value: str | None) -> str | None:
    try:
        return FeedbackField(value).value if value else None
    except ValueError:
        return None


def _initial_route(
    prediction: ClassifierResult | None,
    field: str | None,
    kind: ItemKind,
    rules: Rules,
    threshold: float,
) -> RoutingDecision:
    profile = rules.profile
    if prediction is None or field is None:
        if kind in (ItemKind.TO_CAO, ItemKind.KHIEU_NAI):
            return decide_route(FeedbackField.KHAC, kind, 1.0, 0.0, profile)
        return RoutingDecision(profile.triage_unit, S.TRIAGE,
                               "Chưa phân loại tự động: chờ cán bộ phân loại.")
    confidence = min(max(prediction.confidence, 0.0), 1.0)
    decision = decide_route(field, kind, confidence, threshold, profile)
    # The classifier's own calibrated threshold speaks through its route; the kind rules
    # (denunciation, complaint) still come first.
    if prediction.route == "triage" and decision.status is S.ROUTED and kind not in (
        ItemKind.TO_CAO, ItemKind.KHIEU_NAI
    ):
        return RoutingDecision(
            profile.triage_unit, S.TRIAGE,
            f"Độ tin cậy phân loại {confidence:.2f} thấp hơn ngưỡng của bộ phân loại: "
            "chờ cán bộ phân loại.",
        )
    return decision


def _seal_sender(item: Item, resident: Resident, phone: str | None, rules: Rules) -> None:
    """Move who sent a denunciation into the encrypted column (and nowhere else)."""
    identity = {
        "name": resident.display_name,
        "phone": phone or item.contact_phone or resident.phone,
        "channel": resident.channel,
        "external_id": resident.external_id,
    }
    item.sealed_identity = seal(rules.identity_key, identity)
    item.contact_phone = None
    item.confidential = True


def _start_clocks(item: Item, rules: Rules) -> None:
    item.processing_due = deadlines.processing_deadline(
        item.kind, item.received_at, rules.profile, rules.calendar
    )
    item.answer_due = expected_answer(item.kind, item.received_at, rules)


def expected_answer(kind: str, received_at: datetime, rules: Rules) -> dt.date:
    """The date a resident can expect an answer by: the service target for phản ánh /
    kiến nghị; otherwise the resolution clock counted from the last day to accept."""
    target = deadlines.answer_target(kind, received_at, rules.profile, rules.calendar)
    if target is not None:
        return target
    processing = deadlines.processing_deadline(kind, received_at, rules.profile, rules.calendar)
    tz = rules.calendar.tz
    latest_acceptance = dt.datetime.combine(processing, dt.time(12), tzinfo=tz)
    return deadlines.resolution_deadline(kind, latest_acceptance, rules.profile, rules.calendar)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- shared steps --------------------------------------------------------------------------


def _transition(
    item: Item, action: ItemAction, actor: Actor, target: ItemStatus | None = None
) -> ItemStatus:
    """Check the actor's permission and the transition; return the new status."""
    if actor.viewer is not None:
        try:
            check(actor.viewer, action, item.unit_code)
        except PermissionDenied as exc:
            raise ActionRefused(exc.reason) from None
    try:
        return next_status(ItemStatus(item.status), action, target)
    except TransitionRefused as exc:
        raise ActionRefused(exc.reason) from None


def _unit_code(code: str, rules: Rules) -> str:
    unit = rules.profile.units.get(code)
    if unit is None:
        raise ActionRefused(f"Không có đơn vị «{code}».")
    if "read_only" in unit.flags:
        raise ActionRefused(f"{unit.name} chỉ giám sát, không xử lý phản ánh.")
    return code


def _check_denunciation_target(item: Item, unit_code: str, rules: Rules) -> None:
    allowed = {rules.profile.denunciations_unit, rules.profile.inspectorate_unit}
    if item.kind == ItemKind.TO_CAO and unit_code not in allowed:
        names = ", ".join(sorted(rules.unit_name(code) for code in allowed))
        raise ActionRefused(
            "Tố cáo chỉ chuyển đơn vị giải quyết tố cáo "
            f"({names}), không chuyển theo lĩnh vực."
        )


async def _move(
    session: AsyncSession,
    item: Item,
    unit_code: str,
    status: ItemStatus,
    reason: str,
    actor: Actor,
    action: ItemAction,
    rules: Rules,
    now: datetime,
) -> None:
    """Assign ``item`` to ``unit_code``: one hop of its history, and the new unit is told."""
    _check_denunciation_target(item, unit_code, rules)
    previous = item.unit_code
    item.unit_code = unit_code
    item.status = status.value
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=action.value, item_id=item.id,
          data={"from_unit": previous, "to_unit": unit_code, "status": status.value,
                "reason": reason})
    await session.flush()
    if status is S.TRIAGE:
        text = t.STAFF_NEW_TRIAGE.format(code=item.tracking_code, reason=reason)
        await notify_staff(session, item, text, now, roles=SEES_TRIAGE)
    else:
        text = t.STAFF_NEW_ITEM.format(
            code=item.tracking_code,
            kind=deadlines.KIND_LABELS[ItemKind(item.kind)],
            field=t.FIELD_NAMES.get(item.field or "", "chưa phân loại"),
            unit=rules.unit_name(unit_code),
            due=rules.date(item.processing_due) if item.processing_due else "-",
        )
        if item.urgent:
            text = f"{t.URGENT_MARK}: {text}"
        await notify_staff(session, item, text, now, unit=unit_code)
    log.info("item %s assigned to %s (%s)", item.tracking_code, unit_code, status.value)


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


# -- staff actions on items ------------------------------------------------------------------


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
    _transition(item, A.ROUTE, actor, S.ROUTED)
    unit_code = _unit_code(unit_code, rules)
    await _move(session, item, unit_code, S.ROUTED, reason.strip() or "Phân loại thủ công.",
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
    _transition(item, A.REROUTE, actor, target)
    unit = rules.profile.triage_unit if to_triage else _unit_code(str(unit_code), rules)
    if item.kind == ItemKind.TO_CAO and to_triage:
        unit = rules.profile.denunciations_unit
    if unit == item.unit_code and target is S.ROUTED:
        raise ActionRefused("Phản ánh đã ở đơn vị này.")
    await _move(session, item, unit, target, reason.strip(), actor, A.REROUTE, rules, now)
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
    status = _transition(item, A.SET_KIND, actor)
    old_kind = item.kind
    if new_kind.value == old_kind:
        raise ActionRefused("Phản ánh đã thuộc loại này.")
    item.kind = new_kind.value
    if new_kind is ItemKind.TO_CAO and not item.confidential:
        resident = await session.get(Resident, item.resident_id)
        if resident is not None:
            _seal_sender(item, resident, item.contact_phone, rules)
    _start_clocks(item, rules)
    if item.accepted_at is not None and status is S.ACCEPTED:
        item.resolution_due = deadlines.resolution_deadline(
            item.kind, item.accepted_at, rules.profile, rules.calendar
        )
        item.extensions_used = 0
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.SET_KIND.value, item_id=item.id,
          data={"from": old_kind, "to": new_kind.value,
                "processing_due": _iso(item.processing_due),
                "resolution_due": _iso(item.resolution_due)})
    handler = {
        ItemKind.TO_CAO: rules.profile.denunciations_unit,
        ItemKind.KHIEU_NAI: rules.profile.complaints_unit,
    }.get(new_kind)
    if handler is not None and handler != item.unit_code:
        label = deadlines.KIND_LABELS[new_kind]
        await _move(session, item, handler, status,
                    f"Xác định là {label.lower()}: chuyển đơn vị giải quyết {label.lower()}.",
                    actor, A.SET_KIND, rules, now)
    await session.flush()
    return item


async def accept(
    session: AsyncSession, item: Item, *, actor: Actor, rules: Rules, now: datetime
) -> Item:
    """Thụ lý: the resolution clock of the item's kind starts now."""
    item.status = _transition(item, A.ACCEPT, actor).value
    item.accepted_at = now
    item.extensions_used = 0
    item.resolution_due = deadlines.resolution_deadline(
        item.kind, now, rules.profile, rules.calendar
    )
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.ACCEPT.value, item_id=item.id,
          data={"unit": item.unit_code, "resolution_due": _iso(item.resolution_due)})
    await tell_resident(session, item, Reply(t.NOTIFY_ACCEPTED.format(
        code=item.tracking_code, unit=rules.unit_name(item.unit_code),
        due=rules.date(item.resolution_due))), now)
    await session.flush()
    return item


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
    _transition(item, A.EXTEND, actor)
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
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.EXTEND.value, item_id=item.id,
          data={"reason": extension.reason, "from": _iso(extension.previous_deadline),
                "to": _iso(extension.deadline), "count": extension.extensions_used})
    await tell_resident(session, item, Reply(t.NOTIFY_EXTENDED.format(
        code=item.tracking_code, due=rules.date(extension.deadline),
        reason=extension.reason)), now)
    await session.flush()
    return item


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
    item.status = _transition(item, A.ANSWER, actor).value
    item.answer_text = text.strip()
    item.answered_at = now
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.ANSWER.value, item_id=item.id,
          data={"unit": item.unit_code, "length": len(item.answer_text)})
    reply = Reply(
        t.NOTIFY_ANSWERED.format(code=item.tracking_code, unit=rules.unit_name(item.unit_code),
                                 text=item.answer_text),
        rating_buttons(item.tracking_code),
    )
    await tell_resident(session, item, reply, now, choices=True)
    await session.flush()
    return item


async def close(
    session: AsyncSession, item: Item, *, actor: Actor, rules: Rules, now: datetime
) -> Item:
    item.status = _transition(item, A.CLOSE, actor).value
    item.closed_at = now
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.CLOSE.value, item_id=item.id, data={})
    await tell_resident(session, item, Reply(t.NOTIFY_CLOSED.format(code=item.tracking_code)),
                        now)
    await session.flush()
    return item


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
    item.status = _transition(item, A.REJECT, actor).value
    item.reject_reason = reason.strip()
    item.redirect_to = where.strip()
    item.closed_at = now
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.REJECT.value, item_id=item.id,
          data={"reason": item.reject_reason, "where": item.redirect_to})
    await tell_resident(session, item, Reply(t.NOTIFY_REJECTED.format(
        code=item.tracking_code, reason=item.reject_reason, where=item.redirect_to)), now)
    await session.flush()
    return item


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
    item.status = _transition(item, A.FORWARD, actor).value
    item.redirect_to = to.strip()
    item.closed_at = now
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.FORWARD.value, item_id=item.id,
          data={"to": item.redirect_to})
    await tell_resident(session, item, Reply(t.NOTIFY_FORWARDED.format(
        code=item.tracking_code, place=rules.profile.display_name, where=item.redirect_to)),
        now)
    await session.flush()
    return item


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
    item.status = _transition(item, A.REOPEN, actor).value
    item.closed_at = None
    item.resolution_due = None
    item.extensions_used = 0
    item.processing_due = deadlines.processing_deadline(
        item.kind, now, rules.profile, rules.calendar
    )
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action=A.REOPEN.value, item_id=item.id,
          data={"reason": reason, "processing_due": _iso(item.processing_due)})
    if tell:  # a rating reopens in the resident's own dialogue, which answers them there
        await tell_resident(session, item,
                            Reply(t.NOTIFY_REOPENED.format(code=item.tracking_code)), now)
    await session.flush()


# -- the resident's rating ---------------------------------------------------------------


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
    new_status = _transition(item, A.RATE, actor, target)
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


# -- staff accounts ------------------------------------------------------------------------


def _hash_code(code: str) -> str:
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
    session.add(StaffInvite(code_hash=_hash_code(code), staff_id=member.id, created_at=now,
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
        select(StaffInvite).where(StaffInvite.code_hash == _hash_code(code))
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


async def _insert_with_fresh_code(session: AsyncSession, item: Item) -> None:
    # 2^40 codes make a clash very rare; a savepoint lets us draw again without losing work.
    for _ in range(5):
        item.tracking_code = new_code()
        try:
            async with session.begin_nested():
                session.add(item)
                await session.flush()
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a free tracking code")
