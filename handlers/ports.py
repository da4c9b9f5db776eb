"""What handlers need from the outside, as small protocols (the classifier, the clock)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ClassifierResult(Protocol):
    @property
    def field(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def kind_confidence(self) -> float: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def route(self) -> str: ...


class TextClassifier(Protocol):
    def predict(self, text: str) -> ClassifierResult: ...


@dataclass(frozen=True)
class IntakeLimits:
    max_text_length: int = 4000
    max_photos: int = 5
    max_photo_bytes: int = 10 * 1024 * 1024
