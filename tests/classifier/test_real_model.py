"""Checks on the model trained on the real corpus (trained once per session, then cached)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.data import DEFAULT_CORPUS_DIR, heldout_split, load_corpus
from classifier.evaluation import evaluate_examples
from classifier.model import heldout_artifact_path, load_classifier

pytestmark = pytest.mark.slow


def test_beats_majority_baseline_on_heldout(real_model: Path) -> None:
    clf = load_classifier(heldout_artifact_path(real_model))
    examples = load_corpus(DEFAULT_CORPUS_DIR)
    train_idx, heldout_idx = heldout_split(examples)
    report = evaluate_examples(
        clf, [examples[i] for i in heldout_idx], [examples[i].field for i in train_idx]
    )
    assert report["macro_f1"] > report["baseline"]["macro_f1"] + 0.5
    assert report["kind"]["macro_f1"] > 0.5


def test_real_model_is_fresh_and_loads(real_model: Path) -> None:
    clf = load_classifier()
    assert clf.corpus_hash == load_classifier(real_model).corpus_hash
    assert clf.threshold > 0
    prediction = clf.predict("nha toi bi hang xom lan chiem dat, xin xa giai quyet")
    assert prediction.field == "dat_dai"
