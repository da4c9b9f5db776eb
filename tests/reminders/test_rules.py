"""The pure reminder rules, with hand-computed literal dates.

Calendar facts used (holidays 0.108 Vietnam calendar, checked against the 2026 decision):
Giỗ Tổ 26/4/2026 is a Sunday, so Monday 27/4 is off; 30/4 (Thu) and 1/5 (Fri) are off;
2-3/5 is the weekend. Tết 2026: public servants off 14-22/2/2026 (profile overrides).
Working hours 07:30-11:30 and 13:30-17:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt

import pytest

from db.queries import OPEN_STATUSES
from handlers.profiles import Profile
from handlers.rules import reminders
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.reminders import ItemClock, Threshold
from tests.reminders.helpers import at

D = dt.date


def due(clock: ItemClock, now: dt.datetime, calendar: WorkingCalendar) -> list[str]:
    return [r.key for r in reminders.due_reminders(clock, now, calendar, 2)]


def test_waiting_statuses_match_the_queries() -> None:
    assert set(OPEN_STATUSES) == reminders.WAITING


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Deadline Tue 5/5/2026. Working days left: on Tue 28/4 -> 29/4, 4/5, 5/5 = 3.
        (at(2026, 4, 28, 10), []),
        # Wed 29/4: 4/5, 5/5 = 2 (30/4, 1/5 are holidays) -> due soon, but not before 07:30.
        (at(2026, 4, 29, 7, 0), []),
        (at(2026, 4, 29, 7, 30), ["due_soon:processing:2026-05-05"]),
        (at(2026, 4, 29, 12, 0), []),  # lunch break
        (at(2026, 4, 29, 16, 59), ["due_soon:processing:2026-05-05"]),
        (at(2026, 4, 30, 9), []),  # Ngày Chiến thắng: a day off
        (at(2026, 5, 2, 9), []),  # Saturday
        (at(2026, 5, 5, 16), ["due_soon:processing:2026-05-05"]),  # the deadline day itself
        (at(2026, 5, 6, 7, 29), []),
        (at(2026, 5, 6, 7, 30), ["overdue:processing:2026-05-05",
                                 "escalation:processing:2026-05-05"]),
    ],
)
def test_thresholds_across_the_30_4_holiday(
    ward_calendar: WorkingCalendar, now: dt.datetime, expected: list[str]
) -> None:
    item = ItemClock("routed", D(2026, 5, 5), None)
    assert due(item, now, ward_calendar) == expected


def test_without_the_holidays_due_soon_would_start_later(ward_calendar: WorkingCalendar) -> None:
    # Deadline Tue 12/5: on Thu 7/5 there are 8, 11, 12 = 3 days left; on Fri 8/5, 2.
    item = ItemClock("accepted", D(2026, 4, 1), D(2026, 5, 12))
    assert due(item, at(2026, 5, 7, 9), ward_calendar) == []
    assert due(item, at(2026, 5, 8, 9), ward_calendar) == ["due_soon:resolution:2026-05-12"]


def test_across_tet_2026(ward_calendar: WorkingCalendar) -> None:
    # Off 14-22/2/2026. Deadline Tue 24/2: on Fri 13/2 the days left are 23/2, 24/2 = 2.
    item = ItemClock("routed", D(2026, 2, 24), None)
    assert due(item, at(2026, 2, 12, 9), ward_calendar) == []  # 13, 23, 24 = 3
    assert due(item, at(2026, 2, 13, 9), ward_calendar) == ["due_soon:processing:2026-02-24"]
    assert due(item, at(2026, 2, 18, 9), ward_calendar) == []  # Tết: held
    assert due(item, at(2026, 2, 25, 8), ward_calendar)[0] == "overdue:processing:2026-02-24"


def test_urgent_items_are_reminded_at_any_hour(ward_calendar: WorkingCalendar) -> None:
    item = ItemClock("routed", D(2026, 5, 5), None, urgent=True)
    assert due(item, at(2026, 4, 30, 22), ward_calendar) == ["due_soon:processing:2026-05-05"]
    assert due(item, at(2026, 5, 6, 2), ward_calendar)[0] == "overdue:processing:2026-05-05"


def test_running_deadline_and_finished_items(ward_calendar: WorkingCalendar) -> None:
    # Accepted: the resolution clock runs; the processing deadline no longer matters.
    accepted = ItemClock("accepted", D(2026, 4, 1), D(2026, 5, 20))
    assert reminders.running_deadline(accepted) == reminders.RunningDeadline(
        "resolution", D(2026, 5, 20))
    assert due(accepted, at(2026, 5, 6, 9), ward_calendar) == []
    for status in ("answered", "closed", "rejected", "forwarded"):
        assert due(ItemClock(status, D(2026, 4, 1), None), at(2026, 5, 6, 9),
                   ward_calendar) == []


def test_a_new_deadline_is_a_new_threshold() -> None:
    first = reminders.DueReminder(Threshold.DUE_SOON,
                                  reminders.RunningDeadline("resolution", D(2026, 5, 12)))
    extended = reminders.DueReminder(Threshold.DUE_SOON,
                                     reminders.RunningDeadline("resolution", D(2026, 5, 26)))
    assert first.key != extended.key


@pytest.mark.parametrize(
    ("today", "horizon"),
    [
        # Wed 29/4: the 3rd working day after is Wed 6/5, so deadlines up to Tue 5/5.
        (D(2026, 4, 29), D(2026, 5, 5)),
        # Wed 6/5: 7, 8, 11 -> up to Sun 10/5 (a deadline on Sunday 10/5 has 2 days left).
        (D(2026, 5, 6), D(2026, 5, 10)),
    ],
)
def test_candidate_horizon(ward_calendar: WorkingCalendar, today: D, horizon: D) -> None:
    assert reminders.candidate_horizon(today, ward_calendar, 2) == horizon
    sunday = ItemClock("routed", D(2026, 5, 10), None)
    on_wednesday = reminders.due_reminders(sunday, at(2026, 5, 6, 9), ward_calendar, 2)
    assert [r.threshold for r in on_wednesday] == [Threshold.DUE_SOON]


def test_digest_day(ward_calendar: WorkingCalendar, ward: Profile) -> None:
    end = dt.time(17, 0)
    assert ward.digest_time == dt.time(7, 30)
    assert reminders.digest_day(at(2026, 5, 6, 7, 29), ward_calendar, ward.digest_time,
                                end) is None
    assert reminders.digest_day(at(2026, 5, 6, 7, 30), ward_calendar, ward.digest_time,
                                end) == D(2026, 5, 6)
    assert reminders.digest_day(at(2026, 5, 6, 17, 0), ward_calendar, ward.digest_time,
                                end) is None
    assert reminders.digest_day(at(2026, 4, 30, 8), ward_calendar, ward.digest_time,
                                end) is None  # holiday
