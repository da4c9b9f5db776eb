"""Reminders, escalations, urgent announcements and morning digests, as actions.

Each reminder of an item (one threshold of one deadline, ``handlers.rules.reminders``) is
sent in its own transaction that first inserts the ``item_reminders`` row (unique per item
and threshold, ``INSERT .. ON CONFLICT DO NOTHING``) and then writes the audit event and the
outbox rows. When the insert finds the row already there, another sweeper (a thread, a
process) has done it: nothing is written. So two sweeps at once send each reminder once:
on PostgreSQL the second insert waits for the first transaction and then does nothing; on
SQLite the writers take turns. A digest is guarded the same way by ``digest_runs`` (one per
recipient and local day).

Who hears what:
- due soon: the unit's heads and the officer who accepted the item; the unit's group chats;
- overdue: the same again; escalation: office and inspectorate staff and the heads of the
  profile's escalation units, their group chats, and the resident (plainly: it is late, who
  now follows it);
- urgent (classifier flag or staff): office staff and the unit's staff and group chats, at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.engine import SessionFactory
from db.models import AuditEvent, DigestRun, Item, ItemReminder, StaffAccount, StaffMember
from handlers.actions import ActionRefused, Actor, Rules, audit, enqueue, tell_resident
from handlers.conversation import texts as t
from handlers.conversation.types import Button, Reply
from handlers.digest import digest_text
from handlers.rules import reminders
from handlers.rules.deadlines import KIND_LABELS
from handlers.rules.permissions import SEES_IDENTITY, Role, Viewer, can_view
from handlers.rules.reminders import DueReminder, ItemClock, Threshold
from handlers.rules.states import ItemKind

log = logging.getLogger(__name__)

MARKS_URGENT: frozenset[Role] = frozenset(
    {Role.OFFICE, Role.INSPECTORATE, Role.UNIT_HEAD, Role.OFFICER}
)
"""Roles that may mark an item urgent (observers only read)."""
ESCALATION_ROLES: frozenset[Role] = frozenset({Role.OFFICE, Role.INSPECTORATE})
DIGEST_ROLES: frozenset[Role] = frozenset({Role.UNIT_HEAD, Role.OFFICE})
_IN_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True, slots=True)
class Target:
    channel: str
    chat_id: str


@dataclass
class SweepResult:
    """What one sweep sent: (tracking code, reminder key) pairs and the outbox rows."""

    reminders: list[tuple[str, str]] = field(default_factory=list)
    messages: int = 0
    digests: int = 0


def clock_of(item: Item) -> ItemClock:
    return ItemClock(item.status, item.processing_due, item.resolution_due, item.urgent)


# -- once-only rows ----------------------------------------------------------------------


def _insert(session: AsyncSession) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    # Both dialects spell "insert unless the unique key exists" the same way.
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def claim_reminder(session: AsyncSession, item_id: int, key: str, now: datetime) -> bool:
    """Insert the (item, threshold) row; False when it exists (sent already, or being sent by
    another transaction, which this one has waited for)."""
    stmt = (
        _insert(session)(ItemReminder)
        .values(item_id=item_id, threshold=key, created_at=now)
        .on_conflict_do_nothing(index_elements=["item_id", "threshold"])
        .returning(ItemReminder.id)
    )
    return (await session.execute(stmt)).scalar() is not None


async def _claim_digest(session: AsyncSession, recipient: str, day: dt.date, now: datetime) -> bool:
    stmt = (
        _insert(session)(DigestRun)
        .values(recipient=recipient, day=day, created_at=now)
        .on_conflict_do_nothing(index_elements=["recipient", "day"])
        .returning(DigestRun.id)
    )
    return (await session.execute(stmt)).scalar() is not None


# -- recipients ----------------------------------------------------------------------------


async def staff_targets(
    session: AsyncSession,
    *,
    heads_of: Collection[str] = (),
    unit_staff_of: Collection[str] = (),
    roles: Collection[Role] = (),
    staff_ids: Collection[int] = (),
) -> list[Target]:
    """Linked chat accounts of active staff: heads of ``heads_of`` units, heads and officers
    of ``unit_staff_of`` units, holders of ``roles``, and ``staff_ids``; each chat once."""
    rows = (
        await session.execute(
            select(StaffAccount.channel, StaffAccount.chat_id, StaffMember.id,
                   StaffMember.role, StaffMember.unit_code)
            .join(StaffMember, StaffMember.id == StaffAccount.staff_id)
            .where(StaffMember.active.is_(True))
            .order_by(StaffAccount.id)
        )
    ).all()
    found: dict[Target, None] = {}
    for channel, chat_id, member_id, role, unit in rows:
        wanted = (
            member_id in staff_ids
            or role in roles
            or (role == Role.UNIT_HEAD and unit in heads_of)
            or (role in (Role.UNIT_HEAD, Role.OFFICER) and unit in unit_staff_of)
        )
        if wanted:
            found[Target(channel, chat_id)] = None
    return list(found)


async def group_targets(session: AsyncSession, units: Sequence[str]) -> list[Target]:
    groups = await queries.unit_group_chats(session, units)
    return list(dict.fromkeys(Target(g.channel, g.chat_id) for g in groups))


async def assigned_officer(session: AsyncSession, item: Item) -> int | None:
    """The officer who accepted (thụ lý) the item, if an officer of its unit did."""
    actor = await session.scalar(
        select(AuditEvent.actor)
        .where(AuditEvent.item_id == item.id, AuditEvent.action == "accept")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if actor is None or not actor.startswith("staff:"):
        return None
    member = await session.get(StaffMember, int(actor.split(":", 1)[1]))
    if member is None or member.role != Role.OFFICER or member.unit_code != item.unit_code:
        return None
    return member.id


def _send(
    session: AsyncSession,
    item: Item,
    text: str,
    now: datetime,
    people: Sequence[Target],
    groups: Sequence[Target],
) -> int:
    # People get the button to the item; groups plain text (staff act in private chat).
    personal = Reply(text, ((Button(t.STAFF_BTN_OPEN, f"st:item:{item.tracking_code}"),),))
    for target in people:
        enqueue(session, channel=target.channel, chat_id=target.chat_id, reply=personal,
                now=now, item_id=item.id)
    for target in groups:
        enqueue(session, channel=target.channel, chat_id=target.chat_id, reply=Reply(text),
                now=now, item_id=item.id)
    return len(people) + len(groups)


# -- texts ---------------------------------------------------------------------------------


def left_text(deadline: dt.date, today: dt.date, rules: Rules) -> str:
    left = reminders.working_days_left(deadline, today, rules.calendar)
    return t.LEFT_DAYS.format(days=left) if left else t.LEFT_TODAY


def followers(rules: Rules) -> str:
    """Who follows a late item: the profile's escalation units, by name."""
    return " và ".join(rules.unit_name(code) for code in rules.profile.escalation_units)


