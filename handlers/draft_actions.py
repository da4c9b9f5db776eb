"""State changes of draft community rules (hương ước, quy ước) and comments on them.

Same pattern as ``handlers.actions``: each function runs in the caller's transaction, checks
who may do it and when, changes rows, writes an ``AuditEvent`` and queues outbox rows for the
people who must hear of it. Nothing here commits. A refusal raises
``handlers.actions.ActionRefused`` with a Vietnamese reason.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import drafts_queries as dq
from db.drafts_models import (
    RuleArticle,
    RuleComment,
    RuleDraft,
    RuleDraftVersion,
    RuleParticipant,
    RuleVote,
)
from db.models import Conversation, Item, Resident
from handlers import actions
from handlers.actions import ActionRefused, Actor, Rules, audit, enqueue
from handlers.conversation.types import Reply
from handlers.drafts import texts as dt_texts
from handlers.drafts.access import DRAFTS_FIELD, DraftAccess, draft_access
from handlers.drafts.parse import DraftFormatError, ParsedDraft, parse_draft
from handlers.drafts.window import CommentWindow, WindowRefused, WindowState, check_window
from handlers.ports import TextClassifier
from handlers.profiles import Profile

OTHER_GROUP = dt_texts.BTN_OTHER_GROUP
MAX_COMMENT = 4000


def drafts_unit(profile: Profile) -> str | None:
    """The unit the profile routes hương ước / quy ước to (culture-social in the demo)."""
    return profile.routing.get(DRAFTS_FIELD)


def window_of(draft: RuleDraft) -> CommentWindow:
    return CommentWindow(draft.opens_on, draft.closes_on)


def window_state(draft: RuleDraft, profile: Profile, now: dt.datetime) -> WindowState:
    return window_of(draft).state(now, ZoneInfo(profile.timezone))


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _parse(text: str) -> ParsedDraft:
    try:
        return parse_draft(text)
    except DraftFormatError as exc:
        raise ActionRefused(str(exc)) from None


def _place(place: str, profile: Profile) -> str:
    if not profile.residential_groups:
        raise ActionRefused(
            f"Hồ sơ địa phương «{profile.name}» không có thôn, tổ dân phố nào "
            "(residential_groups)."
        )
    wanted = place.strip().casefold()
    for group in profile.residential_groups:
        if group.casefold() == wanted:
            return group
    names = "; ".join(profile.residential_groups)
    raise ActionRefused(f"«{place}» không có trong danh sách thôn, tổ dân phố: {names}.")


async def _add_version(
    session: AsyncSession, draft: RuleDraft, number: int, parsed: ParsedDraft, source: str,
    now: dt.datetime,
) -> RuleDraftVersion:
    version = RuleDraftVersion(draft_id=draft.id, number=number, preamble=parsed.preamble,
                               source=source, created_at=now)
    session.add(version)
    await session.flush()
    session.add_all(
        RuleArticle(version_id=version.id, number=a.number, title=a.title, chapter=a.chapter,
                    body=a.body)
        for a in parsed.articles
    )
    await session.flush()
    return version


async def import_draft(
    session: AsyncSession,
    *,
    title: str,
    place: str,
    opens_on: dt.date,
    closes_on: dt.date,
    text: str,
    profile: Profile,
    now: dt.datetime,
    actor: str = "cli",
) -> RuleDraft:
    """Publish a draft as version 1, for comments from ``opens_on`` to ``closes_on``."""
    if not title.strip():
        raise ActionRefused("Dự thảo phải có tên (--title).")
    group = _place(place, profile)
    try:
        check_window(opens_on, closes_on, min_days=profile.min_comment_window_days,
                     allow_shorter=profile.allow_shorter_comment_window)
    except WindowRefused as exc:
        raise ActionRefused(str(exc)) from None
    parsed = _parse(text)
    draft = RuleDraft(title=title.strip(), place=group, opens_on=opens_on, closes_on=closes_on,
                      current_version=1, created_at=now, updated_at=now)
    session.add(draft)
    await session.flush()
    await _add_version(session, draft, 1, parsed, text, now)
    audit(session, at=now, actor=actor, action="draft_import",
          data={"draft_id": draft.id, "title": draft.title, "place": group,
                "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat(),
                "articles": len(parsed.articles), "chapters": len(parsed.chapters)})
    await session.flush()
    return draft


async def revise_draft(
    session: AsyncSession,
    draft: RuleDraft,
    *,
    text: str,
    profile: Profile,
    now: dt.datetime,
    actor: str = "cli",
) -> RuleDraftVersion:
    """A new version; votes and comments stay on the version they were made on. Residents
    who took part are told while the window is still open."""
    parsed = _parse(text)
    number = draft.current_version + 1
    version = await _add_version(session, draft, number, parsed, text, now)
    draft.current_version = number
    draft.updated_at = now
    audit(session, at=now, actor=actor, action="draft_revise",
          data={"draft_id": draft.id, "version": number, "articles": len(parsed.articles)})
    if window_state(draft, profile, now) is not WindowState.CLOSED:
        reply = Reply(dt_texts.NOTIFY_REVISED.format(title=draft.title, version=number,
                                                     closes=_day(draft.closes_on)))
        for joined in await dq.participants(session, draft.id):
            await _tell(session, joined.resident_id, reply, now)
    await session.flush()
    return version


def _check_can_comment(draft: RuleDraft, resident: Resident, profile: Profile,
                       now: dt.datetime) -> None:
    state = window_state(draft, profile, now)
    if state is WindowState.CLOSED:
        raise ActionRefused(dt_texts.CLOSED.format(title=draft.title,
                                                   closes=_day(draft.closes_on)))
    if state is WindowState.NOT_YET:
        raise ActionRefused(dt_texts.NOT_YET.format(title=draft.title,
                                                    opens=_day(draft.opens_on)))
    if resident.consent_at is None:
        raise ActionRefused("Anh/chị cần đồng ý xử lý dữ liệu cá nhân trước khi góp ý.")


async def _join(session: AsyncSession, draft: RuleDraft, resident: Resident, group: str | None,
                profile: Profile, now: dt.datetime) -> str:
    """The resident's residential group for this draft, recorded at their first vote or
    comment."""
    joined = await dq.participant(session, draft.id, resident.id)
    if joined is not None:
        return joined.residential_group
    if group is None:
        raise ActionRefused("Anh/chị cho biết thôn, tổ dân phố nơi sinh sống trước khi góp ý.")
    if group != OTHER_GROUP and group not in profile.residential_groups:
        raise ActionRefused(f"«{group}» không có trong danh sách thôn, tổ dân phố.")
    session.add(RuleParticipant(draft_id=draft.id, resident_id=resident.id,
                                residential_group=group, joined_at=now))
    audit(session, at=now, actor=Actor.resident(resident).label, action="draft_join",
          resident_id=resident.id, data={"draft_id": draft.id, "group": group})
    await session.flush()
    return group


async def cast_vote(
    session: AsyncSession,
    resident: Resident,
    article: RuleArticle,
    *,
    agree: bool,
    group: str | None,
    profile: Profile,
    now: dt.datetime,
) -> tuple[RuleVote, RuleVote | None]:
    """Record Đồng ý / Không đồng ý on an article of the current version; returns the new
    vote and the one it replaces (the last one counts; earlier ones stay as history)."""
    context = await dq.article_context(session, article.id)
    if context is None:
        raise ActionRefused(dt_texts.NOT_FOUND)
    draft = context.draft
    if context.version.number != draft.current_version:
        raise ActionRefused(dt_texts.ARTICLE_NEWER.format(version=draft.current_version))
    _check_can_comment(draft, resident, profile, now)
    group_name = await _join(session, draft, resident, group, profile, now)
    previous = await dq.last_vote(session, article.id, resident.id)
    vote = RuleVote(article_id=article.id, resident_id=resident.id, agree=agree,
                    residential_group=group_name, at=now)
    session.add(vote)
    audit(session, at=now, actor=Actor.resident(resident).label, action="draft_vote",
          resident_id=resident.id,
          data={"draft_id": draft.id, "version": context.version.number,
                "article": article.number, "agree": agree,
                "changed_from": None if previous is None else previous.agree})
    await session.flush()
    return vote, previous


async def add_comment(
    session: AsyncSession,
    resident: Resident,
    draft: RuleDraft,
    article: RuleArticle | None,
    *,
    text: str,
    group: str | None,
    profile: Profile,
    now: dt.datetime,
) -> RuleComment:
    """A free-text comment on an article of the current version, or on the whole draft."""
    text = text.strip()
    if not text:
        raise ActionRefused("Nội dung góp ý không được để trống.")
    if len(text) > MAX_COMMENT:
        raise ActionRefused(dt_texts.COMMENT_TOO_LONG.format(length=len(text), limit=MAX_COMMENT))
    version = await dq.version(session, draft)
    if article is not None and article.version_id != version.id:
        raise ActionRefused(dt_texts.ARTICLE_NEWER.format(version=draft.current_version))
    _check_can_comment(draft, resident, profile, now)
    group_name = await _join(session, draft, resident, group, profile, now)
    comment = RuleComment(draft_id=draft.id, version_id=version.id,
                          article_id=article.id if article else None, resident_id=resident.id,
                          residential_group=group_name, text=text, created_at=now)
    session.add(comment)
    await session.flush()
    audit(session, at=now, actor=Actor.resident(resident).label, action="draft_comment",
          resident_id=resident.id,
          data={"draft_id": draft.id, "comment_id": comment.id, "version": version.number,
                "article": article.number if article else None, "length": len(text)})
    await session.flush()
    return comment


def check_staff(actor: Actor, profile: Profile, needed: DraftAccess) -> None:
    """Refuse unless the staff ``actor`` has ``needed`` access to drafts' comments."""
    if actor.viewer is None:
        raise ActionRefused("Chỉ cán bộ được giao mới thực hiện được thao tác này.")
    unit = drafts_unit(profile)
    have = draft_access(actor.viewer, unit)
    if have < needed:
        if have is DraftAccess.READ:
            raise ActionRefused(dt_texts.STAFF_READ_ONLY)
        name = profile.unit_name(unit) if unit in profile.units else "đơn vị phụ trách"
        raise ActionRefused(dt_texts.STAFF_NO_ACCESS.format(unit=name))


