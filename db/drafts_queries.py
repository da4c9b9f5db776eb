"""Read queries about draft community rules, shared by the dialogues and the summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.drafts_models import (
    RuleArticle,
    RuleComment,
    RuleDraft,
    RuleDraftVersion,
    RuleParticipant,
    RuleVote,
)
from handlers.drafts.votes import VoteRecord


async def any_open(session: AsyncSession, today: dt.date) -> bool:
    found = await session.scalar(
        select(RuleDraft.id).where(RuleDraft.opens_on <= today, RuleDraft.closes_on >= today)
        .limit(1)
    )
    return found is not None


async def readable_drafts(session: AsyncSession, today: dt.date, limit: int = 10
                          ) -> Sequence[RuleDraft]:
    """Drafts a resident may read: open ones first, then closed ones, newest first."""
    rows = await session.scalars(
        select(RuleDraft).where(RuleDraft.opens_on <= today)
        .order_by((RuleDraft.closes_on >= today).desc(), RuleDraft.closes_on.desc(),
                  RuleDraft.id.desc())
        .limit(limit)
    )
    return rows.all()


async def all_drafts(session: AsyncSession) -> Sequence[RuleDraft]:
    return (await session.scalars(select(RuleDraft).order_by(RuleDraft.id.desc()))).all()


async def version(session: AsyncSession, draft: RuleDraft, number: int | None = None
                  ) -> RuleDraftVersion:
    found = await session.scalar(
        select(RuleDraftVersion).where(RuleDraftVersion.draft_id == draft.id,
                                       RuleDraftVersion.number == (number or
                                                                   draft.current_version))
    )
    if found is None:
        raise LookupError(f"draft {draft.id} has no version {number or draft.current_version}")
    return found


async def versions(session: AsyncSession, draft_id: int) -> Sequence[RuleDraftVersion]:
    rows = await session.scalars(
        select(RuleDraftVersion).where(RuleDraftVersion.draft_id == draft_id)
        .order_by(RuleDraftVersion.number)
    )
    return rows.all()


async def articles(session: AsyncSession, version_id: int) -> Sequence[RuleArticle]:
    rows = await session.scalars(
        select(RuleArticle).where(RuleArticle.version_id == version_id)
        .order_by(RuleArticle.number)
    )
    return rows.all()


async def article_by_number(session: AsyncSession, version_id: int, number: int
                            ) -> RuleArticle | None:
    return await session.scalar(
        select(RuleArticle).where(RuleArticle.version_id == version_id,
                                  RuleArticle.number == number)
    )


async def article_count(session: AsyncSession, version_id: int) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(RuleArticle).where(RuleArticle.version_id == version_id)
    ) or 0)


@dataclass(frozen=True)
class ArticleContext:
    article: RuleArticle
    version: RuleDraftVersion
    draft: RuleDraft


async def article_context(session: AsyncSession, article_id: int) -> ArticleContext | None:
    row = (await session.execute(
        select(RuleArticle, RuleDraftVersion, RuleDraft)
        .join(RuleDraftVersion, RuleDraftVersion.id == RuleArticle.version_id)
        .join(RuleDraft, RuleDraft.id == RuleDraftVersion.draft_id)
        .where(RuleArticle.id == article_id)
    )).first()
    return ArticleContext(*row) if row is not None else None


async def participant(session: AsyncSession, draft_id: int, resident_id: int
                      ) -> RuleParticipant | None:
    return await session.scalar(
        select(RuleParticipant).where(RuleParticipant.draft_id == draft_id,
                                      RuleParticipant.resident_id == resident_id)
    )


async def last_vote(session: AsyncSession, article_id: int, resident_id: int) -> RuleVote | None:
    return await session.scalar(
        select(RuleVote).where(RuleVote.article_id == article_id,
                               RuleVote.resident_id == resident_id)
        .order_by(RuleVote.at.desc(), RuleVote.id.desc()).limit(1)
    )


async def vote_records(session: AsyncSession, version_id: int) -> list[VoteRecord]:
    rows = await session.scalars(
        select(RuleVote).join(RuleArticle, RuleArticle.id == RuleVote.article_id)
        .where(RuleArticle.version_id == version_id)
    )
    return [VoteRecord(v.article_id, v.resident_id, v.agree, v.residential_group, v.at, v.id)
            for v in rows]


async def comments(session: AsyncSession, draft_id: int, *, version_id: int | None = None,
                   newest_first: bool = False, limit: int | None = None
                   ) -> Sequence[RuleComment]:
    query = select(RuleComment).where(RuleComment.draft_id == draft_id)
    if version_id is not None:
        query = query.where(RuleComment.version_id == version_id)
    order = RuleComment.id.desc() if newest_first else RuleComment.id
    return (await session.scalars(query.order_by(order).limit(limit))).all()


async def participant_count(session: AsyncSession, draft_id: int) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(RuleParticipant)
        .where(RuleParticipant.draft_id == draft_id)
    ) or 0)


async def participants(session: AsyncSession, draft_id: int) -> Sequence[RuleParticipant]:
    return (await session.scalars(
        select(RuleParticipant).where(RuleParticipant.draft_id == draft_id)
        .order_by(RuleParticipant.id)
    )).all()
