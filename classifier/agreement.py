"""Agreement between two labellings of the same texts (people or a model).

A test set's labels are one person's reading of the definitions. Comparing them with a
second labeller's tells how far a model can be expected to agree at all; comparing the model
with each labeller tells whether its disagreements are its own or the labels'.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import precision_score, recall_score

from classifier.data import Example, load_corpus, read_jsonl
from classifier.evaluation import macro_f1, per_kind_f1
from classifier.labels import FIELDS, KINDS


def read_labelling(path: Path) -> list[Example]:
    """A labelled JSON Lines file, or every corpus file of a directory."""
    return load_corpus(path, strict=True) if path.is_dir() else read_jsonl(path, strict=True)


def align(reference: Sequence[Example], other: Sequence[Example]) -> list[tuple[Example, Example]]:
    """Pairs of labellings of the same text, in the reference's order.

    Texts are matched exactly; a text the other labelling lacks is left out, so a second
    labeller may label a sample of a larger set.
    """
    by_text = {example.text: example for example in other}
    return [(ref, by_text[ref.text]) for ref in reference if ref.text in by_text]


def agreement(pairs: Sequence[tuple[Example, Example]]) -> dict[str, Any]:
    """Field and kind macro-F1, urgent precision and recall of the second labelling vs the first."""
    if not pairs:
        return {"n": 0}
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    kinds_true = [e.kind for e in first]
    kinds_pred = [e.kind for e in second]
    urgent_true = [e.urgent for e in first]
    urgent_pred = [e.urgent for e in second]
    return {
        "n": len(pairs),
        "field_macro_f1": macro_f1([e.field for e in first], [e.field for e in second], FIELDS),
        "kind_macro_f1": macro_f1(kinds_true, kinds_pred, KINDS),
        "per_kind_f1": per_kind_f1(kinds_true, kinds_pred),
        "urgent_precision": float(precision_score(urgent_true, urgent_pred, zero_division=0)),
        "urgent_recall": float(recall_score(urgent_true, urgent_pred, zero_division=0)),
    }


def format_agreement(name: str, report: dict[str, Any]) -> str:
    if report["n"] == 0:
        return f"{name}: no text in common\n"
    kinds = " ".join(f"{kind} {value:.2f}" for kind, value in report["per_kind_f1"].items())
    return (
        f"{name} (n = {report['n']}): field macro-F1 {report['field_macro_f1']:.3f}, "
        f"kind macro-F1 {report['kind_macro_f1']:.3f} ({kinds}), "
        f"urgent precision {report['urgent_precision']:.3f} recall {report['urgent_recall']:.3f}\n"
    )
