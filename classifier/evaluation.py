"""Metrics of a trained classifier on a list of labelled examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)

from classifier.data import Example
from classifier.labels import FIELDS, KINDS
from classifier.normalize import has_diacritics, strip_accents
from classifier.runtime import Classifier, Prediction


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> float:
    present = sorted(set(y_true))
    used = [label for label in labels if label in present]
    return float(f1_score(y_true, y_pred, labels=used, average="macro", zero_division=0))


def per_kind_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    """F1 of every kind, in the order of ``KINDS`` (0 for a kind never seen nor predicted)."""
    values = f1_score(y_true, y_pred, labels=list(KINDS), average=None, zero_division=0)
    return {kind: float(value) for kind, value in zip(KINDS, values, strict=True)}


def _field_report(y_true: list[str], y_pred: list[str]) -> dict[str, Any]:
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(FIELDS), zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": macro_f1(y_true, y_pred, FIELDS),
        "per_field": {
            field: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, field in enumerate(FIELDS)
        },
        "confusion_matrix": {
            "labels": list(FIELDS),
            "rows_true_cols_pred": confusion_matrix(y_true, y_pred, labels=list(FIELDS)).tolist(),
        },
    }


# Residents' chat messages are mostly one or two lines; below this length the kind and
# urgency cues are few, so the figures are reported for short and long texts apart.
SHORT_TEXT_CHARS = 110


def _part_report(
    indices: Sequence[int],
    y: dict[str, Sequence[Any]],
    preds: Sequence[Prediction],
) -> dict[str, Any]:
    """Field and kind macro-F1 and urgent precision/recall over some of a set's texts."""
    if not indices:
        return {"n": 0}
    y_urgent = [y["urgent"][i] for i in indices]
    p_urgent = [preds[i].urgent for i in indices]
    return {
        "n": len(indices),
        "field_macro_f1": macro_f1(
            [y["field"][i] for i in indices], [preds[i].field for i in indices], FIELDS
        ),
        "kind_macro_f1": macro_f1(
            [y["kind"][i] for i in indices], [preds[i].kind for i in indices], KINDS
        ),
        "urgent_support": int(sum(y_urgent)),
        "urgent_precision": float(precision_score(y_urgent, p_urgent, zero_division=0)),
        "urgent_recall": float(recall_score(y_urgent, p_urgent, zero_division=0)),
    }


