"""Test factories: items submitted through the real intake action, staff linked by invite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Item, Resident, StaffMember
from handlers import actions
from handlers.actions import Rules
from handlers.crypto import derive_identity_key
from handlers.profiles import load_profile
from handlers.rules.calendar import WorkingCalendar

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2/3/2026 09:00 in Hà Nội
TEST_KEY = derive_identity_key("test-secret-key")


def ward_rules() -> Rules:
    profile = load_profile("demo_ward")
    return Rules(profile, WorkingCalendar.from_profile(profile), TEST_KEY)


@dataclass(frozen=True)
class Prediction:
    field: str = "dat_dai"
    confidence: float = 0.95
    kind: str = "phan_anh"
    kind_confidence: float = 0.9
    urgent: bool = False
    route: str = "auto"


class FakeClassifier:
    """Says the same thing about every text; records what it was asked."""

    def __init__(self, prediction: Prediction | None = None) -> None:
        self.prediction = prediction or Prediction()
        self.seen: list[str] = []

    def predict(self, text: str) -> Prediction:
        self.seen.append(text)
        return self.prediction


async def make_resident(
    session: AsyncSession, external_id: str = "r1", name: str = "Trần Thị Bình",
    channel: str = "test", now: datetime = NOW,
) -> Resident:
    resident = await actions.get_or_create_resident(session, channel=channel,
                                                    external_id=external_id, now=now)
    if resident.consent_at is None:
        await actions.give_consent(session, resident, display_name=name, now=now)
    return resident


async def make_item(
    session: AsyncSession,
    rules: Rules,
    *,
    text: str = "Nhà bên cạnh lấn sang đất nhà tôi 2 mét",
    prediction: Prediction | None = None,
    resident: Resident | None = None,
    phone: str | None = "0912345678",
    now: datetime = NOW,
) -> Item:
    resident = resident or await make_resident(session, now=now)
    return await actions.submit_item(
        session, resident, actions.Draft(text=text, phone=phone),
        now=now, classifier=FakeClassifier(prediction), rules=rules,
    )


async def make_staff(
    session: AsyncSession,
    rules: Rules,
    role: str,
    unit: str | None = None,
    *,
    name: str | None = None,
    external_id: str | None = None,
    channel: str = "test",
    now: datetime = NOW,
) -> StaffMember:
    """A staff member created by invite and linked from one chat account."""
    member, code = await actions.create_invite(
        session, name=name or f"Cán bộ {role} {unit or ''}".strip(), role=role,
        unit_code=unit, profile=rules.profile, now=now,
    )
    external = external_id or f"staff-{member.id}"
    await actions.link_account(session, code=code, channel=channel, external_id=external,
                               chat_id=external, now=now)
    return member
