"""Training, the model artifact, and staleness detection."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import sklearn
from sklearn.metrics import average_precision_score, f1_score, log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from classifier.data import (
    DEFAULT_ARTIFACT_PATH,
    DEFAULT_CORPUS_DIR,
    DEFAULT_TESTSET_PATH,
    Example,
    corpus_hash,
    file_hash,
    heldout_split,
    load_corpus,
)
from classifier.estimators import CalibratedLinearSVC, fit_calibration, scores_to_proba
from classifier.evaluation import evaluate_examples
from classifier.features import TextFeatures, normalize_many
from classifier.normalize import NormalizedText
from classifier.runtime import Classifier, read_artifact

log = logging.getLogger("classifier")

MODEL_VERSION: Final = "1.3.0"  # 1.3: NFKC folding in normalisation
# 2: plain pickle (C unpickler; joblib's Python unpickler took ~0.8 s over the vocabularies).
ARTIFACT_FORMAT: Final = 2

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TrainConfig:
    """Training settings.  The C grids are searched by cross-validation."""

    field_c_grid: tuple[float, ...] = (0.3, 1.0, 3.0)
    kind_c_grid: tuple[float, ...] = (0.1, 0.3, 1.0)
    urgent_c_grid: tuple[float, ...] = (0.1, 0.3, 1.0)
    n_splits: int = 5
    random_state: int = 0
    augment_stripped: bool = True
    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] = (2, 5)
    char_on_accented: bool = False
    min_df: int = 2
    char_weight: float = 0.6
    triage_precision: float = 0.95
    urgent_min_recall: float = 0.90
    urgent_min_precision: float = 0.80


HEADS: Final = ("field", "kind", "urgent")


def _make_features(config: TrainConfig) -> TextFeatures:
    return TextFeatures(
        word_ngram_range=config.word_ngram_range,
        char_ngram_range=config.char_ngram_range,
        char_on_accented=config.char_on_accented,
        min_df=config.min_df,
        char_weight=config.char_weight,
    )


def _make_model(
    c: float, config: TrainConfig, scale: float = 1.0, offset: float = 0.0
) -> CalibratedLinearSVC:
    return CalibratedLinearSVC(C=c, scale=scale, offset=offset, random_state=config.random_state)


def _augment(
    forms: Sequence[NormalizedText], labels: dict[str, list[Any]], enabled: bool
) -> tuple[list[NormalizedText], dict[str, list[Any]]]:
    """Add an accent-stripped copy of every accented training text."""
    out_forms = list(forms)
    out_labels = {head: list(values) for head, values in labels.items()}
    if not enabled:
        return out_forms, out_labels
    for i, form in enumerate(forms):
        if form.accented != form.stripped:
            out_forms.append(NormalizedText(accented=form.stripped, stripped=form.stripped))
            for head, values in labels.items():
                out_labels[head].append(values[i])
    return out_forms, out_labels


def _labels(examples: Sequence[Example]) -> dict[str, list[Any]]:
    return {
        "field": [e.field for e in examples],
        "kind": [e.kind for e in examples],
        "urgent": [e.urgent for e in examples],
    }


def _fit_pipelines(
    forms: list[NormalizedText],
    labels: dict[str, list[Any]],
    cv: _CVOutcome,
    config: TrainConfig,
) -> dict[str, Pipeline]:
    """One feature extractor and the three heads, with the C and calibration of ``cv``.

    LinearSVC's C weighs the sum of the hinge losses, so with more texts than a fold model
    had the same C regularises less and gives larger scores, which the calibration and
    thresholds (fitted on fold scores) would misread: C is scaled by fold size / size.
    """
    fit_forms, fit_labels = _augment(forms, labels, config.augment_stripped)
    features = _make_features(config)
    x = features.fit_transform_forms(fit_forms)
    pipelines: dict[str, Pipeline] = {}
    for head in HEADS:
        scale, offset = cv.calibration[head]
        model = _make_model(cv.best_c[head] * cv.fold_size / len(forms), config, scale, offset)
        model.fit(x, np.asarray(fit_labels[head]))
        pipelines[head] = Pipeline([("features", features), ("model", model)])
    return pipelines


def _aligned_scores(model: CalibratedLinearSVC, x: Any, classes: list[Any]) -> FloatArray:
    """Decision scores with one column per class of ``classes`` (binary: one column)."""
    scores = model.decision_function(x)
    if scores.ndim == 1:
        if list(model.classes_) != classes:
            raise ValueError("binary classes differ between fold and training split")
        return np.asarray(scores, dtype=np.float64).reshape(-1, 1)
    out = np.full((x.shape[0], len(classes)), -10.0)
    for column, cls in enumerate(model.classes_):
        out[:, classes.index(cls)] = scores[:, column]
    return out


def _proba(scores: FloatArray, scale: float, offset: float) -> FloatArray:
    return scores_to_proba(scores[:, 0] if scores.shape[1] == 1 else scores, scale, offset)


def choose_triage_threshold(
    confidence: FloatArray, correct: npt.NDArray[np.bool_], target: float
) -> float:
    """Lowest confidence cut whose auto-routed items are right at least ``target`` of the time.

    Cuts are only placed between distinct confidence values.  Returns a value above
    every confidence (nothing automatic) when no cut reaches the target.
    """
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    hits = np.cumsum(correct[order])
    counts = np.arange(1, len(conf) + 1)
    precision = hits / counts
    # A cut is valid only after the last item of a run of equal confidences.
    boundary = np.append(conf[1:] < conf[:-1], True)
    valid = np.flatnonzero(boundary & (precision >= target))
    if valid.size == 0:
        return float(min(1.0, conf[0] + 1e-6)) if conf.size else 1.0
    return float(conf[valid[-1]])


def choose_urgent_threshold(
    score: FloatArray, y: npt.NDArray[np.bool_], min_recall: float, min_precision: float
) -> tuple[float, dict[str, float]]:
    """Decision threshold on the urgent probability.

    Among cuts with recall >= ``min_recall`` and precision >= ``min_precision`` the one
    farthest from both limits wins (the largest of min(precision - min_precision,
    recall - min_recall)): a cut at the edge of either limit falls below it on new texts
    about half the time.  When no cut meets both, recall comes first: the cut with the
    best precision among those keeping ``min_recall``.  The threshold is put half-way
    between the chosen cut and the next lower score, which leans towards recall.
    """
    positives = int(y.sum())
    if positives == 0 or positives == len(y):
        return 0.5, {"precision": 0.0, "recall": 0.0}
    order = np.argsort(-score, kind="stable")
    s = score[order]
    tp = np.cumsum(y[order])
    k = np.arange(1, len(s) + 1)
    precision = tp / k
    recall = tp / positives
    boundary = np.append(s[1:] < s[:-1], True)
    both = np.flatnonzero(boundary & (recall >= min_recall) & (precision >= min_precision))
    if both.size:
        margin = np.minimum(precision[both] - min_precision, recall[both] - min_recall)
        cut = int(both[np.argmax(margin)])
    else:
        keep = np.flatnonzero(boundary & (recall >= min_recall))
        cut = int(keep[np.argmax(precision[keep])])
    lower = s[cut + 1] if cut + 1 < len(s) else 0.0
    threshold = float((s[cut] + lower) / 2)
    return threshold, {"precision": float(precision[cut]), "recall": float(recall[cut])}


@dataclass
class _CVOutcome:
    best_c: dict[str, float]
    calibration: dict[str, tuple[float, float]]
    scores: dict[str, dict[str, dict[str, float]]]
    oof: dict[str, FloatArray]
    n_splits: int
    fold_size: float  # mean number of texts a fold model was fitted on


def _cross_validate(
    forms: list[NormalizedText],
    labels: dict[str, list[Any]],
    classes: dict[str, list[Any]],
    config: TrainConfig,
) -> _CVOutcome:
    """Out-of-fold SVM scores for every head and C; picks C and fits calibration."""
    grids = {
        "field": config.field_c_grid,
        "kind": config.kind_c_grid,
        "urgent": config.urgent_c_grid,
    }
    y_field = labels["field"]
    smallest = min(Counter(y_field).values())
    n_splits = max(2, min(config.n_splits, smallest))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=config.random_state)
    n = len(forms)
    width = {head: 1 if len(classes[head]) == 2 else len(classes[head]) for head in HEADS}
    oof = {head: {c: np.zeros((n, width[head])) for c in grids[head]} for head in HEADS}
    for fold, (train_idx, val_idx) in enumerate(splitter.split(np.zeros(n), y_field)):
        started = time.perf_counter()
        fold_forms, fold_labels = _augment(
            [forms[i] for i in train_idx],
            {head: [labels[head][i] for i in train_idx] for head in HEADS},
            config.augment_stripped,
        )
        features = _make_features(config)
        x_train = features.fit_transform_forms(fold_forms)
        x_val = features.transform_forms([forms[i] for i in val_idx])
        for head in HEADS:
            if len(set(fold_labels[head])) < len(classes[head]) and width[head] == 1:
                continue
            for c in grids[head]:
                model = _make_model(c, config).fit(x_train, np.asarray(fold_labels[head]))
                oof[head][c][val_idx] = _aligned_scores(model, x_val, classes[head])
        log.info(
            "fold %d/%d done in %.1fs (%d features)",
            fold + 1,
            n_splits,
            time.perf_counter() - started,
            features.n_features_,
        )

    best_c: dict[str, float] = {}
    calibration: dict[str, tuple[float, float]] = {}
    scores: dict[str, dict[str, dict[str, float]]] = {}
    probabilities: dict[str, FloatArray] = {}
    for head in HEADS:
        y = np.asarray(labels[head])
        y_index = np.asarray([classes[head].index(v) for v in labels[head]], dtype=np.intp)
        scores[head] = {}
        best: tuple[float, float] = (-1.0, grids[head][0])
        for c in grids[head]:
            raw = oof[head][c]
            if head == "urgent":
                score = float(average_precision_score(y, raw[:, 0])) if len(set(y)) > 1 else 0.0
                metric = "average_precision"
            else:
                predicted = np.asarray(classes[head])[raw.argmax(axis=1)]
                score = float(f1_score(y, predicted, average="macro", zero_division=0))
                metric = "macro_f1"
            scores[head][str(c)] = {metric: score}
            if score > best[0] + 1e-9:
                best = (score, c)
        best_c[head] = best[1]
        raw = oof[head][best[1]]
        scale, offset = fit_calibration(raw[:, 0] if raw.shape[1] == 1 else raw, y_index)
        calibration[head] = (scale, offset)
        probabilities[head] = _proba(raw, scale, offset)
        with contextlib.suppress(ValueError):
            clipped = np.clip(probabilities[head], 1e-9, 1.0)
            clipped /= clipped.sum(axis=1, keepdims=True)
            scores[head][str(best[1])]["calibrated_log_loss"] = float(
                # Column j is classes[head][j]; log_loss would sort string labels.
                log_loss(y_index, clipped, labels=list(range(len(classes[head]))))
            )
    return _CVOutcome(
        best_c=best_c,
        calibration=calibration,
        scores=scores,
        oof=probabilities,
        n_splits=n_splits,
        fold_size=n * (n_splits - 1) / n_splits,
    )


def train(
    corpus_dir: Path = DEFAULT_CORPUS_DIR,
    artifact_path: Path = DEFAULT_ARTIFACT_PATH,
    testset_path: Path = DEFAULT_TESTSET_PATH,
    config: TrainConfig | None = None,
) -> Path:
    """Train on the corpus' training split and write the artifact; returns its path."""
    config = config or TrainConfig()
    started = time.perf_counter()
    digest = corpus_hash(corpus_dir)
    examples = load_corpus(corpus_dir)
    if len(examples) < 20:
        raise ValueError(f"corpus {corpus_dir} has {len(examples)} usable examples; need >= 20")
    train_idx, heldout_idx = heldout_split(examples)
    train_examples = [examples[i] for i in train_idx]
    heldout_examples = [examples[i] for i in heldout_idx]
    log.info(
        "training on %d texts (%d held out), corpus %s",
        len(train_examples),
        len(heldout_examples),
        digest[:12],
    )
    forms = normalize_many(e.text for e in train_examples)
    labels = _labels(train_examples)
    classes = {head: sorted(set(values)) for head, values in labels.items()}
    if len(classes["field"]) < 2 or len(classes["kind"]) < 2 or len(classes["urgent"]) < 2:
        raise ValueError("each of field, kind and urgent needs at least two values in training")

    cv = _cross_validate(forms, labels, classes, config)
    field_oof = cv.oof["field"]
    field_correct = np.asarray(classes["field"])[field_oof.argmax(axis=1)] == np.asarray(
        labels["field"]
    )
    triage_threshold = choose_triage_threshold(
        field_oof.max(axis=1), field_correct, config.triage_precision
    )
    oof_auto = field_oof.max(axis=1) >= triage_threshold
    urgent_threshold, urgent_oof = choose_urgent_threshold(
        cv.oof["urgent"][:, 1],
        np.asarray(labels["urgent"], dtype=bool),
        config.urgent_min_recall,
        config.urgent_min_precision,
    )
    log.info(
        "CV chose C=%s; triage threshold %.4f, urgent threshold %.4f",
        cv.best_c,
        triage_threshold,
        urgent_threshold,
    )

    split_pipelines = _fit_pipelines(forms, labels, cv, config)
    # The deployed model also learns from the held-out texts, with every choice (C,
    # calibration, thresholds) already made without them; the split model is kept for
    # the held-out figures.
    heldout_forms = normalize_many(e.text for e in heldout_examples)
    pipelines = _fit_pipelines(
        forms + heldout_forms, _labels(train_examples + heldout_examples), cv, config
    )

    trained_at = datetime.now(UTC)
    metadata: dict[str, Any] = {
        "format": ARTIFACT_FORMAT,
        "version": f"{MODEL_VERSION}+{digest[:12]}",
        "model_version": MODEL_VERSION,
        "corpus_hash": digest,
        "testset_hash": file_hash(testset_path),
        "trained_at": trained_at.isoformat(),
        "sklearn_version": sklearn.__version__,
        "n_corpus": len(examples),
        "n_train": len(train_examples),
        "n_heldout": len(heldout_examples),
        "n_fitted": len(examples),
        "n_features": pipelines["field"].named_steps["features"].n_features_,
        "hyperparameters": {
            "config": asdict(config),
            "chosen_c": cv.best_c,
            "calibration_scale_offset": cv.calibration,
            "cv_folds": cv.n_splits,
            "model": "LinearSVC (one-vs-rest) + calibration fitted on out-of-fold scores",
        },
        "triage_threshold": triage_threshold,
        "urgent_threshold": urgent_threshold,
        "metrics": {
            "cv": cv.scores,
            "cv_triage": {
                "precision_auto": float(field_correct[oof_auto].mean()) if oof_auto.any() else None,
                "coverage": float(oof_auto.mean()),
            },
            "cv_urgent_at_threshold": urgent_oof,
        },
    }
    split_clf = Classifier({"pipelines": split_pipelines, "metadata": metadata})
    metadata["metrics"]["heldout"] = evaluate_examples(
        split_clf, heldout_examples, train_fields=labels["field"]
    )
    metadata["training_seconds"] = round(time.perf_counter() - started, 2)
    # The split model carries the same metadata but for what it was fitted on.
    split_metadata = {
        **metadata,
        "n_fitted": len(train_examples),
        "n_features": split_pipelines["field"].named_steps["features"].n_features_,
    }
    _write_artifact(
        {"pipelines": split_pipelines, "metadata": split_metadata},
        heldout_artifact_path(artifact_path),
    )
    _write_artifact({"pipelines": pipelines, "metadata": metadata}, artifact_path)
    log.info(
        "model written to %s in %.1fs; held-out macro-F1 %.4f",
        artifact_path,
        metadata["training_seconds"],
        metadata["metrics"]["heldout"].get("macro_f1", float("nan")),
    )
    return artifact_path