def _facts(item: Item, due: DueReminder, rules: Rules, today: dt.date) -> dict[str, object]:
    deadline = due.deadline
    return {
        "code": item.tracking_code,
        "kind": KIND_LABELS[ItemKind(item.kind)],
        "field": t.FIELD_NAMES.get(item.field or "", "chưa phân loại"),
        "unit": rules.unit_name(item.unit_code),
        "status": t.STATUS_NAMES.get(item.status, item.status),
        "clock": t.CLOCK_NAMES[deadline.clock],
        "due": f"{deadline.day:%d/%m/%Y}",
        "left": left_text(deadline.day, today, rules),
        "late": reminders.working_days_late(deadline.day, today, rules.calendar),
        "followers": followers(rules),
    }


# -- one reminder ----------------------------------------------------------------------------


async def remind(
    session: AsyncSession, item: Item, due: DueReminder, rules: Rules, now: datetime
) -> int:
    """Write the messages and the audit event of one reminder (its row is already claimed);
    returns the number of outbox rows."""
    facts = _facts(item, due, rules, rules.calendar.local_date(now))
    unit = [item.unit_code] if item.unit_code else []
    officer = await assigned_officer(session, item)
    own_people = await staff_targets(session, heads_of=unit,
                                     staff_ids=[officer] if officer is not None else [])
    own_groups = await group_targets(session, unit)
    if due.threshold is Threshold.DUE_SOON:
        sent = _send(session, item, t.REMIND_DUE_SOON.format(**facts), now, own_people,
                     own_groups)
    elif due.threshold is Threshold.OVERDUE:
        sent = _send(session, item, t.REMIND_OVERDUE.format(**facts), now, own_people,
                     own_groups)
    elif due.threshold is Threshold.ESCALATION:
        escalation_units = list(rules.profile.escalation_units)
        people = [p for p in await staff_targets(session, heads_of=escalation_units,
                                                 roles=ESCALATION_ROLES)
                  if p not in own_people]  # the overdue reminder already reached them
        groups = [g for g in await group_targets(session, escalation_units)
                  if g not in own_groups]
        sent = _send(session, item, t.ESCALATE_OVERDUE.format(**facts), now, people, groups)
        await tell_resident(session, item, Reply(t.NOTIFY_LATE.format(**facts)), now)
        sent += 1
    else:
        raise ValueError(f"not a deadline reminder: {due.threshold}")
    action = "escalation" if due.threshold is Threshold.ESCALATION else "reminder"
    audit(session, at=now, actor="system", action=action, item_id=item.id,
          data={"threshold": due.key, "messages": sent})
    await session.flush()
    return sent


