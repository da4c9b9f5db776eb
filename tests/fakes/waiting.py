"""Waiting in tests for what a fake platform received: poll, then fail with what was there."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def wait_for_count(
    read: Callable[[], list[T]], count: int, within: float, what: str,
    show: Callable[[T], Any] = lambda item: item,
) -> list[T]:
    """`read()` once it holds `count` items; an AssertionError listing them after `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        items = read()
        if len(items) >= count:
            return items
        await asyncio.sleep(0.02)
    items = read()
    listed = json.dumps([show(item) for item in items], ensure_ascii=False)
    raise AssertionError(f"{what}: {len(items)} messages, expected {count}: {listed}")
