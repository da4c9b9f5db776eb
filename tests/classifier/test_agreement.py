"""Agreement between labellings: alignment by text, the figures, and the ``agree`` command."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from classifier.agreement import agreement, align
from classifier.data import Example
from tests.classifier.test_cli import paths, run_cli


def ex(text: str, field: str, kind: str, urgent: bool = False) -> Example:
    return Example(text=text, field=field, kind=kind, urgent=urgent)


REFERENCE = [
    ex("a", "dat_dai", "phan_anh", True),
    ex("b", "dat_dai", "khieu_nai"),
    ex("c", "moi_truong", "phan_anh"),
    ex("d", "moi_truong", "kien_nghi", True),
]


def test_align_keeps_reference_order_and_drops_missing_texts() -> None:
    other = [ex("d", "khac", "phan_anh"), ex("a", "dat_dai", "phan_anh"), ex("z", "khac", "gop_y")]
    pairs = align(REFERENCE, other)
    assert [(a.text, b.text) for a, b in pairs] == [("a", "a"), ("d", "d")]
    assert pairs[1][1].field == "khac"


def test_identical_labellings_agree_fully() -> None:
    report = agreement(align(REFERENCE, REFERENCE))
    assert report["n"] == 4
    assert report["field_macro_f1"] == 1.0
    assert report["kind_macro_f1"] == 1.0
    assert report["urgent_precision"] == report["urgent_recall"] == 1.0


def test_disagreement_lowers_the_figures() -> None:
    other = [
        ex("a", "dat_dai", "phan_anh", False),  # urgent missed
        ex("b", "dat_dai", "phan_anh"),  # khieu_nai read as phan_anh
        ex("c", "moi_truong", "phan_anh", True),  # false alarm
        ex("d", "moi_truong", "kien_nghi", True),
    ]
    report = agreement(align(REFERENCE, other))
    assert report["field_macro_f1"] == 1.0
    assert report["per_kind_f1"]["khieu_nai"] == 0.0
    assert report["per_kind_f1"]["kien_nghi"] == 1.0
    assert report["per_kind_f1"]["phan_anh"] == pytest.approx(0.8)
    # macro over the kinds present in the reference: phan_anh, kien_nghi, khieu_nai
    assert report["kind_macro_f1"] == pytest.approx((0.8 + 1.0 + 0.0) / 3)
    assert report["urgent_precision"] == pytest.approx(0.5)
    assert report["urgent_recall"] == pytest.approx(0.5)


def test_no_common_text() -> None:
    assert agreement(align(REFERENCE, [ex("zz", "khac", "phan_anh")])) == {"n": 0}


def write(path: Path, rows: list[Example]) -> Path:
    lines = [json.dumps(asdict(e), ensure_ascii=False) for e in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_agree_command_compares_labellers_and_model(
    tmp_path: Path, small_model: tuple[Path, Path]
) -> None:
    corpus, _ = small_model
    reference = sorted(corpus.glob("*.jsonl"))[0]
    rows = [json.loads(line) for line in reference.read_text(encoding="utf-8").splitlines()][:20]
    second = [ex(r["text"], r["field"], "phan_anh", r["urgent"]) for r in rows]
    other = write(tmp_path / "second.jsonl", second)
    args = ["agree", str(reference), str(other), "--model", "--json", *paths(small_model)]
    result = run_cli(args)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {
        f"{other} vs {reference} (reference)",
        f"model vs {reference} (reference)",
        f"model vs {other}",
    }
    labellers = report[f"{other} vs {reference} (reference)"]
    assert labellers["n"] == 20
    assert labellers["field_macro_f1"] == 1.0
    assert labellers["kind_macro_f1"] < 0.5
    assert report[f"model vs {reference} (reference)"]["n"] == 20
    assert report[f"model vs {reference} (reference)"]["field_macro_f1"] > 0.5
