"""One runner at a time (the lease), and two separate processes sweeping at the same
instant still send each reminder once (the unique rows). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.jobs.sweeper import JOB_NAME, Sweeper, acquire_lease, lease_holder, release_lease
from db.engine import SessionFactory
from db.models import ItemReminder
from handlers.actions import Rules
from tests.handlers.factories import ward_rules
from tests.reminders.helpers import add_item, add_staff, at, last_outbox_id, outbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rules() -> Rules:
    return ward_rules()


async def test_the_lease_admits_one_runner_at_a_time(sessions: SessionFactory) -> None:
    now = at(2026, 5, 6, 8)
    assert await acquire_lease(sessions, JOB_NAME, "a", now)
    assert not await acquire_lease(sessions, JOB_NAME, "b", now + timedelta(minutes=1))
    assert await acquire_lease(sessions, JOB_NAME, "a", now + timedelta(minutes=1))  # renew
    await release_lease(sessions, JOB_NAME, "a", now + timedelta(minutes=2))
    assert await acquire_lease(sessions, JOB_NAME, "b", now + timedelta(minutes=2))
    # A crashed holder's lease runs out.
    assert not await acquire_lease(sessions, JOB_NAME, "c", now + timedelta(minutes=6))
    assert await acquire_lease(sessions, JOB_NAME, "c", now + timedelta(minutes=8))
    assert await lease_holder(sessions) == "c"


async def test_a_sweeper_waits_while_another_holds_the_lease(
    sessions: SessionFactory, rules: Rules
) -> None:
    await add_staff(sessions, rules)
    await add_item(sessions, rules, at(2026, 4, 25, 9))
    now = at(2026, 5, 6, 8)
    assert await acquire_lease(sessions, JOB_NAME, "other-process", now)
    sweeper = Sweeper(sessions, rules, lambda: now, holder="me")
    assert await sweeper.run_once() is None
    assert await outbox(sessions, await last_outbox_id(sessions)) == []
    await release_lease(sessions, JOB_NAME, "other-process", now)
    result = await sweeper.run_once()
    assert result is not None
    assert len(result.reminders) == 2  # overdue and escalation


async def _sweep_in_processes(database_url: str, tmp_path: Path, count: int,
                              *extra: str) -> list[dict[str, object]]:
    env = {**os.environ, "DATABASE_URL": database_url, "PROFILE": "demo_ward",
           "SECRET_KEY": "test-secret-key", "DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.jobs.sweeper", "--at", "2026-05-06T08:00:00+07:00",
            "--wait-go", *extra, cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        for _ in range(count)
    ]
    for proc in procs:  # both connected before either starts
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line.strip() == b"ready", line
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
    for proc in procs:
        assert proc.stdin is not None
        await proc.stdin.drain()
    results = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


@pytest.mark.parametrize("lease", [False, True], ids=["unique-rows-only", "with-lease"])
async def test_two_processes_sweeping_at_once_send_each_reminder_once(
    database_url: str, tmp_path: Path, sessions: SessionFactory, rules: Rules, lease: bool
) -> None:
    await add_staff(sessions, rules)
    items = [await add_item(sessions, rules, at(2026, 4, 25, 9), text=f"Việc số {n}")
             for n in range(15)]
    before = await last_outbox_id(sessions)
    results = await _sweep_in_processes(database_url, tmp_path, 2,
                                        *(() if lease else ("--no-lease",)))
    everything = await outbox(sessions, before)
    # 08:00 is past the digest time: each recipient's digest once, across both processes.
    digests = [m.chat_id for m in everything if m.text.startswith("Bản tin sáng")]
    assert sorted(digests) == ["head-ca", "head-kt", "head-vp", "office"]
    sent = [m for m in everything if not m.text.startswith("Bản tin sáng")]
    assert len(sent) == 5 * len(items)  # head, office, inspectorate, van_phong head, resident
    assert Counter(m.chat_id for m in sent) == {
        "head-kt": 15, "office": 15, "insp": 15, "head-vp": 15, "r1": 15}
    claimed = [tuple(pair) for r in results if r["ran"]
               for pair in r["reminders"]]  # type: ignore[attr-defined]
    assert len(claimed) == len(set(claimed)) == 2 * len(items)
    async with sessions() as session:
        assert await session.scalar(select(func.count(ItemReminder.id))) == 2 * len(items)
