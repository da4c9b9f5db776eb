"""Tracking codes: `XXXX-XXXX` over an alphabet without look-alike characters."""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PATTERN = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
# Residents type codes loosely: lower case, a space or no separator, O for 0 is not in use.
_LOOSE = re.compile(rf"(?<![A-Z0-9])([{ALPHABET}]{{4}})[\s-]?([{ALPHABET}]{{4}})(?![A-Z0-9])")


def new_code() -> str:
    """40 random bits from the OS generator: guessing a valid code is impractical."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def is_code(value: str) -> bool:
    return bool(_PATTERN.match(value))


def find_code(text: str) -> str | None:
    """The code a resident typed, normalised, if the whole message is essentially a code."""
    candidate = text.strip().upper()
    match = _LOOSE.fullmatch(candidate)
    return f"{match.group(1)}-{match.group(2)}" if match else None
