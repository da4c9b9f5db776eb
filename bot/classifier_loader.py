"""Load the field classifier once at start-up (training it first if it is missing or stale)."""

from __future__ import annotations

import logging

from bot.settings import Settings
from handlers.ports import TextClassifier

log = logging.getLogger(__name__)


def load_for_service(settings: Settings) -> TextClassifier | None:
    if not settings.CLASSIFIER_ENABLED:
        log.info("classifier disabled: items go to the triage desk")
        return None
    from classifier import load_classifier

    model = load_classifier()
    log.info("classifier %s loaded", model.version)
    return model
