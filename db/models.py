"""Tables. Business rules live in handlers/; these are plain records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(9), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    field: Mapped[str | None] = mapped_column(String(40))
    field_confidence: Mapped[float | None] = mapped_column(Float)
    kind_confidence: Mapped[float | None] = mapped_column(Float)
    urgent: Mapped[bool] = mapped_column(default=False)
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    received_at: Mapped[datetime]
    processing_due: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]
    # Service target (phản ánh / kiến nghị) or the expected answer date of other kinds.
    answer_due: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None]
    resolution_due: Mapped[date | None] = mapped_column(Date)
    extensions_used: Mapped[int] = mapped_column(default=0, server_default="0")
    answer_text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    redirect_to: Mapped[str | None] = mapped_column(Text)  # where to go (reject) / forwarded to
    # Denunciations: the sender's identity lives only in sealed_identity (encrypted).
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    sealed_identity: Mapped[str | None] = mapped_column(Text)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    file_ref: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(60), default="image/jpeg")
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored_path: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    stored_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Audit trail: one row per state change, written in the change's transaction."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Conversation(Base):
    """Dialogue state per (channel, user): a restart resumes where the user was."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(40), default="idle")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class InboxEvent(Base):
    """Every inbound platform event, committed before it is acknowledged."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "event_id"),
        Index("ix_inbox_pending", "processed_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A message to send; written with the state change, sent later by the sender job."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class ZaloToken(Base):
    """The Zalo OA token pair. A refresh token works once, so the newest pair must live here,
    shared by every process, and is replaced under a row lock in one transaction."""

    __tablename__ = "zalo_tokens"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    refreshes: Mapped[int] = mapped_column(default=0)


class StaffMember(Base):
    """One official; reaches the bot from one or more chat accounts."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class StaffAccount(Base):
    """A chat account (channel + external user id) linked to a staff member by /link."""

    __tablename__ = "staff_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime]


class StaffInvite(Base):
    """A one-time link code; only its hash is kept, so a database reader cannot use it."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Rating(Base):
    """A resident's rating of an answer, kept with the unit that answered (per-unit measure)."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    satisfied: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime]
    at: Mapped[datetime]


# -- reminders, digests and unit group chats (issue 5) ------------------------------------

# The sweep's candidate query filters on the status and the deadline that runs now; an
# expression index keeps it a range scan however many items there are.
Index(
    "ix_items_status_current_due",
    Item.status,
    func.coalesce(Item.resolution_due, Item.processing_due),
)


class ItemReminder(Base):
    """One reminder or escalation sent for an item. The unique key is the guarantee that two
    sweepers (threads or processes) send it once: the row is written with its outbox rows."""

    __tablename__ = "item_reminders"
    __table_args__ = (UniqueConstraint("item_id", "threshold"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    # e.g. "due_soon:processing:2026-05-05": a new deadline (extension, acceptance, reopening)
    # is a new threshold and is reminded again.
    threshold: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]


class DigestRun(Base):
    """A morning digest sent to one recipient on one local day (unique: sent once)."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("recipient", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(60))  # "staff:3"
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class UnitGroupChat(Base):
    """A group chat linked to a unit: its new items, reminders and escalations go there."""

    __tablename__ = "unit_group_chats"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    linked_by: Mapped[str | None] = mapped_column(String(64))  # the user who sent /link
    linked_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)


class GroupInvite(Base):
    """A one-time code that links a group chat to a unit; only its hash is kept."""

    __tablename__ = "group_invites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class JobLease(Base):
    """Who runs a periodic job now: one runner at a time across processes."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
