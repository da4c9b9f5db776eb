"""Shared by every inbound HTTP route: commit the event, then wake the worker."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.jobs.inbox import store_event
from bot.web.keys import CLOCK, SESSIONS, WORKER

log = logging.getLogger(__name__)


async def accept_event(
    request: web.Request, channel: str, event_id: str, payload: dict[str, Any]
) -> bool | None:
    """True if stored, False if a redelivery, None if the database could not take it."""
    app = request.app
    try:
        stored = await store_event(app[SESSIONS], channel, event_id, payload, app[CLOCK]())
    except (SQLAlchemyError, OSError) as exc:
        log.error("could not store %s event %s: %s", channel, event_id, exc)
        return None
    if stored:
        app[WORKER].kick()
    return stored
