"""Locality profiles: the shipped ones load; broken ones fail with one line naming the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from handlers.profiles import (
    PROFILES_DIR,
    Profile,
    ProfileError,
    list_profiles,
    load_profile,
    profile_from_mapping,
)
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.routing import FeedbackField
from handlers.rules.states import ItemKind

WARD_TEXT = (PROFILES_DIR / "demo_ward.yaml").read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str) -> str:
    """Write the demo ward with ``old`` replaced by ``new``; return the error message."""
    assert old in WARD_TEXT
    path = tmp_path / "demo_ward.yaml"
    path.write_text(WARD_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def test_shipped_profiles_are_listed() -> None:
    assert list_profiles() == ["demo_province", "demo_ward"]


@pytest.mark.parametrize("name", ["demo_ward", "demo_province"])
def test_shipped_profiles_load(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert set(profile.routing) == {f.value for f in FeedbackField}
    assert set(profile.deadlines) == {k.value for k in ItemKind}
    assert profile.timezone == "Asia/Ho_Chi_Minh"
    assert profile.due_soon_working_days == 2
    assert profile.digest_time == dt.time(7, 30)
    assert profile.min_comment_window_days == 30
    assert not profile.allow_shorter_comment_window
    assert profile.service_target.length == 10
    assert profile.service_target.unit == "working"
    WorkingCalendar.from_profile(profile)  # the calendar data is usable


def test_demo_ward_contents(ward: Profile) -> None:
    assert ward.display_name == "Phường Thành Nam (demo)"
    assert ward.level == "ward"
    assert set(ward.units) == {"van_phong", "kinh_te", "van_hoa_xa_hoi", "cong_an", "phuc_vu_hcc"}
    assert ward.triage_unit == ward.complaints_unit == ward.denunciations_unit == "van_phong"
    assert len(ward.residential_groups) == 8
    assert ward.deadlines["to_cao"].processing.basis.startswith("Luật Tố cáo 2018, Điều 24.1")
    rule = ward.deadlines["to_cao"].resolution
    assert (rule.length, rule.unit) == (30, "calendar")
    assert rule.extensions is not None
    assert (rule.extensions.max_count, rule.extensions.length) == (2, 30)


def test_demo_province_contents(province: Profile) -> None:
    assert province.display_name == "Tỉnh Ninh Bình (demo)"
    assert province.level == "province"
    assert province.complaints_unit == province.denunciations_unit == "thanh_tra"
    assert province.inspectorate_unit == "thanh_tra"
    assert province.triage_unit == "van_phong"
    assert {"so_nong_nghiep_moi_truong", "so_xay_dung", "cong_an_tinh"} <= set(province.units)


def test_bare_name_is_found_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_profile("demo_ward").name == "demo_ward"
    assert load_profile().name == "demo_ward"  # the default profile


def test_unknown_name() -> None:
    with pytest.raises(ProfileError, match=r"^profiles/nope\.yaml: profile 'nope' not found"):
        load_profile("nope")
    with pytest.raises(ProfileError, match="invalid profile name"):
        load_profile("Demo Ward")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = broken(tmp_path, "due_soon_working_days: 2", "due_soon_working_days: 2\nfoo: 1")
    assert message == "foo: unknown key"


def test_unknown_nested_key(tmp_path: Path) -> None:
    message = broken(
        tmp_path, '    name: "Công an phường"', '    name: "Công an phường"\n    nmae: x'
    )
    assert message == "units.cong_an.nmae: unknown key"


def test_unknown_unit_in_routing(tmp_path: Path) -> None:
    message = broken(tmp_path, "  dat_dai: kinh_te", "  dat_dai: kinhte")
    assert message == "routing.dat_dai: unknown unit 'kinhte'"


def test_unknown_special_unit(tmp_path: Path) -> None:
    message = broken(tmp_path, "denunciations_unit: van_phong", "denunciations_unit: thanh_tra")
    assert message == "denunciations_unit: unknown unit 'thanh_tra'"
    message = broken(tmp_path, "escalation_units: [van_phong]", "escalation_units: [vp]")
    assert message == "escalation_units[0]: unknown unit 'vp'"


def test_missing_field_in_routing(tmp_path: Path) -> None:
    message = broken(tmp_path, "  khac: van_phong\n", "")
    assert message == "routing.khac: missing (every field must be routed)"


def test_unknown_field_in_routing(tmp_path: Path) -> None:
    message = broken(tmp_path, "  khac: van_phong\n", "  khac: van_phong\n  y_te: van_phong\n")
    assert message.startswith("routing.y_te: unknown field")


def test_missing_kind_rules(tmp_path: Path) -> None:
    message = broken(tmp_path, "  gop_y:\n", "  gop_y_x:\n")
    assert message.startswith("deadlines.gop_y_x: unknown kind")


def test_missing_required_key(tmp_path: Path) -> None:
    message = broken(tmp_path, "triage_unit: van_phong\n", "")
    assert message == "triage_unit: required key is missing"


def test_bad_values(tmp_path: Path) -> None:
    message = broken(tmp_path, "  unit: working\n  basis:", "  unit: workdays\n  basis:")
    assert message.startswith("service_target.unit: Input should be 'working' or 'calendar'")
    # Unquoted 7:30 is the YAML 1.1 integer 450, not a time.
    assert broken(tmp_path, 'digest_time: "07:30"', "digest_time: 7:30") == (
        "digest_time: expected a quoted time 'HH:MM', got 450"
    )
    assert broken(tmp_path, "timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Hanoi") == (
        "timezone: unknown time zone 'Asia/Hanoi'"
    )
    message = broken(tmp_path, "min_comment_window_days: 30", "min_comment_window_days: 20")
    assert message.startswith("min_comment_window_days: 20 is below the legal 30 days")


def test_duplicate_key_and_bad_yaml(tmp_path: Path) -> None:
    message = broken(tmp_path, "  khac: van_phong\n", "  khac: van_phong\n  khac: kinh_te\n")
    assert message.startswith("line ")
    assert message.endswith("duplicate key 'khac'")
    assert broken(tmp_path, "level: ward", "level: [ward").startswith("invalid YAML: line ")


def test_calendar_overrides_are_checked(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        "  working_days:\n",
        "  working_days:\n    - {date: 2026-02-16, reason: x}\n",
    )
    assert message == "calendar: working_days[0]: 2026-02-16 is also in days_off"


def test_name_must_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(WARD_TEXT, encoding="utf-8")
    with pytest.raises(ProfileError, match="name: 'demo_ward' does not match the file name"):
        load_profile(str(path))


def test_profile_from_mapping_names_its_source() -> None:
    with pytest.raises(ProfileError, match=r"^<test>: the top level must be a mapping"):
        profile_from_mapping([1, 2], "<test>")
    with pytest.raises(ProfileError, match=r"^<test>: name: required key is missing"):
        profile_from_mapping({}, "<test>")
