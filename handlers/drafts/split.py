"""Cut a long text into short chat messages, at paragraph, then line, then sentence, then
word boundaries; a phone shows a few short messages better than one wall of text."""

from __future__ import annotations

import re

DEFAULT_LIMIT = 700
# From the coarsest boundary to the finest, with the separator each one restores.
_LEVELS: tuple[tuple[str, str], ...] = (
    (r"\n\s*\n", "\n\n"),
    (r"\n", "\n"),
    (r"(?<=[.;:!?])\s+", " "),
    (r"\s+", " "),
)


def split_text(text: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters that keep every word, in order."""
    if limit < 20:
        raise ValueError("limit too small")
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    current = ""
    for sep, unit in _units(text, limit, 0):
        if not current:
            current = unit
        elif len(current) + len(sep) + len(unit) <= limit:
            current += sep + unit
        else:
            pieces.append(current)
            current = unit
    pieces.append(current)
    return pieces


def _units(text: str, limit: int, level: int) -> list[tuple[str, str]]:
    """(separator before it, piece) pairs, each piece no longer than ``limit``."""
    if len(text) <= limit:
        return [("", text)]
    if level == len(_LEVELS):  # one word longer than a message: cut it
        return [("", text[i:i + limit]) for i in range(0, len(text), limit)]
    pattern, sep = _LEVELS[level]
    units: list[tuple[str, str]] = []
    for part in re.split(pattern, text):
        part = part.strip()
        if not part:
            continue
        sub = _units(part, limit, level + 1)
        units.append((sep, sub[0][1]))
        units.extend(sub[1:])
    return units
