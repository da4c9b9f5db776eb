"""What both Zalo channels share: text rendering without buttons, limits, file downloads."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.telegram import split_text

# Both Zalo APIs refuse a text longer than this.
MESSAGE_LIMIT = 2000
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
CHOICE_HINT = "(Anh/chị trả lời bằng số hoặc chữ của lựa chọn.)"


def numbered_choices(payload: dict[str, Any]) -> str:
    """The reply text with its buttons written as "1. Gửi" lines.

    The numbering matches the engine's typed-choice mapping: buttons that share a location
    or phone (Telegram-only) are left out, so "1" is the first real choice. Residents can
    share a location with Zalo's own button and type a phone number instead.
    """
    labels = [
        str(button["label"])
        for row in payload.get("buttons", [])
        for button in row
        if not button.get("request")
    ]
    text = str(payload["text"])
    if not labels:
        return text
    lines = "\n".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))
    return f"{text}\n\n{lines}\n{CHOICE_HINT}"


def pieces(text: str) -> list[str]:
    return split_text(text, MESSAGE_LIMIT)


async def download(http: aiohttp.ClientSession, url: str, max_bytes: int) -> bytes:
    """Fetch an image a resident sent (a Zalo CDN URL), refusing anything too large."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("not an http(s) URL")
    async with http.get(url) as response:
        if response.status != 200:
            raise OSError(f"download failed: HTTP {response.status}")
        data = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            data.extend(chunk)
            if len(data) > max_bytes:
                raise ValueError(f"file larger than {max_bytes} bytes")
        return bytes(data)


class LazyHttp:
    """One aiohttp session per channel, opened on first use inside the running loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
