"""`create_app(settings)`: wires storage, channels, the worker and the routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime

from aiohttp import web
from pydantic import SecretStr
from telegram import Update
from telegram.error import TelegramError

from bot.channels.base import Channel
from bot.channels.telegram import TelegramChannel
from bot.channels.webchat import WebChatChannel
from bot.clock import utc_now
from bot.jobs.inbox import store_event
from bot.jobs.sweeper import DEFAULT_INTERVAL as DEFAULT_SWEEP_INTERVAL
from bot.jobs.sweeper import Sweeper
from bot.jobs.worker import Worker
from bot.settings import Settings
from bot.web import chat
from bot.web.keys import CLOCK, SESSIONS, SETTINGS, SWEEPER, WORKER
from bot.web.telegram_webhook import telegram_webhook
from bot.zalo_wiring import ZaloChannels
from db.engine import create_engine, session_factory
from db.migrate import migrate
from handlers.conversation.turn import Deps
from handlers.crypto import derive_identity_key
from handlers.ports import IntakeLimits, TextClassifier
from handlers.profiles import load_profile

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    classifier: TextClassifier | None = None,
    worker_interval: float = 1.0,
    sweep_interval: float = DEFAULT_SWEEP_INTERVAL,
) -> web.Application:
    app = web.Application(client_max_size=settings.MAX_PHOTO_BYTES + 1024 * 1024)
    engine = create_engine(settings.DATABASE_URL)
    sessions = session_factory(engine)
    channels: dict[str, Channel] = {"web": WebChatChannel(settings.DATA_DIR / "uploads")}
    telegram = (
        TelegramChannel(settings, settings.TELEGRAM_BOT_TOKEN.get_secret_value())
        if settings.TELEGRAM_BOT_TOKEN is not None
        else None
    )
    if telegram is not None:
        channels[telegram.name] = telegram
    zalo = ZaloChannels.build(settings, sessions, clock)  # only those whose settings are set
    channels.update(zalo.channels)
    # A bad profile raises ProfileError (one line naming the key) and stops start-up.
    deps = Deps(
        profile=load_profile(settings.PROFILE),
        identity_key=derive_identity_key(settings.SECRET_KEY.get_secret_value()),
        limits=IntakeLimits(
            max_text_length=settings.MAX_TEXT_LENGTH,
            max_photos=settings.MAX_PHOTOS,
            max_photo_bytes=settings.MAX_PHOTO_BYTES,
        ),
        classifier=classifier,
    )
    worker = Worker(sessions, channels, deps, settings.attachments_dir, clock, worker_interval)
    sweeper = Sweeper(sessions, deps.rules, clock, interval=sweep_interval, on_sent=worker.kick)
    app[SETTINGS] = settings
    app[SESSIONS] = sessions
    app[WORKER] = worker
    app[SWEEPER] = sweeper
    app[CLOCK] = clock

    app.router.add_get("/healthz", healthz)
    chat.add_routes(app)
    if telegram is not None and settings.telegram_webhook_mode:
        app.router.add_post("/webhooks/telegram", telegram_webhook)
    zalo.add_routes(app)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await migrate(engine)
        worker_task = asyncio.create_task(worker.run_forever(), name="worker")
        # Cancelling a sweep mid-way loses nothing: each reminder is one transaction.
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(sweeper.run_forever(), name="sweeper")]
        if telegram is not None:
            await telegram.start()
            if settings.TELEGRAM_WEBHOOK_SECRET is not None:
                await _register_webhook(settings, telegram, settings.TELEGRAM_WEBHOOK_SECRET)
            else:
                tasks.append(asyncio.create_task(_poll_telegram(telegram, app),
                                                 name="telegram-polling"))
        await zalo.start(app)
        log.info("service ready on http://%s:%s/", settings.WEB_HOST, settings.WEB_PORT)
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Let a send in flight record its result: cancelling between the platform's OK and
        # our commit would hold the chat's queue for a lease and then send twice.
        worker.stop()
        try:
            await asyncio.wait_for(worker_task, SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("worker did not finish within %s s; stopped", SHUTDOWN_GRACE)
        if telegram is not None:
            await telegram.stop()
        await zalo.stop()
        await engine.dispose()

    app.cleanup_ctx.append(lifecycle)
    return app


async def _register_webhook(settings: Settings, telegram: TelegramChannel,
                            secret: SecretStr) -> None:
    url = settings.PUBLIC_BASE_URL.rstrip("/") + "/webhooks/telegram"
    try:
        await telegram.set_webhook(url, secret.get_secret_value())
    except TelegramError as exc:
        # Serve anyway: a webhook registered earlier keeps working; the log says what failed.
        log.error("could not register the Telegram webhook at %s: %s", url, exc)


async def _poll_telegram(telegram: TelegramChannel, app: web.Application) -> None:
    async def store(updates: Sequence[Update]) -> None:
        for update in updates:
            await store_event(app[SESSIONS], telegram.name, str(update.update_id),
                              update.to_dict(), app[CLOCK]())
        app[WORKER].kick()
        for update in updates:
            if update.callback_query is not None:
                with contextlib.suppress(Exception):  # only a spinner; never worth failing
                    await update.callback_query.answer()

    await telegram.poll_forever(store)
