"""The resident's dialogue: compose a submission, consent, look up an item.

    idle ──text──▶ (consent?) ──Đồng ý──▶ photos ──▶ location ──▶ phone ──▶ confirm ──Gửi──▶ idle
      │                 └──Không đồng ý──▶ idle (draft deleted)              └──Hủy──▶ idle
      └──menu:lookup──▶ code ──▶ idle

    (any step) ──rate:CODE:yes──▶ closed, thanks
    idle ──rate:CODE:no──▶ reopened ──▶ rating_reason ──text / Bỏ qua──▶ idle
"""

from __future__ import annotations

import re
from typing import Any

from db.models import Item
from db.queries import item_by_code
from handlers import actions
from handlers.actions import ActionRefused
from handlers.conversation import texts as t
from handlers.conversation.drafts import menu_rows as drafts_menu_rows
from handlers.conversation.turn import Turn
from handlers.conversation.types import Button
from handlers.rules.deadlines import KIND_LABELS
from handlers.rules.small_talk import small_talk
from handlers.rules.states import ItemKind, ItemStatus
from handlers.rules.tracking_code import find_code

IDLE = "idle"
AWAIT_TEXT = "await_text"
AWAIT_CODE = "await_code"
AWAIT_CONSENT = "await_consent"
AWAIT_PHOTOS = "await_photos"
AWAIT_LOCATION = "await_location"
AWAIT_PHONE = "await_phone"
CONFIRM = "confirm"
AWAIT_RATING_REASON = "await_rating_reason"

MENU = (
    (Button(t.BTN_FEEDBACK, "menu:feedback"),),
    (Button(t.BTN_LOOKUP, "menu:lookup"),),
)
CONSENT_BUTTONS = ((Button(t.BTN_AGREE, "consent:yes"), Button(t.BTN_DISAGREE, "consent:no")),)
PHOTO_BUTTONS = ((Button(t.BTN_DONE_PHOTOS, "photos:done"), Button(t.BTN_SKIP, "skip")),)
LOCATION_BUTTONS = (
    (Button(t.BTN_SHARE_LOCATION, "location", request="location"),),
    (Button(t.BTN_SKIP, "skip"),),
)
PHONE_BUTTONS = (
    (Button(t.BTN_SHARE_PHONE, "contact", request="contact"),),
    (Button(t.BTN_SKIP, "skip"),),
)
CONFIRM_BUTTONS = ((Button(t.BTN_SEND, "send"), Button(t.BTN_CANCEL, "cancel")),)
SKIP_BUTTONS = ((Button(t.BTN_SKIP, "skip"),),)

_PHONE = re.compile(r"^(?:\+?84|0)(?:3|5|7|8|9)\d{8}$")


