"""`python -m bot staff invite`: a staff record and a one-time code on the last line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.__main__ import main
from db.engine import SessionFactory, create_engine, session_factory
from db.models import StaffInvite, StaffMember
from handlers import actions
from handlers.actions import ActionRefused
from handlers.profiles import load_profile


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PROFILE", "demo_ward")
    return database_url


async def _rows(url: str) -> tuple[list[StaffMember], list[StaffInvite]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            members = list((await session.scalars(select(StaffMember))).all())
            invites = list((await session.scalars(select(StaffInvite))).all())
            return members, invites
    finally:
        await engine.dispose()


def test_invite_prints_the_code_last_and_stores_only_its_hash(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["staff", "invite", "--name", "Phạm Thị Dung", "--role", "unit_head",
                 "--unit", "kinh_te"])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    link_code = out[-1]
    assert len(link_code) == 14
    assert link_code.count("-") == 2
    assert "Phạm Thị Dung" in out[0]
    assert "Phòng Kinh tế, Hạ tầng và Đô thị" in out[0]
    assert f"/link {link_code}" in out[1]
    members, invites = asyncio.run(_rows(env))
    assert [(m.name, m.role, m.unit_code) for m in members] == [
        ("Phạm Thị Dung", "unit_head", "kinh_te")]
    assert len(invites) == 1
    assert link_code not in invites[0].code_hash
    assert invites[0].expires_at - invites[0].created_at == timedelta(hours=72)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "unit_head"], "--unit"),
        (["--role", "officer", "--unit", "kinhte"], "Không có đơn vị «kinhte»"),
    ],
)
def test_bad_invites_are_refused_on_one_line(
    env: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["staff", "invite", "--name", "A", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert "\n" not in err


def test_bad_profile_stops_the_cli_naming_it(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROFILE", "no_such_place")
    assert main(["staff", "invite", "--name", "A", "--role", "office"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no_such_place" in err
    assert "not found" in err
    assert "\n" not in err


async def test_codes_work_once_and_expire(sessions: SessionFactory) -> None:
    factory = sessions
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    profile = load_profile("demo_ward")
    async with factory.begin() as session:
        _, code = await actions.create_invite(session, name="B", role="officer",
                                              unit_code="kinh_te", profile=profile, now=now)
        _, late = await actions.create_invite(session, name="C", role="observer",
                                              unit_code=None, profile=profile, now=now)
    async with factory.begin() as session:
        await actions.link_account(session, code=code, channel="telegram", external_id="1",
                                   chat_id="1", now=now)
    async with factory.begin() as session:
        with pytest.raises(ActionRefused):
            await actions.link_account(session, code=code, channel="telegram",
                                       external_id="2", chat_id="2", now=now)
        with pytest.raises(ActionRefused):
            await actions.link_account(session, code=late, channel="telegram",
                                       external_id="3", chat_id="3",
                                       now=now + timedelta(hours=72, seconds=1))
