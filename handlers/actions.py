"""State changes. Each runs inside the caller's transaction and writes its audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attachment, AuditEvent, Item, OutboxMessage, Resident
from handlers.conversation.types import Reply
from handlers.ports import TextClassifier
from handlers.rules.tracking_code import new_code


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


async def submit_item(
    session: AsyncSession,
    resident: Resident,
    draft: Draft,
    *,
    now: datetime,
    classifier: TextClassifier | None,
) -> Item:
    if resident.consent_at is None:
        raise PermissionError("a resident must consent before submitting")
    prediction = classifier.predict(draft.text) if classifier is not None else None
    if draft.phone:
        resident.phone = draft.phone
    item = Item(
        tracking_code="",
        resident_id=resident.id,
        channel=resident.channel,
        kind=prediction.kind if prediction else "phan_anh",
        text=draft.text,
        address=draft.address,
        latitude=draft.latitude,
        longitude=draft.longitude,
        contact_phone=draft.phone,
        status="received",
        field=prediction.field if prediction else None,
        field_confidence=prediction.confidence if prediction else None,
        kind_confidence=prediction.kind_confidence if prediction else None,
        urgent=prediction.urgent if prediction else False,
        received_at=now,
        updated_at=now,
    )
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
    audit(session, at=now, actor=f"resident:{resident.id}", action="submit",
          item_id=item.id, resident_id=resident.id,
          data={"photos": len(draft.photos),
                "field": item.field, "confidence": item.field_confidence})
    await session.flush()
    return item


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