def heldout_artifact_path(artifact_path: Path) -> Path:
    """The companion model fitted on the training split only, which ``evaluate`` scores
    on the held-out split (the deployed model has seen those texts)."""
    return artifact_path.with_name(f"{artifact_path.stem}.heldout{artifact_path.suffix}")


def metadata_path(artifact_path: Path) -> Path:
    """Side-car JSON copy of the artifact's metadata (cheap staleness checks)."""
    return artifact_path.with_suffix(".json")


def _write_artifact(artifact: dict[str, Any], artifact_path: Path) -> None:
    artifact_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=artifact_path.parent, suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with tmp.open("wb") as handle:
            pickle.dump(artifact, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, artifact_path)
    finally:
        tmp.unlink(missing_ok=True)
    meta_tmp = metadata_path(artifact_path).with_suffix(".json.tmp")
    meta_tmp.write_text(
        json.dumps(artifact["metadata"], ensure_ascii=False, indent=2, default=str),
        encoding="utf-8",
    )
    os.replace(meta_tmp, metadata_path(artifact_path))


def read_metadata(artifact_path: Path) -> dict[str, Any] | None:
    """The artifact's metadata, from the side-car file when it is there; None if unreadable."""
    side = metadata_path(artifact_path)
    if side.is_file() and side.stat().st_mtime_ns >= artifact_path.stat().st_mtime_ns:
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict):
            return data
    try:
        artifact = read_artifact(artifact_path)
    except Exception:  # any unreadable artifact is simply stale
        return None
    meta = artifact.get("metadata") if isinstance(artifact, dict) else None
    return dict(meta) if isinstance(meta, dict) else None


