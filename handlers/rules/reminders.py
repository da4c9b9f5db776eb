"""Which reminders an item is due for, and when they may go out.

Thresholds of the deadline that runs now (the resolution clock once accepted, else the
processing clock; ``coalesce(resolution_due, processing_due)`` as the queries have it):

- ``due_soon``: at most ``due_soon_days`` working days left (the deadline day counts as due
  soon, as in ``deadlines.due_status``): the unit head and the officer who accepted it;
- ``overdue`` and ``escalation``: the day after the deadline: the unit head again, and the
  office, the inspectorate role and the profile's escalation units.
``urgent`` is announced at once by the action that makes an item urgent.

A threshold's key carries the deadline it is about, so a new deadline (acceptance starts the
resolution clock, an extension, a reopening) is reminded again, and the same deadline never
twice. Reminders go out within working hours only; an urgent item's at any hour. Outside
working hours a reminder is not dropped: the next sweep in working time finds it due.

Pure: ``now`` is an input (aware), nothing is read or written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from handlers.rules.calendar import WorkingCalendar
from handlers.rules.deadlines import DueStatus, due_status
from handlers.rules.states import ItemStatus

Clock = Literal["processing", "resolution"]

WAITING: frozenset[str] = frozenset(
    {ItemStatus.RECEIVED, ItemStatus.TRIAGE, ItemStatus.ROUTED, ItemStatus.ACCEPTED,
     ItemStatus.REOPENED}
)
"""Statuses in which an item waits for staff and its deadline runs (db.queries.OPEN_STATUSES)."""


class Threshold(StrEnum):
    URGENT = "urgent"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


@dataclass(frozen=True, slots=True)
class ItemClock:
    """What the rules need to know about an item."""

    status: str
    processing_due: dt.date | None
    resolution_due: dt.date | None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class RunningDeadline:
    clock: Clock
    day: dt.date


@dataclass(frozen=True, slots=True)
class DueReminder:
    threshold: Threshold
    deadline: RunningDeadline

    @property
    def key(self) -> str:
        """The unique key of this reminder for its item, e.g. ``overdue:processing:2026-05-05``."""
        return f"{self.threshold.value}:{self.deadline.clock}:{self.deadline.day.isoformat()}"


URGENT_KEY = Threshold.URGENT.value
"""An item is announced as urgent once, whatever its deadlines."""


def running_deadline(item: ItemClock) -> RunningDeadline | None:
    """The deadline that runs now, or ``None`` when the item no longer waits for staff."""
    if item.status not in WAITING:
        return None
    if item.resolution_due is not None:
        return RunningDeadline("resolution", item.resolution_due)
    if item.processing_due is not None:
        return RunningDeadline("processing", item.processing_due)
    return None


def may_send(now: dt.datetime, calendar: WorkingCalendar, *, urgent: bool) -> bool:
    """Reminders go out within working hours; an urgent item's at any hour."""
    return urgent or calendar.is_working_time(now)


def due_reminders(
    item: ItemClock, now: dt.datetime, calendar: WorkingCalendar, due_soon_days: int
) -> list[DueReminder]:
    """The reminders ``item`` is due for at ``now`` (already sent ones included: the caller
    skips those by key). Empty outside working hours unless the item is urgent."""
    deadline = running_deadline(item)
    if deadline is None or not may_send(now, calendar, urgent=item.urgent):
        return []
    today = calendar.local_date(now)
    status = due_status(deadline.day, today, calendar, due_soon_days)
    if status is DueStatus.OVERDUE:
        return [DueReminder(Threshold.OVERDUE, deadline),
                DueReminder(Threshold.ESCALATION, deadline)]
    if status is DueStatus.DUE_SOON:
        return [DueReminder(Threshold.DUE_SOON, deadline)]
    return []


def candidate_horizon(today: dt.date, calendar: WorkingCalendar, due_soon_days: int) -> dt.date:
    """The latest deadline that can be due soon on ``today``: the day before the
    ``due_soon_days + 1``-th working day after it (a deadline on the days off just before
    that working day still has only ``due_soon_days`` working days left). Items whose
    running deadline is later need no look, so the sweep's query stops here."""
    return calendar.add_working_days(today, due_soon_days + 1) - dt.timedelta(days=1)


def working_days_left(deadline: dt.date, today: dt.date, calendar: WorkingCalendar) -> int:
    """Working days after ``today`` up to the deadline (0 on the deadline day)."""
    return max(calendar.working_days_between(today, deadline), 0)


def working_days_late(deadline: dt.date, today: dt.date, calendar: WorkingCalendar) -> int:
    """Working days after the deadline up to ``today``; at least 1 once overdue (a deadline
    before a long holiday is still late on the holiday's last day)."""
    if today <= deadline:
        return 0
    return max(calendar.working_days_between(deadline, today), 1)


def digest_day(
    now: dt.datetime,
    calendar: WorkingCalendar,
    digest_time: dt.time,
    day_end: dt.time,
) -> dt.date | None:
    """The local day whose morning digest is due at ``now``: on a working day, from
    ``digest_time`` until ``day_end`` (the end of the last working session; a digest at
    night is of no use). ``None`` otherwise."""
    local = now.astimezone(calendar.tz)
    if not calendar.is_working_day(local.date()):
        return None
    clock = local.time().replace(tzinfo=None)
    if digest_time <= clock < day_end:
        return local.date()
    return None
