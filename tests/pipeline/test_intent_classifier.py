"""The topic-aware DIET (nlu/components/intent_classifier.py): topics in training, contract intents out.

Runs in the Rasa environment. The trained model's parse results are checked over HTTP in
tests/nlu/test_heldout.py; these pin down the two conversions it rests on.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.intent_classifier import fold_topics, split_topics


def example(text: str, intent: str, topic: str | None = None) -> Message:
    data = {TEXT: text, INTENT: intent}
    if topic:
        data[INTENT_RESPONSE_KEY] = f"{intent}/{topic}"
    features = [Features(scipy.sparse.coo_matrix(np.ones((1, 3))), "sentence", attribute, "CountVectorsFeaturizer")
                for attribute in (TEXT, INTENT)]
    return Message(data=data, features=features)


def test_faq_examples_are_learned_by_topic_and_the_others_keep_their_intent() -> None:
    original = TrainingData([example("apa itu rkpd?", "faq", "apa_rkpd"), example("berapa biayanya?", "faq", "biaya"),
                             example("ya betul", "affirm")])
    split = split_topics(original)
    assert [m.get(INTENT) for m in split.training_examples] == ["faq/apa_rkpd", "faq/biaya", "affirm"]
    # Old label-name features would give the two topics one embedding: only the text's stay.
    assert all({f.attribute for f in m.features} == {TEXT} for m in split.training_examples)
    # The pipeline's own data is untouched: the ResponseSelector still sees `faq`.
    assert [m.get(INTENT) for m in original.training_examples] == ["faq", "faq", "affirm"]
    assert all(len(m.features) == 2 for m in original.training_examples)


def test_topics_fold_into_faq_with_the_sum_of_their_confidence() -> None:
    ranking = [{"name": "affirm", "confidence": 0.4}, {"name": "faq/biaya", "confidence": 0.3},
               {"name": "faq/foto", "confidence": 0.25}, {"name": "deny", "confidence": 0.05}]
    folded = fold_topics(ranking)
    assert [entry["name"] for entry in folded] == ["faq", "affirm", "deny"]
    assert folded[0]["confidence"] == pytest.approx(0.55)
    assert sum(entry["confidence"] for entry in folded) == pytest.approx(1.0)


def test_the_folded_ranking_has_diets_usual_length() -> None:
    ranking = [{"name": f"intent_{i}", "confidence": 1 / 30} for i in range(15)]
    ranking += [{"name": f"faq/topic_{i}", "confidence": 1 / 30} for i in range(15)]
    folded = fold_topics(ranking)
    assert len(folded) == 10 and folded[0]["name"] == "faq"
