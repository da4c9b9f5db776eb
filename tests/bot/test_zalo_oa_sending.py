"""The OA channel's sends against the fake Open API: tokens, errors in the body, splitting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import HoldUntilUserWrites, SendError
from bot.channels.zalo_common import LazyHttp
from bot.channels.zalo_oa import KEEP_WINDOW_OPEN, ZaloOAChannel
from bot.jobs.outbox import Pacer, send_due
from bot.jobs.zalo_token import TokenRefreshFailed, ZaloTokens
from db.engine import SessionFactory
from db.models import OutboxMessage, ZaloToken
from handlers import actions
from handlers.conversation.types import Button, Reply
from tests.bot.service import make_settings
from tests.bot.zalo_harness import Clock
from tests.fakes.zalo_oa_server import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZaloOA

USER = "2512523625412515"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def oa(clock: Clock) -> AsyncIterator[FakeZaloOA]:
    server = await FakeZaloOA(clock).start()
    server.user_wrote(USER)
    yield server
    await server.stop()


class Process:
    """One service process's OA channel: its own token cache, the shared database."""

    def __init__(self, sessions: SessionFactory, settings: Any, clock: Clock) -> None:
        self.http = LazyHttp()
        self.tokens = ZaloTokens(sessions, settings, self.http, clock)
        self.channel = ZaloOAChannel(settings, self.tokens, self.http)

    async def close(self) -> None:
        await self.http.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, oa: FakeZaloOA) -> Any:
    return make_settings(
        database_url, tmp_path,
        ZALO_OA_APP_ID=APP_ID, ZALO_OA_SECRET_KEY=OA_SECRET_KEY, ZALO_APP_SECRET=APP_SECRET,
        ZALO_OA_ACCESS_TOKEN="access-1", ZALO_OA_REFRESH_TOKEN="refresh-1",
        ZALO_OA_API_BASE_URL=oa.base_url, ZALO_OAUTH_BASE_URL=oa.base_url,
    )


@pytest.fixture
async def processes(
    sessions: SessionFactory, settings: Any, clock: Clock
) -> AsyncIterator[list[Process]]:
    made = [Process(sessions, settings, clock) for _ in range(2)]
    yield made
    for process in made:
        await process.close()


async def _stored(sessions: SessionFactory) -> ZaloToken | None:
    async with sessions() as session:
        return await session.scalar(select(ZaloToken))


async def test_expired_token_is_refreshed_once_and_the_message_resent(
    sessions: SessionFactory, oa: FakeZaloOA, processes: list[Process]
) -> None:
    first = processes[0]
    oa.expire_access_tokens()  # 25 hours later: Zalo answers -216 with HTTP 200
    await first.channel.send(USER, Reply("Tin thứ nhất").to_payload())
    await first.channel.send(USER, Reply("Tin thứ hai").to_payload())
    assert oa.sent(USER) == ["Tin thứ nhất", "Tin thứ hai"]
    assert [r["refresh_token"] for r in oa.refreshes] == ["refresh-1"]
    assert [r["error"] for r in oa.refused] == [-216]
    stored = await _stored(sessions)
    assert stored is not None
    assert (stored.access_token, stored.refresh_token, stored.refreshes) == (
        "access-2", "refresh-2", 1)
    assert stored.expires_at is not None


async def test_database_pair_wins_over_the_environment(
    sessions: SessionFactory, oa: FakeZaloOA, processes: list[Process]
) -> None:
    oa.expire_access_tokens()
    await processes[0].channel.send(USER, Reply("Một").to_payload())
    # Another process (or a restart) still has the old pair in its environment.
    await processes[1].channel.send(USER, Reply("Hai").to_payload())
    assert oa.sent(USER) == ["Một", "Hai"]
    assert len(oa.refreshes) == 1  # the second process read access-2 from the database


