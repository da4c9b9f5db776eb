"""Normalisation: accents, abbreviations, masking."""

from __future__ import annotations

import unicodedata

import pytest

from classifier import normalize as normalize_module
from classifier.normalize import has_diacritics, mask_entities, normalize, strip_accents


def test_strip_accents_removes_tones_marks_and_d_bar() -> None:
    assert strip_accents("Đường ĐẤT đai ở Hưng Yên") == "Duong DAT dai o Hung Yen"
    assert strip_accents("ỹ ự ằ ẩ ộ ớ") == "y u a a o o"


def test_strip_accents_handles_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Sổ đỏ")
    assert strip_accents(decomposed) == "So do"


def test_has_diacritics() -> None:
    assert has_diacritics("đất")
    assert has_diacritics("đ")
    assert not has_diacritics("nha toi o thon 4")


def test_normalize_casefolds_and_keeps_both_forms() -> None:
    result = normalize("ĐƯỜNG   Ngập, NƯỚC!!")
    assert result.accented == "đường ngập nước"
    assert result.stripped == "duong ngap nuoc"


def test_nfc_input_equals_nfd_input() -> None:
    text = "Giải phóng mặt bằng"
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ko", "không"),
        ("k", "không"),
        ("hok", "không"),
        ("khong", "không"),
        ("dc", "được"),
        ("đc", "được"),
        ("ntn", "như thế nào"),
        ("j", "gì"),
        ("vs", "với"),
        ("UBND", "ủy ban nhân dân"),
        ("gpmb", "giải phóng mặt bằng"),
        ("tdc", "tái định cư"),
        ("sđ", "sổ đỏ"),
        ("so do", "sổ đỏ"),
        ("bhyt", "bảo hiểm y tế"),
        ("cccd", "căn cước công dân"),
        ("mk", "mình"),
        ("khum", "không"),
        ("cty", "công ty"),
        ("tthc", "thủ tục hành chính"),
        ("QĐ", "quyết định"),
        ("bqlda", "ban quản lý dự án"),
    ],
)
def test_abbreviations(raw: str, expected: str) -> None:
    assert normalize(raw).accented == expected


def test_abbreviation_only_on_whole_tokens() -> None:
    assert normalize("kon tum").accented == "kon tum"
    assert normalize("số đo").accented == "số đo"


def test_old_tone_placement_is_rewritten() -> None:
    assert normalize("Hoà Bình, uỷ ban, khoẻ").accented == "hòa bình ủy ban khỏe"
    assert normalize("hoàn thành").accented == "hoàn thành"
    assert normalize("quà, thuỷ lợi, QUỲ").accented == "quà thủy lợi quỳ"


def test_styled_and_full_width_letters_read_as_plain_letters() -> None:
    styled = normalize("𝐓𝐡𝐨̂𝐧𝐠 𝐛𝐚́𝐨 ＵＢＮＤ xã")
    assert styled.accented == "thông báo ủy ban nhân dân xã"
    assert styled.stripped == "thong bao uy ban nhan dan xa"


def test_chunk_forms_survive_the_cache_being_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    first = normalize("Hoà Bình, ko có đc sổ đỏ !!")
    assert first.accented == "hòa bình không có được sổ đỏ"
    assert first.stripped == "hoa binh khong co duoc so do"
    monkeypatch.setattr(normalize_module, "_CHUNK_FORMS_LIMIT", 1)
    normalize_module._CHUNK_FORMS.clear()
    assert normalize("Hoà Bình, ko có đc sổ đỏ !!") == first
    assert len(normalize_module._CHUNK_FORMS) == 1


@pytest.mark.parametrize(
    ("raw", "token"),
    [
        ("gọi 0912345678 nhé", "_phone_"),
        ("gọi 0912 345 678 nhé", "_phone_"),
        ("gọi 0912.345.678 nhé", "_phone_"),
        ("gọi +84912345678 nhé", "_phone_"),
        ("số máy bàn 024 3825 1234", "_phone_"),
        ("cccd 001090012345 của tôi", "_idnum_"),
        ("cmnd 123456789 của tôi", "_idnum_"),
        ("xem https://dichvucong.gov.vn/p/home nhé", "_url_"),
        ("xem www.example.com nhé", "_url_"),
        ("xem facebook.com/ubnd.xa nhé", "_url_"),
        ("mail a.b@gmail.com nhé", "_email_"),
        ("mất 300.000đ", "_money_"),
        ("mất 5 triệu đồng", "_money_"),
        ("mất 2,5 tỷ", "_money_"),
        ("thu 500k mỗi hộ", "_money_"),
        ("thu 1tr5 mỗi hộ", "_money_"),
        ("dat 200m2 o thon", "_area_"),
        ("3 sào ruộng", "_area_"),
        ("0,5 ha đất", "_area_"),
        ("50 mét vuông", "_area_"),
    ],
)
def test_masking(raw: str, token: str) -> None:
    normalized = normalize(raw).accented
    assert token in normalized.split()
    assert not any(ch.isdigit() for ch in normalized)


def test_masked_entities_leave_no_digits_and_keep_words() -> None:
    text = mask_entities("nhà số 47 ngõ 12, gọi 0987654321 lúc 22h ngày 12/5/2024")
    assert not any(ch.isdigit() for ch in text)
    assert normalize("nhà số 47 ngõ 12").accented == "nhà số _num_ ngõ _num_"


def test_phone_and_id_are_told_apart() -> None:
    assert normalize("0912345678").accented == "_phone_"
    assert normalize("001090012345").accented == "_idnum_"
    assert normalize("123456789").accented == "_idnum_"
