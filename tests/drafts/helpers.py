"""Helpers shared by the drafts tests: publish the demo draft, add staff, drive the engine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from db.drafts_models import RuleDraft
from db.engine import SessionFactory
from db.models import StaffAccount, StaffMember
from handlers import draft_actions
from handlers.conversation.engine import handle_inbound
from handlers.conversation.turn import Deps
from handlers.conversation.types import InboundMessage, Reply
from handlers.profiles import Profile, load_profile

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "quy-uoc-to-dan-pho-dong-thanh.md"
# 9:00 on 2 March 2026 in Hà Nội.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OPENS = date(2026, 3, 1)
CLOSES = date(2026, 3, 31)
GROUP = "Tổ dân phố Đông Thành"


def ward() -> Profile:
    return load_profile("demo_ward")


async def publish(sessions: SessionFactory, *, opens: date = OPENS, closes: date = CLOSES,
                  text: str | None = None) -> int:
    async with sessions.begin() as session:
        draft = await draft_actions.import_draft(
            session, title="Quy ước Tổ dân phố Đông Thành (dự thảo)", place=GROUP,
            opens_on=opens, closes_on=closes, text=text or DEMO.read_text(encoding="utf-8"),
            profile=ward(), now=NOW)
        return draft.id


async def add_staff(sessions: SessionFactory, *, role: str, unit: str | None,
                    user: str, channel: str = "test") -> int:
    async with sessions.begin() as session:
        member = StaffMember(name=f"Cán bộ {user}", role=role, unit_code=unit, active=True,
                             created_at=NOW)
        session.add(member)
        await session.flush()
        session.add(StaffAccount(staff_id=member.id, channel=channel, external_id=user,
                                 chat_id=user, linked_at=NOW))
        return member.id


async def count(sessions: SessionFactory, model: type[object], *where: object) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(model)
        for clause in where:
            query = query.where(clause)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


async def draft_row(sessions: SessionFactory, draft_id: int) -> RuleDraft:
    async with sessions() as session:
        draft = await session.get(RuleDraft, draft_id)
        assert draft is not None
        return draft


class Chat:
    """One user talking to the engine; each message in its own transaction. ``typed``:
    a channel without buttons, where the user types a choice's number or label."""

    def __init__(self, sessions: SessionFactory, user: str = "u1", *, now: datetime = NOW,
                 deps: Deps | None = None) -> None:
        self.sessions = sessions
        self.user = user
        self.now = now
        self.deps = deps or Deps(profile=ward())
        self.last: list[Reply] = []

    async def send(self, **content: object) -> list[Reply]:
        msg = InboundMessage(channel="test", user_id=self.user, chat_id=self.user,
                             display_name="Nguyễn Văn An", **content)  # type: ignore[arg-type]
        self.now += timedelta(minutes=1)
        async with self.sessions.begin() as session:
            self.last = await handle_inbound(session, msg, now=self.now, deps=self.deps)
        return self.last

    async def say(self, text: str) -> str:
        return "\n".join(r.text for r in await self.send(text=text))

    async def press(self, payload: str) -> str:
        return "\n".join(r.text for r in await self.send(button=payload))

    def buttons(self) -> list[tuple[str, str]]:
        """(label, payload) of the last reply's buttons, in order."""
        return [(b.label, b.payload) for r in self.last[-1:] for row in r.buttons for b in row]

    def payload(self, label: str) -> str:
        for text, payload in self.buttons():
            if text == label:
                return payload
        raise AssertionError(f"no button {label!r} in {self.buttons()}")

    async def choose(self, label: str) -> str:
        """Press the button labelled ``label`` of the last reply."""
        return await self.press(self.payload(label))
