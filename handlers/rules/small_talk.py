"""What residents type besides feedback: choices, greetings, thanks, bare announcements.

A resident who types "xin chào" or "cảm ơn ạ" is not filing an item, and "em muốn phản ánh"
announces one without saying what happened. The dialogue answers these instead of turning
them into a draft that a clerk would have to send back.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

SmallTalk = Literal["greeting", "thanks", "intent"]
_WORD: Final = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case, accent-free form used to match typed words ("bo qua" == "Bỏ qua")."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# Polite particles residents add after a typed choice ("Đồng ý ạ", "bỏ qua nhé", "gửi đi").
_PARTICLES: Final = frozenset({"a", "ah", "nhe", "nha", "nhen", "ad", "oi", "ha", "di", "luon"})


def _without_particles(words: list[str]) -> str:
    end = len(words)
    while end > 1 and words[end - 1] in _PARTICLES:
        end -= 1
    return " ".join(words[:end])


def bare(text: str) -> str:
    """A typed reply without case, accents, punctuation or trailing polite particles, so
    that "Đồng ý ạ!" matches the button "Đồng ý" ("dong y")."""
    return _without_particles(_WORD.findall(fold(text)))


# Folded words. A message made only of these words says nothing about what happened.
_GREETING: Final = frozenset({
    "xin", "chao", "alo", "hello", "helo", "hi", "hey", "ad", "admin", "ban", "moi", "nguoi",
    "ca", "buoi", "sang", "trua", "chieu",
})
_THANKS: Final = frozenset({
    "cam", "on", "camon", "thank", "thanks", "tks", "ok", "oke", "okay", "vang", "da",
})
# Words that announce feedback ("phản ánh", "kiến nghị", "góp ý", "khiếu nại", "tố cáo",
# "gửi đơn", "hỏi", "muốn", "cần", "giúp").
_INTENT: Final = frozenset({
    "phan", "kien", "nghi", "gop", "khieu", "nai", "to", "cao", "don", "hoi", "muon", "can",
    "gui", "giup",
})
# Forms of address and glue that go with any of the above.
_GLUE: Final = frozenset({
    "toi", "minh", "em", "anh", "chi", "co", "chu", "bac", "ong", "ba", "a", "ah", "oi", "voi",
    "cho", "duoc", "dc", "khong", "ko", "k", "chut", "xiu", "ve", "viec", "mot", "la", "gi",
    "j", "the", "nao", "sao", "lam", "ho", "tro", "thu", "y", "nhe", "nha", "vay", "day", "ai",
    "nhieu",
})
_MAX_WORDS: Final = 10
# Whole replies that only agree or acknowledge ("Đồng ý ạ" sent when no choice is pending).
# Matched as the whole bare reply, because "đồng", "đông" and "đóng" are also content words.
_ACKNOWLEDGEMENTS: Final = frozenset(
    {"dong y", "nhat tri", "duoc", "duoc roi", "roi", "u", "uh", "um"}
)


def small_talk(text: str) -> SmallTalk | None:
    """What a short message without any content is, or None when it may be feedback."""
    words = _WORD.findall(fold(text))
    if not words:  # "👍" after an answer is thanks; "?" or "..." asks what this is
        if any(unicodedata.category(char) == "So" for char in text):
            return "thanks"
        return "greeting" if text.strip() else None
    if len(words) > _MAX_WORDS:
        return None
    if _without_particles(words) in _ACKNOWLEDGEMENTS:
        return "thanks"
    if not all(w in _GREETING or w in _THANKS or w in _INTENT or w in _GLUE for w in words):
        return None
    if any(w in _INTENT for w in words):
        return "intent"
    if any(w in _THANKS for w in words):
        return "thanks"
    return "greeting"
