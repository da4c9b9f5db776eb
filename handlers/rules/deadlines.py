"""Deadlines of an item: the processing clock, the resolution clock, the service target.

Two clocks per item (shared/domain/legal-deadlines.md):
- processing (xử lý đơn: classify, accept or forward, notify) runs from receipt;
- resolution runs from acceptance (thụ lý), by kind; extensions need a reason and are capped.
Phản ánh and kiến nghị also have a local service target counted from receipt.

The lengths, units, extension caps and legal bases are data in the locality profile; this
module only counts. Pure: times are inputs (aware datetimes), nothing is read or written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from handlers.rules.states import ItemKind

if TYPE_CHECKING:
    from handlers.profiles import ClockRule, Profile
    from handlers.rules.calendar import WorkingCalendar

ClockName = Literal["processing", "resolution"]

SERVICE_TARGET_KINDS: frozenset[ItemKind] = frozenset({ItemKind.PHAN_ANH, ItemKind.KIEN_NGHI})
"""Kinds answered against the locality's service target rather than a statutory limit."""

KIND_LABELS: dict[ItemKind, str] = {
    ItemKind.PHAN_ANH: "Phản ánh",
    ItemKind.KIEN_NGHI: "Kiến nghị",
    ItemKind.KHIEU_NAI: "Khiếu nại",
    ItemKind.TO_CAO: "Tố cáo",
    ItemKind.GOP_Y: "Góp ý",
}

_CLOCK_LABELS: dict[str, str] = {
    "processing": "thời hạn xử lý đơn",
    "resolution": "thời hạn giải quyết",
}


class DueStatus(StrEnum):
    """How close a deadline is."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"


class DeadlineError(ValueError):
    """A deadline rule refuses a request; ``reason`` is Vietnamese, fit to show to staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ExtensionRefused(DeadlineError):
    """An extension is not allowed (none for this kind, legal cap reached, no reason)."""


@dataclass(frozen=True, slots=True)
class Extension:
    """The result of an allowed extension."""

    extensions_used: int  # including this one
    previous_deadline: dt.date
    deadline: dt.date
    reason: str


def _rule(kind: str, clock: ClockName, profile: Profile) -> ClockRule:
    rules = profile.deadlines[ItemKind(kind)]
    return rules.processing if clock == "processing" else rules.resolution


def _clock_deadline(
    rule: ClockRule,
    start: dt.datetime,
    calendar: WorkingCalendar,
    extensions_used: int,
    kind: ItemKind,
    clock: ClockName,
) -> dt.date:
    if extensions_used < 0:
        raise ValueError(f"extensions_used must be >= 0, got {extensions_used}")
    cap = 0 if rule.extensions is None else rule.extensions.max_count
    if extensions_used > cap:
        raise ExtensionRefused(_cap_reason(kind, clock, rule))
    day = calendar.deadline(start, rule.length, rule.unit)
    if rule.extensions is not None:
        ext_unit = rule.extensions.unit or rule.unit
        for _ in range(extensions_used):
            day = calendar.add_days(day, rule.extensions.length, ext_unit)
    return day


def _cap_reason(kind: ItemKind, clock: ClockName, rule: ClockRule) -> str:
    label = KIND_LABELS[kind]
    what = _CLOCK_LABELS[clock]
    if rule.extensions is None:
        return f"{label}: {what} không được gia hạn ({rule.basis})."
    return (
        f"{label}: {what} chỉ được gia hạn tối đa {rule.extensions.max_count} lần ({rule.basis})."
    )


def processing_deadline(
    kind: str,
    received_at: dt.datetime,
    profile: Profile,
    calendar: WorkingCalendar,
    extensions_used: int = 0,
) -> dt.date:
    """Last day to process (classify, accept or forward, and notify) an item received at
    ``received_at`` (aware)."""
    item_kind = ItemKind(kind)
    rule = _rule(item_kind, "processing", profile)
    return _clock_deadline(rule, received_at, calendar, extensions_used, item_kind, "processing")


def resolution_deadline(
    kind: str,
    accepted_at: dt.datetime,
    profile: Profile,
    calendar: WorkingCalendar,
    extensions_used: int = 0,
) -> dt.date:
    """Last day to resolve an item accepted at ``accepted_at`` (aware), after
    ``extensions_used`` extensions. Raises ``ExtensionRefused`` past the cap."""
    item_kind = ItemKind(kind)
    rule = _rule(item_kind, "resolution", profile)
    return _clock_deadline(rule, accepted_at, calendar, extensions_used, item_kind, "resolution")


def answer_target(
    kind: str,
    received_at: dt.datetime,
    profile: Profile,
    calendar: WorkingCalendar,
) -> dt.date | None:
    """The service-target date for answering a phản ánh / kiến nghị, counted from receipt.

    ``None`` for the other kinds: their statutory clocks apply instead.
    """
    if ItemKind(kind) not in SERVICE_TARGET_KINDS:
        return None
    target = profile.service_target
    return calendar.deadline(received_at, target.length, target.unit)


def extend(
    kind: str,
    started_at: dt.datetime,
    profile: Profile,
    calendar: WorkingCalendar,
    *,
    extensions_used: int,
    reason: str,
    clock: ClockName = "resolution",
) -> Extension:
    """Extend ``clock`` once more, given ``extensions_used`` extensions so far.

    ``started_at`` is when that clock started (acceptance for resolution, receipt for
    processing). Raises ``ExtensionRefused`` with a Vietnamese reason when the kind allows
    no extension, the legal cap is reached, or no reason is given.
    """
    item_kind = ItemKind(kind)
    if not reason.strip():
        raise ExtensionRefused("Gia hạn phải nêu lý do (kèm văn bản gia hạn).")
    rule = _rule(item_kind, clock, profile)
    cap = 0 if rule.extensions is None else rule.extensions.max_count
    if extensions_used >= cap:
        raise ExtensionRefused(_cap_reason(item_kind, clock, rule))
    previous = _clock_deadline(rule, started_at, calendar, extensions_used, item_kind, clock)
    new = _clock_deadline(rule, started_at, calendar, extensions_used + 1, item_kind, clock)
    return Extension(
        extensions_used=extensions_used + 1,
        previous_deadline=previous,
        deadline=new,
        reason=reason.strip(),
    )


def due_status(
    deadline: dt.date,
    today: dt.date,
    calendar: WorkingCalendar,
    due_soon_days: int,
) -> DueStatus:
    """``overdue`` after the deadline day; ``due_soon`` when at most ``due_soon_days``
    working days remain (the deadline day itself counts as due soon); else ``on_track``."""
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be >= 0, got {due_soon_days}")
    if today > deadline:
        return DueStatus.OVERDUE
    if calendar.working_days_between(today, deadline) <= due_soon_days:
        return DueStatus.DUE_SOON
    return DueStatus.ON_TRACK
