"""Read a draft hương ước / quy ước written as plain text or Markdown.

An article starts on a line beginning with "Điều N." (or "Điều N:"); the rest of that line is
its title and the following lines its body. A line beginning with "Chương" is a chapter
heading; when the chapter's name stands on the next line ("Chương I" / "NHỮNG QUY ĐỊNH
CHUNG"), the two are joined. Text before the first chapter or article is the preamble.
Markdown decoration (``#`` headings, ``**bold**``) around these markers is ignored.

Articles must be numbered 1, 2, 3... without gaps or repeats, and each must say something:
a draft that breaks this is refused with the line number, because residents would otherwise
comment on a text that is not the one the drafting group meant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DECORATION = r"(?:#{1,6}\s*)?(?:[*_]{1,2})?"
_ARTICLE = re.compile(
    rf"^\s*{_DECORATION}Điều\s+(\d+)\s*[.:]\s*(?:[*_]{{1,2}})?\s*(.*?)\s*(?:[*_]{{1,2}})?\s*$",
    re.IGNORECASE,
)
_CHAPTER = re.compile(
    rf"^\s*{_DECORATION}(Chương\s+(?-i:[IVXLCDM]+|\d+)\b.*?)\s*(?:[*_]{{1,2}})?\s*$",
    re.IGNORECASE,
)
_CHAPTER_NUMBER_ONLY = re.compile(r"Chương\s+(?:[IVXLCDM]+|\d+)\s*[.:]?", re.IGNORECASE)
# "Điều 5 Phạm vi" (no full stop) is most likely a heading typed wrongly.
_ARTICLE_NO_STOP = re.compile(rf"^\s*{_DECORATION}Điều\s+\d+\s*$|^\s*#{{1,6}}\s*Điều\s+\d+\b")
MAX_TITLE = 300


class DraftFormatError(ValueError):
    """The text is not a usable draft; the message (Vietnamese) names the line."""


@dataclass(frozen=True)
class ParsedArticle:
    number: int
    title: str
    body: str
    chapter: str | None
    line: int  # where it starts in the file, for messages

    @property
    def heading(self) -> str:
        return f"Điều {self.number}. {self.title}".rstrip(". ") if self.title else (
            f"Điều {self.number}")


@dataclass(frozen=True)
class ParsedDraft:
    preamble: str
    articles: tuple[ParsedArticle, ...]

    @property
    def chapters(self) -> tuple[str, ...]:
        seen: list[str] = []
        for article in self.articles:
            if article.chapter and article.chapter not in seen:
                seen.append(article.chapter)
        return tuple(seen)


def _clean(line: str) -> str:
    return unicodedata.normalize("NFC", line).rstrip()


_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[a-zđ][.)]|[-*+•])\s")


def _plain(line: str) -> str:
    """Markdown decoration dropped: heading marks and bold/italic markers."""
    return re.sub(r"\*\*|__", "", re.sub(r"^\s*#{1,6}\s+", "", line))


def _join(lines: list[str]) -> str:
    """Lines to paragraphs. As in Markdown, a single line break inside a paragraph is a soft
    wrap (joined with a space), except before a list item ("1.", "a)", "-"); blank lines
    separate paragraphs."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        line = _plain(line)
        block = paragraphs[-1]
        if block and not _LIST_ITEM.match(line):
            block[-1] = f"{block[-1]} {line.strip()}"
        else:
            block.append(line.strip())
    return "\n\n".join("\n".join(block) for block in paragraphs if block)


@dataclass
class _Open:
    """The article being read."""

    number: int
    title: str
    chapter: str | None
    line: int
    body: list[str]

    def close(self) -> ParsedArticle:
        text = _join(self.body)
        if not self.title and not text:
            raise DraftFormatError(f"Dòng {self.line}: Điều {self.number} không có nội dung.")
        return ParsedArticle(self.number, self.title[:MAX_TITLE], text, self.chapter, self.line)


def parse_draft(raw: str) -> ParsedDraft:
    """Chapters and articles of ``raw``; raises ``DraftFormatError`` with the line number."""
    if not raw.strip():
        raise DraftFormatError("Tệp dự thảo trống.")
    lines = [_clean(line) for line in raw.splitlines()]
    preamble: list[str] = []
    chapter: str | None = None
    chapter_open = False  # waiting for the chapter's name on the next line
    current: _Open | None = None
    found: list[ParsedArticle] = []

    for index, line in enumerate(lines, start=1):
        article = _ARTICLE.match(line)
        chapter_line = _CHAPTER.match(line) if article is None else None
        if article is not None:
            if current is not None:
                found.append(current.close())
            current = _Open(int(article.group(1)), article.group(2).strip(), chapter, index, [])
            chapter_open = False
        elif chapter_line is not None:
            if current is not None:
                found.append(current.close())
            current = None
            chapter = re.sub(r"\s+", " ", chapter_line.group(1).strip(" *_#"))
            # "Chương I" alone: its name follows on the next line.
            chapter_open = _CHAPTER_NUMBER_ONLY.fullmatch(chapter) is not None
            chapter = chapter.rstrip(".:")
        elif chapter_open and line.strip():
            chapter = f"{chapter}. {line.strip(' *_#')}"
            chapter_open = False
        elif _ARTICLE_NO_STOP.match(line):
            raise DraftFormatError(
                f"Dòng {index}: «{line.strip()}» thiếu dấu chấm; mỗi điều phải bắt đầu bằng "
                "«Điều N.» (ví dụ «Điều 5. Giữ gìn vệ sinh môi trường»)."
            )
        elif current is not None:
            current.body.append(line)
        elif chapter is None:
            preamble.append(line)
        elif line.strip():
            raise DraftFormatError(
                f"Dòng {index}: có nội dung giữa tên chương và điều đầu tiên của chương "
                f"(«{line.strip()[:60]}»); mỗi đoạn phải thuộc một điều."
            )
    if current is not None:
        found.append(current.close())
    if not found:
        raise DraftFormatError(
            "Không tìm thấy điều nào: mỗi điều phải bắt đầu ở đầu dòng bằng «Điều N.» "
            "(ví dụ «Điều 1. Phạm vi điều chỉnh»)."
        )
    expected = 1
    for parsed in found:
        if parsed.number != expected:
            raise DraftFormatError(
                f"Dòng {parsed.line}: gặp Điều {parsed.number} nhưng cần Điều {expected} "
                "(các điều phải đánh số liên tục từ 1, không lặp, không bỏ sót)."
            )
        expected += 1
    return ParsedDraft(_join(preamble), tuple(found))
