"""Text normalisation for Vietnamese residents' feedback.

Steps, in order:

1. Unicode NFKC (NFC plus compatibility folding, so that the "bold" or full-width
   letters some phones and social apps produce read as plain letters) and case folding.
2. Masking of URLs, e-mail addresses, amounts of money, areas, lengths, times,
   dates, ID numbers (CCCD 12 digits / CMND 9 digits), phone numbers and any
   remaining number into placeholder tokens (``_url_``, ``_money_``, ...).
3. Tokenisation on word characters (punctuation is dropped).
4. Old-style tone placement (``hoà``, ``uỷ``) rewritten to the new style
   (``hòa``, ``ủy``) so that both spellings share features.
5. Expansion of a small map of chat abbreviations (``ko`` -> ``không``,
   ``ubnd`` -> ``ủy ban nhân dân``, ...).

The result keeps two forms: the accented one and the accent-stripped one
(all diacritics removed, ``đ`` -> ``d``).  Features are built on both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Placeholder tokens that replace masked entities.
URL: Final = "_url_"
EMAIL: Final = "_email_"
MONEY: Final = "_money_"
AREA: Final = "_area_"
LENGTH: Final = "_length_"
TIME: Final = "_time_"
DATE: Final = "_date_"
ID_NUMBER: Final = "_idnum_"
PHONE: Final = "_phone_"
NUMBER: Final = "_num_"

PLACEHOLDERS: Final[frozenset[str]] = frozenset(
    {URL, EMAIL, MONEY, AREA, LENGTH, TIME, DATE, ID_NUMBER, PHONE, NUMBER}
)


def _build_strip_table() -> dict[int, str | None]:
    """Translation table that removes diacritics from every Latin letter."""
    table: dict[int, str | None] = {}
    for code in range(0x00C0, 0x1F00):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)
        if len(base) > 1 and base[0].isascii() and base[0].isalpha():
            table[code] = base[0]
    # Combining marks left over when NFC could not compose a character.
    for code in range(0x0300, 0x0370):
        table[code] = None
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    return table


_STRIP_TABLE: Final = _build_strip_table()


def strip_accents(text: str) -> str:
    """Remove Vietnamese diacritics (tones and vowel marks); ``đ`` becomes ``d``."""
    return unicodedata.normalize("NFC", text).translate(_STRIP_TABLE)


def has_diacritics(text: str) -> bool:
    """True when the text holds at least one letter with a diacritic (or ``đ``)."""
    return strip_accents(text) != unicodedata.normalize("NFC", text)


# --- masking -----------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)*"
_B = r"(?!\w)"  # right word boundary that also works after non-word units

_URL_RE: Final = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|vn|net|org|gov|edu|info)(?:\.vn)?(?:/\S*)?" + _B
)

# Everything that starts with a digit, in order of priority at one position.
_NUMBER_RE: Final = re.compile(
    r"(?=[\d+])(?:"
    # Money: "300.000đ", "5 triệu", "2,5 tỷ", "500k", "1tr5", "100 usd".
    r"(?P<money>(?<![\w.,])(?:\d+tr\d+|" + _NUM + r"\s?(?:vnđ|vnd|đồng|dong|đ|d|k|nghìn|ngàn"
    r"|nghin|ngan|triệu|trieu|tr|tỷ|tỉ|ty|ti|usd|\$))"
    + _B
    + r"(?:\s?(?:đồng|dong|vnđ|vnd)"
    + _B
    + r")?)"
    # Areas: "200m2", "1.000 m²", "3 sào", "0,5 ha", "50 mét vuông".
    r"|(?P<area>(?<![\w.,])" + _NUM + r"\s?(?:m2|m²|km2|mét vuông|met vuong|ha|hecta|héc ta"
    r"|hec ta|sào|sao|mẫu|mau|thước|thuoc)" + _B + ")"
    # Lengths: "20m", "1,5 km", "30 mét", "10cm".
    r"|(?P<length>(?<![\w.,])" + _NUM + r"\s?(?:km|m|mét|met|cm|mm)" + _B + ")"
    # Times: "22h", "8h30", "21:30".
    r"|(?P<time>(?<![\w.,])\d{1,2}(?:h\d{0,2}|:\d{2})" + _B + ")"
    # Dates: "12/5", "3/2023", "12/05/2024", "12-05-2024".
    r"|(?P<date>(?<![\w.,/])\d{1,4}[/-]\d{1,2}(?:[/-]\d{2,4})?(?![\w/]))"
    # ID numbers: CCCD (12 digits) and CMND (9 digits), written without separators.
    r"|(?P<idnum>(?<![\d.,])(?:\d{12}|\d{9})(?!\d|[.,]\d))"
    # Phone numbers: 0xxx xxx xxx, +84 xxx xxx xxx, landlines 02x xxxx xxxx.
    r"|(?P<phone>(?<![\w+])(?:\+84|84|0)(?:[ .-]?\d){8,10}(?!\d))"
    r"|(?P<num>" + _NUM + "))"
)
_NUMBER_TOKENS: Final = {
    "money": MONEY,
    "area": AREA,
    "length": LENGTH,
    "time": TIME,
    "date": DATE,
    "idnum": ID_NUMBER,
    "phone": PHONE,
    "num": NUMBER,
}
_DIGIT_RE: Final = re.compile(r"\d")
_URL_HINT_RE: Final = re.compile(r"https?:|www\.|@|\.(?:com|vn|net|org|gov|edu|info)(?!\w)")


def _number_token(match: re.Match[str]) -> str:
    return f" {_NUMBER_TOKENS[match.lastgroup or 'num']} "


def _url_token(match: re.Match[str]) -> str:
    return f" {EMAIL} " if match.group("email") else f" {URL} "


def mask_entities(text: str) -> str:
    """Replace URLs, contacts, amounts and numbers by placeholder tokens.

    Expects NFC, case-folded text (see :func:`normalize`).
    """
    if _URL_HINT_RE.search(text):
        text = _URL_RE.sub(_url_token, text)
    if _DIGIT_RE.search(text):
        text = _NUMBER_RE.sub(_number_token, text)
    return text


# --- tone placement and abbreviations ----------------------------------------

_OLD_TONE: Final[dict[str, str]] = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip

ABBREVIATIONS: Final[dict[str, str]] = {
    # negation and common chat words
    "ko": "không", "k": "không", "hok": "không", "khong": "không", "khg": "không",
    "hk": "không", "kh": "không",
    "dc": "được", "đc": "được",
    "ntn": "như thế nào", "j": "gì", "vs": "với", "mn": "mọi người",
    "ng": "người", "trc": "trước", "cx": "cũng", "ms": "mới", "lm": "làm",
    "bn": "bao nhiêu", "r": "rồi", "wa": "quá", "bik": "biết", "bít": "biết",
    "nhg": "nhưng", "cj": "chị", "mk": "mình", "mik": "mình", "khum": "không",
    "thui": "thôi", "lun": "luôn", "nhìu": "nhiều", "nx": "nữa", "tks": "cảm ơn",
    "cty": "công ty", "bv": "bệnh viện", "gv": "giáo viên",
    # administration
    "ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "hdnd": "hội đồng nhân dân",
    "mttq": "mặt trận tổ quốc", "tdp": "tổ dân phố", "kp": "khu phố", "cb": "cán bộ",
    "tp": "thành phố", "tphcm": "thành phố hồ chí minh", "hcm": "hồ chí minh",
    "cccd": "căn cước công dân", "cmnd": "chứng minh nhân dân", "cmt": "chứng minh thư",
    "sdt": "số điện thoại", "sđt": "số điện thoại",
    "bhyt": "bảo hiểm y tế", "bhxh": "bảo hiểm xã hội", "bhtn": "bảo hiểm thất nghiệp",
    "tthc": "thủ tục hành chính", "dvc": "dịch vụ công", "qđ": "quyết định",
    "nđ": "nghị định", "đkkd": "đăng ký kinh doanh", "dkkd": "đăng ký kinh doanh",
    "tnmt": "tài nguyên môi trường", "gtvt": "giao thông vận tải",
    "bqlda": "ban quản lý dự án",
    # land and construction
    "gpmb": "giải phóng mặt bằng", "tdc": "tái định cư", "sđ": "sổ đỏ",
    "qsdđ": "quyền sử dụng đất", "qsdd": "quyền sử dụng đất", "gcn": "giấy chứng nhận",
    "gcnqsdđ": "giấy chứng nhận quyền sử dụng đất",
    "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "gpxd": "giấy phép xây dựng", "xd": "xây dựng",
    # traffic and security
    "csgt": "cảnh sát giao thông", "atgt": "an toàn giao thông",
    "pccc": "phòng cháy chữa cháy", "attp": "an toàn thực phẩm",
}  # fmt: skip

# Multi-token abbreviations, matched on the token sequence.
_PHRASES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"(?<!\S)so do(?!\S)"), "sổ đỏ"),
    (re.compile(r"(?<!\S)s đ(?!\S)"), "sổ đỏ"),
)

_TOKEN_RE: Final = re.compile(r"\w+")
# Stray combining marks that NFC could not compose are dropped, so that the
# accented and stripped forms always have the same length.
_COMBINING_RE: Final = re.compile("[\u0300-\u036f]")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Both forms of one normalised text (tokens joined by single spaces)."""

    accented: str
    stripped: str


