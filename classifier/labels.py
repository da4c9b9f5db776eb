"""Label sets of the classifier (field, kind) and their validation."""

from __future__ import annotations

from typing import Final

FIELDS: Final[tuple[str, ...]] = (
    "dat_dai",
    "giai_phong_mat_bang",
    "an_sinh_xa_hoi",
    "moi_truong",
    "xay_dung_trat_tu_do_thi",
    "giao_thong_ha_tang",
    "an_ninh_trat_tu",
    "thu_tuc_hanh_chinh",
    "huong_uoc_quy_uoc",
    "khac",
)

KINDS: Final[tuple[str, ...]] = (
    "phan_anh",
    "kien_nghi",
    "khieu_nai",
    "to_cao",
    "gop_y",
)


def is_valid_field(value: object) -> bool:
    return isinstance(value, str) and value in FIELDS


def is_valid_kind(value: object) -> bool:
    return isinstance(value, str) and value in KINDS
