"""The Zalo OA access token: read from the database, refreshed once under a lock.

Zalo's refresh token works once and a new access token invalidates the old one, so two
processes refreshing at the same moment would lock each other out. The pair therefore lives
in one `zalo_tokens` row: a refresh locks that row (`SELECT ... FOR UPDATE` on PostgreSQL; a
write on SQLite, which allows one writer), re-reads it, and refreshes only if the token that
failed is still the stored one; the new pair is committed in the same transaction. Once the
database holds a pair it wins over the environment, which only seeds the first row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from db.engine import SessionFactory
from db.models import ZaloToken

log = logging.getLogger(__name__)
REFRESH_PATH = "/v4/oa/access_token"


class TokenRefreshFailed(Exception):
    """Zalo refused the refresh (used or expired refresh token, wrong app secret...).

    Nothing is stored: the database keeps its pair, and an operator must issue a new pair
    from the Zalo developer console (see docs/zalo.md).
    """


class ZaloTokens:
    def __init__(
        self,
        sessions: SessionFactory,
        settings: Settings,
        http: Callable[[], aiohttp.ClientSession],
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.http = http
        self.clock = clock
        self.row_name = f"oa:{settings.ZALO_OA_APP_ID}"
        self._cached: str | None = None
        self._lock = asyncio.Lock()  # one refresh at a time inside this process

    async def access_token(self) -> str:
        if self._cached is not None:
            return self._cached
        async with self.sessions() as session:
            row = await session.get(ZaloToken, self.row_name)
        if row is not None:
            self._cached = row.access_token
        elif self.settings.ZALO_OA_ACCESS_TOKEN is not None:
            self._cached = self.settings.ZALO_OA_ACCESS_TOKEN.get_secret_value()
        else:
            return await self.refresh("")
        return self._cached

    async def refresh(self, stale: str) -> str:
        """A fresh access token, given the one Zalo just refused."""
        async with self._lock, self.sessions.begin() as session:
            row = await self._locked_row(session)
            if row.access_token != stale and row.access_token:
                # Another process (or task) refreshed while we waited for the lock.
                self._cached = row.access_token
                return row.access_token
            access, refresh, expires_in = await self._call_oauth(row.refresh_token)
            now = self.clock()
            row.access_token = access
            row.refresh_token = refresh
            row.expires_at = now + timedelta(seconds=expires_in) if expires_in else None
            row.updated_at = now
            row.refreshes += 1
        log.info("zalo: access token refreshed (refresh #%s)", row.refreshes)
        self._cached = access
        return access

    async def _locked_row(self, session: AsyncSession) -> ZaloToken:
        dialect = session.get_bind().dialect.name
        if dialect == "sqlite":
            # SQLite ignores FOR UPDATE; writing first takes its single writer lock (a read
            # first would pin a snapshot that a concurrent refresh makes stale).
            await session.execute(
                update(ZaloToken)
                .where(ZaloToken.name == self.row_name)
                .values(refreshes=ZaloToken.refreshes)
            )
        existing = await session.get(ZaloToken, self.row_name)
        if existing is None:
            seed = self._seed_values()
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            await session.execute(
                insert(ZaloToken).values(**seed).on_conflict_do_nothing(index_elements=["name"])
            )
        row = await session.scalar(
            select(ZaloToken)
            .where(ZaloToken.name == self.row_name)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None:  # pragma: no cover - inserted just above
            raise TokenRefreshFailed("zalo token row vanished")
        return row

    def _seed_values(self) -> dict[str, Any]:
        refresh = self.settings.ZALO_OA_REFRESH_TOKEN
        if refresh is None:
            raise TokenRefreshFailed(
                "no Zalo OA refresh token: set ZALO_OA_REFRESH_TOKEN (see docs/zalo.md)"
            )
        access = self.settings.ZALO_OA_ACCESS_TOKEN
        return {
            "name": self.row_name,
            "access_token": access.get_secret_value() if access is not None else "",
            "refresh_token": refresh.get_secret_value(),
            "expires_at": None,
            "updated_at": self.clock(),
            "refreshes": 0,
        }

    async def _call_oauth(self, refresh_token: str) -> tuple[str, str, int]:
        secret = self.settings.ZALO_APP_SECRET
        url = self.settings.ZALO_OAUTH_BASE_URL.rstrip("/") + REFRESH_PATH
        form = {
            "app_id": self.settings.ZALO_OA_APP_ID,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        headers = {"secret_key": secret.get_secret_value() if secret is not None else ""}
        try:
            async with self.http().post(url, data=form, headers=headers) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TokenRefreshFailed(f"zalo token refresh: {type(exc).__name__}: {exc}") from exc
        if not isinstance(body, dict) or not body.get("access_token"):
            detail = body.get("error_description") or body.get("error_name") or body.get(
                "error") if isinstance(body, dict) else body
            raise TokenRefreshFailed(f"zalo token refresh refused: {detail}")
        try:
            expires_in = int(body.get("expires_in") or 0)  # a string in Zalo's answers
        except (TypeError, ValueError):
            expires_in = 0
        return str(body["access_token"]), str(body.get("refresh_token") or refresh_token), (
            expires_in
        )