def _stripped_form(accented: str) -> str:
    """The accent-stripped form of normalised text, one character for one."""
    if accented.isascii():
        return accented
    stripped = _COMBINING_RE.sub("", unicodedata.normalize("NFD", accented)).replace("đ", "d")
    if len(stripped) != len(accented):  # a letter outside Vietnamese/Latin decomposed
        stripped = accented.translate(_STRIP_TABLE)
    return stripped


def _new_tone_token(token: str) -> str:
    """``hoà`` -> ``hòa``, ``thuỷ`` -> ``thủy`` (old tone placement on a final o/u cluster)."""
    new = _OLD_TONE.get(token[-2:])
    if new is None or token[-3:-2] == "q":
        return token
    return token[:-2] + new


# Residents' messages reuse a few thousand distinct words, so the two forms of each
# whitespace-separated chunk of text ("nhà,", "ubnd", "hoà") are worked out once and kept;
# the cache is emptied when it grows past the limit.
_CHUNK_FORMS: Final[dict[str, tuple[str, str]]] = {}
_CHUNK_FORMS_LIMIT: Final = 50_000  # some 12 MB when full
_NO_TOKENS: Final = ("", "")


def _chunk_forms(chunk: str) -> tuple[str, str]:
    """(accented, stripped) forms of the tokens of one chunk: new tone placement and
    abbreviations; ``("", "")`` when it holds no word character."""
    tokens = [_new_tone_token(token) for token in _TOKEN_RE.findall(chunk)]
    accented = " ".join([ABBREVIATIONS.get(token, token) for token in tokens])
    forms = (accented, _stripped_form(accented))
    if len(_CHUNK_FORMS) >= _CHUNK_FORMS_LIMIT:
        _CHUNK_FORMS.clear()
    _CHUNK_FORMS[chunk] = forms
    return forms


_CACHED_FORMS: Final = _CHUNK_FORMS.get


def _clean(text: str) -> str:
    """NFKC, case folding, no stray combining marks, entities masked."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _COMBINING_RE.search(text):
        text = _COMBINING_RE.sub("", text)
    return mask_entities(text)


def normalize(text: str) -> NormalizedText:
    """Return the accented and accent-stripped normalised forms of ``text``."""
    # Tokens never span whitespace, so tokenising chunk by chunk gives the same tokens.
    pairs = [_CACHED_FORMS(chunk) or _chunk_forms(chunk) for chunk in _clean(text).split()]
    if _NO_TOKENS in pairs:
        pairs = [pair for pair in pairs if pair[0]]
    if not pairs:
        return NormalizedText(accented="", stripped="")
    accented_tokens, stripped_tokens = zip(*pairs, strict=True)
    accented = " ".join(accented_tokens)
    if "so do" in accented or "s đ" in accented:
        for pattern, repl in _PHRASES:
            accented = pattern.sub(repl, accented)
        return NormalizedText(accented=accented, stripped=_stripped_form(accented))
    stripped = accented if accented.isascii() else " ".join(stripped_tokens)
    return NormalizedText(accented=accented, stripped=stripped)
