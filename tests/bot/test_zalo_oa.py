"""Zalo OA end to end: signed webhooks into the running app, sends to a fake Open API.

The webhook signatures below are literal: computed once in a shell from the documented
formula, sha256(app id + raw body + timestamp + OA secret key), e.g.
    { printf '%s' 1234567890123456789; cat oa_text.json; printf '%s' 1772438400000;
      printf '%s' oa-secret-key-for-tests; } | sha256sum
so a mistake in the project's own signature code cannot hide behind a matching mistake here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.channels.zalo_oa import KEEP_WINDOW_OPEN
from bot.jobs import held
from bot.web.keys import SESSIONS
from db.engine import SessionFactory
from db.models import Attachment, AuditEvent, Conversation, InboxEvent, Item, OutboxMessage
from tests.bot.service import make_settings
from tests.bot.zalo_harness import (
    FIXTURES,
    Clock,
    count,
    enqueue_answer,
    eventually,
    item_by_code,
    outbox_row,
    photo_stored,
    running,
)
from tests.fakes.zalo_oa_server import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZaloOA

USER = "2512523625412515"
# The image fixture points at this port: the fake doubles as Zalo's image CDN there.
CDN_PORT = 47613
PHOTO = b"\xff\xd8\xff\xe0 den duong hong \xff\xd9"

SIGNATURES = {
    "oa_audio.json": "mac=b6355c333f954762c8dbfd715fdb4bc82f95b088069cc2730dd8887d6e7a88c9",
    "oa_consent_number.json":
        "mac=50f047cfaa9a7e98bf645aee373b7ac8144f4a05dc34555be2a961154411ddda",
    "oa_echo.json": "mac=dda5a44bf9335a901c4bfc4bddb5764321e2505660474ae5d40bc44c7d0416e1",
    "oa_file.json": "mac=430b55f530bad915200cb480501826ece9ab675f2f88b7fe6ceffba68c196866",
    "oa_follow.json": "mac=07b70f77b1ef610455ce4ec86301643bdaf4e0224a1fc92dba7e5bb24dcfded6",
    "oa_image.json": "mac=c4a8063fdf445496adaa547a4f36521cf5ba58401e088fea8293265ad46d49a8",
    "oa_location.json": "mac=9a165d9d921d0d9c60a120619ce73658a64605221ad711f2fb106170961543e6",
    "oa_ok_day9.json": "mac=d3e6837a9c1112f87d7090b9d196cc126c8f72e8ca253bb63e55df178f44cc5d",
    "oa_phone.json": "mac=ff260645575be014cdd05c8840469f897137fe4672b9d3c6ec347b0779b5ea4c",
    "oa_photos_done_word.json":
        "mac=630eebc9818cf25af5ca98034a570150fa27be8f99c0aa25fe19c2ce7ea33702",
    "oa_send_word.json": "mac=5916e3868616465d51085368777e6324f058daa6baae315a6172bae9b54ab1e4",
    "oa_sticker.json": "mac=5fb0c975ed35de15b7a8b8470d48d024959eb1ab6b1829f043a13abf7e14b2a1",
    "oa_text.json": "mac=d2ea1a28d9b435163ed0fe05c9b672e2f3425124ded48417eec61e6fd9181683",
    "oa_unfollow.json": "mac=32b6b65af3b4ff29f5724c07aea3f1ae72a1a02825c38d8dd6bfb33e732dd013",
}
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def oa(clock: Clock) -> AsyncIterator[FakeZaloOA]:
    server = await FakeZaloOA(clock).start(CDN_PORT)
    server.files["den-duong.jpg"] = PHOTO
    yield server
    await server.stop()


def oa_settings(database_url: str, tmp_path: Path, oa: FakeZaloOA, **extra: Any) -> Any:
    return make_settings(
        database_url, tmp_path,
        ZALO_OA_APP_ID=APP_ID, ZALO_OA_SECRET_KEY=OA_SECRET_KEY, ZALO_APP_SECRET=APP_SECRET,
        ZALO_OA_ACCESS_TOKEN="access-1", ZALO_OA_REFRESH_TOKEN="refresh-1",
        ZALO_OA_API_BASE_URL=oa.base_url, ZALO_OAUTH_BASE_URL=oa.base_url,
        ZALO_ZNS_API_BASE_URL=oa.base_url, **extra,
    )


def _read(path: str | Path) -> bytes:
    return Path(path).read_bytes()


class Resident:
    """The resident's Zalo app: posts signed events as Zalo would and reads what arrived."""

    def __init__(self, http: aiohttp.ClientSession, base: str, oa: FakeZaloOA) -> None:
        self.http = http
        self.url = base + "/webhooks/zalo-oa"
        self.oa = oa
        self.seen = 0

    async def post(self, name: str, signature: str | None = None,
                   body: bytes | None = None) -> int:
        raw = body if body is not None else _read(FIXTURES / name)
        headers = {"Content-Type": "application/json"}
        sig = SIGNATURES.get(name, "") if signature is None else signature
        if sig:
            headers["X-ZEvent-Signature"] = sig
        async with self.http.post(self.url, data=raw, headers=headers) as response:
            return response.status

    async def writes(self, name: str) -> None:
        self.oa.user_wrote(USER)  # writing to the OA opens the 7-day window
        assert await self.post(name) == 200

    async def reads(self, contains: str) -> str:
        """The next message(s) sent to the resident, up to one containing `contains`."""
        while True:
            messages = await self.oa.wait_sent(USER, self.seen + 1)
            self.seen += 1
            if contains in messages[self.seen - 1]:
                return messages[self.seen - 1]


