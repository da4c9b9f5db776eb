"""Deadlines from the demo ward profile. Dates are hand-computed; sources in comments.

Profile rules used (profiles/demo_ward.yaml): service target 10 working days from receipt;
phản ánh processing 10 calendar days; tố cáo processing 7 working days (+3 once, Luật Tố cáo
2018, Điều 24.1), resolution 30 calendar days (+30 at most twice, Điều 30); khiếu nại
resolution 30 calendar days (+15 once: 45 if complex, Luật Khiếu nại 2011, Điều 28).
Days off: Tết 2026 14/2 - 22/2/2026; Tết 2027 4/2 - 10/2/2027 (demo assumption).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers.profiles import Profile
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.deadlines import (
    DueStatus,
    ExtensionRefused,
    answer_target,
    due_status,
    extend,
    processing_deadline,
    resolution_deadline,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ICT)


def test_answer_target_before_tet_2026(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    # Thu 12/2/2026 + 10 working days, skipping 14-22/2 = Thu 5/3/2026.
    assert answer_target("phan_anh", at(2026, 2, 12), ward, ward_calendar) == D(2026, 3, 5)
    assert answer_target("kien_nghi", at(2026, 2, 12), ward, ward_calendar) == D(2026, 3, 5)


def test_answer_target_across_tet_2027(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    # Wed 3/2/2027 + 10 working days, skipping 4-10/2/2027 = Wed 24/2/2027.
    assert answer_target("phan_anh", at(2027, 2, 3), ward, ward_calendar) == D(2027, 2, 24)


def test_answer_target_across_30_4_and_2_9(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    # Wed 29/4/2026 + 10: Mon 4/5 (1) .. Fri 8/5 (5), Mon 11/5 (6) .. Fri 15/5 (10).
    assert answer_target("phan_anh", at(2026, 4, 29), ward, ward_calendar) == D(2026, 5, 15)
    # Fri 28/8/2026 + 10: 29/8 - 2/9 off; Thu 3/9 (1), Fri 4/9 (2), Mon 7/9 (3) ..
    # Fri 11/9 (7), Mon 14/9 (8), Tue 15/9 (9), Wed 16/9 (10).
    assert answer_target("kien_nghi", at(2026, 8, 28), ward, ward_calendar) == D(2026, 9, 16)


def test_answer_target_friday_receipt_counts_from_monday(
    ward: Profile, ward_calendar: WorkingCalendar
) -> None:
    # Fri 6/3/2026 16:45 + 10: Mon 9/3 (1) .. Fri 13/3 (5), Mon 16/3 (6) .. Fri 20/3 (10).
    assert answer_target("phan_anh", at(2026, 3, 6, 16, 45), ward, ward_calendar) == D(2026, 3, 20)


def test_answer_target_only_for_phan_anh_and_kien_nghi(
    ward: Profile, ward_calendar: WorkingCalendar
) -> None:
    for kind in ("khieu_nai", "to_cao", "gop_y"):
        assert answer_target(kind, at(2026, 3, 6), ward, ward_calendar) is None


def test_processing_deadlines(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    received = at(2026, 2, 12)  # Thu, before Tết 2026
    # Phản ánh: 10 calendar days (unit unverified) = Sun 22/2/2026, not moved.
    assert processing_deadline("phan_anh", received, ward, ward_calendar) == D(2026, 2, 22)
    # Tố cáo: 7 working days: Fri 13/2 (1), Mon 23/2 (2) .. Fri 27/2 (6), Mon 2/3 (7).
    assert processing_deadline("to_cao", received, ward, ward_calendar) == D(2026, 3, 2)
    # ... 10 when checked in several places: + Tue 3/3, Wed 4/3, Thu 5/3.
    assert processing_deadline("to_cao", received, ward, ward_calendar, 1) == D(2026, 3, 5)


def test_resolution_calendar_clocks(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    accepted = at(2026, 3, 2, 10)  # Mon 2/3/2026
    # 30 calendar days after 2/3 = 1/4/2026 (March has 31 days).
    assert resolution_deadline("to_cao", accepted, ward, ward_calendar) == D(2026, 4, 1)
    # + 30 = Fri 1/5/2026 (a holiday; calendar clocks are not moved), + 30 = Sun 31/5.
    assert resolution_deadline("to_cao", accepted, ward, ward_calendar, 1) == D(2026, 5, 1)
    assert resolution_deadline("to_cao", accepted, ward, ward_calendar, 2) == D(2026, 5, 31)
    # Khiếu nại: 30 days = 1/4; complex: + 15 = 16/4/2026.
    assert resolution_deadline("khieu_nai", accepted, ward, ward_calendar) == D(2026, 4, 1)
    assert resolution_deadline("khieu_nai", accepted, ward, ward_calendar, 1) == D(2026, 4, 16)


def test_resolution_working_clock(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    # Phản ánh accepted Thu 12/2/2026, 15 working days (local target): 10 bring us to
    # Thu 5/3; Fri 6/3 (11), Mon 9/3 (12), 10/3 (13), 11/3 (14), Thu 12/3 (15).
    assert resolution_deadline("phan_anh", at(2026, 2, 12), ward, ward_calendar) == D(2026, 3, 12)


def test_extensions_within_the_cap(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    accepted = at(2026, 3, 2, 10)
    first = extend(
        "to_cao", accepted, ward, ward_calendar, extensions_used=0, reason="Vụ việc phức tạp"
    )
    assert (first.extensions_used, first.previous_deadline, first.deadline) == (
        1,
        D(2026, 4, 1),
        D(2026, 5, 1),
    )
    second = extend(
        "to_cao", accepted, ward, ward_calendar, extensions_used=1, reason="Đặc biệt phức tạp"
    )
    assert (second.extensions_used, second.deadline) == (2, D(2026, 5, 31))
    processing = extend(
        "to_cao",
        at(2026, 2, 12),
        ward,
        ward_calendar,
        extensions_used=0,
        reason="Kiểm tra ở nhiều địa điểm",
        clock="processing",
    )
    assert processing.deadline == D(2026, 3, 5)


def test_extensions_past_the_cap_are_refused(ward: Profile, ward_calendar: WorkingCalendar) -> None:
    accepted = at(2026, 3, 2, 10)
    with pytest.raises(ExtensionRefused, match="tối đa 2 lần") as refused:
        extend("to_cao", accepted, ward, ward_calendar, extensions_used=2, reason="Thêm lần nữa")
    assert "Luật Tố cáo 2018, Điều 30" in refused.value.reason
    with pytest.raises(ExtensionRefused, match="tối đa 1 lần"):
        extend("khieu_nai", accepted, ward, ward_calendar, extensions_used=1, reason="Thêm")
    with pytest.raises(ExtensionRefused, match="không được gia hạn"):
        extend("gop_y", accepted, ward, ward_calendar, extensions_used=0, reason="Thêm")
    with pytest.raises(ExtensionRefused, match="không được gia hạn"):
        extend(
            "phan_anh",
            accepted,
            ward,
            ward_calendar,
            extensions_used=0,
            reason="Thêm",
            clock="processing",
        )
    with pytest.raises(ExtensionRefused, match="lý do"):
        extend("to_cao", accepted, ward, ward_calendar, extensions_used=0, reason="  ")
    with pytest.raises(ExtensionRefused):
        resolution_deadline("to_cao", accepted, ward, ward_calendar, extensions_used=3)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 6), DueStatus.OVERDUE),  # the day after the deadline
        (D(2026, 3, 5), DueStatus.DUE_SOON),  # the deadline day
        (D(2026, 3, 3), DueStatus.DUE_SOON),  # 4/3, 5/3 remain: 2 working days
        (D(2026, 3, 2), DueStatus.ON_TRACK),  # 3 working days remain
        (D(2026, 2, 27), DueStatus.ON_TRACK),  # Fri: 2/3 .. 5/3 remain (4)
    ],
)
def test_due_status(ward_calendar: WorkingCalendar, today: dt.date, expected: DueStatus) -> None:
    # Deadline Thu 5/3/2026; due soon at 2 working days (the profile default).
    assert due_status(D(2026, 3, 5), today, ward_calendar, 2) is expected


def test_due_status_counts_working_days_over_a_weekend(ward_calendar: WorkingCalendar) -> None:
    # Deadline Tue 3/3/2026 seen on Fri 27/2: Mon 2/3, Tue 3/3 remain = 2 -> due soon.
    assert due_status(D(2026, 3, 3), D(2026, 2, 27), ward_calendar, 2) is DueStatus.DUE_SOON
    assert due_status(D(2026, 3, 3), D(2026, 2, 27), ward_calendar, 1) is DueStatus.ON_TRACK