def is_stale(artifact_path: Path, corpus_dir: Path = DEFAULT_CORPUS_DIR) -> bool:
    """True when the artifact or its held-out companion is missing, unreadable, of
    another format or of another corpus."""
    digest = corpus_hash(corpus_dir)
    for path in (artifact_path, heldout_artifact_path(artifact_path)):
        meta = read_metadata(path) if path.is_file() else None
        if (
            meta is None
            or meta.get("format") != ARTIFACT_FORMAT
            or meta.get("model_version") != MODEL_VERSION
            or meta.get("corpus_hash") != digest
        ):
            return True
    return False


@contextlib.contextmanager
def _training_lock(artifact_path: Path) -> Iterator[None]:
    """Serialise training between processes sharing one artifact path."""
    artifact_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = artifact_path.with_suffix(".lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_model(
    corpus_dir: Path = DEFAULT_CORPUS_DIR,
    artifact_path: Path = DEFAULT_ARTIFACT_PATH,
    testset_path: Path = DEFAULT_TESTSET_PATH,
    config: TrainConfig | None = None,
) -> Path:
    """Return the artifact path, training first when it is missing or stale."""
    if not is_stale(artifact_path, corpus_dir):
        return artifact_path
    with _training_lock(artifact_path):
        if is_stale(artifact_path, corpus_dir):
            log.info("model at %s is missing or stale: training", artifact_path)
            train(corpus_dir, artifact_path, testset_path, config)
    return artifact_path


def load_classifier(path: Path | None = None) -> Classifier:
    """Load a classifier; with no path, the package's model (trained first if needed)."""
    return Classifier.load(ensure_model() if path is None else path)
