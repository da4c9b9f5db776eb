"""Tables of draft community rules (hương ước, quy ước) and residents' comments on them.

A draft has versions; each version has its own articles, so a vote or comment stays attached
to the text it was made on when the drafting group publishes a revision. Votes are never
overwritten: every vote is a row and a resident's last vote on an article is the one counted
(``handlers.drafts.votes``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, BigId


class RuleDraft(Base):
    __tablename__ = "rule_drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(200))  # the thôn / tổ dân phố it is for
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    current_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RuleDraftVersion(Base):
    __tablename__ = "rule_draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("rule_drafts.id"), index=True)
    number: Mapped[int]
    preamble: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)  # the file as imported, for the record
    created_at: Mapped[datetime]


class RuleArticle(Base):
    __tablename__ = "rule_articles"
    __table_args__ = (UniqueConstraint("version_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rule_draft_versions.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    chapter: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")


class RuleParticipant(Base):
    """A resident taking part in one draft's consultation, with the residential group they
    said they live in (asked once per draft, at their first vote or comment)."""

    __tablename__ = "rule_participants"
    __table_args__ = (UniqueConstraint("draft_id", "resident_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("rule_drafts.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    residential_group: Mapped[str] = mapped_column(String(200))
    joined_at: Mapped[datetime]


class RuleVote(Base):
    __tablename__ = "rule_votes"
    __table_args__ = (Index("ix_rule_votes_article_resident", "article_id", "resident_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("rule_articles.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    agree: Mapped[bool]
    residential_group: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class RuleComment(Base):
    """A free-text comment on one article, or on the draft as a whole (no article)."""

    __tablename__ = "rule_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("rule_drafts.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rule_draft_versions.id"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("rule_articles.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    residential_group: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    answer_text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))  # turned into an item
