"""Download attachments (Telegram photos by file id, ...) into local storage."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from bot.channels.base import Channel
from db.engine import SessionFactory
from db.models import Attachment
from db.queries import attachments_to_fetch

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


async def fetch_pending(
    sessions: SessionFactory,
    channels: Mapping[str, Channel],
    storage: Path,
    clock: Callable[[], datetime],
) -> int:
    async with sessions() as session:
        pending = await attachments_to_fetch(session, list(channels), MAX_ATTEMPTS)
    stored = 0
    for attachment in pending:
        try:
            data = await channels[attachment.channel].fetch_file(attachment.file_ref)
            path = storage / str(attachment.item_id) / (
                f"{attachment.id}{EXTENSIONS.get(attachment.content_type, '.bin')}"
            )
            await asyncio.to_thread(_write, path, data)
        except Exception as exc:  # kept for a later attempt; the item is already safe
            log.warning("attachment %s: %s", attachment.id, exc)
            async with sessions.begin() as session:
                row = await session.get(Attachment, attachment.id)
                if row is not None:
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            continue
        async with sessions.begin() as session:
            row = await session.get(Attachment, attachment.id)
            if row is not None:
                row.stored_path = str(path)
                row.size = len(data)
                row.sha256 = hashlib.sha256(data).hexdigest()
                row.stored_at = clock()
                row.attempts += 1
        stored += 1
    return stored


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
