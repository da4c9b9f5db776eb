"""Serving a fake platform's aiohttp app on 127.0.0.1 (port 0 picks a free one)."""

from __future__ import annotations

from aiohttp import web


async def serve(app: web.Application, port: int = 0) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, int(runner.addresses[0][1])


async def shut(runner: web.AppRunner | None) -> None:
    if runner is not None:
        await runner.cleanup()
