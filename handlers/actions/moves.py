"""Moving an item between states and units, and starting its clocks."""

from __future__ import annotations

import datetime as dt
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Item,
)
from handlers.actions.common import ActionRefused, Actor, Rules, S, audit, notify_staff
from handlers.conversation import texts as t
from handlers.rules import deadlines
from handlers.rules.permissions import (
    SEES_TRIAGE,
    PermissionDenied,
    check,
)
from handlers.rules.states import (
    ItemAction,
    ItemKind,
    ItemStatus,
    TransitionRefused,
    next_status,
)

log = logging.getLogger(__name__)


def start_clocks(item: Item, rules: Rules) -> None:
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


def transition(
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


def unit_code_of(code: str, rules: Rules) -> str:
    unit = rules.profile.units.get(code)
    if unit is None:
        raise ActionRefused(f"Không có đơn vị «{code}».")
    if "read_only" in unit.flags:
        raise ActionRefused(f"{unit.name} chỉ giám sát, không xử lý phản ánh.")
    return code


def check_denunciation_target(item: Item, unit_code: str, rules: Rules) -> None:
    allowed = {rules.profile.denunciations_unit, rules.profile.inspectorate_unit}
    if item.kind == ItemKind.TO_CAO and unit_code not in allowed:
        names = ", ".join(sorted(rules.unit_name(code) for code in allowed))
        raise ActionRefused(
            "Tố cáo chỉ chuyển đơn vị giải quyết tố cáo "
            f"({names}), không chuyển theo lĩnh vực."
        )


async def move(
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
    check_denunciation_target(item, unit_code, rules)
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
