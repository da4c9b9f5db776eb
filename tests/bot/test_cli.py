"""The process as an operator runs it: start-up errors, migrations, clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
from sqlalchemy import text

from db.engine import create_engine

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update({"DATA_DIR": str(tmp_path / "data"), "CLASSIFIER_ENABLED": "false",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/data/db.sqlite3"})
    env.update(extra)
    return env


async def _run(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    code, _out, err = await _run("run", env=_env(tmp_path, WEB_PORT="abc"), cwd=tmp_path)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "WEB_PORT" in err


async def test_two_processes_migrating_at_once_agree(database_url: str, tmp_path: Path) -> None:
    # Start from an empty database of the same kind as the test database.
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        else:
            # Every table, whatever later migrations added.
            await conn.execute(text("PRAGMA foreign_keys=OFF"))
            tables = (await conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'"))).scalars().all()
            for table in tables:
                await conn.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
    env = _env(tmp_path, DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    results = await asyncio.gather(*(_run("migrate", env=env, cwd=ROOT) for _ in range(2)))
    async with engine.connect() as conn:
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        await conn.execute(text("SELECT count(*) FROM items"))
    await engine.dispose()
    assert [r[0] for r in results] == [0, 0], results
    assert len(versions) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_run_serves_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, WEB_PORT=str(port), PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("service did not come up")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 10)
        assert time.monotonic() - started < 5
        assert process.returncode == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert (tmp_path / "data" / "db.sqlite3").exists()
