"""The trained model parses exactly as with Rasa's own components when nlu/rasa_runtime.py's changes are in:
the held-out sets (all of nlu/data too with `python -m bench.parse_identity --all`), in the Rasa environment.
Loads the model in this process (about a minute, 1 GB)."""

from __future__ import annotations

import os
from pathlib import Path

from bench.parse_identity import HELDOUT, compare, texts_of


def trained_model() -> Path:
    from ops.stack import ensure_model

    configured = os.environ.get("MUSRENBANG_MODEL")
    return Path(configured) if configured else ensure_model(log=lambda _message: None)


def test_intents_confidences_entities_and_faq_answers_are_rasas_own() -> None:
    result = compare(trained_model(), texts_of(HELDOUT))
    assert result["messages"] > 1000
    assert result["differing"] == []
    assert result["faq_messages"] > 100  # FAQ questions: the same response selected
    assert result["selector_skipped"] > 500  # the others: the ResponseSelector did not run
