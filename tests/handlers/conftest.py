"""Shared fixtures: the shipped demo profiles and their calendars."""

from __future__ import annotations

import pytest

from handlers.profiles import Profile, load_profile
from handlers.rules.calendar import WorkingCalendar


@pytest.fixture(scope="session")
def ward() -> Profile:
    return load_profile("demo_ward")


@pytest.fixture(scope="session")
def province() -> Profile:
    return load_profile("demo_province")


@pytest.fixture(scope="session")
def ward_calendar(ward: Profile) -> WorkingCalendar:
    return WorkingCalendar.from_profile(ward)