async def _remind_once(
    sessions: SessionFactory, item_id: int, due: DueReminder, rules: Rules, now: datetime
) -> int | None:
    """One reminder in its own transaction, or ``None`` when another sweeper did it or the
    item changed since the candidates were read."""
    async with sessions() as session:
        # The claim is the transaction's first statement: on SQLite it takes the write lock
        # before reading anything, so the reads below see every committed change.
        if not await claim_reminder(session, item_id, due.key, now):
            await session.rollback()
            return None
        item = await session.get(Item, item_id)
        profile = rules.profile
        if item is None or due not in reminders.due_reminders(
            clock_of(item), now, rules.calendar, profile.due_soon_working_days
        ):
            await session.rollback()  # also drops the claim: a later sweep decides afresh
            return None
        sent = await remind(session, item, due, rules, now)
        await session.commit()
        return sent


async def _sent_keys(session: AsyncSession, item_ids: Sequence[int]) -> set[tuple[int, str]]:
    done: set[tuple[int, str]] = set()
    for start in range(0, len(item_ids), _IN_CHUNK):
        chunk = item_ids[start:start + _IN_CHUNK]
        rows = await session.execute(
            select(ItemReminder.item_id, ItemReminder.threshold)
            .where(ItemReminder.item_id.in_(chunk))
        )
        done.update((row.item_id, row.threshold) for row in rows)
    return done


async def sweep_reminders(
    sessions: SessionFactory, rules: Rules, now: datetime, *, limit: int = 5000
) -> SweepResult:
    """Send every reminder due at ``now`` that no sweep has sent yet."""
    calendar = rules.calendar
    due_soon_days = rules.profile.due_soon_working_days
    horizon = reminders.candidate_horizon(calendar.local_date(now), calendar, due_soon_days)
    out_of_hours = not calendar.is_working_time(now)
    async with sessions() as session:
        items = await queries.items_due_by(session, horizon, urgent_only=out_of_hours,
                                           limit=limit)
        done = await _sent_keys(session, [item.id for item in items])
    result = SweepResult()
    for item in items:
        for due in reminders.due_reminders(clock_of(item), now, calendar, due_soon_days):
            if (item.id, due.key) in done:
                continue
            try:
                sent = await _remind_once(sessions, item.id, due, rules, now)
            except Exception:  # one item must not stop the others; the next sweep retries
                log.exception("reminder %s for item %s failed", due.key, item.id)
                continue
            if sent is not None:
                result.reminders.append((item.tracking_code, due.key))
                result.messages += sent
    if result.reminders:
        log.info("sweep sent %d reminders (%d messages)", len(result.reminders),
                 result.messages)
    return result


# -- urgent items ---------------------------------------------------------------------------


