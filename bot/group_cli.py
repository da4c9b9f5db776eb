"""`python -m bot staff invite-group --unit CODE`: a one-time code that links a group chat
to a unit (sent as `/link CODE` in the group). The code is the last line printed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from zoneinfo import ZoneInfo

from bot.settings import Settings
from handlers.profiles import Profile


def add_parser(staff_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = staff_sub.add_parser(
        "invite-group", help="tạo mã liên kết nhóm chat của một đơn vị (dùng một lần)")
    group.add_argument("--unit", required=True, help="mã đơn vị trong hồ sơ địa phương")


def invite_group(settings: Settings, profile: Profile, unit: str) -> int:
    from bot.clock import utc_now
    from db.engine import create_engine, session_factory
    from db.migrate import migrate
    from handlers.actions import ActionRefused
    from handlers.group_chats import GROUP_INVITE_TTL, create_group_invite

    async def go() -> tuple[str, str]:
        engine = create_engine(settings.DATABASE_URL)
        try:
            await migrate(engine)
            async with session_factory(engine).begin() as session:
                now = utc_now()
                code = await create_group_invite(session, unit_code=unit, profile=profile,
                                                 now=now)
                expires = (now + GROUP_INVITE_TTL).astimezone(ZoneInfo(profile.timezone))
                return code, f"{expires:%H:%M %d/%m/%Y}"
        finally:
            await engine.dispose()

    try:
        code, expires = asyncio.run(go())
    except ActionRefused as exc:
        print(exc.reason, file=sys.stderr)
        return 2
    print(f"Mã liên kết nhóm chat cho {profile.unit_name(unit)} (dùng một lần, hết hạn lúc "
          f"{expires}).")
    print(f"Thêm bot vào nhóm rồi gửi trong nhóm: /link {code}")
    print(code)  # the last line: the code alone, for scripts
    return 0
