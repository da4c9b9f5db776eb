"""Routing an item to a unit of the demo profiles."""

from __future__ import annotations

import pytest

from handlers.profiles import Profile
from handlers.rules.routing import FeedbackField, route
from handlers.rules.states import ItemStatus


def test_denunciation_goes_to_the_denunciations_unit_whatever_the_field(
    ward: Profile, province: Profile
) -> None:
    for field in FeedbackField:
        decision = route(field, "to_cao", 0.99, 0.6, ward)
        assert (decision.unit_code, decision.status) == ("van_phong", ItemStatus.ROUTED)
    # Even a low-confidence field does not send a denunciation to triage or to a field unit.
    decision = route("dat_dai", "to_cao", 0.1, 0.6, province)
    assert (decision.unit_code, decision.status) == ("thanh_tra", ItemStatus.ROUTED)
    assert "Tố cáo" in decision.reason


def test_complaint_goes_to_the_complaints_unit(ward: Profile, province: Profile) -> None:
    assert route("xay_dung_trat_tu_do_thi", "khieu_nai", 0.9, 0.6, ward).unit_code == "van_phong"
    assert route("xay_dung_trat_tu_do_thi", "khieu_nai", 0.9, 0.6, province).unit_code == (
        "thanh_tra"
    )


def test_below_threshold_goes_to_triage(ward: Profile) -> None:
    decision = route("moi_truong", "phan_anh", 0.59, 0.6, ward)
    assert (decision.unit_code, decision.status) == ("van_phong", ItemStatus.TRIAGE)
    decision = route("moi_truong", None, 0.2, 0.6, ward)
    assert decision.status is ItemStatus.TRIAGE


@pytest.mark.parametrize(
    ("field", "unit"),
    [
        ("dat_dai", "kinh_te"),
        ("giai_phong_mat_bang", "kinh_te"),
        ("an_sinh_xa_hoi", "van_hoa_xa_hoi"),
        ("moi_truong", "kinh_te"),
        ("an_ninh_trat_tu", "cong_an"),
        ("thu_tuc_hanh_chinh", "phuc_vu_hcc"),
        ("huong_uoc_quy_uoc", "van_hoa_xa_hoi"),
        ("khac", "van_phong"),
    ],
)
def test_field_routing_at_or_above_threshold(ward: Profile, field: str, unit: str) -> None:
    decision = route(field, "phan_anh", 0.6, 0.6, ward)
    assert (decision.unit_code, decision.status) == (unit, ItemStatus.ROUTED)


def test_bad_inputs_are_refused(ward: Profile) -> None:
    with pytest.raises(ValueError, match="dat_daii"):
        route("dat_daii", None, 0.9, 0.6, ward)
    with pytest.raises(ValueError, match="confidence"):
        route("dat_dai", None, 1.5, 0.6, ward)
    with pytest.raises(ValueError, match="to_cao_x"):
        route("dat_dai", "to_cao_x", 0.9, 0.6, ward)
