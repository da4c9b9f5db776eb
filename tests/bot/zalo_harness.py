"""What the Zalo tests share: a movable clock, the running app, waiting on database rows."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bot.app import create_app
from bot.settings import Settings
from bot.web.keys import SESSIONS, WORKER
from db.engine import SessionFactory
from db.models import Attachment, Item, OutboxMessage
from handlers import actions
from handlers.rules.permissions import Role, Viewer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "zalo"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Clock:
    """The app's clock and the fake platforms' clock: tests move it (day 9...)."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class FixedPrediction:
    field: str = "giao_thong_ha_tang"
    confidence: float = 0.95
    kind: str = "phan_anh"
    kind_confidence: float = 0.9
    urgent: bool = False
    route: str = "auto"


class FixedClassifier:
    def predict(self, text: str) -> FixedPrediction:
        return FixedPrediction()


def fixture(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@asynccontextmanager
async def running(settings: Settings, clock: Clock) -> AsyncIterator[tuple[web.Application, str]]:
    app = create_app(settings, clock=clock, classifier=FixedClassifier(), worker_interval=0.05)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = int(getattr(server, "sockets")[0].getsockname()[1])  # noqa: B009
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.03)
    raise AssertionError("condition not met in time")


async def photo_stored(sessions: SessionFactory, item_id: int) -> None:
    """Wait until the item's photo has been downloaded and stored."""

    async def stored() -> bool:
        async with sessions() as session:
            row = await session.scalar(select(Attachment).where(Attachment.item_id == item_id))
        return row is not None and row.stored_path is not None

    await eventually(stored)


async def count(sessions: SessionFactory, model: type[Any]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def item_by_code(sessions: SessionFactory, code: str) -> Item:
    async with sessions() as session:
        item = await session.scalar(select(Item).where(Item.tracking_code == code))
    assert item is not None, code
    return item


async def enqueue_answer(app: web.Application, item: Item, text: str, now: datetime) -> int:
    """The office routes, accepts and answers the item through the real staff actions.

    Returns the id of the outbox row that carries the answer to the resident.
    """
    sessions = app[SESSIONS]
    rules = app[WORKER].deps.rules
    office = actions.Actor("staff:office-test", Viewer(Role.OFFICE, None))
    async with sessions.begin() as session:
        stored = await session.get(Item, item.id)
        assert stored is not None
        if stored.status in ("received", "triage"):
            await actions.route(session, stored, unit_code="kinh_te", reason="Phân loại thử.",
                                actor=office, rules=rules, now=now)
        await actions.accept(session, stored, actor=office, rules=rules, now=now)
        await actions.answer(session, stored, text=text, actor=office, rules=rules, now=now)
    app[WORKER].kick()
    async with sessions() as session:
        row_id = await session.scalar(
            select(func.max(OutboxMessage.id)).where(OutboxMessage.item_id == item.id)
        )
    return int(row_id or 0)


async def _chat_of(sessions: SessionFactory, item: Item) -> str:
    from db.models import Resident

    async with sessions() as session:
        resident = await session.get(Resident, item.resident_id)
    assert resident is not None
    return resident.external_id


async def outbox_row(sessions: SessionFactory, row_id: int) -> OutboxMessage:
    async with sessions() as session:
        row = await session.get(OutboxMessage, row_id)
    assert row is not None
    return row
