"""Export of staff corrections into the training corpus."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from classifier.data import DEFAULT_CORPUS_DIR, CorpusError, parse_example

DEFAULT_CORRECTIONS_PATH: Final = DEFAULT_CORPUS_DIR / "corrections.jsonl"


@dataclass
class ExportResult:
    written: int = 0
    skipped_duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _existing_texts(path: Path) -> set[str]:
    texts: set[str] = set()
    if not path.is_file():
        return texts
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                texts.add(obj["text"].strip())
    return texts


def export_corrections(
    rows: Iterable[Mapping[str, Any] | Any], out_path: Path = DEFAULT_CORRECTIONS_PATH
) -> ExportResult:
    """Append valid corrections ``{"text", "field", "kind", "urgent"}`` to ``out_path``.

    Rows with an unknown field or kind, a missing text or a non-boolean ``urgent``
    are refused (one message each in ``errors``, numbered from 1); a text already in
    the file is skipped.  Written lines use the corpus format.  Adding to a corpus
    file changes the corpus hash, so the next ``ensure_model()`` retrains.
    """
    result = ExportResult()
    seen = _existing_texts(out_path)
    lines: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            example = parse_example(dict(row) if isinstance(row, Mapping) else row)
        except CorpusError as exc:
            result.errors.append(f"row {number}: {exc}")
            continue
        text = example.text.strip()
        if text in seen:
            result.skipped_duplicates += 1
            continue
        seen.add(text)
        record = {
            "text": text,
            "field": example.field,
            "kind": example.kind,
            "urgent": example.urgent,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    if lines:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        prefix = ""
        if out_path.is_file() and out_path.stat().st_size > 0:
            with out_path.open("rb") as handle:
                handle.seek(-1, 2)
                if handle.read(1) != b"\n":
                    prefix = "\n"
        with out_path.open("a", encoding="utf-8") as handle:
            handle.write(prefix + "\n".join(lines) + "\n")
        result.written = len(lines)
    return result
