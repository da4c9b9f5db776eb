"""Process settings: read once from the environment and `.env`, passed explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hopthu.sqlite3"
DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_ZALO_OA_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_ZALO_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
DEFAULT_ZALO_ZNS_API_BASE_URL = "https://business.openapi.zalo.me"
DEFAULT_ZALO_BOT_API_BASE_URL = "https://bot-api.zaloplatforms.com"


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line naming the key."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    PROFILE: str = "demo_ward"
    SECRET_KEY: SecretStr = SecretStr("dev-only-change-me")
    DATA_DIR: Path = Path("data")
    WEB_HOST: str = "127.0.0.1"
    WEB_PORT: Annotated[int, Field(ge=1, le=65535)] = 8080
    PUBLIC_BASE_URL: str = ""
    TELEGRAM_BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_BASE_URL: str = DEFAULT_TELEGRAM_API_BASE_URL
    TELEGRAM_API_FILE_URL: str = ""
    TELEGRAM_WEBHOOK_SECRET: SecretStr | None = None
    TELEGRAM_POLL_TIMEOUT: Annotated[int, Field(ge=0, le=50)] = 25
    # Zalo Official Account (see docs/zalo.md). The OA secret key signs webhooks; the app
    # secret authenticates token refreshes; the token pair seeds the database once.
    ZALO_OA_APP_ID: str = ""
    ZALO_OA_SECRET_KEY: SecretStr | None = None
    ZALO_APP_SECRET: SecretStr | None = None
    ZALO_OA_ACCESS_TOKEN: SecretStr | None = None
    ZALO_OA_REFRESH_TOKEN: SecretStr | None = None
    ZALO_OA_API_BASE_URL: str = DEFAULT_ZALO_OA_API_BASE_URL
    ZALO_OAUTH_BASE_URL: str = DEFAULT_ZALO_OAUTH_BASE_URL
    ZALO_ZNS_API_BASE_URL: str = DEFAULT_ZALO_ZNS_API_BASE_URL
    ZALO_ZNS_TEMPLATE_ID: str = ""
    # Zalo Bot Platform: webhook mode when the secret is set, long polling otherwise.
    ZALO_BOT_TOKEN: SecretStr | None = None
    ZALO_BOT_API_BASE_URL: str = DEFAULT_ZALO_BOT_API_BASE_URL
    ZALO_BOT_WEBHOOK_SECRET: SecretStr | None = None
    ZALO_BOT_POLL_TIMEOUT: Annotated[int, Field(ge=1, le=60)] = 30
    TELEGRAM_CHAT_INTERVAL: Annotated[float, Field(ge=0, le=10)] = 1.0
    TELEGRAM_GLOBAL_RATE: Annotated[float, Field(gt=0, le=30)] = 30.0
    MAX_TEXT_LENGTH: Annotated[int, Field(ge=100, le=20000)] = 4000
    MAX_PHOTO_BYTES: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    MAX_PHOTOS: Annotated[int, Field(ge=0, le=20)] = 5
    CLASSIFIER_ENABLED: bool = True
    LOG_LEVEL: str = "INFO"

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return value

    @field_validator(
        "TELEGRAM_API_BASE_URL", "TELEGRAM_API_FILE_URL", "PUBLIC_BASE_URL",
        "ZALO_OA_API_BASE_URL", "ZALO_OAUTH_BASE_URL", "ZALO_ZNS_API_BASE_URL",
        "ZALO_BOT_API_BASE_URL",
    )
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value.endswith("//") else value

    @field_validator(
        "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "ZALO_OA_SECRET_KEY",
        "ZALO_APP_SECRET", "ZALO_OA_ACCESS_TOKEN", "ZALO_OA_REFRESH_TOKEN", "ZALO_BOT_TOKEN",
        "ZALO_BOT_WEBHOOK_SECRET", mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def telegram_file_url(self) -> str:
        """The file-download base: derived from the API base (`/bot` -> `/file/bot`)."""
        if self.TELEGRAM_API_FILE_URL:
            return self.TELEGRAM_API_FILE_URL
        base = self.TELEGRAM_API_BASE_URL
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base.rstrip("/") + "/file/bot"

    @property
    def telegram_webhook_mode(self) -> bool:
        return self.TELEGRAM_WEBHOOK_SECRET is not None

    @property
    def zalo_oa_enabled(self) -> bool:
        """The OA channel runs when it can verify webhooks and holds a token to answer."""
        return bool(self.ZALO_OA_APP_ID) and self.ZALO_OA_SECRET_KEY is not None

    @property
    def zalo_bot_webhook_mode(self) -> bool:
        return self.ZALO_BOT_TOKEN is not None and self.ZALO_BOT_WEBHOOK_SECRET is not None

    @property
    def attachments_dir(self) -> Path:
        return self.DATA_DIR / "attachments"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one line naming the key."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "?"
        raise SettingsError(f"Cấu hình sai: {key}: {first['msg']}") from exc
    if settings.telegram_webhook_mode and not settings.PUBLIC_BASE_URL:
        raise SettingsError(
            "Cấu hình sai: PUBLIC_BASE_URL: bắt buộc khi đặt TELEGRAM_WEBHOOK_SECRET "
            "(chế độ webhook)"
        )
    _check_zalo(settings)
    return settings


def _check_zalo(settings: Settings) -> None:
    # The token pair may be absent here once the database holds one (it wins anyway).
    if settings.zalo_oa_enabled and settings.ZALO_APP_SECRET is None:
        raise SettingsError(
            "Cấu hình sai: ZALO_APP_SECRET: bắt buộc khi bật Zalo OA "
            "(ZALO_OA_APP_ID, ZALO_OA_SECRET_KEY)"
        )
    if settings.zalo_bot_webhook_mode:
        secret = settings.ZALO_BOT_WEBHOOK_SECRET
        if secret is not None and not 8 <= len(secret.get_secret_value()) <= 256:
            raise SettingsError("Cấu hình sai: ZALO_BOT_WEBHOOK_SECRET: cần 8-256 ký tự")
        if not settings.PUBLIC_BASE_URL:
            raise SettingsError(
                "Cấu hình sai: PUBLIC_BASE_URL: bắt buộc khi đặt ZALO_BOT_WEBHOOK_SECRET "
                "(chế độ webhook)"
            )
