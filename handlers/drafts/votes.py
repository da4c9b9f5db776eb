"""Agree / disagree tallies. A resident may change their vote on an article: every vote is
kept (the history), and only each resident's last vote on an article counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class VoteRecord:
    article_id: int
    resident_id: int
    agree: bool
    group: str
    at: dt.datetime
    seq: int  # insertion order, to break ties between votes of the same instant


@dataclass
class Counts:
    agree: int = 0
    disagree: int = 0
    comments: int = 0

    def add(self, other: Counts) -> None:
        self.agree += other.agree
        self.disagree += other.disagree
        self.comments += other.comments


@dataclass
class ArticleTally:
    total: Counts = field(default_factory=Counts)
    by_group: dict[str, Counts] = field(default_factory=dict)

    def group(self, name: str) -> Counts:
        return self.by_group.setdefault(name, Counts())


def latest_votes(votes: Iterable[VoteRecord]) -> dict[tuple[int, int], VoteRecord]:
    """(article, resident) -> the vote that counts: the last one cast."""
    latest: dict[tuple[int, int], VoteRecord] = {}
    for vote in votes:
        key = (vote.article_id, vote.resident_id)
        held = latest.get(key)
        if held is None or (vote.at, vote.seq) > (held.at, held.seq):
            latest[key] = vote
    return latest


def tally(
    votes: Iterable[VoteRecord], comments: Iterable[tuple[int | None, str]] = ()
) -> dict[int | None, ArticleTally]:
    """Per article (``None``: the draft as a whole): counted votes and comments, in total
    and per residential group. ``comments`` are (article id or None, group) pairs."""
    result: dict[int | None, ArticleTally] = {}
    for vote in latest_votes(votes).values():
        entry = result.setdefault(vote.article_id, ArticleTally())
        for counts in (entry.total, entry.group(vote.group)):
            if vote.agree:
                counts.agree += 1
            else:
                counts.disagree += 1
    for article_id, group in comments:
        entry = result.setdefault(article_id, ArticleTally())
        entry.total.comments += 1
        entry.group(group).comments += 1
    return result
