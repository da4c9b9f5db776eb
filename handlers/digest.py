"""The morning digest: what waits for a unit head (their unit) or for the office (every unit):
overdue, due soon and the other pending items, each with its code and date.

Text only: the items are given (``db.queries.pending_items`` in the viewer's scope), the
sending and its once-a-day guarantee are in ``handlers.reminder_actions``. Lines never carry
a denunciation's sender, only the code, kind, field and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from db.models import Item
from handlers.actions import Rules
from handlers.conversation import texts as t
from handlers.rules import reminders
from handlers.rules.deadlines import KIND_LABELS, DueStatus, due_status
from handlers.rules.states import ItemKind

SECTION_LIMIT = 15
"""Lines listed per section; the rest are counted (a chat message stays readable)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    item: Item
    deadline: reminders.RunningDeadline | None
    status: DueStatus


def _entries(items: Sequence[Item], today: dt.date, rules: Rules) -> list[_Entry]:
    entries = []
    for item in items:
        deadline = reminders.running_deadline(reminders.ItemClock(
            item.status, item.processing_due, item.resolution_due, item.urgent))
        status = (
            due_status(deadline.day, today, rules.calendar, rules.profile.due_soon_working_days)
            if deadline is not None else DueStatus.ON_TRACK
        )
        entries.append(_Entry(item, deadline, status))
    return entries


def _line(entry: _Entry, today: dt.date, rules: Rules, *, with_unit: bool) -> str:
    item = entry.item
    parts = [item.tracking_code]
    if item.urgent:
        parts.append(t.URGENT_MARK)
    if with_unit:
        parts.append(rules.unit_name(item.unit_code))
    parts.append(KIND_LABELS[ItemKind(item.kind)])
    parts.append(t.FIELD_NAMES.get(item.field or "", "chưa phân loại"))
    if entry.deadline is not None:
        when = f"{t.CLOCK_NAMES[entry.deadline.clock]} {entry.deadline.day:%d/%m/%Y}"
        if entry.status is DueStatus.OVERDUE:
            late = reminders.working_days_late(entry.deadline.day, today, rules.calendar)
            when += f" (quá {late} ngày làm việc)"
        elif entry.status is DueStatus.DUE_SOON:
            left = reminders.working_days_left(entry.deadline.day, today, rules.calendar)
            when += f" ({t.LEFT_DAYS.format(days=left) if left else t.LEFT_TODAY})"
        parts.append(when)
    return "• " + " · ".join(parts)


def _section(
    title: str, entries: list[_Entry], today: dt.date, rules: Rules, *, with_unit: bool
) -> list[str]:
    if not entries:
        return []
    lines = [title.format(count=len(entries))]
    lines += [_line(e, today, rules, with_unit=with_unit) for e in entries[:SECTION_LIMIT]]
    if len(entries) > SECTION_LIMIT:
        lines.append(t.DIGEST_MORE.format(count=len(entries) - SECTION_LIMIT))
    return lines


def _counts(entries: list[_Entry]) -> tuple[int, int, int]:
    overdue = sum(e.status is DueStatus.OVERDUE for e in entries)
    soon = sum(e.status is DueStatus.DUE_SOON for e in entries)
    return len(entries), overdue, soon


def digest_text(
    items: Sequence[Item],
    *,
    today: dt.date,
    rules: Rules,
    unit_code: str | None,
) -> str:
    """The digest for one unit (``unit_code``) or, with ``None``, for the office across all
    units (with a line per unit). ``items`` are the waiting items in scope, urgent first and
    then by deadline (as ``/pending`` lists them)."""
    scope = (rules.unit_name(unit_code) if unit_code is not None
             else t.DIGEST_SCOPE_OFFICE.format(place=rules.profile.display_name))
    lines = [t.DIGEST_TITLE.format(day=f"{today:%d/%m/%Y}", scope=scope)]
    entries = _entries(items, today, rules)
    if not entries:
        return "\n".join([*lines, t.DIGEST_EMPTY])
    total, overdue, soon = _counts(entries)
    lines.append(t.DIGEST_SUMMARY.format(total=total, overdue=overdue, soon=soon))
    office = unit_code is None
    if office:
        lines.append(t.DIGEST_BY_UNIT)
        units = sorted({e.item.unit_code or "" for e in entries},
                       key=lambda code: rules.unit_name(code or None))
        for code in units:
            total, overdue, soon = _counts([e for e in entries if (e.item.unit_code or "") == code])
            lines.append(t.DIGEST_UNIT_LINE.format(unit=rules.unit_name(code or None),
                                                   total=total, overdue=overdue, soon=soon))
    for title, status in ((t.DIGEST_OVERDUE, DueStatus.OVERDUE),
                          (t.DIGEST_DUE_SOON, DueStatus.DUE_SOON),
                          (t.DIGEST_OTHER, DueStatus.ON_TRACK)):
        section = [e for e in entries if e.status is status]
        lines += _section(title, section, today, rules, with_unit=office)
    lines.append(t.DIGEST_FOOTER)
    return "\n".join(lines)
