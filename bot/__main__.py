"""Command line: `python -m bot run | migrate | staff invite`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from aiohttp import web

from bot import drafts_cli, group_cli
from bot.settings import Settings, SettingsError, load_settings
from handlers.profiles import Profile, ProfileError, load_profile

# Loggers that print SQL parameters or raw platform payloads at DEBUG/INFO: personal data
# (and a denunciation's sender) must never reach a log line, whatever LOG_LEVEL says.
QUIET_LOGGERS = ("sqlalchemy.engine", "aiosqlite", "asyncpg", "telegram", "httpx")


def _run(settings: Settings) -> None:
    from bot.app import create_app
    from bot.classifier_loader import load_for_service

    drafts_cli.seed_demo_for_run(settings)  # the demo quy ước, open in the web chat
    classifier = load_for_service(settings)
    app = create_app(settings, classifier=classifier)
    web.run_app(app, host=settings.WEB_HOST, port=settings.WEB_PORT, shutdown_timeout=3,
                print=lambda line: logging.getLogger("bot").info("%s", line))


def _migrate(settings: Settings) -> None:
    from db.engine import create_engine
    from db.migrate import migrate

    async def go() -> None:
        engine = create_engine(settings.DATABASE_URL)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(go())
    print("Đã cập nhật cơ sở dữ liệu.")


def _staff_invite(settings: Settings, profile: Profile, name: str, role: str,
                  unit: str | None) -> int:
    from bot.clock import utc_now
    from db.engine import create_engine, session_factory
    from db.migrate import migrate
    from handlers.actions import INVITE_TTL, ActionRefused, create_invite
    from handlers.rules.permissions import ROLE_LABELS, Role

    async def go() -> tuple[str, str, str]:
        engine = create_engine(settings.DATABASE_URL)
        try:
            await migrate(engine)
            async with session_factory(engine).begin() as session:
                now = utc_now()
                member, code = await create_invite(session, name=name, role=role,
                                                   unit_code=unit, profile=profile, now=now)
                expires = (now + INVITE_TTL).astimezone(profile_zone(profile))
                unit_name = profile.unit_name(member.unit_code) if member.unit_code else "-"
                who = f"{member.name} – {ROLE_LABELS[Role(member.role)]}, {unit_name}"
                return who, code, f"{expires:%H:%M %d/%m/%Y}"
        finally:
            await engine.dispose()

    try:
        who, code, expires = asyncio.run(go())
    except ActionRefused as exc:
        print(exc.reason, file=sys.stderr)
        return 2
    print(f"Đã tạo cán bộ: {who}")
    print(f"Mã liên kết dùng một lần, hết hạn lúc {expires}. Cán bộ gửi cho bot: /link {code}")
    print(code)  # the last line: the code alone, for scripts
    return 0


def profile_zone(profile: Profile) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(profile.timezone)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Hộp thư phản ánh")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="chạy dịch vụ (web chat, webhook, kênh chat)")
    sub.add_parser("migrate", help="cập nhật cấu trúc cơ sở dữ liệu")
    staff = sub.add_parser("staff", help="quản lý cán bộ")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    invite = staff_sub.add_parser("invite", help="tạo cán bộ và mã liên kết dùng một lần")
    invite.add_argument("--name", required=True, help="họ tên cán bộ")
    invite.add_argument("--role", required=True,
                        choices=["office", "inspectorate", "unit_head", "officer", "observer"])
    invite.add_argument("--unit", default=None, help="mã đơn vị trong hồ sơ địa phương")
    group_cli.add_parser(staff_sub)
    drafts_cli.add_parser(sub)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        profile = load_profile(settings.PROFILE)
    except (SettingsError, ProfileError) as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.LOG_LEVEL.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if args.command == "run":
        _run(settings)
    elif args.command == "migrate":
        _migrate(settings)
    elif args.command == "staff" and args.staff_command == "invite-group":
        return group_cli.invite_group(settings, profile, args.unit)
    elif args.command == "staff":
        return _staff_invite(settings, profile, args.name, args.role, args.unit)
    elif args.command == "drafts":
        return drafts_cli.main(args, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