async def _comment_target(session: AsyncSession, comment: RuleComment) -> str:
    if comment.article_id is None:
        return dt_texts.TARGET_DRAFT
    article = await session.get(RuleArticle, comment.article_id)
    number = article.number if article is not None else "?"
    return dt_texts.TARGET_ARTICLE.format(number=number)


async def answer_comment(
    session: AsyncSession,
    comment: RuleComment,
    *,
    text: str,
    actor: Actor,
    profile: Profile,
    now: dt.datetime,
) -> RuleComment:
    """The drafting group's answer; it reaches the resident in the chat they wrote from. A
    second answer replaces the first (both are in the audit trail)."""
    check_staff(actor, profile, DraftAccess.ACT)
    text = text.strip()
    if not text:
        raise ActionRefused("Nội dung trả lời không được để trống.")
    draft = await session.get(RuleDraft, comment.draft_id)
    if draft is None:
        raise ActionRefused(dt_texts.NOT_FOUND)
    comment.answer_text = text
    comment.answered_at = now
    comment.answered_by = actor.staff_id
    audit(session, at=now, actor=actor.label, action="draft_answer",
          resident_id=comment.resident_id,
          data={"draft_id": draft.id, "comment_id": comment.id, "length": len(text)})
    target = await _comment_target(session, comment)
    await _tell(session, comment.resident_id, Reply(dt_texts.NOTIFY_ANSWERED.format(
        id=comment.id, target=target.lower() if comment.article_id is None else target,
        title=draft.title, text=text)), now)
    await session.flush()
    return comment


