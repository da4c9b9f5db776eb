"""Typed keys for what the aiohttp application carries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.jobs.sweeper import Sweeper
from bot.jobs.worker import Worker
from bot.settings import Settings
from db.engine import SessionFactory

SETTINGS = web.AppKey("settings", Settings)
SESSIONS = web.AppKey("sessions", SessionFactory)
WORKER = web.AppKey("worker", Worker)
SWEEPER = web.AppKey("sweeper", Sweeper)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
