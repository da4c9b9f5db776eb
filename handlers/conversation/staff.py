"""The staff dialogue: link a chat account, list items, open one, act on it.

    /link CODE ─▶ linked          /pending, /overdue, /triage ─▶ list (buttons: open)
    /item CODE ─▶ details + history + the action buttons the role allows
      button ─▶ accept | close                         (done at once)
             ─▶ route | reroute ─▶ pick unit ─▶ reason ─▶ done
             ─▶ set_kind ─▶ pick kind ─▶ done
             ─▶ answer | reject | extend | forward | reopen ─▶ text step(s) ─▶ done

Text is asked in a dialogue step started by the button, so it works on channels without
reply-to. Every change goes through ``handlers.actions``, which checks the role and the
transition again; this module only parses, offers and reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.models import AuditEvent, Conversation, Item, Resident, StaffMember
from handlers import actions, reminder_actions
from handlers.actions import ActionRefused, Actor, Rules, staff_viewer
from handlers.conversation import texts as t
from handlers.conversation.turn import Turn
from handlers.conversation.types import Button, InboundMessage
from handlers.crypto import SealError, unseal
from handlers.rules import deadlines
from handlers.rules.permissions import (
    ROLE_LABELS,
    ROUTES_ANYWHERE,
    Viewer,
    may,
    sees_identity,
    sees_triage,
)
from handlers.rules.states import (
    ACTION_LABELS,
    ItemAction,
    ItemKind,
    ItemStatus,
    allowed_actions,
    refusal_reason,
)
from handlers.rules.tracking_code import find_code

COMMANDS = frozenset({"link", "pending", "overdue", "triage", "item"})
STEP_PREFIX = "staff:"
INPUT = "staff:input"
IDLE = "idle"
LIST_LIMIT = 20
LIST_BUTTONS = 10

A = ItemAction
# The order of the action buttons under an item.
BUTTON_ORDER = (A.ACCEPT, A.ANSWER, A.EXTEND, A.ROUTE, A.REROUTE, A.SET_KIND, A.REJECT,
                A.FORWARD, A.CLOSE, A.REOPEN)
TEXT_FIELDS: dict[ItemAction, tuple[str, ...]] = {
    A.ANSWER: ("text",),
    A.REJECT: ("reason", "where"),
    A.EXTEND: ("reason",),
    A.FORWARD: ("to",),
    A.REROUTE: ("reason",),
    A.ROUTE: ("reason",),
    A.REOPEN: ("reason",),
}
OPTIONAL_FIELDS = frozenset({"route.reason"})
TRIAGE = "triage"


def wants(msg: InboundMessage, conversation: Conversation, member: StaffMember | None) -> bool:
    """True when this message belongs to the staff dialogue rather than the resident one."""
    command = msg.command
    if command is not None:
        name = command[0]
        if name in COMMANDS:
            return True
        in_step = conversation.step.startswith(STEP_PREFIX)
        return member is not None and (name == "help" or (in_step and name in ("huy", "cancel")))
    if msg.button is not None and msg.button.startswith("st:"):
        return True
    return conversation.step.startswith(STEP_PREFIX)


async def handle(turn: Turn, member: StaffMember | None) -> None:
    command = turn.msg.command
    if command is not None and command[0] == "link":
        await _link(turn, command[1])
        return
    if member is None:
        if turn.step.startswith(STEP_PREFIX):
            turn.go(IDLE, {})
        turn.say(t.STAFF_ONLY)
        return
    if command is not None:
        await _command(turn, member, *command)
    elif turn.msg.button is not None:
        await _button(turn, member, turn.msg.button)
    elif turn.step == INPUT:
        await _input(turn, member, (turn.msg.text or "").strip())
    else:
        turn.go(IDLE, {})
        _help(turn, member)


def _help(turn: Turn, member: StaffMember) -> None:
    triage = t.STAFF_HELP_TRIAGE if sees_triage(staff_viewer(member)) else ""
    turn.say(t.STAFF_HELP.format(triage=triage))


async def _link(turn: Turn, arg: str) -> None:
    if not arg.strip():
        turn.say(t.STAFF_LINK_ASK)
        return
    try:
        async with turn.session.begin_nested():
            member = await actions.link_account(
                turn.session, code=arg, channel=turn.msg.channel,
                external_id=turn.msg.user_id, chat_id=turn.msg.chat_id, now=turn.now,
            )
    except ActionRefused as exc:
        turn.say(exc.reason)
        return
    turn.go(IDLE, {})
    unit = f", {turn.deps.profile.unit_name(member.unit_code)}" if member.unit_code else ""
    triage = t.STAFF_HELP_TRIAGE if sees_triage(staff_viewer(member)) else ""
    turn.say(t.STAFF_LINKED.format(
        name=member.name, role=ROLE_LABELS[staff_viewer(member).role], unit=unit,
        help=t.STAFF_HELP.format(triage=triage),
    ))


async def _command(turn: Turn, member: StaffMember, name: str, arg: str) -> None:
    viewer = staff_viewer(member)
    session = turn.session
    if name in ("huy", "cancel"):
        turn.go(IDLE, {})
        turn.say(t.STAFF_CANCELLED)
    elif name == "help":
        _help(turn, member)
    elif name == "pending":
        items = await queries.pending_items(session, viewer)
        _list(turn, t.STAFF_PENDING_TITLE, items, viewer)
    elif name == "overdue":
        today = turn.deps.calendar.local_date(turn.now)
        items = await queries.overdue_items(session, viewer, today)
        _list(turn, t.STAFF_OVERDUE_TITLE, items, viewer)
    elif name == "triage":
        if not sees_triage(viewer):
            turn.say(t.STAFF_NO_TRIAGE)
            return
        _list(turn, t.STAFF_TRIAGE_TITLE, await queries.triage_queue(session, viewer), viewer)
    elif name == "item":
        code = find_code(arg) if arg else None
        if code is None:
            turn.say(t.STAFF_ITEM_ASK)
            return
        await _show(turn, member, code)


# -- lists and the item view ------------------------------------------------------------


def _due_mark(turn: Turn, item: Item) -> str:
    due = item.resolution_due or item.processing_due
    if due is None:
        return ""
    today = turn.deps.calendar.local_date(turn.now)
    status = deadlines.due_status(due, today, turn.deps.calendar,
                                  turn.deps.profile.due_soon_working_days)
    mark = {
        deadlines.DueStatus.OVERDUE: f" – {t.STAFF_MARK_OVERDUE}",
        deadlines.DueStatus.DUE_SOON: f" – {t.STAFF_MARK_DUE_SOON}",
    }.get(status, "")
    return f"hạn {due:%d/%m/%Y}{mark}"


def _list(turn: Turn, title: str, items: Sequence[Item], viewer: Viewer) -> None:
    if not items:
        turn.say(f"{title.format(count=0)}\n{t.STAFF_LIST_EMPTY}")
        return
    lines = [title.format(count=len(items))]
    for item in items[:LIST_LIMIT]:
        parts = [
            f"{item.tracking_code} {t.URGENT_MARK}" if item.urgent else item.tracking_code,
            deadlines.KIND_LABELS[ItemKind(item.kind)],
            t.FIELD_NAMES.get(item.field or "", "chưa phân loại"),
            t.STATUS_NAMES.get(item.status, item.status),
        ]
        if viewer.unit_code != item.unit_code:
            parts.append(turn.deps.rules.unit_name(item.unit_code))
        mark = _due_mark(turn, item)
        if mark:
            parts.append(mark)
        lines.append("• " + " · ".join(parts))
    if len(items) > LIST_LIMIT:
        lines.append(t.STAFF_LIST_MORE.format(count=len(items) - LIST_LIMIT))
    buttons = [Button(item.tracking_code, f"st:item:{item.tracking_code}")
               for item in items[:LIST_BUTTONS]]
    rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
    turn.say("\n".join(lines), *rows)


async def sender_line(
    session: AsyncSession, item: Item, viewer: Viewer, key: bytes
) -> str:
    """Who sent the item, as ``viewer`` may see it: a denunciation's sender is shown to the
    inspectorate role only, and as "được bảo mật" to everyone else."""
    if item.confidential:
        if not sees_identity(viewer) or item.sealed_identity is None:
            return t.STAFF_SENDER_SEALED
        try:
            who = unseal(key, item.sealed_identity)
        except SealError:
            return t.STAFF_SENDER_SEALED + " (không mở được)"
        parts = [str(who.get("name") or "không rõ tên")]
        if who.get("phone"):
            parts.append(f"ĐT {who['phone']}")
        parts.append(f"{who.get('channel')}: {who.get('external_id')}")
        return ", ".join(parts)
    resident = await session.get(Resident, item.resident_id)
    name = (resident.display_name if resident else None) or "không rõ tên"
    return f"{name}, ĐT {item.contact_phone}" if item.contact_phone else name


def _history_line(event: AuditEvent, names: dict[int, str], rules: Rules, turn: Turn) -> str:
    when = event.at.astimezone(turn.deps.locality.timezone).strftime("%d/%m/%Y %H:%M")
    actor = event.actor
    if actor.startswith("staff:"):
        who = names.get(int(actor.split(":", 1)[1]), "Cán bộ")
    elif actor.startswith("resident:"):
        who = "Người gửi"
    else:
        who = "Hệ thống"
    data: dict[str, Any] = event.data or {}
    try:
        label = ACTION_LABELS[ItemAction(event.action)]
    except ValueError:
        label = {"submit": "gửi phản ánh", "rating_reason": "lý do chưa hài lòng",
                 "reminder": "nhắc hạn", "escalation": "báo quá hạn, người gửi được báo",
                 "urgent": "báo khẩn", "mark_urgent": "đánh dấu khẩn"}.get(
            event.action, event.action)
    detail = ""
    if "to_unit" in data:
        origin = data.get("from_unit")
        target = rules.unit_name(data["to_unit"])
        detail = f"{rules.unit_name(origin)} → {target}" if origin else f"→ {target}"
        if data.get("status") == ItemStatus.TRIAGE:
            detail += " (chờ phân loại)"
        if data.get("reason"):
            detail += f"; lý do: {data['reason']}"
    elif event.action == A.SET_KIND:
        detail = f"{_kind_label(data.get('from'))} → {_kind_label(data.get('to'))}"
    elif event.action == A.EXTEND:
        detail = f"đến {_date(data.get('to'))}; lý do: {data.get('reason')}"
    elif event.action == A.ACCEPT:
        detail = f"hạn giải quyết {_date(data.get('resolution_due'))}"
    elif event.action == A.RATE:
        detail = t.BTN_SATISFIED if data.get("satisfied") else t.BTN_UNSATISFIED
    elif event.action in (A.REJECT, A.REOPEN) and data.get("reason"):
        detail = f"lý do: {data['reason']}"
    elif event.action == A.FORWARD:
        detail = f"đến {data.get('to')}"
    text = f"{when} · {who} · {label}"
    return f"{text}: {detail}" if detail else text


def _kind_label(value: object) -> str:
    try:
        return deadlines.KIND_LABELS[ItemKind(str(value))]
    except ValueError:
        return str(value)


def _date(value: object) -> str:
    text = str(value or "")
    if len(text) == 10 and text[4] == "-":
        return f"{text[8:]}/{text[5:7]}/{text[:4]}"
    return text or "-"


async def _show(turn: Turn, member: StaffMember, code: str) -> None:
    viewer = staff_viewer(member)
    item = await queries.item_for_viewer(turn.session, viewer, code)
    if item is None:
        turn.say(t.STAFF_ITEM_NOT_FOUND.format(code=code))
        return
    rules = turn.deps.rules
    events = await queries.item_history(turn.session, item.id)
    staff_ids = [int(e.actor.split(":", 1)[1]) for e in events if e.actor.startswith("staff:")]
    names = await queries.staff_names(turn.session, sorted(set(staff_ids)))
    dates = [f"Mức độ: {t.URGENT_MARK}"] if item.urgent else []
    if item.processing_due:
        dates.append(f"Hạn xử lý đơn: {item.processing_due:%d/%m/%Y}")
    if item.resolution_due:
        extra = f" (đã gia hạn {item.extensions_used} lần)" if item.extensions_used else ""
        dates.append(f"Hạn giải quyết: {item.resolution_due:%d/%m/%Y}{extra}")
    if item.answer_due:
        dates.append(f"Hạn trả lời dự kiến: {item.answer_due:%d/%m/%Y}")
    if item.status in queries.OPEN_STATUSES:
        mark = _due_mark(turn, item)
        if "–" in mark:  # overdue or due soon
            dates.append(f"Tình trạng: {mark}")
    place = ""
    if item.address:
        place = f"Địa điểm: {item.address}\n"
    elif item.latitude is not None and item.longitude is not None:
        place = f"Vị trí: {item.latitude:.5f}, {item.longitude:.5f}\n"
    extra_lines = []
    if item.answer_text:
        extra_lines.append(f"Trả lời: {item.answer_text}")
    if item.reject_reason:
        extra_lines.append(f"Lý do không thụ lý: {item.reject_reason}")
    if item.redirect_to:
        extra_lines.append(f"Nơi chuyển / hướng dẫn: {item.redirect_to}")
    text = t.STAFF_ITEM.format(
        code=item.tracking_code,
        kind=deadlines.KIND_LABELS[ItemKind(item.kind)],
        confidential=" (bảo mật người tố cáo)" if item.confidential else "",
        field=t.FIELD_NAMES.get(item.field or "", "chưa phân loại"),
        unit=rules.unit_name(item.unit_code),
        status=t.STATUS_NAMES.get(item.status, item.status),
        received=turn.local_date(item.received_at),
        dates="".join(f"{line}\n" for line in dates),
        sender=await sender_line(turn.session, item, viewer, turn.deps.identity_key),
        place=place,
        text=item.text,
        extra="".join(f"{line}\n" for line in extra_lines),
        history="\n".join(_history_line(e, names, rules, turn) for e in events),
    )
    rows = _action_buttons(item, viewer)
    if not rows:
        text += t.STAFF_NO_ACTIONS
    turn.say(text, *rows)


def _action_buttons(item: Item, viewer: Viewer) -> tuple[tuple[Button, ...], ...]:
    possible = allowed_actions(ItemStatus(item.status))
    buttons = []
    for action in BUTTON_ORDER:
        if action not in possible or not may(viewer.role, action):
            continue
        if action is A.REROUTE and viewer.role not in ROUTES_ANYWHERE:
            buttons.append(Button(t.STAFF_BTN_TO_TRIAGE,
                                  f"st:unit:reroute:{item.tracking_code}:{TRIAGE}"))
            continue
        label = ACTION_LABELS[action]
        buttons.append(Button(label[0].upper() + label[1:],
                              f"st:do:{action.value}:{item.tracking_code}"))
    if (not item.urgent and item.status in queries.OPEN_STATUSES
            and viewer.role in reminder_actions.MARKS_URGENT):
        buttons.append(Button(t.STAFF_BTN_URGENT, f"st:urgent:{item.tracking_code}"))
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


# -- buttons and text steps -------------------------------------------------------------


async def _button(turn: Turn, member: StaffMember, payload: str) -> None:
    parts = payload.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    if kind == "item" and len(parts) == 3:
        turn.go(IDLE, {})
        await _show(turn, member, parts[2])
    elif kind == "do" and len(parts) == 4:
        await _start(turn, member, parts[2], parts[3])
    elif kind == "unit" and len(parts) == 5:
        unit = None if parts[4] == TRIAGE else parts[4]
        await _ask(turn, member, parts[2], parts[3], unit)
    elif kind == "kind" and len(parts) == 4:
        turn.go(IDLE, {})
        await _execute(turn, member, A.SET_KIND, parts[2], None, {"kind": parts[3]})
    elif kind == "skip" and turn.step == INPUT:
        await _input(turn, member, "")
    elif kind == "urgent" and len(parts) == 3:
        turn.go(IDLE, {})
        await _mark_urgent(turn, member, parts[2])
    elif kind == "cancel":
        turn.go(IDLE, {})
        turn.say(t.STAFF_CANCELLED)
    else:
        turn.say(t.STAFF_HELP.format(triage=""))


async def _start(turn: Turn, member: StaffMember, action_name: str, code: str) -> None:
    try:
        action = ItemAction(action_name)
    except ValueError:
        turn.say(t.STAFF_REFUSED.format(reason="thao tác không hợp lệ."))
        return
    viewer = staff_viewer(member)
    item = await queries.item_for_viewer(turn.session, viewer, code)
    if item is None:
        turn.say(t.STAFF_ITEM_NOT_FOUND.format(code=code))
        return
    # Refuse early, before asking for text that would be thrown away.
    refusal = _precheck(item, viewer, action, turn.deps.rules)
    if refusal is not None:
        turn.say(t.STAFF_REFUSED.format(reason=refusal))
        return
    if action in (A.ROUTE, A.REROUTE):
        _pick_unit(turn, item, action)
    elif action is A.SET_KIND:
        kinds = [Button(label, f"st:kind:{code}:{kind.value}")
                 for kind, label in deadlines.KIND_LABELS.items() if kind.value != item.kind]
        rows = tuple(tuple(kinds[i:i + 2]) for i in range(0, len(kinds), 2))
        turn.say(t.STAFF_PICK_KIND.format(code=code), *rows)
    elif action in TEXT_FIELDS:
        await _ask(turn, member, action.value, code, None)
    else:
        turn.go(IDLE, {})
        await _execute(turn, member, action, code, None, {})


def _precheck(item: Item, viewer: Viewer, action: ItemAction, rules: Rules) -> str | None:
    if not may(viewer.role, action):
        return f"vai trò «{ROLE_LABELS[viewer.role]}» không được thực hiện thao tác này."
    if action not in allowed_actions(ItemStatus(item.status)):
        return refusal_reason(ItemStatus(item.status), action)
    if action is A.EXTEND and item.accepted_at is not None:
        try:  # the legal cap, before the reason is typed
            deadlines.extend(item.kind, item.accepted_at, rules.profile, rules.calendar,
                             extensions_used=item.extensions_used, reason="?")
        except deadlines.ExtensionRefused as exc:
            return exc.reason
    return None


def _pick_unit(turn: Turn, item: Item, action: ItemAction) -> None:
    profile = turn.deps.profile
    buttons = [
        Button(unit.name, f"st:unit:{action.value}:{item.tracking_code}:{code}")
        for code, unit in profile.units.items()
        if code != item.unit_code and "read_only" not in unit.flags
        and (item.kind != ItemKind.TO_CAO
             or code in (profile.denunciations_unit, profile.inspectorate_unit))
    ]
    if action is A.REROUTE:
        buttons.append(Button(t.STAFF_BTN_TO_TRIAGE,
                              f"st:unit:reroute:{item.tracking_code}:{TRIAGE}"))
    rows = tuple((b,) for b in buttons)
    turn.say(t.STAFF_PICK_UNIT.format(code=item.tracking_code), *rows,
             (Button(t.BTN_CANCEL, "st:cancel"),))


async def _ask(
    turn: Turn, member: StaffMember, action_name: str, code: str, unit: str | None
) -> None:
    try:
        action = ItemAction(action_name)
    except ValueError:
        turn.say(t.STAFF_REFUSED.format(reason="thao tác không hợp lệ."))
        return
    fields = TEXT_FIELDS.get(action, ())
    state: dict[str, Any] = {"action": action.value, "code": code, "unit": unit, "values": {},
             "ask": list(fields)}
    turn.go(INPUT, {"staff": state})
    _prompt(turn, state)


def _prompt(turn: Turn, state: dict[str, Any]) -> None:
    key = f"{state['action']}.{state['ask'][0]}"
    cancel = Button(t.BTN_CANCEL, "st:cancel")
    if key in OPTIONAL_FIELDS:
        turn.say(t.STAFF_ASK[key], (Button(t.BTN_SKIP, "st:skip"), cancel))
    else:
        turn.say(t.STAFF_ASK[key], (cancel,))


async def _input(turn: Turn, member: StaffMember, text: str) -> None:
    state = dict(turn.data.get("staff") or {})
    if not state.get("ask"):
        turn.go(IDLE, {})
        _help(turn, member)
        return
    field = state["ask"][0]
    key = f"{state['action']}.{field}"
    if not text and key not in OPTIONAL_FIELDS:
        turn.say(t.STAFF_PRESS_OR_TYPE)
        return
    values = {**state["values"], field: text}
    remaining = state["ask"][1:]
    if remaining:
        state = {**state, "values": values, "ask": remaining}
        turn.go(INPUT, {"staff": state})
        _prompt(turn, state)
        return
    turn.go(IDLE, {})
    await _execute(turn, member, ItemAction(state["action"]), state["code"], state["unit"],
                   values)


async def _execute(
    turn: Turn,
    member: StaffMember,
    action: ItemAction,
    code: str,
    unit: str | None,
    values: dict[str, str],
) -> None:
    viewer = staff_viewer(member)
    session = turn.session
    item = await queries.item_for_viewer(session, viewer, code)
    if item is None:
        turn.say(t.STAFF_ITEM_NOT_FOUND.format(code=code))
        return
    actor = Actor.staff(member)
    rules = turn.deps.rules
    common: dict[str, Any] = {"actor": actor, "rules": rules, "now": turn.now}
    try:
        # A savepoint: a refusal half-way leaves nothing behind.
        async with session.begin_nested():
            if action is A.ACCEPT:
                await actions.accept(session, item, **common)
            elif action is A.CLOSE:
                await actions.close(session, item, **common)
            elif action is A.ANSWER:
                await actions.answer(session, item, text=values["text"], **common)
            elif action is A.EXTEND:
                await actions.extend(session, item, reason=values["reason"], **common)
            elif action is A.REJECT:
                await actions.reject(session, item, reason=values["reason"],
                                     where=values["where"], **common)
            elif action is A.FORWARD:
                await actions.forward(session, item, to=values["to"], **common)
            elif action is A.REOPEN:
                await actions.reopen(session, item, reason=values["reason"], **common)
            elif action is A.ROUTE:
                await actions.route(session, item, unit_code=unit or "",
                                    reason=values.get("reason", ""), **common)
            elif action is A.REROUTE:
                await actions.reroute(session, item, unit_code=unit,
                                      reason=values.get("reason", ""), **common)
            elif action is A.SET_KIND:
                await actions.set_kind(session, item, kind=values["kind"], **common)
            else:
                raise ActionRefused("thao tác không hợp lệ.")
    except ActionRefused as exc:
        turn.say(t.STAFF_REFUSED.format(reason=exc.reason))
        return
    await session.refresh(item)
    turn.say(t.STAFF_DONE[action.value].format(
        code=item.tracking_code,
        unit=rules.unit_name(item.unit_code),
        due=f"{item.resolution_due:%d/%m/%Y}" if item.resolution_due else "-",
        kind=deadlines.KIND_LABELS[ItemKind(item.kind)],
    ))


async def _mark_urgent(turn: Turn, member: StaffMember, code: str) -> None:
    item = await queries.item_for_viewer(turn.session, staff_viewer(member), code)
    if item is None:
        turn.say(t.STAFF_ITEM_NOT_FOUND.format(code=code))
        return
    try:
        async with turn.session.begin_nested():
            await reminder_actions.mark_urgent(turn.session, item, actor=Actor.staff(member),
                                               rules=turn.deps.rules, now=turn.now)
    except ActionRefused as exc:
        turn.say(t.STAFF_REFUSED.format(reason=exc.reason))
        return
    turn.say(t.STAFF_MARKED_URGENT.format(code=item.tracking_code))
