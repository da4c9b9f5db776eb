"""Reading drafts into chapters and articles, and refusing malformed ones clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.drafts.parse import DraftFormatError, parse_draft

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "quy-uoc-to-dan-pho-dong-thanh.md"

PLAIN = """HƯƠNG ƯỚC THÔN AN PHÚ
(Dự thảo)

Chương I
QUY ĐỊNH CHUNG

Điều 1. Mục đích
Hương ước này nhằm phát huy quyền làm chủ của nhân dân.

Điều 2: Phạm vi
Áp dụng với mọi hộ gia đình trong thôn.
a) Người thường trú;
b) Người tạm trú.

CHƯƠNG II. NẾP SỐNG
Điều 3. Việc cưới
Tổ chức tiết kiệm,
vui tươi, lành mạnh.

Điều 4.
Không đốt pháo nổ.
"""


def test_demo_quy_uoc_has_25_articles_in_4_chapters() -> None:
    draft = parse_draft(DEMO.read_text(encoding="utf-8"))
    assert len(draft.articles) == 25
    assert [a.number for a in draft.articles] == list(range(1, 26))
    assert draft.chapters == (
        "Chương I. NHỮNG QUY ĐỊNH CHUNG",
        "Chương II. NHỮNG QUY ĐỊNH CỤ THỂ",
        "Chương III. KHEN THƯỞNG VÀ XỬ LÝ VI PHẠM",
        "Chương IV. TỔ CHỨC THỰC HIỆN",
    )
    eleventh = draft.articles[10]
    assert eleventh.title == "Việc tang"
    assert eleventh.chapter == "Chương II. NHỮNG QUY ĐỊNH CỤ THỂ"
    # Numbered items stay on their own lines; soft wraps inside an item are joined.
    assert eleventh.body.splitlines()[1].startswith("2. Thời gian quàn người chết tại nhà không "
                                                    "quá 48 giờ, trừ trường hợp")
    assert draft.articles[-1].chapter == "Chương IV. TỔ CHỨC THỰC HIỆN"
    assert draft.preamble.startswith("QUY ƯỚC TỔ DÂN PHỐ ĐÔNG THÀNH")
    assert "**" not in draft.preamble and "#" not in draft.preamble


def test_plain_text_with_colon_uppercase_chapter_and_untitled_article() -> None:
    draft = parse_draft(PLAIN)
    assert [(a.number, a.title, a.chapter) for a in draft.articles] == [
        (1, "Mục đích", "Chương I. QUY ĐỊNH CHUNG"),
        (2, "Phạm vi", "Chương I. QUY ĐỊNH CHUNG"),
        (3, "Việc cưới", "CHƯƠNG II. NẾP SỐNG"),
        (4, "", "CHƯƠNG II. NẾP SỐNG"),
    ]
    assert draft.articles[1].body == (
        "Áp dụng với mọi hộ gia đình trong thôn.\na) Người thường trú;\nb) Người tạm trú.")
    assert draft.articles[2].body == "Tổ chức tiết kiệm, vui tươi, lành mạnh."
    assert draft.articles[3].body == "Không đốt pháo nổ."
    assert draft.preamble == "HƯƠNG ƯỚC THÔN AN PHÚ (Dự thảo)"


def test_articles_without_chapters() -> None:
    draft = parse_draft("**Điều 1.** Một\nNội dung một.\n\n**Điều 2.** Hai\nNội dung hai.\n")
    assert [(a.number, a.title, a.chapter) for a in draft.articles] == [
        (1, "Một", None), (2, "Hai", None)]
    assert draft.chapters == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tệp dự thảo trống."),
        ("Quy ước thôn\nMọi người giữ vệ sinh chung.\n", "Không tìm thấy điều nào"),
        ("Điều 1. A\nx\nĐiều 3. C\ny\n", "Dòng 3: gặp Điều 3 nhưng cần Điều 2"),
        ("Điều 1. A\nx\nĐiều 1. B\ny\n", "Dòng 3: gặp Điều 1 nhưng cần Điều 2"),
        ("Điều 2. A\nx\n", "Dòng 1: gặp Điều 2 nhưng cần Điều 1"),
        ("Điều 1. A\nx\nĐiều 2\nNội dung\n", "Dòng 3: «Điều 2» thiếu dấu chấm"),
        ("Điều 1. A\nx\nĐiều 2.\n\nĐiều 3. C\ny\n", "Dòng 3: Điều 2 không có nội dung."),
        ("Chương I. CHUNG\nĐoạn lạc chỗ\nĐiều 1. A\nx\n", "Dòng 2: có nội dung giữa tên chương"),
    ],
)
def test_malformed_drafts_are_refused_with_the_line(text: str, message: str) -> None:
    with pytest.raises(DraftFormatError) as caught:
        parse_draft(text)
    assert message in str(caught.value)