async def comment_to_item(
    session: AsyncSession,
    comment: RuleComment,
    *,
    actor: Actor,
    rules: Rules,
    classifier: TextClassifier | None,
    now: dt.datetime,
    triage_threshold: float = 0.0,
) -> Item:
    """Turn a comment into a feedback item, classified and routed like any other; the
    resident gets its tracking code."""
    check_staff(actor, rules.profile, DraftAccess.ACT)
    if comment.item_id is not None:
        existing = await session.get(Item, comment.item_id)
        code = existing.tracking_code if existing is not None else "?"
        raise ActionRefused(f"Góp ý số {comment.id} đã được chuyển thành phản ánh {code}.")
    resident = await session.get(Resident, comment.resident_id)
    draft = await session.get(RuleDraft, comment.draft_id)
    if resident is None or draft is None:
        raise ActionRefused(dt_texts.NOT_FOUND)
    target = await _comment_target(session, comment)
    text = dt_texts.ITEM_TEXT.format(title=draft.title, place=draft.place, target=target,
                                     text=comment.text)
    item = await actions.submit_item(
        session, resident, actions.Draft(text=text, address=comment.residential_group),
        now=now, classifier=classifier, rules=rules, triage_threshold=triage_threshold,
    )
    comment.item_id = item.id
    audit(session, at=now, actor=actor.label, action="draft_comment_to_item",
          item_id=item.id, resident_id=resident.id,
          data={"draft_id": draft.id, "comment_id": comment.id})
    await _tell(session, resident.id, Reply(dt_texts.NOTIFY_TO_ITEM.format(
        id=comment.id, code=item.tracking_code)), now, item_id=item.id)
    await session.flush()
    return item


async def _tell(session: AsyncSession, resident_id: int, reply: Reply, now: dt.datetime,
                *, item_id: int | None = None) -> None:
    """Queue a message for a resident in the chat they last wrote from."""
    resident = await session.get(Resident, resident_id)
    if resident is None:
        return
    chat_id = await session.scalar(
        select(Conversation.chat_id).where(Conversation.channel == resident.channel,
                                           Conversation.external_user_id == resident.external_id)
    )
    enqueue(session, channel=resident.channel, chat_id=chat_id or resident.external_id,
            reply=reply, now=now, item_id=item_id)