async def submit(resident: Resident) -> str:
    """Follow, type a problem, agree by number, a photo, go on by words, a location, a
    phone, send by word; returns the tracking code."""
    await resident.writes("oa_follow.json")
    assert "1. " in await resident.reads("Hộp thư phản ánh")
    await resident.writes("oa_text.json")
    consent = await resident.reads("đồng ý")
    assert "1. Đồng ý" in consent
    assert "2. Không đồng ý" in consent
    await resident.writes("oa_consent_number.json")
    await resident.reads("ảnh")
    await resident.writes("oa_image.json")
    await resident.reads("Đã nhận 1 ảnh")
    await resident.writes("oa_photos_done_word.json")
    location = await resident.reads("vị trí")
    assert "1. Bỏ qua" in location
    assert "Gửi vị trí hiện tại" not in location.split("\n\n")[-1]
    await resident.writes("oa_location.json")
    await resident.reads("điện thoại")
    await resident.writes("oa_phone.json")
    summary = await resident.reads("Gửi")
    assert "1. Gửi" in summary
    assert "2. Hủy" in summary
    await resident.writes("oa_send_word.json")
    confirmation = await resident.reads("Mã tra cứu")
    assert KEEP_WINDOW_OPEN in confirmation  # it names the item: invite the keep-alive reply
    match = CODE.search(confirmation)
    assert match is not None
    return match.group(0)


async def test_resident_submits_and_receives_the_answer_later(
    database_url: str, tmp_path: Path, oa: FakeZaloOA, clock: Clock
) -> None:
    async with running(oa_settings(database_url, tmp_path, oa), clock) as (app, base), \
            aiohttp.ClientSession() as http:
        resident = Resident(http, base, oa)
        code = await submit(resident)
        sessions = app[SESSIONS]
        item = await item_by_code(sessions, code)
        await photo_stored(sessions, item.id)
        clock.advance(days=2)
        await enqueue_answer(app, item, f"Phản ánh {code}: đèn đã được thay mới.", clock())
        answer = await resident.reads("đèn đã được thay mới")
        async with sessions() as session:
            attachment = await session.scalar(
                select(Attachment).where(Attachment.item_id == item.id))

    assert answer.endswith(KEEP_WINDOW_OPEN)
    assert item.channel == "zalo_oa"
    assert (item.latitude, item.longitude) == pytest.approx((21.0285113, 105.8048312))
    assert item.contact_phone == "0912345678"
    assert item.text.startswith("Đèn đường trước nhà số 12")
    assert attachment is not None
    assert attachment.file_ref.endswith("/zalo-cdn/den-duong.jpg")
    assert attachment.stored_path is not None
    assert _read(attachment.stored_path) == PHOTO
    assert oa.refreshes == []


async def test_forged_or_missing_signature_is_refused_and_nothing_stored(
    database_url: str, tmp_path: Path, oa: FakeZaloOA, clock: Clock
) -> None:
    raw = _read(FIXTURES / "oa_text.json")
    tampered = raw.replace("số 12".encode(), "số 13".encode())
    assert tampered != raw
    async with running(oa_settings(database_url, tmp_path, oa), clock) as (app, base), \
            aiohttp.ClientSession() as http:
        resident = Resident(http, base, oa)
        statuses = [
            await resident.post("oa_text.json", signature=SIGNATURES["oa_consent_number.json"]),
            await resident.post("oa_text.json", signature=""),
            await resident.post("oa_text.json", signature="mac=" + "0" * 64),
            await resident.post("oa_text.json", body=tampered),
            await resident.post("oa_text.json", body=b"not json"),
        ]
        # A correctly signed event still goes through on the same app.
        assert await resident.post("oa_follow.json") == 200
        sessions = app[SESSIONS]
        await eventually(lambda: _outbox_count(sessions, 1))
        async with sessions() as session:
            events = (await session.scalars(select(InboxEvent))).all()
    assert statuses == [401] * 5
    assert [e.payload["event_name"] for e in events] == ["follow"]


async def _outbox_count(sessions: SessionFactory, at_least: int) -> bool:
    return await count(sessions, OutboxMessage) >= at_least


