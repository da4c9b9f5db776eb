"""Greetings, thanks and bare announcements are told apart from feedback."""

from __future__ import annotations

import pytest

from handlers.rules.small_talk import bare, fold, small_talk


def test_fold_drops_case_and_accents() -> None:
    assert fold("  Bỏ QUA ") == "bo qua"
    assert fold("Đường") == "duong"


def test_bare_drops_punctuation_and_trailing_particles() -> None:
    assert bare("Đồng ý ạ!") == bare("Đồng ý") == "dong y"
    assert bare("bỏ qua nhé") == "bo qua"
    assert bare("Gửi đi") == "gui"
    assert bare("1.") == "1"
    assert bare("Xong, tiếp tục") == "xong tiep tuc"
    assert bare("ạ") == "a"  # a particle alone is what was typed
    assert bare("Chưa hài lòng") == "chua hai long"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xin chào", "greeting"),
        ("Chào ad ạ!!", "greeting"),
        ("alo alo, có ai không", "greeting"),
        ("chao buoi sang moi nguoi", "greeting"),
        ("Cảm ơn anh chị nhiều ạ", "thanks"),
        ("ok", "thanks"),
        ("dạ vâng", "thanks"),
        ("em muốn phản ánh ạ", "intent"),
        ("cho toi hoi chut", "intent"),
        ("Tôi cần gửi đơn khiếu nại", "intent"),
        ("xin chào, mình muốn góp ý", "intent"),
        ("Dong y a", "thanks"),
        ("Đồng ý!", "thanks"),
        ("được rồi ạ", "thanks"),
        ("👍", "thanks"),
        ("🙏🙏", "thanks"),
        ("?", "greeting"),
        ("...", "greeting"),
    ],
)
def test_small_talk_is_recognised(text: str, expected: str) -> None:
    assert small_talk(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "chào ad, đường thôn 3 ngập nước không đi được",
        "em muốn phản ánh việc hàng xóm đổ rác ra mương",
        "mất điện",
        "hôi quá",
        "cảm ơn, nhưng cống vẫn chưa ai thông",
        "tố cáo cán bộ địa chính xã thu tiền sai",
        "đồng ý với dự thảo quy ước nhưng nên bỏ điều 5",
        "đóng cống",
        "chao " * 11,
    ],
)
def test_messages_with_content_are_not_small_talk(text: str) -> None:
    assert small_talk(text) is None
