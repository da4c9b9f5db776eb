"""The background loop of a process: inbox, outbox and attachment downloads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from bot.channels.base import Channel
from bot.jobs import attachments, inbox, outbox
from db.engine import SessionFactory
from handlers.conversation.turn import Deps

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        deps: Deps,
        storage: Path,
        clock: Callable[[], datetime],
        idle_interval: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.deps = deps
        self.storage = storage
        self.clock = clock
        self.idle_interval = idle_interval
        self.pacer = outbox.Pacer()
        self._wake = asyncio.Event()
        self._stopping = False

    def kick(self) -> None:
        """Something new is stored: run now rather than at the next tick."""
        self._wake.set()

    async def run_once(self) -> int:
        done = await inbox.process_pending(self.sessions, self.channels, self.deps, self.clock)
        done += await outbox.send_due(self.sessions, self.channels, self.clock, self.pacer)
        done += await attachments.fetch_pending(
            self.sessions, self.channels, self.storage, self.clock
        )
        return done

    def stop(self) -> None:
        """Finish the current tick, then return from `run_forever`."""
        self._stopping = True
        self._wake.set()

    async def run_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                busy = await self.run_once()
            except Exception:  # a database hiccup must not stop the loop
                log.exception("worker tick failed")
                busy = 0
            if busy or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_interval)
