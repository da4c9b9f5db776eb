"""A resident's consent and submission: the item is classified, routed and clocked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Attachment,
    Item,
    Resident,
)
from handlers.actions.common import SYSTEM, A, Rules, S, audit, iso_date
from handlers.actions.moves import move, start_clocks, transition
from handlers.crypto import seal
from handlers.ports import ClassifierResult, TextClassifier
from handlers.rules.routing import FeedbackField, RoutingDecision
from handlers.rules.routing import route as decide_route
from handlers.rules.states import (
    ItemKind,
    ItemStatus,
)
from handlers.rules.tracking_code import new_code

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """A submission being composed; lives only in the dialogue state until it is sent."""

    text: str
    photos: tuple[dict[str, Any], ...] = ()
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None


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
        seal_sender(item, resident, draft.phone, rules)
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
    start_clocks(item, rules)
    audit(session, at=now, actor=f"resident:{resident.id}", action="submit",
          item_id=item.id, resident_id=resident.id,
          data={"photos": len(draft.photos), "kind": item.kind,
                "field": item.field, "confidence": item.field_confidence,
                "processing_due": iso_date(item.processing_due),
                "answer_due": iso_date(item.answer_due)})
    decision = _initial_route(prediction, field, kind, rules, triage_threshold)
    transition(item, A.ROUTE, SYSTEM, ItemStatus(decision.status))
    await move(session, item, decision.unit_code, ItemStatus(decision.status),
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


def seal_sender(item: Item, resident: Resident, phone: str | None, rules: Rules) -> None:
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
