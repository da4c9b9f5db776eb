"""The drafting group's summary of one draft: gathered from the database, written as an
Excel workbook (openpyxl) or Markdown, ready for the minutes.

Votes count per article with each resident's last vote; comments are listed with their
answers. The articles are those of the chosen version (the current one by default);
comments made on earlier versions are listed apart, with the version they were made on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy.ext.asyncio import AsyncSession

from db import drafts_queries as dq
from db.drafts_models import RuleComment, RuleDraft
from db.models import Item
from handlers import draft_actions
from handlers.drafts import texts as dtx
from handlers.drafts.votes import Counts, tally
from handlers.profiles import Profile

GENERAL = "Chung"


@dataclass
class CommentRow:
    id: int
    version: int
    target: str  # "Điều 5" or "Chung"
    group: str
    at: str
    text: str
    answer: str
    answered_at: str
    item_code: str


@dataclass
class ArticleRow:
    number: int
    title: str
    chapter: str
    body: str
    total: Counts
    by_group: dict[str, Counts]
    comments: list[CommentRow] = field(default_factory=list)


@dataclass
class Summary:
    draft: RuleDraft
    version: int
    versions: int
    state: str
    window_days: int
    participants: int
    by_group_participants: dict[str, int]
    groups: list[str]
    articles: list[ArticleRow]
    general: list[CommentRow]
    earlier: list[CommentRow]
    made_at: str

    @property
    def total(self) -> Counts:
        counts = Counts()
        for article in self.articles:
            counts.add(article.total)
        return counts

    def group_totals(self, group: str) -> Counts:
        counts = Counts()
        for article in self.articles:
            counts.add(article.by_group.get(group, Counts()))
        counts.comments += sum(1 for c in self.general if c.group == group)
        return counts

    @property
    def all_comments(self) -> list[CommentRow]:
        rows = [c for a in self.articles for c in a.comments] + self.general + self.earlier
        return sorted(rows, key=lambda c: c.id)


def _local(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else ""


async def build_summary(
    session: AsyncSession, draft: RuleDraft, profile: Profile, now: dt.datetime,
    version_number: int | None = None,
) -> Summary:
    tz = ZoneInfo(profile.timezone)
    version = await dq.version(session, draft, version_number)
    versions = await dq.versions(session, draft.id)
    number_of = {v.id: v.number for v in versions}
    articles = await dq.articles(session, version.id)
    article_numbers: dict[int, int] = {}
    for v in versions:
        for a in await dq.articles(session, v.id):
            article_numbers[a.id] = a.number
    comments = await dq.comments(session, draft.id)
    current = [c for c in comments if c.version_id == version.id]
    counted = tally(await dq.vote_records(session, version.id),
                    [(c.article_id, c.residential_group) for c in current])

    async def row(c: RuleComment) -> CommentRow:
        code = ""
        if c.item_id is not None:
            item = await session.get(Item, c.item_id)
            code = item.tracking_code if item is not None else ""
        target = (GENERAL if c.article_id is None
                  else f"Điều {article_numbers.get(c.article_id, '?')}")
        return CommentRow(c.id, number_of.get(c.version_id, 0), target, c.residential_group,
                          _local(c.created_at, tz), c.text, c.answer_text or "",
                          _local(c.answered_at, tz), code)

    rows = {c.id: await row(c) for c in comments}
    article_rows = []
    for a in articles:
        entry = counted.get(a.id)
        article_rows.append(ArticleRow(
            a.number, a.title, a.chapter or "", a.body,
            entry.total if entry else Counts(), dict(entry.by_group) if entry else {},
            [rows[c.id] for c in current if c.article_id == a.id]))
    joined = await dq.participants(session, draft.id)
    by_group: dict[str, int] = {}
    for p in joined:
        by_group[p.residential_group] = by_group.get(p.residential_group, 0) + 1
    seen = set(by_group) | {c.residential_group for c in comments}
    ordered = [g for g in [*profile.residential_groups, draft_actions.OTHER_GROUP] if g in seen]
    ordered += sorted(seen - set(ordered))
    state = draft_actions.window_state(draft, profile, now)
    return Summary(
        draft=draft, version=version.number, versions=len(versions),
        state=dtx.STATE_LABELS[state.value],
        window_days=draft_actions.window_of(draft).days, participants=len(joined),
        by_group_participants=by_group, groups=ordered, articles=article_rows,
        general=[rows[c.id] for c in current if c.article_id is None],
        earlier=[rows[c.id] for c in comments if c.version_id != version.id],
        made_at=_local(now, tz),
    )


def _window(s: Summary) -> str:
    d = s.draft
    return f"{d.opens_on:%d/%m/%Y} – {d.closes_on:%d/%m/%Y} ({s.window_days} ngày)"


def overview_rows(s: Summary) -> list[tuple[str, object]]:
    total = s.total
    answered = sum(1 for c in s.all_comments if c.answer)
    to_items = sum(1 for c in s.all_comments if c.item_code)
    return [
        ("Dự thảo", s.draft.title),
        ("Phạm vi", s.draft.place),
        ("Phiên bản tổng hợp", f"{s.version} (tổng số phiên bản: {s.versions})"),
        ("Thời gian lấy ý kiến", _window(s)),
        ("Tình trạng", s.state),
        ("Số điều", len(s.articles)),
        ("Số người tham gia", s.participants),
        ("Ý kiến đồng ý", total.agree),
        ("Ý kiến không đồng ý", total.disagree),
        ("Góp ý theo điều", total.comments),
        ("Góp ý chung", len(s.general)),
        ("Góp ý trên phiên bản trước", len(s.earlier)),
        ("Góp ý đã trả lời", answered),
        ("Góp ý đã chuyển thành phản ánh", to_items),
        ("Lập lúc", s.made_at),
    ]


GROUP_HEADER = ("Thôn, tổ dân phố", "Người tham gia", "Đồng ý", "Không đồng ý", "Góp ý")
ARTICLE_HEADER = ("Điều", "Tiêu đề", "Chương", "Nội dung", "Đồng ý", "Không đồng ý", "Góp ý")
COMMENT_HEADER = ("Số", "Phiên bản", "Điều", "Thôn, tổ dân phố", "Thời gian", "Nội dung góp ý",
                  "Trả lời", "Thời gian trả lời", "Mã phản ánh")


def _comment_cells(c: CommentRow) -> tuple[object, ...]:
    return (c.id, c.version, c.target, c.group, c.at, c.text, c.answer, c.answered_at,
            c.item_code)


def write_xlsx(s: Summary, path: Path) -> None:
    """Sheets: Tổng hợp (totals, window, per group), Theo điều (per article: text and counts
    in total and per group), Góp ý (every comment with its answer)."""
    book = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet = book.create_sheet("Tổng hợp")
    book.remove(book.worksheets[0])
    sheet.append(["Tổng hợp ý kiến góp ý dự thảo"])
    sheet["A1"].font = Font(bold=True, size=14)
    for key, value in overview_rows(s):
        sheet.append([key, value])
    sheet.append([])
    sheet.append(["Theo thôn, tổ dân phố"])
    sheet.cell(sheet.max_row, 1).font = bold
    sheet.append(list(GROUP_HEADER))
    for group in s.groups:
        counts = s.group_totals(group)
        sheet.append([group, s.by_group_participants.get(group, 0), counts.agree,
                      counts.disagree, counts.comments])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 60

    articles = book.create_sheet("Theo điều")
    header = list(ARTICLE_HEADER)
    for group in s.groups:
        header += [f"{group}: đồng ý", f"{group}: không đồng ý", f"{group}: góp ý"]
    articles.append(header)
    for a in s.articles:
        cells: list[object] = [a.number, a.title, a.chapter, a.body, a.total.agree,
                               a.total.disagree, a.total.comments]
        for group in s.groups:
            counts = a.by_group.get(group, Counts())
            cells += [counts.agree, counts.disagree, counts.comments]
        articles.append(cells)
    for cell in articles[1]:
        cell.font = bold
    articles.column_dimensions["B"].width = 30
    articles.column_dimensions["D"].width = 80
    for (cell,) in articles.iter_rows(min_row=2, min_col=4, max_col=4):
        cell.alignment = wrap

    comments = book.create_sheet("Góp ý")
    comments.append(list(COMMENT_HEADER))
    for c in s.all_comments:
        comments.append(list(_comment_cells(c)))
    for cell in comments[1]:
        cell.font = bold
    for column, width in (("F", 60), ("G", 60), ("D", 26)):
        comments.column_dimensions[column].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


def _md_table(header: tuple[str, ...] | list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return lines


def _md_comments(rows: list[CommentRow]) -> list[str]:
    lines = []
    for c in rows:
        lines.append(f"- **Số {c.id}** ({c.group}, {c.at}): {c.text}")
        if c.answer:
            lines.append(f"  - Trả lời ({c.answered_at}): {c.answer}")
        if c.item_code:
            lines.append(f"  - Đã chuyển thành phản ánh {c.item_code}")
    return lines


def render_markdown(s: Summary) -> str:
    lines = [f"# Tổng hợp ý kiến góp ý: {s.draft.title}", ""]
    lines += [f"- **{key}:** {value}" for key, value in overview_rows(s)]
    lines += ["", "## Theo thôn, tổ dân phố", ""]
    lines += _md_table(GROUP_HEADER, [
        [g, s.by_group_participants.get(g, 0), *_triple(s.group_totals(g))] for g in s.groups])
    chapter = ""
    for a in s.articles:
        if a.chapter and a.chapter != chapter:
            chapter = a.chapter
            lines += ["", f"## {chapter}"]
        lines += ["", f"### Điều {a.number}. {a.title}".rstrip(". "), ""]
        lines += [f"> {line}" if line else ">" for line in a.body.splitlines()]
        lines += ["", *_md_table(("Thôn, tổ dân phố", "Đồng ý", "Không đồng ý", "Góp ý"), [
            [g, *_triple(a.by_group[g])] for g in s.groups if g in a.by_group
        ] + [["Cộng", *_triple(a.total)]])]
        if a.comments:
            lines += ["", "Góp ý:", *_md_comments(a.comments)]
    if s.general:
        lines += ["", "## Góp ý chung cho dự thảo", "", *_md_comments(s.general)]
    if s.earlier:
        lines += ["", "## Góp ý trên các phiên bản trước", ""]
        for c in s.earlier:
            lines += [f"- {c.target}, phiên bản {c.version}:"]
            lines += ["  " + line for line in _md_comments([c])]
    return "\n".join(lines) + "\n"


def _triple(counts: Counts) -> list[object]:
    return [counts.agree, counts.disagree, counts.comments]


def write_summary(s: Summary, path: Path) -> None:
    if path.suffix.lower() == ".xlsx":
        write_xlsx(s, path)
    elif path.suffix.lower() == ".md":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_markdown(s), encoding="utf-8")
    else:
        raise ValueError(f"unsupported summary format {path.suffix!r} (use .xlsx or .md)")
