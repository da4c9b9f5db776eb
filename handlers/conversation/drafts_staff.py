"""Staff on draft community rules: the comments, their answers, and feedback items.

    /drafts ─▶ every draft with its window and comment counts (buttons: open)
    /draft ID ─▶ per-article agree / disagree / comment counts and the latest comments
      comment button ─▶ the comment ─▶ Trả lời ─▶ text ─▶ the resident gets the answer
                                     ─▶ Chuyển thành phản ánh ─▶ a routed feedback item

Office and the unit the profile routes hương ước / quy ước to act; observers read only
(``handlers.drafts.access``). Commands ``/drafts`` and ``/draft``, buttons ``sd:*`` and the
step ``sdraft:answer`` come here from the engine. Every change goes through
``handlers.draft_actions``, which checks the role again.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db import drafts_queries as dq
from db.drafts_models import RuleArticle, RuleComment, RuleDraft
from db.models import Item, Resident, StaffMember
from handlers import draft_actions
from handlers.actions import ActionRefused, Actor, staff_viewer
from handlers.conversation import texts as t
from handlers.conversation.turn import Turn
from handlers.conversation.types import Button, InboundMessage
from handlers.drafts import texts as dt
from handlers.drafts.access import DraftAccess, draft_access
from handlers.drafts.split import split_text
from handlers.drafts.votes import tally

COMMANDS = frozenset({"drafts", "draft"})
PREFIX = "sd:"
ANSWER = "sdraft:answer"
IDLE = "idle"
LATEST = 8
MESSAGE_LIMIT = 3500
SNIPPET = 160


def wants(msg: InboundMessage, step: str) -> bool:
    command = msg.command
    if command is not None:
        return command[0] in COMMANDS
    if msg.button is not None:
        return msg.button.startswith(PREFIX)
    return step == ANSWER


def _access(turn: Turn, member: StaffMember | None) -> DraftAccess:
    if member is None:
        return DraftAccess.NONE
    return draft_access(staff_viewer(member), draft_actions.drafts_unit(turn.deps.profile))


async def handle(turn: Turn, member: StaffMember | None) -> None:
    access = _access(turn, member)
    if member is None or access is DraftAccess.NONE:
        if turn.step == ANSWER:
            turn.go(IDLE, {})
        if member is None:
            turn.say(t.STAFF_ONLY)
        else:
            unit = draft_actions.drafts_unit(turn.deps.profile)
            turn.say(dt.STAFF_NO_ACCESS.format(unit=turn.deps.rules.unit_name(unit)))
        return
    command = turn.msg.command
    if command is not None:
        name, arg = command
        if name == "drafts":
            await _list(turn)
        elif arg.strip().lstrip("#").isdigit():
            await _draft(turn, int(arg.strip().lstrip("#")), access)
        else:
            turn.say(dt.STAFF_DRAFT_ASK)
    elif turn.msg.button is not None:
        await _button(turn, member, access, turn.msg.button)
    else:
        await _answer_text(turn, member, (turn.msg.text or "").strip())


def _say_long(turn: Turn, text: str, *rows: tuple[Button, ...]) -> None:
    pieces = split_text(text, MESSAGE_LIMIT)
    for piece in pieces[:-1]:
        turn.say(piece)
    turn.say(pieces[-1] if pieces else text, *rows)


async def _list(turn: Turn) -> None:
    drafts = await dq.all_drafts(turn.session)
    if not drafts:
        turn.say(dt.STAFF_LIST_EMPTY)
        return
    lines = [dt.STAFF_LIST_TITLE.format(count=len(drafts))]
    buttons = []
    for draft in drafts:
        version = await dq.version(turn.session, draft)
        comments = await dq.comments(turn.session, draft.id)
        counted = tally(await dq.vote_records(turn.session, version.id))
        votes = sum(e.total.agree + e.total.disagree for e in counted.values())
        state = draft_actions.window_state(draft, turn.deps.profile, turn.now)
        lines.append(dt.STAFF_LIST_ENTRY.format(
            id=draft.id, title=draft.title, place=draft.place, version=draft.current_version,
            state=dt.STATE_LABELS[state.value], opens=f"{draft.opens_on:%d/%m/%Y}",
            closes=f"{draft.closes_on:%d/%m/%Y}",
            participants=await dq.participant_count(turn.session, draft.id), votes=votes,
            comments=len(comments),
            unanswered=sum(1 for c in comments if c.answer_text is None and c.item_id is None),
        ))
        buttons.append(Button(f"Dự thảo #{draft.id}", f"sd:d:{draft.id}"))
    rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, min(len(buttons), 10), 2))
    _say_long(turn, "\n".join(lines), *rows)


async def _target(session: AsyncSession, comment: RuleComment) -> str:
    if comment.article_id is None:
        return "Góp ý chung"
    article = await session.get(RuleArticle, comment.article_id)
    return f"Điều {article.number}" if article is not None else "Điều ?"


def _when(turn: Turn, comment: RuleComment) -> str:
    tz = turn.deps.locality.timezone
    return comment.created_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")


async def _item_code(session: AsyncSession, comment: RuleComment) -> str | None:
    if comment.item_id is None:
        return None
    item = await session.get(Item, comment.item_id)
    return item.tracking_code if item is not None else None


async def _draft(turn: Turn, draft_id: int, access: DraftAccess) -> None:
    session = turn.session
    draft = await session.get(RuleDraft, draft_id)
    if draft is None:
        turn.say(dt.STAFF_DRAFT_NOT_FOUND.format(id=draft_id))
        return
    version = await dq.version(session, draft)
    articles = await dq.articles(session, version.id)
    all_comments = await dq.comments(session, draft.id, version_id=version.id)
    counted = tally(await dq.vote_records(session, version.id),
                    [(c.article_id, c.residential_group) for c in all_comments])
    state = draft_actions.window_state(draft, turn.deps.profile, turn.now)
    lines = [dt.STAFF_DRAFT_HEAD.format(
        id=draft.id, title=draft.title, place=draft.place, version=version.number,
        state=dt.STATE_LABELS[state.value], opens=f"{draft.opens_on:%d/%m/%Y}",
        closes=f"{draft.closes_on:%d/%m/%Y}",
        participants=await dq.participant_count(session, draft.id))]
    for article in articles:
        entry = counted.get(article.id)
        lines.append(dt.STAFF_ARTICLE_LINE.format(
            number=article.number, title=article.title,
            agree=entry.total.agree if entry else 0,
            disagree=entry.total.disagree if entry else 0,
            comments=entry.total.comments if entry else 0))
    whole = counted.get(None)
    lines.append(dt.STAFF_DRAFT_LINE.format(comments=whole.total.comments if whole else 0))
    latest = await dq.comments(session, draft.id, newest_first=True, limit=LATEST)
    lines.append("")
    lines.append(dt.STAFF_LATEST if latest else dt.STAFF_NO_COMMENTS)
    buttons = []
    for comment in latest:
        code = await _item_code(session, comment)
        mark = (dt.STAFF_COMMENT_ITEM.format(code=code) if code
                else dt.STAFF_COMMENT_ANSWERED if comment.answer_text else "")
        snippet = comment.text if len(comment.text) <= SNIPPET else comment.text[:SNIPPET] + "…"
        lines.append(dt.STAFF_COMMENT_LINE.format(
            id=comment.id, target=await _target(session, comment),
            group=comment.residential_group, at=_when(turn, comment), text=snippet, state=mark))
        buttons.append(Button(dt.STAFF_BTN_COMMENT.format(id=comment.id), f"sd:c:{comment.id}"))
    rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
    turn.go(IDLE, {})
    _say_long(turn, "\n".join(lines), *rows)


async def _button(turn: Turn, member: StaffMember, access: DraftAccess, payload: str) -> None:
    parts = payload.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    number = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    if kind == "cancel":
        turn.go(IDLE, {})
        turn.say(dt.STAFF_CANCELLED)
    elif number is None:
        await _list(turn)
    elif kind == "d":
        await _draft(turn, number, access)
    elif kind == "c":
        await _comment(turn, number, access)
    elif kind == "ans":
        await _ask_answer(turn, member, number)
    elif kind == "item":
        await _to_item(turn, member, number)
    else:
        await _list(turn)


async def _comment(turn: Turn, comment_id: int, access: DraftAccess) -> None:
    session = turn.session
    comment = await session.get(RuleComment, comment_id)
    draft = await session.get(RuleDraft, comment.draft_id) if comment is not None else None
    if comment is None or draft is None:
        turn.say(dt.STAFF_COMMENT_NOT_FOUND.format(id=comment_id))
        return
    version_number = next(v.number for v in await dq.versions(session, draft.id)
                          if v.id == comment.version_id)
    target = await _target(session, comment)
    if comment.article_id is not None:
        article = await session.get(RuleArticle, comment.article_id)
        if article is not None and article.title:
            target += f". {article.title}"
    resident = await session.get(Resident, comment.resident_id)
    # Observers read what was said and where from, not who said it.
    who = ((resident.display_name if resident else None) or "không rõ tên"
           if access is DraftAccess.ACT else "ẩn danh với vai trò giám sát")
    text = dt.STAFF_COMMENT.format(
        id=comment.id, draft=draft.id, title=draft.title, version=version_number,
        target=target, who=who, group=comment.residential_group, at=_when(turn, comment),
        text=comment.text)
    if comment.answer_text and comment.answered_at:
        answered = comment.answered_at.astimezone(turn.deps.locality.timezone)
        text += dt.STAFF_COMMENT_ANSWER.format(at=f"{answered:%d/%m/%Y %H:%M}",
                                               text=comment.answer_text)
    code = await _item_code(session, comment)
    if code:
        text += dt.STAFF_COMMENT_ITEM_LINE.format(code=code)
    rows: list[tuple[Button, ...]] = []
    if access is DraftAccess.ACT:
        actions_row = [Button(dt.STAFF_BTN_ANSWER, f"sd:ans:{comment.id}")]
        if code is None:
            actions_row.append(Button(dt.STAFF_BTN_TO_ITEM, f"sd:item:{comment.id}"))
        rows.append(tuple(actions_row))
    rows.append((Button(dt.STAFF_BTN_DRAFT.format(id=draft.id), f"sd:d:{draft.id}"),))
    turn.go(IDLE, {})
    _say_long(turn, text, *rows)


async def _ask_answer(turn: Turn, member: StaffMember, comment_id: int) -> None:
    try:
        draft_actions.check_staff(Actor.staff(member), turn.deps.profile, DraftAccess.ACT)
    except ActionRefused as exc:
        turn.say(t.STAFF_REFUSED.format(reason=exc.reason))
        return
    if await turn.session.get(RuleComment, comment_id) is None:
        turn.say(dt.STAFF_COMMENT_NOT_FOUND.format(id=comment_id))
        return
    turn.go(ANSWER, {"comment": comment_id})
    turn.say(dt.STAFF_ASK_ANSWER.format(id=comment_id), (Button(dt.BTN_CANCEL, "sd:cancel"),))


async def _answer_text(turn: Turn, member: StaffMember, text: str) -> None:
    comment_id = turn.data.get("comment")
    comment = (await turn.session.get(RuleComment, comment_id)
               if isinstance(comment_id, int) else None)
    if comment is None:
        turn.go(IDLE, {})
        turn.say(dt.STAFF_DRAFT_ASK)
        return
    if not text:
        turn.say(dt.STAFF_TYPE_ANSWER, (Button(dt.BTN_CANCEL, "sd:cancel"),))
        return
    try:
        async with turn.session.begin_nested():
            await draft_actions.answer_comment(turn.session, comment, text=text,
                                               actor=Actor.staff(member),
                                               profile=turn.deps.profile, now=turn.now)
    except ActionRefused as exc:
        turn.go(IDLE, {})
        turn.say(t.STAFF_REFUSED.format(reason=exc.reason))
        return
    turn.go(IDLE, {})
    turn.say(dt.STAFF_ANSWERED.format(id=comment.id),
             (Button(dt.STAFF_BTN_DRAFT.format(id=comment.draft_id), f"sd:d:{comment.draft_id}"),))


async def _to_item(turn: Turn, member: StaffMember, comment_id: int) -> None:
    comment = await turn.session.get(RuleComment, comment_id)
    if comment is None:
        turn.say(dt.STAFF_COMMENT_NOT_FOUND.format(id=comment_id))
        return
    try:
        async with turn.session.begin_nested():
            item = await draft_actions.comment_to_item(
                turn.session, comment, actor=Actor.staff(member), rules=turn.deps.rules,
                classifier=turn.deps.classifier, now=turn.now,
                triage_threshold=turn.deps.triage_threshold)
    except ActionRefused as exc:
        turn.say(t.STAFF_REFUSED.format(reason=exc.reason))
        return
    turn.go(IDLE, {})
    turn.say(dt.STAFF_TO_ITEM.format(
        id=comment.id, code=item.tracking_code, status=t.STATUS_NAMES.get(item.status, item.status),
        unit=turn.deps.rules.unit_name(item.unit_code)),
        (Button(t.STAFF_BTN_OPEN, f"st:item:{item.tracking_code}"),))