async def test_replayed_events_make_one_inbox_row_and_one_draft(
    database_url: str, tmp_path: Path, oa: FakeZaloOA, clock: Clock
) -> None:
    async with running(oa_settings(database_url, tmp_path, oa), clock) as (app, base), \
            aiohttp.ClientSession() as http:
        resident = Resident(http, base, oa)
        for _ in range(3):  # Zalo retries at 30 s, 5 min...: same msg_id every time
            await resident.writes("oa_text.json")
        for _ in range(2):  # no msg_id: event name + sender + timestamp
            await resident.writes("oa_unfollow.json")
        sessions = app[SESSIONS]
        await resident.reads("đồng ý")

        async def all_processed() -> bool:
            async with sessions() as session:
                rows = (await session.scalars(select(InboxEvent))).all()
            return all(r.processed_at is not None for r in rows)

        await eventually(all_processed)
        events = await count(sessions, InboxEvent)
        async with sessions() as session:
            conversation = await session.scalar(select(Conversation))
    assert events == 2
    assert oa.sent(USER) == [oa.sent(USER)[0]]  # one consent question, not three
    assert conversation is not None
    assert conversation.step == "await_consent"


async def test_unsupported_content_gets_a_polite_answer_and_echoes_are_ignored(
    database_url: str, tmp_path: Path, oa: FakeZaloOA, clock: Clock
) -> None:
    async with running(oa_settings(database_url, tmp_path, oa), clock) as (app, base), \
            aiohttp.ClientSession() as http:
        resident = Resident(http, base, oa)
        await resident.writes("oa_echo.json")
        await resident.writes("oa_file.json")
        file_answer = await resident.reads("tệp")
        await resident.writes("oa_sticker.json")
        sticker_answer = await resident.reads("nhãn dán")
        await resident.writes("oa_audio.json")
        audio_answer = await resident.reads("thoại")
        sessions = app[SESSIONS]
        async with sessions() as session:
            echo = await session.scalar(
                select(InboxEvent).where(InboxEvent.event_id == "m:e0e0e0e0e0e00001"))
    assert "chữ" in audio_answer
    assert "ảnh" in file_answer
    assert "chữ" in sticker_answer
    assert len(oa.sent(USER)) == 3  # nothing answered the OA's own echo
    assert echo is not None
    assert echo.processed_at is not None


async def _answered_on_day_9(
    app: web.Application, resident: Resident, clock: Clock
) -> tuple[str, Item, int]:
    """A submission, then the unit's answer nine days later (the 7-day window has closed)."""
    code = await submit(resident)
    item = await item_by_code(app[SESSIONS], code)
    clock.advance(days=9)
    row_id = await enqueue_answer(app, item, f"Phản ánh {code}: đã sửa xong.", clock())
    return code, item, row_id


async def test_answer_on_day_9_is_held_then_delivered_when_the_resident_writes(
    database_url: str, tmp_path: Path, oa: FakeZaloOA, clock: Clock
) -> None:
    async with running(oa_settings(database_url, tmp_path, oa), clock) as (app, base), \
            aiohttp.ClientSession() as http:
        resident = Resident(http, base, oa)
        code, item, row_id = await _answered_on_day_9(app, resident, clock)
        sessions = app[SESSIONS]

        async def is_held() -> bool:
            return (await outbox_row(sessions, row_id)).status == "held"

        await eventually(is_held)
        async with sessions() as session:
            waiting = [r.id for r in await held.undelivered(session, item.id)]
            audit = await session.scalar(select(AuditEvent).where(
                AuditEvent.item_id == item.id, AuditEvent.action == "delivery_held"))
        assert row_id in waiting
        assert audit is not None
        # The acceptance notice and the answer both meet the closed window.
        assert [r["error"] for r in oa.refused] == [-230, -230]
        assert "đã sửa xong" not in "".join(oa.sent(USER))

        clock.advance(hours=3)
        await resident.writes("oa_ok_day9.json")  # "OK": the window opens again
        delivered = await resident.reads("đã sửa xong")
        notice = await resident.reads("chưa chuyển được")
        row = await outbox_row(sessions, row_id)
        async with sessions() as session:
            conversation = await session.scalar(select(Conversation))
            items = await count(sessions, Item)
    assert delivered.startswith(f"Phản ánh {code}")
    assert KEEP_WINDOW_OPEN in delivered
    assert "2 tin nhắn" in notice
    assert row.status == "sent"
    # "OK" only kept the window open: no new draft, no consent question.
    assert conversation is not None
    assert conversation.step == "idle"
    assert items == 1


async def test_answer_on_day_9_goes_as_zns_when_configured_and_a_phone_is_known(
    database_url: str, tmp_path: Path, oa: FakeZaloOA, clock: Clock
) -> None:
    settings = oa_settings(database_url, tmp_path, oa, ZALO_ZNS_TEMPLATE_ID="tmpl-314159")
    async with running(settings, clock) as (app, base), aiohttp.ClientSession() as http:
        resident = Resident(http, base, oa)
        code, _item, row_id = await _answered_on_day_9(app, resident, clock)
        sessions = app[SESSIONS]

        async def is_sent() -> bool:
            return (await outbox_row(sessions, row_id)).status == "sent"

        await eventually(is_sent)
    assert len(oa.zns) == 2  # the acceptance notice, then the answer
    zns = oa.zns[-1]
    assert zns["phone"] == "84912345678"
    assert zns["template_id"] == "tmpl-314159"
    assert zns["template_data"]["ma_phan_anh"] == code
    assert "đã sửa xong" in zns["template_data"]["noi_dung"]
