"""Command line: `python -m bot run | migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from aiohttp import web

from bot.settings import Settings, SettingsError, load_settings


def _run(settings: Settings) -> None:
    from bot.app import create_app
    from bot.classifier_loader import load_for_service

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Hộp thư phản ánh")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="chạy dịch vụ (web chat, webhook, kênh chat)")
    sub.add_parser("migrate", help="cập nhật cấu trúc cơ sở dữ liệu")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.LOG_LEVEL.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command == "run":
        _run(settings)
    elif args.command == "migrate":
        _migrate(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
