"""Corpus and test-set loading, hashing and the deterministic held-out split."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from classifier.labels import is_valid_field, is_valid_kind

PACKAGE_DIR: Final = Path(__file__).resolve().parent
DEFAULT_CORPUS_DIR: Final = PACKAGE_DIR / "corpus"
DEFAULT_TESTSET_PATH: Final = PACKAGE_DIR / "testset" / "independent.jsonl"
DEFAULT_ARTIFACT_PATH: Final = PACKAGE_DIR / "artifacts" / "model.pkl"

SPLIT_SEED: Final = 20240601
HELDOUT_FRACTION: Final = 0.2


class CorpusError(ValueError):
    """A corpus line that cannot be used."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    field: str
    kind: str
    urgent: bool


def parse_example(obj: Any) -> Example:
    """Validate one corpus object; raise :class:`CorpusError` when it is unusable."""
    if not isinstance(obj, dict):
        raise CorpusError("not a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError("missing or empty text")
    field = obj.get("field")
    if not is_valid_field(field):
        raise CorpusError(f"unknown field {field!r}")
    kind = obj.get("kind")
    if not is_valid_kind(kind):
        raise CorpusError(f"unknown kind {kind!r}")
    urgent = obj.get("urgent")
    if not isinstance(urgent, bool):
        raise CorpusError(f"urgent must be a boolean, got {urgent!r}")
    return Example(text=text, field=str(field), kind=str(kind), urgent=urgent)


def read_jsonl(path: Path, *, strict: bool = False) -> list[Example]:
    """Read examples from a JSON Lines file; blank lines are skipped.

    With ``strict`` a bad line raises :class:`CorpusError`; otherwise it is skipped.
    """
    examples: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                examples.append(parse_example(json.loads(line)))
            except (json.JSONDecodeError, CorpusError) as exc:
                if strict:
                    raise CorpusError(f"{path.name}:{number}: {exc}") from exc
    return examples


def corpus_files(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> list[Path]:
    """The corpus files, sorted by name."""
    return sorted(p for p in corpus_dir.glob("*.jsonl") if p.is_file())


def load_corpus(corpus_dir: Path = DEFAULT_CORPUS_DIR, *, strict: bool = False) -> list[Example]:
    """All examples of the corpus, files in sorted order, lines in file order."""
    examples: list[Example] = []
    for path in corpus_files(corpus_dir):
        examples.extend(read_jsonl(path, strict=strict))
    return examples


def hash_files(paths: Iterable[Path]) -> str:
    """sha256 over the concatenated bytes of the given files (in the given order)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def corpus_hash(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> str:
    """sha256 over the bytes of the sorted corpus files."""
    return hash_files(corpus_files(corpus_dir))


def file_hash(path: Path) -> str | None:
    """sha256 of one file, or None when it does not exist."""
    return hash_files([path]) if path.is_file() else None


def _stable_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def heldout_split(
    examples: Sequence[Example],
    fraction: float = HELDOUT_FRACTION,
    seed: int = SPLIT_SEED,
) -> tuple[list[int], list[int]]:
    """Deterministic split stratified by field: returns (train indices, held-out indices).

    Texts that are identical after whitespace and case normalisation always land on
    the same side, so an exact duplicate cannot leak from training into the held-out
    split.  Within each field, groups are ordered by a seeded hash of their text and
    the first ``fraction`` of the field's items go to the held-out split.
    """
    groups: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        key = " ".join(example.text.casefold().split())
        groups.setdefault(key, []).append(index)
    by_field: dict[str, list[tuple[str, list[int]]]] = {}
    for key, members in groups.items():
        field = examples[members[0]].field
        by_field.setdefault(field, []).append((_stable_key(f"{seed}:{key}"), members))
    heldout: list[int] = []
    for field in sorted(by_field):
        ordered = sorted(by_field[field])
        total = sum(len(members) for _, members in ordered)
        target = round(total * fraction)
        taken = 0
        for _, members in ordered:
            if taken >= target:
                break
            heldout.extend(members)
            taken += len(members)
    heldout_set = set(heldout)
    train = [i for i in range(len(examples)) if i not in heldout_set]
    return train, sorted(heldout)
