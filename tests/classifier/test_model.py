"""Training on a small hand-made corpus: API, determinism, staleness, thresholds."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import numpy as np
import pytest

from classifier import Prediction, ensure_model, export_corrections
from classifier.data import corpus_hash, heldout_split, load_corpus
from classifier.evaluation import SHORT_TEXT_CHARS, evaluate_examples
from classifier.features import TRANSFORM_CHUNK, TextFeatures
from classifier.model import (
    choose_triage_threshold,
    choose_urgent_threshold,
    heldout_artifact_path,
    is_stale,
    load_classifier,
    read_metadata,
)
from classifier.normalize import normalize
from classifier.runtime import Classifier
from tests.classifier.conftest import SMALL_CONFIG, make_examples, write_corpus

PROBES = [
    "đường bị ổ gà hư hỏng nặng",
    "duong bi o ga hu hong nang",
    "rác thải bốc mùi ở đầu ngõ",
    "tôi khiếu nại tiền bồi thường giải phóng mặt bằng",
    "thanh niên đua xe nguy hiểm lắm xin xuống gấp",
]


def test_prediction_contract(small_model: tuple[Path, Path]) -> None:
    _, artifact = small_model
    clf = load_classifier(artifact)
    assert [f.name for f in fields(Prediction)] == [
        "field",
        "confidence",
        "kind",
        "kind_confidence",
        "urgent",
        "route",
    ]
    p = clf.predict(PROBES[0])
    assert isinstance(p, Prediction)
    assert p.field == "giao_thong_ha_tang"
    assert 0.0 < p.confidence <= 1.0
    assert 0.0 < p.kind_confidence <= 1.0
    assert isinstance(p.urgent, bool)
    assert p.route == ("auto" if p.confidence >= clf.threshold else "triage")
    with pytest.raises(FrozenInstanceError):
        p.field = "khac"  # type: ignore[misc]
    assert clf.predict_many(PROBES) == [clf.predict(t) for t in PROBES]
    assert clf.predict_many([]) == []
    assert isinstance(clf.version, str)
    assert clf.version
    assert clf.corpus_hash == corpus_hash(small_model[0])


def test_runtime_probabilities_match_sklearn_pipeline(small_model: tuple[Path, Path]) -> None:
    clf = load_classifier(small_model[1])
    fast = clf.probabilities(PROBES)
    for head in ("field", "kind"):
        expected = clf.pipelines[head].predict_proba(PROBES)
        assert np.allclose(fast[head], expected, atol=1e-6)
    assert np.allclose(fast["urgent"], clf.pipelines["urgent"].predict_proba(PROBES)[:, 1])


def test_fast_tfidf_matches_sklearn(small_model: tuple[Path, Path]) -> None:
    clf = load_classifier(small_model[1])
    forms = [normalize(t) for t in [*PROBES, "!!!", "xyz qqq", "ĐẤT đai đất đai đất"]]
    fast = clf.features.transform_forms(forms)
    reference = clf.features.sklearn_transform_forms(forms)
    assert fast.shape == reference.shape
    assert np.allclose(fast.toarray(), reference.toarray(), atol=1e-6)


def test_fast_tfidf_keeps_neighbouring_texts_apart() -> None:
    # Fitted on single texts, the vocabulary holds the padded empty text's "  " and the
    # word pair "c a"; neither may be counted across the ends of two texts in one chunk.
    fit = [normalize(t) for t in ["", "a b", "c a", "b c"]]
    features = TextFeatures(min_df=1).fit_forms(fit)
    forms = [normalize(t) for t in ["", "", "a b c", "a", "", "c", "a b", ""]]
    fast = features.transform_forms(forms)
    reference = features.sklearn_transform_forms(forms)
    assert fast.shape == reference.shape == (8, features.n_features_)
    assert np.allclose(fast.toarray(), reference.toarray(), atol=1e-6)
    assert features.transform_forms([]).shape == (0, features.n_features_)


def test_covered_tokens_follow_the_ngrams_of_each_occurrence() -> None:
    features = TextFeatures(min_df=1).fit_forms([normalize("đất đai đất")])
    blocks, names = features.feature_names()
    covered = features.covered_tokens(normalize("đất đai đất"))
    column = {(block, name): i for i, (block, name) in enumerate(zip(blocks, names, strict=True))}
    assert covered[column[("word", "đất")]] == [0, 2]
    assert covered[column[("word", "đất đai")]] == [0, 1]
    assert covered[column[("word_stripped", "dai dat")]] == [1, 2]
    assert sorted(covered[column[("char_stripped", "t d")]]) == [0, 1]
    assert sorted(covered[column[("char_stripped", "i d")]]) == [1, 2]
    assert covered[column[("char_stripped", " dat ")]] == [0, 2]


def test_fast_tfidf_matches_sklearn_across_chunks(small_model: tuple[Path, Path]) -> None:
    clf = load_classifier(small_model[1])
    texts = [str(row["text"]) for row in make_examples()]
    forms = [normalize(t) for t in texts * (2 * TRANSFORM_CHUNK // len(texts) + 1)]
    assert len(forms) > 2 * TRANSFORM_CHUNK
    fast = clf.features.transform_forms(forms)
    reference = clf.features.sklearn_transform_forms(forms)
    assert fast.shape == reference.shape
    assert abs(fast - reference).max() < 1e-6


def test_character_blocks_are_scaled_by_char_weight() -> None:
    forms = [normalize(t) for t in PROBES]
    features = TextFeatures(char_weight=0.25, min_df=1).fit_forms(forms)
    blocks = np.asarray(features.feature_names()[0])
    for matrix in (features.transform_forms(forms), features.sklearn_transform_forms(forms)):
        dense = matrix.toarray()
        for name, expected in (("word", 1.0), ("word_stripped", 1.0), ("char_stripped", 0.25)):
            norms = np.linalg.norm(dense[:, blocks == name], axis=1)
            assert np.allclose(norms, expected, atol=1e-5), name


def test_explain_returns_words_of_the_text(small_model: tuple[Path, Path]) -> None:
    clf = load_classifier(small_model[1])
    terms = clf.explain("đường bị ổ gà hư hỏng", top=3)
    assert 0 < len(terms) <= 3
    words = set(["đường", "bị", "ổ", "gà", "hư", "hỏng"])
    assert all(term in words and weight > 0 for term, weight in terms)
    assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)
    assert clf.explain("!!!") == []


def test_metadata(small_model: tuple[Path, Path]) -> None:
    corpus, artifact = small_model
    meta = read_metadata(artifact)
    assert meta is not None
    for key in (
        "version",
        "corpus_hash",
        "testset_hash",
        "trained_at",
        "hyperparameters",
        "metrics",
        "triage_threshold",
        "urgent_threshold",
    ):
        assert key in meta
    assert meta["corpus_hash"] == corpus_hash(corpus)
    assert meta["trained_at"].endswith("+00:00")
    assert meta["hyperparameters"]["chosen_c"]["kind"] in (0.2, 0.5)
    assert meta["metrics"]["heldout"]["macro_f1"] > 0.8


def test_deployed_model_is_refitted_on_all_texts(small_model: tuple[Path, Path]) -> None:
    corpus, artifact = small_model
    examples = load_corpus(corpus)
    train_idx, heldout_idx = heldout_split(examples)
    deployed, split = Classifier.load(artifact), Classifier.load(heldout_artifact_path(artifact))
    assert deployed.metadata["n_fitted"] == len(examples)
    assert split.metadata["n_fitted"] == len(train_idx)
    # Same choices, different data: thresholds and C are shared, the weights are not.
    assert split.threshold == deployed.threshold
    assert split.urgent_threshold == deployed.urgent_threshold
    assert not np.array_equal(
        deployed.probabilities(PROBES)["field"], split.probabilities(PROBES)["field"]
    )
    # The recorded held-out figures are the split model's, which never saw those texts.
    heldout = [examples[i] for i in heldout_idx]
    recorded = deployed.metadata["metrics"]["heldout"]["macro_f1"]
    assert recorded == evaluate_examples(split, heldout)["macro_f1"]
    heldout_artifact_path(artifact).unlink()
    try:
        assert is_stale(artifact, corpus)
    finally:
        ensure_model(corpus, artifact, corpus / "none.jsonl", SMALL_CONFIG)


def test_figures_by_length_are_those_of_each_part(small_model: tuple[Path, Path]) -> None:
    corpus, artifact = small_model
    examples = load_corpus(corpus)
    clf = Classifier.load(artifact)
    short = [e for e in examples if len(e.text) < SHORT_TEXT_CHARS]
    long = [e for e in examples if len(e.text) >= SHORT_TEXT_CHARS]
    assert short and long
    parts = list(evaluate_examples(clf, examples)["by_length"].values())
    for part, subset in zip(parts, (short, long), strict=True):
        alone = evaluate_examples(clf, subset)
        assert part["n"] == len(subset)
        assert part["field_macro_f1"] == alone["macro_f1"]
        assert part["kind_macro_f1"] == alone["kind"]["macro_f1"]
        assert part["urgent_recall"] == alone["urgent"]["recall"]
        assert part["urgent_precision"] == alone["urgent"]["precision"]


def test_training_is_deterministic(tmp_path: Path, small_model: tuple[Path, Path]) -> None:
    corpus, artifact = small_model
    again = tmp_path / "again.pkl"
    ensure_model(corpus, again, tmp_path / "none.jsonl", SMALL_CONFIG)
    first, second = Classifier.load(artifact), Classifier.load(again)
    assert first.predict_many(PROBES) == second.predict_many(PROBES)
    p1, p2 = first.probabilities(PROBES), second.probabilities(PROBES)
    for head in p1:
        assert np.array_equal(p1[head], p2[head])
    assert first.threshold == second.threshold
    assert first.urgent_threshold == second.urgent_threshold


def test_heldout_split_is_deterministic_and_stratified(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", make_examples())
    examples = load_corpus(corpus)
    train_a, held_a = heldout_split(examples)
    train_b, held_b = heldout_split(list(examples))
    assert (train_a, held_a) == (train_b, held_b)
    assert not set(train_a) & set(held_a)
    assert len(train_a) + len(held_a) == len(examples)
    per_field = {e.field for e in (examples[i] for i in held_a)}
    assert len(per_field) == 10


def test_staleness_triggers_retraining(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", make_examples(per_field=15))
    artifact = tmp_path / "art" / "model.pkl"
    testset = tmp_path / "none.jsonl"
    assert is_stale(artifact, corpus)
    path = ensure_model(corpus, artifact, testset, SMALL_CONFIG)
    assert path == artifact
    assert artifact.is_file()
    assert not is_stale(artifact, corpus)
    stamp = artifact.stat().st_mtime_ns
    first_hash = Classifier.load(artifact).corpus_hash

    ensure_model(corpus, artifact, testset, SMALL_CONFIG)
    assert artifact.stat().st_mtime_ns == stamp  # fresh: not retrained

    with (corpus / "b.jsonl").open("a", encoding="utf-8") as handle:
        row = {"text": "đèn đường hỏng cả tháng", "field": "giao_thong_ha_tang",
               "kind": "phan_anh", "urgent": False}  # fmt: skip
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    assert is_stale(artifact, corpus)
    ensure_model(corpus, artifact, testset, SMALL_CONFIG)
    retrained = Classifier.load(artifact)
    assert retrained.corpus_hash == corpus_hash(corpus) != first_hash
    assert not is_stale(artifact, corpus)


def test_corrupt_artifact_is_stale(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", make_examples(per_field=3))
    artifact = tmp_path / "model.pkl"
    artifact.write_bytes(b"not a model")
    assert is_stale(artifact, corpus)


def test_choose_triage_threshold() -> None:
    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    correct = np.array([True, True, True, True, True, False, True, False])
    # top-5 are all right; top-6 is 5/6 < 0.95
    assert choose_triage_threshold(conf, correct, 0.95) == pytest.approx(0.7)
    assert choose_triage_threshold(conf, np.zeros(8, dtype=bool), 0.95) > 0.99
    assert choose_triage_threshold(conf, np.ones(8, dtype=bool), 0.95) == pytest.approx(0.4)


def test_choose_urgent_threshold_meets_targets_when_possible() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.2
    score = np.where(y, rng.uniform(0.3, 1.0, 400), rng.uniform(0.0, 0.4, 400))
    threshold, at_cut = choose_urgent_threshold(score, y, 0.9, 0.8)
    flagged = score >= threshold
    recall = (flagged & y).sum() / y.sum()
    precision = (flagged & y).sum() / flagged.sum()
    assert recall >= 0.9
    assert precision >= 0.8
    assert at_cut["recall"] == pytest.approx(recall)


def test_choose_urgent_threshold_keeps_away_from_both_limits() -> None:
    # 40 urgent texts.  Two cuts meet recall 0.90 / precision 0.80: after rank 42
    # (recall 0.95, precision 0.905) and after rank 50 (recall 1.0, precision 0.80, right
    # at the precision limit, which F2 would prefer).  The first is farther from both.
    ranked = [True] * 36 + [False] * 4 + [True] * 2 + [False] * 6 + [True] * 2 + [False] * 20
    y = np.asarray(ranked)
    score = np.linspace(1.0, 0.01, len(ranked))
    threshold, at_cut = choose_urgent_threshold(score, y, 0.9, 0.8)
    assert at_cut == {"precision": pytest.approx(38 / 42), "recall": pytest.approx(0.95)}
    assert score[41] > threshold > score[42]


def test_export_corrections(tmp_path: Path) -> None:
    out = tmp_path / "corpus" / "corrections.jsonl"
    rows = [
        {"text": "đèn đường hỏng", "field": "giao_thong_ha_tang", "kind": "phan_anh",
         "urgent": False},
        {"text": "abc", "field": "not_a_field", "kind": "phan_anh", "urgent": False},
        {"text": "abc", "field": "khac", "kind": "hoi_dap", "urgent": False},
        {"text": "", "field": "khac", "kind": "gop_y", "urgent": False},
        {"text": "x", "field": "khac", "kind": "gop_y", "urgent": "yes"},
        "not an object",
        {"text": "đèn đường hỏng", "field": "giao_thong_ha_tang", "kind": "phan_anh",
         "urgent": False},
    ]  # fmt: skip
    result = export_corrections(rows, out)
    assert result.written == 1
    assert result.skipped_duplicates == 1
    assert len(result.errors) == 5
    assert "not_a_field" in result.errors[0]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [rows[0]]
    extra = {"text": "rác ùn ứ", "field": "moi_truong", "kind": "phan_anh", "urgent": False}
    again = export_corrections([extra], out)
    assert again.written == 1
    assert len(load_corpus(out.parent)) == 2
