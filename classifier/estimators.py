"""A linear SVM whose scores are turned into calibrated probabilities.

The SVM (``LinearSVC``, one-vs-rest) is fast to train and accurate on TF-IDF
features.  Its scores become probabilities through parameters fitted on
*out-of-fold* scores of the training split (cross-validated calibration):

* several classes: a temperature-scaled softmax, ``softmax(scale * scores)``;
* two classes: Platt scaling, ``sigmoid(scale * score + offset)``.

The calibration parameters are set by :func:`fit_calibration` and passed in as
hyper-parameters, so ``fit`` only fits the SVM.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

FloatArray = npt.NDArray[np.float64]


def softmax(scores: FloatArray) -> FloatArray:
    shifted: FloatArray = scores - scores.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def sigmoid(values: FloatArray) -> FloatArray:
    out: FloatArray = expit(values)
    return out


class CalibratedLinearSVC(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """``LinearSVC`` plus fixed calibration parameters (see module docstring)."""

    def __init__(
        self, C: float = 1.0, scale: float = 1.0, offset: float = 0.0, random_state: int = 0
    ) -> None:
        self.C = C
        self.scale = scale
        self.offset = offset
        self.random_state = random_state

    def fit(self, x: Any, y: Any) -> CalibratedLinearSVC:
        svm = LinearSVC(C=self.C, random_state=self.random_state, max_iter=5000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(x, y)
        self.classes_ = svm.classes_
        self.coef_ = svm.coef_
        self.intercept_ = svm.intercept_
        return self

    def decision_function(self, x: Any) -> FloatArray:
        scores: FloatArray = np.asarray(x @ self.coef_.T) + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, x: Any) -> FloatArray:
        return scores_to_proba(self.decision_function(x), self.scale, self.offset)

    def predict(self, x: Any) -> Any:
        return self.classes_[self.predict_proba(x).argmax(axis=1)]


def scores_to_proba(scores: FloatArray, scale: float, offset: float) -> FloatArray:
    """Probabilities from SVM scores: 1-D scores are binary, 2-D are one column per class."""
    if scores.ndim == 1:
        positive = sigmoid(scale * scores + offset)
        return np.column_stack([1.0 - positive, positive])
    return softmax(scale * scores)


def fit_calibration(scores: FloatArray, y_index: npt.NDArray[np.intp]) -> tuple[float, float]:
    """(scale, offset) minimising the log-loss of out-of-fold scores.

    ``y_index`` holds the true class' column (binary: 1 for the positive class).
    """
    eps = 1e-12
    if scores.ndim == 1:
        y = y_index.astype(np.float64)

        def binary_loss(params: FloatArray) -> float:
            p = sigmoid(params[0] * scores + params[1])
            return float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))

        result = minimize(binary_loss, np.array([1.0, 0.0]), method="Nelder-Mead")
        return float(result.x[0]), float(result.x[1])
    rows = np.arange(len(y_index))

    def multi_loss(log_scale: float) -> float:
        p = softmax(np.exp(log_scale) * scores)
        return float(-np.mean(np.log(p[rows, y_index] + eps)))

    found = minimize_scalar(multi_loss, bounds=(-3.0, 5.0), method="bounded")
    return float(np.exp(found.x)), 0.0
