"""The deadline sweeper: every few minutes, reminders, escalations and morning digests.

One runner at a time across processes: a lease row (``job_leases``) taken with a single
conditional UPDATE (or the first INSERT), valid for ``LEASE_TTL`` and released after the
sweep, so a crashed runner's lease simply runs out. The lease saves duplicate work; the
guarantee that a reminder goes out once is its unique row (``handlers.reminder_actions``),
which holds even if two sweeps overlap.

``python -m bot.jobs.sweeper --at 2026-05-06T08:00+07:00`` runs one sweep (settings from
the environment), for operators and for the multi-process test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import socket
import sys
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from db.engine import SessionFactory
from db.models import JobLease
from handlers import reminder_actions
from handlers.actions import Rules
from handlers.reminder_actions import SweepResult

log = logging.getLogger(__name__)

JOB_NAME = "deadline_sweeper"
LEASE_TTL = timedelta(minutes=5)
DEFAULT_INTERVAL = 180.0  # seconds between sweeps


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def acquire_lease(
    sessions: SessionFactory, name: str, holder: str, now: datetime,
    ttl: timedelta = LEASE_TTL,
) -> bool:
    """Take (or renew) the lease ``name`` for ``holder``; False while another holds it."""
    async with sessions.begin() as session:
        taken = await session.scalar(
            update(JobLease)
            .where(JobLease.name == name,
                   or_(JobLease.expires_at <= now, JobLease.holder == holder))
            .values(holder=holder, expires_at=now + ttl)
            .returning(JobLease.name)
        )
        if taken is not None:
            return True
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        created = await session.scalar(
            insert(JobLease).values(name=name, holder=holder, expires_at=now + ttl)
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(JobLease.name)
        )
        return created is not None


async def release_lease(sessions: SessionFactory, name: str, holder: str, now: datetime) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(JobLease).where(JobLease.name == name, JobLease.holder == holder)
            .values(expires_at=now)
        )


async def lease_holder(sessions: SessionFactory, name: str = JOB_NAME) -> str | None:
    async with sessions() as session:
        return await session.scalar(select(JobLease.holder).where(JobLease.name == name))


async def sweep(sessions: SessionFactory, rules: Rules, now: datetime) -> SweepResult:
    """One sweep without the lease: reminders and escalations, then digests."""
    result = await reminder_actions.sweep_reminders(sessions, rules, now)
    result.digests = await reminder_actions.send_digests(sessions, rules, now)
    return result


class Sweeper:
    def __init__(
        self,
        sessions: SessionFactory,
        rules: Rules,
        clock: Callable[[], datetime],
        *,
        interval: float = DEFAULT_INTERVAL,
        holder: str | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.rules = rules
        self.clock = clock
        self.interval = interval
        self.holder = holder or new_holder()
        self.on_sent = on_sent

    async def run_once(self) -> SweepResult | None:
        """One sweep if this process gets the lease; ``None`` when another runner has it."""
        if not await acquire_lease(self.sessions, JOB_NAME, self.holder, self.clock()):
            return None
        try:
            result = await sweep(self.sessions, self.rules, self.clock())
        finally:
            await release_lease(self.sessions, JOB_NAME, self.holder, self.clock())
        if (result.messages or result.digests) and self.on_sent is not None:
            self.on_sent()  # the worker sends them now rather than at its next tick
        return result

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a database hiccup must not stop the loop
                log.exception("sweep failed")
            await asyncio.sleep(self.interval)


# -- one sweep from the command line --------------------------------------------------------


async def _main(at: datetime | None, use_lease: bool, wait_go: bool) -> SweepResult | None:
    from bot.clock import utc_now
    from bot.settings import load_settings
    from db.engine import create_engine, session_factory
    from handlers.crypto import derive_identity_key
    from handlers.profiles import load_profile
    from handlers.rules.calendar import WorkingCalendar

    settings = load_settings()
    profile = load_profile(settings.PROFILE)
    rules = Rules(profile, WorkingCalendar.from_profile(profile),
                  derive_identity_key(settings.SECRET_KEY.get_secret_value()))
    engine = create_engine(settings.DATABASE_URL)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:  # connect before the start signal
            await session.scalar(select(1))
        if wait_go:
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        now = at or utc_now()
        if use_lease:
            return await Sweeper(sessions, rules, lambda: now).run_once()
        return await sweep(sessions, rules, now)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.jobs.sweeper",
                                     description="chạy một lượt nhắc hạn, báo quá hạn, bản tin")
    parser.add_argument("--at", type=datetime.fromisoformat, default=None,
                        help="thời điểm (ISO, có múi giờ); mặc định: bây giờ")
    parser.add_argument("--no-lease", action="store_true",
                        help="không giành quyền chạy (chỉ dựa vào bản ghi duy nhất)")
    parser.add_argument("--wait-go", action="store_true",
                        help="kết nối xong in 'ready', chờ một dòng trên stdin rồi mới chạy")
    args = parser.parse_args(argv)
    if args.at is not None and args.at.tzinfo is None:
        parser.error("--at cần múi giờ, ví dụ 2026-05-06T08:00+07:00")
    with contextlib.suppress(BrokenPipeError):
        result = asyncio.run(_main(args.at, not args.no_lease, args.wait_go))
        summary = None if result is None else {
            "reminders": [list(pair) for pair in result.reminders],
            "messages": result.messages, "digests": result.digests,
        }
        print(json.dumps({"ran": result is not None, **(summary or {})}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
