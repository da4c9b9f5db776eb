"""Fixtures: the demo ward's profile, calendar and action rules."""

from __future__ import annotations

import pytest

from handlers.actions import Rules
from handlers.profiles import Profile, load_profile
from handlers.rules.calendar import WorkingCalendar
from tests.handlers.factories import ward_rules


@pytest.fixture(scope="session")
def ward() -> Profile:
    return load_profile("demo_ward")


@pytest.fixture(scope="session")
def ward_calendar(ward: Profile) -> WorkingCalendar:
    return WorkingCalendar.from_profile(ward)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return ward_rules()
