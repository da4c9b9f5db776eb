"""Working days and working hours of a Vietnamese public office.

Built from the ``holidays`` package's Vietnam calendar (the statutory days off of Bộ luật
Lao động 2019, Điều 112, with the lunar dates, weekend compensation days and the swapped
days it knows) plus a locality's overrides: extra days off and extra working days (a
Saturday worked to bridge a holiday). Overrides win over the library.

Counting convention: a period counts from the day after the event. Receipt on a Friday plus
1 working day is the next Monday; receipt on a Saturday plus 1 working day is also Monday.

Everything here is pure: no clock reads, no I/O. Times are inputs and must be aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from handlers.profiles import Profile

DayUnit = Literal["working", "calendar"]
"""How a period is counted: working days, or calendar days."""

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_WORKWEEK: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday..Friday
DEFAULT_SESSIONS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 30), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
# Looking further than this for a working day means the calendar is broken (e.g. every
# weekday configured as a day off); fail instead of looping for ever.
_MAX_SCAN_DAYS = 366


def _check_date(value: dt.date, name: str = "date") -> dt.date:
    # datetime is a subclass of date; passing one here is almost always a bug (its time
    # and zone would be silently dropped), so refuse it.
    if isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a date, not a datetime: {value!r}")
    return value


def _check_aware(value: dt.datetime, name: str = "datetime") -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {value!r}")
    return value


def _as_tz(tz: dt.tzinfo | str) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


class WorkingCalendar:
    """Working days and hours for one locality.

    ``days_off`` and ``working_days`` map a date to the reason (shown to staff).
    ``workweek`` holds the regular working weekdays (0 = Monday). ``sessions`` are the daily
    working-hour intervals ``[start, end)`` in local time.
    """

    def __init__(
        self,
        *,
        timezone: dt.tzinfo | str = DEFAULT_TIMEZONE,
        days_off: Mapping[dt.date, str] | None = None,
        working_days: Mapping[dt.date, str] | None = None,
        workweek: Iterable[int] = DEFAULT_WORKWEEK,
        sessions: Sequence[tuple[dt.time, dt.time]] = DEFAULT_SESSIONS,
    ) -> None:
        self._tz = _as_tz(timezone)
        self._days_off: dict[dt.date, str] = dict(days_off or {})
        self._working_days: dict[dt.date, str] = dict(working_days or {})
        clash = sorted(self._days_off.keys() & self._working_days.keys())
        if clash:
            raise ValueError(f"dates both off and working: {', '.join(map(str, clash))}")
        self._workweek = frozenset(workweek)
        if not self._workweek or not self._workweek <= set(range(7)):
            raise ValueError(f"workweek must be weekdays 0..6, got {sorted(self._workweek)}")
        for start, end in sessions:
            if not start < end:
                raise ValueError(f"working session {start}-{end} ends before it starts")
        self._sessions = tuple(sorted(sessions))
        # Vietnamese names; the library fills in each year on first use (expand=True).
        self._library: Any = holidays.country_holidays("VN", language="vi")

    @classmethod
    def from_profile(cls, profile: Profile) -> WorkingCalendar:
        """The calendar described by a locality profile."""
        return cls(
            timezone=profile.timezone,
            days_off={o.date: o.reason for o in profile.calendar.days_off},
            working_days={o.date: o.reason for o in profile.calendar.working_days},
            workweek=profile.working_hours.weekday_numbers(),
            sessions=[(s.start, s.end) for s in profile.working_hours.sessions],
        )

    @property
    def tz(self) -> dt.tzinfo:
        """The locality's time zone."""
        return self._tz

    # -- days -------------------------------------------------------------------------

    def _library_holiday(self, day: dt.date) -> str | None:
        name = self._library.get(day)
        return None if name is None else str(name)

    def _library_weekend_workday(self, day: dt.date) -> bool:
        # The membership test above loads the day's year, which also fills in the
        # library's swapped weekend working days for that year.
        self._library_holiday(day)
        return day in self._library.weekend_workdays

    def is_working_day(self, day: dt.date) -> bool:
        """True when the office works on ``day``."""
        _check_date(day, "day")
        if day in self._working_days:
            return True
        if day in self._days_off:
            return False
        if day.weekday() not in self._workweek:
            return self._library_weekend_workday(day)
        return self._library_holiday(day) is None

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day (``None`` if it is one)."""
        if self.is_working_day(day):
            return None
        if day in self._days_off:
            return self._days_off[day]
        return self._library_holiday(day) or "Nghỉ cuối tuần"

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is never counted).

        ``n == 0`` returns ``start`` unchanged.
        """
        _check_date(start, "start")
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start
        remaining = n
        gap = 0
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
                gap = 0
            else:
                gap += 1
                if gap > _MAX_SCAN_DAYS:
                    raise ValueError(f"no working day within a year after {day}")
        return day

    @staticmethod
    def add_calendar_days(start: dt.date, n: int) -> dt.date:
        """``start`` plus ``n`` calendar days.

        A calendar-day period that ends on a day off is not moved to the next working day:
        the earlier date is the safer one for the office.
        """
        _check_date(start, "start")
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return start + dt.timedelta(days=n)

    def add_days(self, start: dt.date, n: int, unit: DayUnit) -> dt.date:
        """``start`` plus ``n`` days of ``unit``."""
        if unit == "working":
            return self.add_working_days(start, n)
        if unit == "calendar":
            return self.add_calendar_days(start, n)
        raise ValueError(f"unknown day unit {unit!r}")

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days ``d`` with ``a < d <= b``; negative (counted the same way) if b < a.

        So ``add_working_days(a, working_days_between(a, b)) <= b`` for ``b >= a``.
        """
        _check_date(a, "a")
        _check_date(b, "b")
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    # -- times ------------------------------------------------------------------------

    def local_date(self, moment: dt.datetime, tz: dt.tzinfo | str | None = None) -> dt.date:
        """The local calendar date of an aware ``moment``."""
        _check_aware(moment, "moment")
        return moment.astimezone(self._tz if tz is None else _as_tz(tz)).date()

    def deadline(
        self,
        start: dt.datetime,
        length: int,
        unit: DayUnit,
        tz: dt.tzinfo | str | None = None,
    ) -> dt.date:
        """The last day of a period of ``length`` ``unit`` days starting at ``start``.

        ``start`` is aware; it is converted to the local date (in ``tz``, default the
        calendar's zone) and the period counts from the following day.
        """
        return self.add_days(self.local_date(start, tz), length, unit)

    def is_working_time(self, moment: dt.datetime) -> bool:
        """True when ``moment`` (aware) falls inside working hours on a working day."""
        local = _check_aware(moment, "moment").astimezone(self._tz)
        if not self.is_working_day(local.date()):
            return False
        clock = local.time().replace(tzinfo=None)
        return any(start <= clock < end for start, end in self._sessions)