async def announce_urgent(
    session: AsyncSession,
    item: Item,
    rules: Rules,
    now: datetime,
    *,
    exclude: Collection[Target] = (),
    unit_told: bool = False,
) -> int:
    """Tell the office and the item's unit (staff and group chats) at once, at any hour,
    that ``item`` is urgent; once per item. Runs in the caller's transaction.

    ``unit_told``: the unit has just had the new-item message marked urgent (on submit),
    so only the office hears of it here."""
    if not await claim_reminder(session, item.id, reminders.URGENT_KEY, now):
        return 0
    roles = {Role.OFFICE} | (set(SEES_IDENTITY) if item.confidential else set())
    unit = [item.unit_code] if item.unit_code and not unit_told else []
    people = [p for p in await staff_targets(session, unit_staff_of=unit, roles=roles)
              if p not in exclude]
    groups = await group_targets(session, unit)
    deadline = reminders.running_deadline(clock_of(item))
    text = t.URGENT_ITEM.format(
        code=item.tracking_code,
        kind=KIND_LABELS[ItemKind(item.kind)],
        field=t.FIELD_NAMES.get(item.field or "", "chưa phân loại"),
        unit=rules.unit_name(item.unit_code),
        clock=(t.CLOCK_NAMES[deadline.clock] if deadline else "hạn").capitalize(),
        due=f"{deadline.day:%d/%m/%Y}" if deadline else "-",
    )
    sent = _send(session, item, text, now, people, groups)
    audit(session, at=now, actor="system", action="urgent", item_id=item.id,
          data={"messages": sent})
    await session.flush()
    return sent


async def mark_urgent(
    session: AsyncSession, item: Item, *, actor: Actor, rules: Rules, now: datetime
) -> Item:
    """Staff mark an item urgent: it goes to the top of /pending and the office and the unit
    are told at once."""
    viewer = actor.viewer
    if viewer is not None:
        if not can_view(viewer, item.unit_code):
            raise ActionRefused("Phản ánh này không thuộc phạm vi của anh/chị.")
        if viewer.role not in MARKS_URGENT:
            raise ActionRefused("Vai trò của anh/chị không được đánh dấu khẩn.")
    if item.status not in reminders.WAITING:
        raise ActionRefused("Phản ánh không còn chờ xử lý.")
    if item.urgent:
        raise ActionRefused(t.STAFF_ALREADY_URGENT)
    item.urgent = True
    item.updated_at = now
    audit(session, at=now, actor=actor.label, action="mark_urgent", item_id=item.id,
          data={"unit": item.unit_code})
    own: list[Target] = []
    if actor.staff_id is not None:  # who marked it knows already
        own = await staff_targets(session, staff_ids=[actor.staff_id])
    await announce_urgent(session, item, rules, now, exclude=own)
    return item


# -- morning digests ------------------------------------------------------------------------


def _day_end(rules: Rules) -> dt.time:
    return max(session.end for session in rules.profile.working_hours.sessions)


async def send_digests(sessions: SessionFactory, rules: Rules, now: datetime) -> int:
    """Each unit head's and each office member's digest, once per working day, from the
    profile's ``digest_time``. Returns the number of digests sent."""
    profile = rules.profile
    day = reminders.digest_day(now, rules.calendar, profile.digest_time, _day_end(rules))
    if day is None:
        return 0
    async with sessions() as session:
        members = (
            await session.scalars(
                select(StaffMember)
                .where(StaffMember.active.is_(True),
                       StaffMember.role.in_([r.value for r in DIGEST_ROLES]),
                       StaffMember.id.in_(select(StaffAccount.staff_id)))
                .order_by(StaffMember.id)
            )
        ).all()
        done = set(
            (await session.scalars(select(DigestRun.recipient).where(DigestRun.day == day))).all()
        )
    sent = 0
    for member in members:
        recipient = f"staff:{member.id}"
        if recipient in done or (member.role == Role.UNIT_HEAD and not member.unit_code):
            continue
        try:
            sent += await _digest_once(sessions, member, recipient, day, rules, now)
        except Exception:
            log.exception("digest for %s failed", recipient)
    return sent


async def _digest_once(
    sessions: SessionFactory,
    member: StaffMember,
    recipient: str,
    day: dt.date,
    rules: Rules,
    now: datetime,
) -> int:
    async with sessions() as session:
        if not await _claim_digest(session, recipient, day, now):
            await session.rollback()
            return 0
        unit = member.unit_code if member.role == Role.UNIT_HEAD else None
        viewer = Viewer(Role.UNIT_HEAD, unit) if unit is not None else Viewer(Role.OFFICE)
        items = await queries.pending_items(session, viewer, limit=2000)
        reply = Reply(digest_text(items, today=day, rules=rules, unit_code=unit))
        accounts = (
            await session.scalars(
                select(StaffAccount).where(StaffAccount.staff_id == member.id)
                .order_by(StaffAccount.id)
            )
        ).all()
        for account in accounts:
            enqueue(session, channel=account.channel, chat_id=account.chat_id, reply=reply,
                    now=now)
        await session.commit()
        return 1
