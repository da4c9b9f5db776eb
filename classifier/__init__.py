"""Field / kind / urgency classifier for residents' feedback (Hộp thư phản ánh).

Public API for the service::

    from classifier import load_classifier, ensure_model, Prediction

    clf = load_classifier()          # trains first when the artifact is missing or stale
    clf.predict("đường ngập nước")   # Prediction(field=..., confidence=..., route=...)
"""

from classifier.corrections import export_corrections
from classifier.model import ensure_model, load_classifier, train
from classifier.runtime import Classifier, Prediction

__all__ = [
    "Classifier",
    "Prediction",
    "ensure_model",
    "export_corrections",
    "load_classifier",
    "train",
]
