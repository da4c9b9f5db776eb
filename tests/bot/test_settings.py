"""Settings: defaults, derived URLs, and one clear line naming a bad key."""

from __future__ import annotations

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings(_env_file=None)
    assert settings.DATABASE_URL == DEFAULT_DATABASE_URL
    assert settings.DATABASE_URL.startswith("sqlite+aiosqlite:///data/")
    assert (settings.WEB_HOST, settings.WEB_PORT, settings.PROFILE) == (
        "127.0.0.1", 8080, "demo_ward")
    assert settings.TELEGRAM_API_BASE_URL == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert not settings.telegram_webhook_mode


def test_file_url_is_derived_unless_set() -> None:
    derived = load_settings(_env_file=None, TELEGRAM_API_BASE_URL="http://127.0.0.1:8099/bot")
    assert derived.telegram_file_url == "http://127.0.0.1:8099/file/bot"
    explicit = load_settings(_env_file=None, TELEGRAM_API_BASE_URL="http://127.0.0.1:8099/bot",
                             TELEGRAM_API_FILE_URL="http://files.local/f/bot")
    assert explicit.telegram_file_url == "http://files.local/f/bot"


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env_file = tmp_path / ".env"
    env_file.write_text("WEB_PORT=9090\nTELEGRAM_WEBHOOK_SECRET=s3\nPUBLIC_BASE_URL=https://x.vn\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@127.0.0.1/hopthu")
    settings = load_settings(_env_file=env_file)
    assert settings.WEB_PORT == 9090
    assert settings.DATABASE_URL.startswith("postgresql+asyncpg://")
    assert settings.telegram_webhook_mode


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"WEB_PORT": "eighty"}, "WEB_PORT"),
        ({"WEB_PORT": "70000"}, "WEB_PORT"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org/bot"}, "TELEGRAM_API_BASE_URL"),
        ({"TELEGRAM_WEBHOOK_SECRET": "s"}, "PUBLIC_BASE_URL"),
    ],
)
def test_bad_value_names_the_key(overrides: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **overrides)
    message = str(caught.value)
    assert key in message and "\n" not in message


def test_env_example_documents_every_setting() -> None:
    from pathlib import Path

    from bot.settings import Settings

    example = Path(__file__).resolve().parents[2] / ".env.example"
    documented = {
        line.split("=", 1)[0]
        for line in example.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert set(Settings.model_fields) == documented