def majority_baseline(train_fields: Sequence[str], y_true: Sequence[str]) -> dict[str, Any]:
    """Always predict the most frequent field of the training split."""
    majority = sorted(Counter(train_fields).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    y_pred = [majority] * len(y_true)
    return {
        "field": majority,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": macro_f1(y_true, y_pred, FIELDS),
    }


def evaluate_examples(
    clf: Classifier,
    examples: Sequence[Example],
    train_fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Every figure that ``python -m classifier evaluate`` prints, for one set."""
    if not examples:
        return {"n": 0}
    texts = [e.text for e in examples]
    y_field = [e.field for e in examples]
    y_kind = [e.kind for e in examples]
    y_urgent = [e.urgent for e in examples]
    preds = clf.predict_many(texts)
    p_field = [p.field for p in preds]
    report: dict[str, Any] = {"n": len(examples)}
    report.update(_field_report(y_field, p_field))

    stripped_preds = clf.predict_many([strip_accents(t) for t in texts])
    accented_mask = [has_diacritics(t) for t in texts]
    acc_idx = [i for i, flag in enumerate(accented_mask) if flag]
    y_acc = [y_field[i] for i in acc_idx]
    report["accents"] = {
        "share_with_diacritics": len(acc_idx) / len(texts),
        "macro_f1_as_written": report["macro_f1"],
        "macro_f1_all_stripped": macro_f1(y_field, [p.field for p in stripped_preds], FIELDS),
        "n_with_diacritics": len(acc_idx),
        "macro_f1_accented_subset": (
            macro_f1(y_acc, [p_field[i] for i in acc_idx], FIELDS) if acc_idx else None
        ),
        "macro_f1_accented_subset_stripped": (
            macro_f1(y_acc, [stripped_preds[i].field for i in acc_idx], FIELDS) if acc_idx else None
        ),
    }

    auto = [i for i, p in enumerate(preds) if p.route == "auto"]
    report["triage"] = {
        "threshold": clf.threshold,
        "coverage": len(auto) / len(preds),
        "precision_auto": (
            float(np.mean([p_field[i] == y_field[i] for i in auto])) if auto else None
        ),
        "n_auto": len(auto),
    }
    p_kind = [p.kind for p in preds]
    report["kind"] = {
        "accuracy": float(accuracy_score(y_kind, p_kind)),
        "macro_f1": macro_f1(y_kind, p_kind, KINDS),
        "per_kind_f1": per_kind_f1(y_kind, p_kind),
    }
    p_urgent = [p.urgent for p in preds]
    report["urgent"] = {
        "threshold": clf.urgent_threshold,
        "support": int(sum(y_urgent)),
        "precision": float(precision_score(y_urgent, p_urgent, zero_division=0)),
        "recall": float(recall_score(y_urgent, p_urgent, zero_division=0)),
        "f1": float(f1_score(y_urgent, p_urgent, zero_division=0)),
    }
    labels: dict[str, Sequence[Any]] = {"field": y_field, "kind": y_kind, "urgent": y_urgent}
    short = [i for i, t in enumerate(texts) if len(t) < SHORT_TEXT_CHARS]
    long = [i for i, t in enumerate(texts) if len(t) >= SHORT_TEXT_CHARS]
    report["by_length"] = {
        f"short (< {SHORT_TEXT_CHARS} chars)": _part_report(short, labels, preds),
        f"long (>= {SHORT_TEXT_CHARS} chars)": _part_report(long, labels, preds),
    }
    if train_fields is not None:
        report["baseline"] = majority_baseline(train_fields, y_field)
    return report


def format_report(name: str, report: dict[str, Any]) -> str:
    """Human-readable text of one set's report."""
    if report.get("n", 0) == 0:
        return f"== {name}: no examples ==\n"
    lines = [f"== {name} (n={report['n']}) =="]
    lines.append(f"field accuracy     {report['accuracy']:.4f}")
    lines.append(f"field macro-F1     {report['macro_f1']:.4f}")
    if "baseline" in report:
        b = report["baseline"]
        lines.append(
            f"majority baseline  accuracy {b['accuracy']:.4f}  macro-F1 {b['macro_f1']:.4f}"
            f"  (always {b['field']})"
        )
    acc = report["accents"]
    lines.append(
        f"accents            {acc['share_with_diacritics']:.1%} of texts have diacritics;"
        f" macro-F1 as written {acc['macro_f1_as_written']:.4f},"
        f" all stripped {acc['macro_f1_all_stripped']:.4f}"
    )
    if acc["macro_f1_accented_subset"] is not None:
        gap = acc["macro_f1_accented_subset"] - acc["macro_f1_accented_subset_stripped"]
        lines.append(
            f"  texts with diacritics (n={acc['n_with_diacritics']}):"
            f" accented {acc['macro_f1_accented_subset']:.4f},"
            f" same texts stripped {acc['macro_f1_accented_subset_stripped']:.4f}"
            f" (gap {gap:+.4f})"
        )
    tri = report["triage"]
    precision = "n/a" if tri["precision_auto"] is None else f"{tri['precision_auto']:.4f}"
    lines.append(
        f"triage             threshold {tri['threshold']:.4f}: precision of auto-routed"
        f" {precision}, coverage {tri['coverage']:.1%} ({tri['n_auto']}/{report['n']})"
    )
    kind = report["kind"]
    lines.append(
        f"kind               accuracy {kind['accuracy']:.4f}  macro-F1 {kind['macro_f1']:.4f}"
    )
    lines.append(
        "  per kind F1: " + ", ".join(f"{k} {v:.3f}" for k, v in kind["per_kind_f1"].items())
    )
    urg = report["urgent"]
    lines.append(
        f"urgent             threshold {urg['threshold']:.4f}: precision {urg['precision']:.4f}"
        f"  recall {urg['recall']:.4f}  F1 {urg['f1']:.4f}  (support {urg['support']})"
    )
    for part, row in report.get("by_length", {}).items():
        if row["n"]:
            lines.append(
                f"  {part}, n={row['n']}: field macro-F1 {row['field_macro_f1']:.4f},"
                f" kind macro-F1 {row['kind_macro_f1']:.4f}, urgent precision"
                f" {row['urgent_precision']:.4f} recall {row['urgent_recall']:.4f}"
                f" (support {row['urgent_support']})"
            )
    lines.append("per field:            precision  recall      F1  support")
    for field, row in report["per_field"].items():
        lines.append(
            f"  {field:<24} {row['precision']:8.4f} {row['recall']:7.4f} {row['f1']:7.4f}"
            f" {row['support']:8d}"
        )
    cm = report["confusion_matrix"]
    abbrev = [label[:6] for label in cm["labels"]]
    lines.append("confusion matrix (rows = true, columns = predicted):")
    lines.append(" " * 26 + " ".join(f"{a:>6}" for a in abbrev))
    for label, row in zip(cm["labels"], cm["rows_true_cols_pred"], strict=True):
        lines.append(f"  {label:<24}" + " ".join(f"{v:6d}" for v in row))
    return "\n".join(lines) + "\n"
