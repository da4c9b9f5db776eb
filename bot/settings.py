"""Process settings: read once from the environment and `.env`, passed explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hopthu.sqlite3"
DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"


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

    @field_validator("TELEGRAM_API_BASE_URL", "TELEGRAM_API_FILE_URL", "PUBLIC_BASE_URL")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value.endswith("//") else value

    @field_validator("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", mode="before")
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
    return settings
