"""The comment window of a draft.

Nghị định 61/2023/NĐ-CP requires a draft hương ước / quy ước to be open for comments for at
least 30 days. The window runs from ``opens_on`` to ``closes_on`` inclusive, in the
locality's own dates, and is counted in calendar days (the decree counts "ngày", not working
days): 1/3 to 30/3 is 30 days. A profile may allow a shorter window
(``allow_shorter_comment_window``) for rules that are not hương ước / quy ước proper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class WindowRefused(ValueError):
    """The window is not acceptable; the message (Vietnamese) says why."""


class WindowState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class CommentWindow:
    opens_on: dt.date
    closes_on: dt.date

    @property
    def days(self) -> int:
        """Calendar days in the window, both ends included."""
        return (self.closes_on - self.opens_on).days + 1

    def state(self, now: dt.datetime, tz: dt.tzinfo) -> WindowState:
        """Where ``now`` (aware) falls, judged by the local date in ``tz``."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be an aware datetime")
        today = now.astimezone(tz).date()
        if today < self.opens_on:
            return WindowState.NOT_YET
        if today > self.closes_on:
            return WindowState.CLOSED
        return WindowState.OPEN

    def is_open(self, now: dt.datetime, tz: dt.tzinfo) -> bool:
        return self.state(now, tz) is WindowState.OPEN


def check_window(
    opens_on: dt.date, closes_on: dt.date, *, min_days: int, allow_shorter: bool
) -> CommentWindow:
    """The window, or ``WindowRefused`` when it is reversed or shorter than the profile's
    minimum (unless the profile allows shorter windows)."""
    window = CommentWindow(opens_on, closes_on)
    if closes_on < opens_on:
        raise WindowRefused(
            f"Ngày kết thúc ({closes_on:%d/%m/%Y}) trước ngày bắt đầu ({opens_on:%d/%m/%Y})."
        )
    if window.days < min_days and not allow_shorter:
        earliest = opens_on + dt.timedelta(days=min_days - 1)
        raise WindowRefused(
            f"Thời gian lấy ý kiến {window.days} ngày, ít hơn {min_days} ngày theo quy định "
            f"(Nghị định 61/2023/NĐ-CP): ngày kết thúc sớm nhất là {earliest:%d/%m/%Y}."
        )
    return window
