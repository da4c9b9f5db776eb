"""Which unit gets a new item.

Order of the rules:
1. A denunciation (tố cáo) always goes to the profile's denunciations unit, never to the
   unit of its field: that unit may be the one denounced, and the accuser's identity is
   protected (Luật Tố cáo 2018, Điều 9.1.b, 47).
2. A complaint (khiếu nại) goes to the complaints unit.
3. A classification below the confidence threshold goes to the triage desk (staff decide).
4. Otherwise the profile's field -> unit table decides.

Pure: the profile is an input, nothing is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from handlers.rules.states import ItemKind, ItemStatus

if TYPE_CHECKING:
    from handlers.profiles import Profile


class FeedbackField(StrEnum):
    """The field (lĩnh vực) of an item; see shared/domain/fields.md."""

    DAT_DAI = "dat_dai"
    GIAI_PHONG_MAT_BANG = "giai_phong_mat_bang"
    AN_SINH_XA_HOI = "an_sinh_xa_hoi"
    MOI_TRUONG = "moi_truong"
    XAY_DUNG_TRAT_TU_DO_THI = "xay_dung_trat_tu_do_thi"
    GIAO_THONG_HA_TANG = "giao_thong_ha_tang"
    AN_NINH_TRAT_TU = "an_ninh_trat_tu"
    THU_TUC_HANH_CHINH = "thu_tuc_hanh_chinh"
    HUONG_UOC_QUY_UOC = "huong_uoc_quy_uoc"
    KHAC = "khac"


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """Where an item goes and why (``reason`` is Vietnamese, shown to staff)."""

    unit_code: str
    status: ItemStatus
    reason: str


def route(
    field: str,
    kind: str | None,
    confidence: float,
    threshold: float,
    profile: Profile,
) -> RoutingDecision:
    """Pick the unit for an item of ``field`` / ``kind`` classified with ``confidence``.

    ``kind`` may be ``None`` when it is not known yet. Raises ``ValueError`` for an unknown
    field or kind, or a confidence / threshold outside [0, 1].
    """
    field_code = FeedbackField(field)
    item_kind = None if kind is None else ItemKind(kind)
    for name, value in (("confidence", confidence), ("threshold", threshold)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be within [0, 1], got {value}")

    if item_kind is ItemKind.TO_CAO:
        return RoutingDecision(
            profile.denunciations_unit,
            ItemStatus.ROUTED,
            "Tố cáo: chuyển đơn vị giải quyết tố cáo, không chuyển theo lĩnh vực "
            "(đơn vị theo lĩnh vực có thể là đối tượng bị tố cáo).",
        )
    if item_kind is ItemKind.KHIEU_NAI:
        return RoutingDecision(
            profile.complaints_unit,
            ItemStatus.ROUTED,
            "Khiếu nại: chuyển đơn vị giải quyết khiếu nại.",
        )
    if confidence < threshold:
        return RoutingDecision(
            profile.triage_unit,
            ItemStatus.TRIAGE,
            f"Độ tin cậy phân loại {confidence:.2f} thấp hơn ngưỡng {threshold:.2f}: "
            "chờ cán bộ phân loại.",
        )
    return RoutingDecision(
        profile.routing[field_code],
        ItemStatus.ROUTED,
        f"Chuyển theo lĩnh vực «{field_code.value}».",
    )
