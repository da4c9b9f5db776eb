"""The command-line contract, through subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classifier.labels import FIELDS, KINDS

ROOT = Path(__file__).resolve().parents[2]


def run_cli(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-m", "classifier", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )


def paths(model: tuple[Path, Path]) -> list[str]:
    corpus, artifact = model
    return ["--corpus-dir", str(corpus), "--artifact", str(artifact),
            "--testset", str(artifact.parent / "none.jsonl")]  # fmt: skip


GOOD_KEYS = {"id", "field", "confidence", "kind", "kind_confidence", "urgent", "route"}

INPUT = "\n".join(
    [
        json.dumps({"id": 1, "text": "đường bị ổ gà hư hỏng nặng"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": "b", "text": ""}),
        json.dumps([1, 2, 3]),
        json.dumps({"id": 4}),
        json.dumps({"id": 5, "text": 42}),
        json.dumps({"id": 6, "text": "rac thai boc mui o dau ngo"}),
        "",
        json.dumps({"text": "thanh niên đua xe ban đêm"}, ensure_ascii=False),
    ]
)


def check_predict_output(stdout: str, explain: bool = False) -> list[dict[str, object]]:
    out = [json.loads(line) for line in stdout.splitlines()]
    assert len(out) == 8
    errors = {i: out[i] for i in (1, 2, 3, 4, 5)}
    assert [e["id"] for e in errors.values()] == [None, "b", None, 4, 5]
    assert all(set(e) == {"id", "error"} and e["error"] for e in errors.values())
    for i, ident in ((0, 1), (6, 6), (7, None)):
        row = out[i]
        keys = GOOD_KEYS | ({"explain"} if explain else set())
        assert set(row) == keys
        assert row["id"] == ident
        assert row["field"] in FIELDS
        assert row["kind"] in KINDS
        assert isinstance(row["confidence"], float)
        assert 0 < row["confidence"] <= 1
        assert isinstance(row["kind_confidence"], float)
        assert isinstance(row["urgent"], bool)
        assert row["route"] in ("auto", "triage")
        if explain:
            assert isinstance(row["explain"], list)
            assert all(isinstance(t, str) and isinstance(w, float) for t, w in row["explain"])
    return out


def test_predict_contract(small_model: tuple[Path, Path]) -> None:
    result = run_cli(["predict", *paths(small_model)], INPUT)
    assert result.returncode == 0, result.stderr
    out = check_predict_output(result.stdout)
    assert out[0]["field"] == "giao_thong_ha_tang"
    assert out[6]["field"] == "moi_truong"


def test_predict_explain(small_model: tuple[Path, Path]) -> None:
    result = run_cli(["predict", "--explain", *paths(small_model)], INPUT)
    assert result.returncode == 0, result.stderr
    out = check_predict_output(result.stdout, explain=True)
    assert out[0]["explain"]


def test_predict_trains_when_missing(tmp_path: Path, small_model: tuple[Path, Path]) -> None:
    corpus, _ = small_model
    artifact = tmp_path / "fresh" / "model.pkl"
    line = json.dumps({"id": 1, "text": "đèn đường không sáng"}, ensure_ascii=False)
    result = run_cli(
        ["predict", "--corpus-dir", str(corpus), "--artifact", str(artifact)], line + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert artifact.is_file()
    assert json.loads(result.stdout)["id"] == 1
    assert "training" in result.stderr


def test_bench_reports_speed_latency_and_memory(small_model: tuple[Path, Path]) -> None:
    result = run_cli(["bench", *paths(small_model), "--repeats", "1", "--json"])
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["batch_size"] >= 5000
    assert figures["batch_texts_per_second"] > 100
    assert 0 < figures["single_p50_ms"] <= figures["single_p99_ms"] < 1000
    assert 0 < figures["load_seconds"] < 60
    assert 0 < figures["memory_traced_mb"] < 200
    assert figures["reference_loop_seconds"] > 0
    text = run_cli(["bench", *paths(small_model), "--repeats", "1"]).stdout
    assert "texts/s" in text and "p50" in text and "p99" in text and "bare loop" in text


def test_export_corrections_cli(tmp_path: Path) -> None:
    out = tmp_path / "corrections.jsonl"
    good = {"text": "cống bị tắc", "field": "giao_thong_ha_tang", "kind": "phan_anh",
            "urgent": False}  # fmt: skip
    bad = {"text": "x", "field": "nope", "kind": "phan_anh", "urgent": False}
    stdin = "\n".join([json.dumps(good, ensure_ascii=False), json.dumps(bad), "{oops"]) + "\n"
    result = run_cli(["export-corrections", "--out", str(out)], stdin)
    assert result.returncode == 1
    assert "nope" in result.stderr
    assert "invalid JSON" in result.stderr
    assert [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] == [good]


@pytest.mark.slow
def test_predict_with_package_model(real_model: Path) -> None:
    result = run_cli(["predict"], INPUT)
    assert result.returncode == 0, result.stderr
    check_predict_output(result.stdout)