async def test_concurrent_refreshes_use_the_refresh_token_once(
    sessions: SessionFactory, oa: FakeZaloOA, processes: list[Process]
) -> None:
    oa.expire_access_tokens()
    tokens = await asyncio.gather(*(p.tokens.refresh("access-1") for p in processes))
    assert tokens == ["access-2", "access-2"]
    assert len(oa.refreshes) == 1
    stored = await _stored(sessions)
    assert stored is not None
    assert stored.refreshes == 1


async def test_a_used_refresh_token_fails_cleanly_and_keeps_the_message(
    sessions: SessionFactory, oa: FakeZaloOA, processes: list[Process], clock: Clock
) -> None:
    process = processes[0]
    oa.expire_access_tokens()
    await process.channel.send(USER, Reply("Một").to_payload())  # uses refresh-1
    # Someone restores the original pair (a backup, another deployment): refresh-1 again.
    async with sessions.begin() as session:
        row = await session.scalar(select(ZaloToken))
        assert row is not None
        row.access_token, row.refresh_token = "access-1", "refresh-1"
    oa.expire_access_tokens()
    fresh = Process(sessions, process.channel.settings, clock)
    with pytest.raises(TokenRefreshFailed, match="invalid or has been used"):
        await fresh.tokens.refresh("access-1")
    # Through the outbox: the message stays queued with the reason, nothing crashes.
    async with sessions.begin() as session:
        actions.enqueue(session, channel="zalo_oa", chat_id=USER, reply=Reply("Hai"),
                        now=clock())
    sent = await send_due(sessions, {"zalo_oa": fresh.channel}, clock, Pacer())
    await fresh.close()
    async with sessions() as session:
        queued = await session.scalar(select(OutboxMessage))
        stored = await session.scalar(select(ZaloToken))
    assert sent == 0
    assert queued is not None
    assert queued.status == "pending"
    assert queued.attempts == 1
    assert "refresh" in (queued.last_error or "")
    assert stored is not None
    assert stored.refresh_token == "refresh-1"
    assert [r["refresh_token"] for r in oa.refreshes] == ["refresh-1"] * 3
    assert oa.sent(USER) == ["Một"]


async def test_long_replies_are_split_under_2000_characters(
    oa: FakeZaloOA, processes: list[Process]
) -> None:
    paragraph = "Nội dung trả lời của cơ quan về phản ánh. " * 20
    text = "\n".join([paragraph] * 6)  # about 5,000 characters
    assert len(text) > 4000
    await processes[0].channel.send(USER, Reply(text).to_payload())
    parts = oa.sent(USER)
    assert len(parts) == 3
    assert all(len(p) <= 2000 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == text.replace("\n", "")


async def test_buttons_become_numbered_choices_and_item_news_invites_a_reply(
    oa: FakeZaloOA, processes: list[Process]
) -> None:
    channel = processes[0].channel
    reply = Reply("Anh/chị kiểm tra lại nội dung.",
                  ((Button("Gửi", "send"), Button("Hủy", "cancel")),))
    await channel.send(USER, reply.to_payload())
    await channel.send(USER, {**Reply("Đã tiếp nhận, đang xử lý.").to_payload(), "item_id": 7})
    choices, news = oa.sent(USER)
    assert choices.split("\n\n")[1].splitlines()[:2] == ["1. Gửi", "2. Hủy"]
    assert KEEP_WINDOW_OPEN not in choices
    assert news.endswith(KEEP_WINDOW_OPEN)


async def test_closed_window_without_zns_raises_hold(
    oa: FakeZaloOA, processes: list[Process], clock: Clock
) -> None:
    clock.advance(days=8)
    with pytest.raises(HoldUntilUserWrites):
        await processes[0].channel.send(USER, Reply("Trả lời").to_payload())
    assert oa.sent(USER) == []


async def test_error_in_the_body_is_a_failure_despite_http_200(
    oa: FakeZaloOA, processes: list[Process]
) -> None:
    with pytest.raises(SendError) as raised:
        await processes[0].channel.send(USER, {"type": "text", "text": "", "buttons": []})
    assert "-201" in str(raised.value)
    assert raised.value.permanent
