"""Working-day calendar. Dates are hand-computed; the day-off source is noted per case.

Sources: Tết 2026, public servants off Sat 14/2 - Sun 22/2/2026 (Thủ tướng decision, in the
demo profiles and in holidays 0.108); Quốc khánh 2026 off Sat 29/8 - Wed 2/9 with Sat 22/8
worked for Mon 31/8 (holidays 0.108 and the profiles); Tết 2027 off Thu 4/2 - Wed 10/2/2027
(demo assumption in the profiles, same as holidays 0.108); Giỗ Tổ 2026 falls on Sun 26/4,
observed Mon 27/4; 30/4/2026 is a Thursday and 1/5 a Friday (holidays 0.108).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers.rules.calendar import WorkingCalendar

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ICT)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 2, 14),  # Sat, first day of the Tết 2026 break
        D(2026, 2, 16),  # Mon, Giao thừa
        D(2026, 2, 17),  # Tue, Mùng 1
        D(2026, 2, 20),  # Fri
        D(2026, 2, 22),  # Sun, last day of the break
        D(2027, 2, 4),  # Thu, 29 Tết 2027
        D(2027, 2, 10),  # Wed, last day of the Tết 2027 break
        D(2026, 4, 27),  # Mon, Giỗ Tổ observed (26/4 is a Sunday)
        D(2026, 4, 30),  # Thu
        D(2026, 5, 1),  # Fri
        D(2026, 8, 31),  # Mon, swapped with Sat 22/8
        D(2026, 9, 1),  # Tue, day adjacent to 2/9
        D(2026, 9, 2),  # Wed
        D(2027, 9, 3),  # Fri, day adjacent to 2/9/2027
        D(2026, 1, 1),  # Tết Dương lịch
        D(2026, 3, 7),  # an ordinary Saturday
    ],
)
def test_days_off(ward_calendar: WorkingCalendar, day: dt.date) -> None:
    assert not ward_calendar.is_working_day(day)
    assert ward_calendar.day_off_reason(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 2, 13),  # Fri before the Tết 2026 break
        D(2026, 2, 23),  # Mon after it
        D(2027, 2, 11),  # Thu after the Tết 2027 break
        D(2026, 8, 22),  # Sat worked in exchange for Mon 31/8
        D(2026, 9, 3),  # Thu after Quốc khánh
        D(2026, 4, 29),  # Wed between Giỗ Tổ and 30/4
    ],
)
def test_working_days(ward_calendar: WorkingCalendar, day: dt.date) -> None:
    assert ward_calendar.is_working_day(day)
    assert ward_calendar.day_off_reason(day) is None


def test_friday_plus_one_working_day_is_monday(ward_calendar: WorkingCalendar) -> None:
    # Fri 6/3/2026 -> Mon 9/3/2026 (the period counts from the day after the event).
    assert ward_calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)
    # Received on Saturday 7/3: the first working day after it is also Monday.
    assert ward_calendar.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert ward_calendar.add_working_days(D(2026, 3, 6), 0) == D(2026, 3, 6)


def test_ten_working_days_across_tet_2026(ward_calendar: WorkingCalendar) -> None:
    # Thu 12/2/2026 + 10: Fri 13/2 (1); 14-22/2 off; Mon 23 (2), 24 (3), 25 (4), 26 (5),
    # Fri 27 (6); Mon 2/3 (7), 3/3 (8), 4/3 (9), Thu 5/3 (10).
    assert ward_calendar.add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 5)


def test_ten_working_days_across_tet_2027(ward_calendar: WorkingCalendar) -> None:
    # Wed 3/2/2027 + 10: 4-10/2 off; Thu 11/2 (1), Fri 12 (2), Mon 15 (3) .. Fri 19 (7),
    # Mon 22 (8), Tue 23 (9), Wed 24/2 (10).
    assert ward_calendar.add_working_days(D(2027, 2, 3), 10) == D(2027, 2, 24)


def test_across_30_4_and_1_5_2026(ward_calendar: WorkingCalendar) -> None:
    # Wed 29/4/2026 + 5: Thu 30/4, Fri 1/5 off, weekend; Mon 4/5 (1) .. Fri 8/5 (5).
    assert ward_calendar.add_working_days(D(2026, 4, 29), 5) == D(2026, 5, 8)
    # Fri 24/4/2026 + 3: Mon 27/4 off (Giỗ Tổ observed); Tue 28 (1), Wed 29 (2);
    # 30/4, 1/5 off, weekend; Mon 4/5 (3).
    assert ward_calendar.add_working_days(D(2026, 4, 24), 3) == D(2026, 5, 4)


def test_across_2_9_2026(ward_calendar: WorkingCalendar) -> None:
    # Fri 28/8/2026 + 3: Sat 29 - Wed 2/9 off; Thu 3/9 (1), Fri 4/9 (2), Mon 7/9 (3).
    assert ward_calendar.add_working_days(D(2026, 8, 28), 3) == D(2026, 9, 7)
    # Fri 21/8/2026 + 1 is the swapped working Saturday 22/8.
    assert ward_calendar.add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)


def test_add_calendar_days_is_not_moved_off_a_day_off(ward_calendar: WorkingCalendar) -> None:
    # Thu 12/2/2026 + 10 calendar days = Sun 22/2/2026, inside Tết: kept (the earlier date).
    assert ward_calendar.add_calendar_days(D(2026, 2, 12), 10) == D(2026, 2, 22)
    assert ward_calendar.add_days(D(2026, 2, 12), 10, "calendar") == D(2026, 2, 22)
    assert ward_calendar.add_days(D(2026, 2, 12), 10, "working") == D(2026, 3, 5)


def test_working_days_between(ward_calendar: WorkingCalendar) -> None:
    # (12/2, 5/3/2026] holds the 10 working days counted above.
    assert ward_calendar.working_days_between(D(2026, 2, 12), D(2026, 3, 5)) == 10
    assert ward_calendar.working_days_between(D(2026, 3, 5), D(2026, 2, 12)) == -10
    assert ward_calendar.working_days_between(D(2026, 3, 5), D(2026, 3, 5)) == 0
    # Fri 6/3 -> Mon 9/3: just Monday.
    assert ward_calendar.working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1


def test_deadline_converts_to_local_date_first(ward_calendar: WorkingCalendar) -> None:
    # 17:30 UTC on Thu 5/3/2026 is 00:30 on Fri 6/3 in Hà Nội: + 1 working day = Mon 9/3
    # (counting from the UTC date would give Fri 6/3).
    received = dt.datetime(2026, 3, 5, 17, 30, tzinfo=dt.UTC)
    assert ward_calendar.deadline(received, 1, "working") == D(2026, 3, 9)
    assert ward_calendar.deadline(received, 1, "working", tz="UTC") == D(2026, 3, 6)
    assert ward_calendar.deadline(received, 3, "calendar") == D(2026, 3, 9)


def test_naive_datetimes_and_datetimes_as_dates_are_refused(
    ward_calendar: WorkingCalendar,
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ward_calendar.deadline(dt.datetime(2026, 3, 5, 9, 0), 1, "working")  # noqa: DTZ001
    with pytest.raises(TypeError, match="not a datetime"):
        ward_calendar.is_working_day(at(2026, 3, 5))
    with pytest.raises(ValueError, match=">= 0"):
        ward_calendar.add_working_days(D(2026, 3, 5), -1)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 3, 5, 7, 30), True),  # Thu, opening
        (at(2026, 3, 5, 11, 29), True),
        (at(2026, 3, 5, 11, 30), False),  # lunch break
        (at(2026, 3, 5, 13, 30), True),
        (at(2026, 3, 5, 17, 0), False),  # closed
        (at(2026, 3, 5, 7, 29), False),
        (at(2026, 3, 7, 9, 0), False),  # Saturday
        (at(2026, 8, 22, 9, 0), True),  # swapped working Saturday
        (at(2026, 2, 17, 9, 0), False),  # Tết
        # 02:00 UTC = 09:00 in Hà Nội on a Thursday.
        (dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC), True),
    ],
)
def test_is_working_time(
    ward_calendar: WorkingCalendar, moment: dt.datetime, expected: bool
) -> None:
    assert ward_calendar.is_working_time(moment) is expected


def test_overrides_win_over_the_library() -> None:
    calendar = WorkingCalendar(
        days_off={D(2026, 3, 10): "Ngày nghỉ địa phương (test)"},
        working_days={D(2026, 2, 17): "Trực Tết (test)", D(2026, 3, 14): "Làm bù (test)"},
    )
    assert not calendar.is_working_day(D(2026, 3, 10))
    assert calendar.day_off_reason(D(2026, 3, 10)) == "Ngày nghỉ địa phương (test)"
    assert calendar.is_working_day(D(2026, 2, 17))  # a library holiday made a working day
    assert calendar.is_working_day(D(2026, 3, 14))  # a Saturday made a working day
    # Mon 9/3 (1), Tue 10/3 off, Wed 11/3 (2).
    assert calendar.add_working_days(D(2026, 3, 6), 2) == D(2026, 3, 11)


def test_conflicting_overrides_are_refused() -> None:
    with pytest.raises(ValueError, match="both off and working"):
        WorkingCalendar(days_off={D(2026, 3, 10): "a"}, working_days={D(2026, 3, 10): "b"})