def normalise_phone(raw: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", raw)
    if not _PHONE.match(digits):
        return None
    return "0" + digits[-9:]


async def handle(turn: Turn) -> None:
    command = turn.msg.command
    if command is not None:
        await _command(turn, *command)
        return
    if turn.msg.unsupported is not None:
        limit_mb = turn.deps.limits.max_photo_bytes // (1024 * 1024)
        turn.say(t.UNSUPPORTED[turn.msg.unsupported].format(max_mb=limit_mb))
        return
    button = turn.msg.button or ""
    if button.startswith("rate:"):
        await _rate(turn, button)
        return
    text = turn.msg.text or ""
    if len(text) > turn.deps.limits.max_text_length:
        turn.say(t.TEXT_TOO_LONG.format(length=len(text), limit=turn.deps.limits.max_text_length))
        return
    await STEPS.get(turn.step, _idle)(turn)


async def _command(turn: Turn, name: str, arg: str) -> None:
    if name == "start":
        turn.go(IDLE, {})
        await _greet(turn)
    elif name == "help":
        turn.say(t.HELP)
    elif name in ("huy", "cancel"):
        busy = turn.step != IDLE
        turn.go(IDLE, {})
        turn.say(t.CANCELLED if busy else t.NOTHING_TO_CANCEL)
    elif name in ("status", "tracuu"):
        code = find_code(arg) if arg else None
        if code is None:
            turn.go(AWAIT_CODE)
            turn.say(t.ASK_CODE)
        else:
            await _show_status(turn, code)
    else:
        turn.say(t.UNKNOWN_COMMAND)


async def _idle(turn: Turn) -> None:
    msg = turn.msg
    if msg.button == "menu:feedback":
        turn.go(AWAIT_TEXT)
        turn.say(t.ASK_TEXT)
    elif msg.button == "menu:lookup":
        turn.go(AWAIT_CODE)
        turn.say(t.ASK_CODE)
    elif msg.text and msg.text.strip():
        await _free_text(turn, msg.text.strip())
    elif msg.photos:
        turn.say(t.PHOTO_NOT_NOW)
    else:
        await _greet(turn)


async def _free_text(turn: Turn, text: str) -> None:
    """A tracking code, small talk, or else the start of a draft."""
    code = find_code(text) if turn.step == IDLE else None
    if code is not None:
        await _show_status(turn, code)
        return
    talk = small_talk(text)
    if talk is None:
        await _start_draft(turn, text)
    elif talk == "thanks":
        turn.say(t.THANKS_REPLY)
    elif talk == "intent":
        turn.go(AWAIT_TEXT)
        turn.say(t.ASK_TEXT)
    else:
        turn.go(IDLE, {})
        await _greet(turn)


async def _greet(turn: Turn) -> None:
    turn.say(t.GREETING.format(place=turn.deps.locality.name), *MENU,
             *await drafts_menu_rows(turn))


async def _await_code(turn: Turn) -> None:
    code = find_code(turn.msg.text or "")
    if code is None:
        if turn.msg.button:
            turn.go(IDLE)
            await _idle(turn)
            return
        turn.say(t.ASK_CODE)
        return
    turn.go(IDLE)
    await _show_status(turn, code)


async def _start_draft(turn: Turn, text: str) -> None:
    draft: dict[str, Any] = {"text": text, "photos": []}
    if turn.resident.consent_at is None:
        turn.go(AWAIT_CONSENT, {"draft": draft})
        turn.say(t.CONSENT.format(place=turn.deps.locality.name), *CONSENT_BUTTONS)
        return
    turn.go(AWAIT_PHOTOS, {"draft": draft})
    _ask_photos(turn)


def _ask_photos(turn: Turn) -> None:
    turn.say(t.ASK_PHOTOS.format(max_photos=turn.deps.limits.max_photos), *PHOTO_BUTTONS)


async def _await_consent(turn: Turn) -> None:
    if turn.msg.button == "consent:yes":
        await actions.give_consent(
            turn.session, turn.resident, display_name=turn.msg.display_name, now=turn.now
        )
        turn.go(AWAIT_PHOTOS)
        _ask_photos(turn)
    elif turn.msg.button == "consent:no":
        turn.go(IDLE, {})
        turn.say(t.CONSENT_REFUSED.format(contact=turn.deps.locality.contact))
    else:
        turn.say(t.PRESS_BUTTON, *CONSENT_BUTTONS)


def _draft(turn: Turn) -> dict[str, Any]:
    draft = turn.data.get("draft")
    return dict(draft) if isinstance(draft, dict) else {"text": "", "photos": []}


async def _await_photos(turn: Turn) -> None:
    msg = turn.msg
    draft = _draft(turn)
    limit = turn.deps.limits.max_photos
    if msg.photos:
        photos = list(draft.get("photos", []))
        room = limit - len(photos)
        if room <= 0:
            turn.say(t.PHOTO_LIMIT.format(max_photos=limit), *PHOTO_BUTTONS)
            return
        photos.extend(
            {"file_ref": p.file_ref, "size": p.size, "content_type": p.content_type}
            for p in msg.photos[:room]
        )
        draft["photos"] = photos
        turn.update(draft=draft)
        turn.say(t.PHOTO_RECEIVED.format(count=len(photos)), *PHOTO_BUTTONS)
    elif msg.button in ("skip", "photos:done"):
        turn.go(AWAIT_LOCATION)
        turn.say(t.ASK_LOCATION, *LOCATION_BUTTONS)
    elif msg.text:
        draft["text"] = f"{draft['text']}\n{msg.text.strip()}"
        turn.update(draft=draft)
        turn.say(t.ADDED_TEXT, *PHOTO_BUTTONS)
    else:
        turn.say(t.PRESS_BUTTON, *PHOTO_BUTTONS)


async def _await_location(turn: Turn) -> None:
    msg = turn.msg
    draft = _draft(turn)
    if msg.location is not None:
        draft.update(latitude=msg.location.latitude, longitude=msg.location.longitude)
    elif msg.text and msg.text.strip():
        draft["address"] = msg.text.strip()
    elif msg.button != "skip":
        turn.say(t.ASK_LOCATION, *LOCATION_BUTTONS)
        return
    turn.update(draft=draft)
    if turn.resident.phone:
        draft["phone"] = turn.resident.phone
        turn.update(draft=draft)
        _confirm(turn)
        return
    turn.go(AWAIT_PHONE)
    turn.say(t.ASK_PHONE, *PHONE_BUTTONS)


async def _await_phone(turn: Turn) -> None:
    msg = turn.msg
    draft = _draft(turn)
    raw = msg.phone or (msg.text or "")
    if msg.button == "skip":
        _confirm(turn)
        return
    phone = normalise_phone(raw) if raw else None
    if phone is None:
        turn.say(t.BAD_PHONE, *PHONE_BUTTONS)
        return
    draft["phone"] = phone
    turn.update(draft=draft)
    _confirm(turn)


def _confirm(turn: Turn) -> None:
    draft = _draft(turn)
    details = []
    if draft.get("photos"):
        details.append(f"Ảnh: {len(draft['photos'])}")
    if draft.get("address"):
        details.append(f"Địa điểm: {draft['address']}")
    elif draft.get("latitude") is not None:
        details.append(f"Vị trí: {draft['latitude']:.5f}, {draft['longitude']:.5f}")
    if draft.get("phone"):
        details.append(f"Điện thoại: {draft['phone']}")
    summary = "\n".join(details) + ("\n\n" if details else "")
    turn.go(CONFIRM)
    turn.say(t.SUMMARY.format(text=draft["text"], details=summary), *CONFIRM_BUTTONS)


async def _confirm_step(turn: Turn) -> None:
    if turn.msg.button == "send":
        draft = _draft(turn)
        item = await actions.submit_item(
            turn.session,
            turn.resident,
            actions.Draft(
                text=draft["text"],
                photos=tuple(draft.get("photos", [])),
                address=draft.get("address"),
                latitude=draft.get("latitude"),
                longitude=draft.get("longitude"),
                phone=draft.get("phone"),
            ),
            now=turn.now,
            classifier=turn.deps.classifier,
            rules=turn.deps.rules,
            triage_threshold=turn.deps.triage_threshold,
        )
        turn.go(IDLE, {})
        turn.say(t.SUBMITTED.format(code=item.tracking_code, routing=_routing_note(turn, item)))
    elif turn.msg.button == "cancel":
        turn.go(IDLE, {})
        turn.say(t.CANCELLED)
    else:
        turn.say(t.PRESS_BUTTON, *CONFIRM_BUTTONS)


def _routing_note(turn: Turn, item: Item) -> str:
    """Field, unit, the date by which the resident hears how it is handled, the answer date."""
    rules = turn.deps.rules
    lines = []
    kind = ItemKind(item.kind)
    if kind not in (ItemKind.PHAN_ANH, ItemKind.KIEN_NGHI):
        lines.append(t.SUBMITTED_KIND.format(kind=KIND_LABELS[kind]))
    if item.field and item.status != ItemStatus.TRIAGE:
        lines.append(t.SUBMITTED_FIELD.format(field=t.FIELD_NAMES.get(item.field, item.field)))
    else:
        lines.append(t.SUBMITTED_FIELD_TRIAGE)
    unit = rules.unit_name(item.unit_code)
    if item.status == ItemStatus.TRIAGE:
        lines.append(t.SUBMITTED_UNIT_TRIAGE.format(unit=unit))
    else:
        lines.append(t.SUBMITTED_UNIT.format(unit=unit))
    if item.processing_due and item.answer_due:
        lines.append(t.SUBMITTED_DATES.format(processing=rules.date(item.processing_due),
                                              answer=rules.date(item.answer_due)))
    if item.confidential:
        lines.append(t.SUBMITTED_CONFIDENTIAL)
    return "".join(lines)


async def _rate(turn: Turn, payload: str) -> None:
    _, code, answer = [*payload.split(":"), "", ""][:3]
    item = await item_by_code(turn.session, code)
    if item is None or answer not in ("yes", "no"):
        turn.say(t.STATUS_NOT_FOUND.format(code=code))
        return
    satisfied = answer == "yes"
    try:
        async with turn.session.begin_nested():
            await actions.rate(turn.session, item, resident=turn.resident, satisfied=satisfied,
                               rules=turn.deps.rules, now=turn.now)
    except ActionRefused as exc:
        turn.say(exc.reason)
        return
    if satisfied:
        turn.say(t.RATED_SATISFIED.format(code=code))
    elif turn.step == IDLE:
        turn.go(AWAIT_RATING_REASON, {"rating_code": code})
        turn.say(t.RATED_UNSATISFIED.format(code=code), *SKIP_BUTTONS)
    else:
        # In the middle of a new submission: do not take it over to ask for a reason.
        turn.say(t.RATING_SKIPPED)


async def _await_rating_reason(turn: Turn) -> None:
    code = str(turn.data.get("rating_code") or "")
    text = (turn.msg.text or "").strip()
    if turn.msg.button == "skip":
        turn.go(IDLE, {})
        turn.say(t.RATING_SKIPPED)
        return
    if not text:
        turn.go(IDLE, {})
        await _idle(turn)
        return
    item = await item_by_code(turn.session, code)
    turn.go(IDLE, {})
    if item is None:
        turn.say(t.RATING_SKIPPED)
        return
    try:
        async with turn.session.begin_nested():
            await actions.add_rating_reason(turn.session, item, resident=turn.resident,
                                            reason=text, rules=turn.deps.rules, now=turn.now)
    except ActionRefused as exc:
        turn.say(exc.reason)
        return
    turn.say(t.RATING_REASON_THANKS)


async def _show_status(turn: Turn, code: str) -> None:
    item = await item_by_code(turn.session, code)
    if item is None:
        turn.say(t.STATUS_NOT_FOUND.format(code=code))
        return
    more = ""
    if item.field:
        more += t.STATUS_FIELD.format(field=t.FIELD_NAMES.get(item.field, item.field))
    if item.unit_code and item.status != ItemStatus.TRIAGE:
        more += t.STATUS_UNIT.format(unit=turn.deps.rules.unit_name(item.unit_code))
    if item.processing_due:
        more += t.STATUS_DUE.format(due=item.processing_due.strftime("%d/%m/%Y"))
    if item.resolution_due:
        more += t.STATUS_RESOLUTION_DUE.format(due=item.resolution_due.strftime("%d/%m/%Y"))
    if item.resident_id == turn.resident.id:
        more += t.STATUS_OWNER_EXTRA.format(text=item.text)
        if item.answer_text:
            more += t.STATUS_ANSWER.format(text=item.answer_text)
    turn.say(
        t.STATUS_PUBLIC.format(
            code=item.tracking_code,
            status=t.STATUS_NAMES.get(item.status, item.status),
            received=turn.local_date(item.received_at),
            more=more,
        )
    )


STEPS = {
    IDLE: _idle,
    AWAIT_TEXT: _idle,
    AWAIT_CODE: _await_code,
    AWAIT_CONSENT: _await_consent,
    AWAIT_PHOTOS: _await_photos,
    AWAIT_LOCATION: _await_location,
    AWAIT_PHONE: _await_phone,
    CONFIRM: _confirm_step,
    AWAIT_RATING_REASON: _await_rating_reason,
}
