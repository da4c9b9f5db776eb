"""The loaded classifier used by the service: predictions, routing, explanations."""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from classifier.estimators import scores_to_proba
from classifier.features import TRANSFORM_CHUNK, TextFeatures
from classifier.normalize import NormalizedText, normalize

Route = Literal["auto", "triage"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the classifier says about one text."""

    field: str
    confidence: float
    kind: str
    kind_confidence: float
    urgent: bool
    route: Route


class _LinearHead:
    """Probabilities of one fitted linear head, computed without sklearn's per-call overhead."""

    def __init__(self, model: Any) -> None:
        self.classes: list[Any] = list(model.classes_)
        self.coef: FloatArray = np.asarray(model.coef_, dtype=np.float64)
        self.intercept: FloatArray = np.asarray(model.intercept_, dtype=np.float64)
        self.scale = float(model.scale)
        self.offset = float(model.offset)

    def proba(self, x: sp.csr_matrix) -> FloatArray:
        scores: FloatArray = np.asarray(x @ self.coef.T) + self.intercept
        return scores_to_proba(
            scores[:, 0] if scores.shape[1] == 1 else scores, self.scale, self.offset
        )

    def contributions(self, x: sp.csr_matrix, class_index: int) -> tuple[Any, FloatArray]:
        """(columns, contribution to the class's score) of the non-zero features of a row."""
        row = x.getrow(0).tocoo()
        if self.coef.shape[0] == 1:
            sign = 1.0 if class_index == 1 else -1.0
            weights = sign * self.coef[0, row.col]
        else:
            weights = self.coef[class_index, row.col] - self.coef[:, row.col].mean(axis=0)
        return row.col, row.data * weights


def read_artifact(path: Path) -> Any:
    """Unpickle a model artifact written by training (a trusted local file, never user input)."""
    with path.open("rb") as handle:
        return pickle.load(handle)  # noqa: S301 - our own artifact


class Classifier:
    """A loaded model artifact.  Build it with :func:`classifier.load_classifier`."""

    def __init__(self, artifact: Mapping[str, Any]) -> None:
        pipelines = artifact["pipelines"]
        self.pipelines: Mapping[str, Any] = pipelines
        self.metadata: dict[str, Any] = dict(artifact["metadata"])
        self.features: TextFeatures = pipelines["field"].named_steps["features"]
        self._field = _LinearHead(pipelines["field"].named_steps["model"])
        self._kind = _LinearHead(pipelines["kind"].named_steps["model"])
        self._urgent = _LinearHead(pipelines["urgent"].named_steps["model"])
        for head in ("kind", "urgent"):
            if pipelines[head].named_steps["features"] is not self.features:
                raise ValueError(f"the {head} pipeline must share the field pipeline's features")
        self.threshold: float = float(self.metadata["triage_threshold"])
        self.urgent_threshold: float = float(self.metadata["urgent_threshold"])
        self.version: str = str(self.metadata["version"])
        self.corpus_hash: str = str(self.metadata["corpus_hash"])

    @classmethod
    def load(cls, path: Path) -> Classifier:
        return cls(read_artifact(path))

    def _predict_forms(self, forms: Sequence[NormalizedText]) -> list[Prediction]:
        # Chunk by chunk, so that each chunk's features are still in the CPU caches
        # when the heads read them.
        predictions: list[Prediction] = []
        for start in range(0, len(forms), TRANSFORM_CHUNK):
            predictions.extend(self._predict_chunk(forms[start : start + TRANSFORM_CHUNK]))
        return predictions

    def _predict_chunk(self, forms: Sequence[NormalizedText]) -> list[Prediction]:
        x = self.features.transform_forms(forms)
        field_p = self._field.proba(x)
        kind_p = self._kind.proba(x)
        urgent_p = self._urgent.proba(x)[:, 1]
        field_i = field_p.argmax(axis=1)
        kind_i = kind_p.argmax(axis=1)
        field_c = field_p[np.arange(len(forms)), field_i]
        kind_c = kind_p[np.arange(len(forms)), kind_i]
        urgent_flags = urgent_p >= self.urgent_threshold
        field_classes = self._field.classes
        kind_classes = self._kind.classes
        threshold = self.threshold
        return [
            Prediction(
                field=str(field_classes[fi]),
                confidence=float(fc),
                kind=str(kind_classes[ki]),
                kind_confidence=float(kc),
                urgent=bool(u),
                route="auto" if fc >= threshold else "triage",
            )
            for fi, fc, ki, kc, u in zip(
                field_i.tolist(),
                field_c.tolist(),
                kind_i.tolist(),
                kind_c.tolist(),
                urgent_flags.tolist(),
                strict=True,
            )
        ]

    def predict(self, text: str) -> Prediction:
        return self._predict_forms([normalize(text)])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return self._predict_forms([normalize(text) for text in texts])

    def probabilities(self, texts: Sequence[str]) -> dict[str, FloatArray]:
        """Raw probabilities per head (field and kind columns follow ``classes``)."""
        x = self.features.transform_forms([normalize(t) for t in texts])
        return {
            "field": self._field.proba(x),
            "kind": self._kind.proba(x),
            "urgent": self._urgent.proba(x)[:, 1],
        }

    @property
    def field_classes(self) -> list[str]:
        return [str(c) for c in self._field.classes]

    @property
    def kind_classes(self) -> list[str]:
        return [str(c) for c in self._kind.classes]

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """Words of the text that pushed the field decision most, with their weight.

        The contribution of every active feature to the predicted field's score
        (relative to the mean over fields) is spread evenly over the words its
        occurrences cover (see :meth:`TextFeatures.covered_tokens`).
        """
        forms = normalize(text)
        x = self.features.transform_forms([forms])
        if x.nnz == 0 or top <= 0:
            return []
        class_index = int(self._field.proba(x)[0].argmax())
        columns, contributions = self._field.contributions(x, class_index)
        covered = self.features.covered_tokens(forms)
        accented = forms.accented.split()
        weights = [0.0] * len(accented)
        for column, contribution in zip(columns.tolist(), contributions.tolist(), strict=True):
            tokens = covered.get(column, [])
            for i in tokens:
                weights[i] += contribution / len(tokens)
        totals: dict[str, float] = {}
        for token, weight in zip(accented, weights, strict=True):
            totals[token] = totals.get(token, 0.0) + weight
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return [(token, round(weight, 4)) for token, weight in ranked[:top] if weight > 0]
