"""The Zalo channels a process runs, built from settings, and their intake tasks.

Kept out of bot/app.py so the application factory only says "add the Zalo channels".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.channels import zalo_bot
from bot.channels.base import Channel
from bot.channels.zalo_bot import ZaloBotChannel
from bot.channels.zalo_common import LazyHttp
from bot.channels.zalo_oa import ZaloOAChannel, consented_phone
from bot.jobs.inbox import store_event
from bot.jobs.zalo_token import ZaloTokens
from bot.settings import Settings
from bot.web import zalo_webhooks
from bot.web.keys import CLOCK, SESSIONS, WORKER
from db.engine import SessionFactory

log = logging.getLogger(__name__)


@dataclass
class ZaloChannels:
    settings: Settings
    oa: ZaloOAChannel | None = None
    bot: ZaloBotChannel | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls, settings: Settings, sessions: SessionFactory, clock: Callable[[], datetime]
    ) -> ZaloChannels:
        zalo = cls(settings)
        if settings.zalo_oa_enabled:
            http = LazyHttp()
            tokens = ZaloTokens(sessions, settings, http, clock)
            zalo.oa = ZaloOAChannel(settings, tokens, http, consented_phone(sessions))
        if settings.ZALO_BOT_TOKEN is not None:
            zalo.bot = ZaloBotChannel(settings, settings.ZALO_BOT_TOKEN.get_secret_value(),
                                      LazyHttp())
        return zalo

    @property
    def channels(self) -> dict[str, Channel]:
        found: list[Channel] = [c for c in (self.oa, self.bot) if c is not None]
        return {c.name: c for c in found}

    def add_routes(self, app: web.Application) -> None:
        zalo_webhooks.add_routes(app, oa=self.oa is not None,
                                 bot_webhook=self.bot is not None
                                 and self.settings.zalo_bot_webhook_mode)

    async def start(self, app: web.Application) -> None:
        if self.bot is None:
            return
        secret = self.settings.ZALO_BOT_WEBHOOK_SECRET
        if secret is not None:
            url = self.settings.PUBLIC_BASE_URL.rstrip("/") + "/webhooks/zalo-bot"
            try:
                await self.bot.set_webhook(url, secret.get_secret_value())
            except Exception as exc:  # the rest of the service must still start
                log.error("zalo bot: setWebhook %s failed: %s", url, exc)
            return
        self.tasks.append(asyncio.create_task(self._poll(self.bot, app), name="zalo-bot-intake"))

    async def _poll(self, bot: ZaloBotChannel, app: web.Application) -> None:
        async def store(updates: list[dict[str, Any]]) -> None:
            for update in updates:
                key = zalo_bot.event_id(update)
                if key is not None:
                    await store_event(app[SESSIONS], bot.name, key, update, app[CLOCK]())
            app[WORKER].kick()

        await bot.poll_forever(store)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for channel in (self.oa, self.bot):
            if channel is not None:
                await channel.stop()
