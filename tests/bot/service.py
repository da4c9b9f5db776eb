"""Run the real aiohttp application on a free local port for a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings, load_settings
from handlers.ports import TextClassifier


def make_settings(database_url: str, data_dir: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "DATABASE_URL": database_url,
        "DATA_DIR": data_dir,
        "CLASSIFIER_ENABLED": False,
        "TELEGRAM_POLL_TIMEOUT": 1,
        "TELEGRAM_CHAT_INTERVAL": 0.02,
        "SECRET_KEY": "test-secret-key",
    }
    values.update(overrides)
    return load_settings(**values)


@asynccontextmanager
async def running(
    settings: Settings, classifier: TextClassifier | None = None
) -> AsyncIterator[tuple[web.Application, str]]:
    app = create_app(settings, classifier=classifier, worker_interval=0.05)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
