"""The n-gram classifier (nlu/components/ngram_classifier.py): trained, stored, loaded and blended into DIET's ranking.

Runs in the Rasa environment with Rasa's own model storage; the trained project model is checked over
HTTP in tests/nlu/test_heldout.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.ngram_classifier import MODEL_FILE, NgramIntentClassifier, Scorer, blend, build_model

EXAMPLES = {
    "affirm": ["ya betul", "iya benar", "leres", "nggih leres", "muhun leres", "betul sekali", "ya sudah benar"],
    "deny": ["tidak", "bukan itu", "ora", "mboten", "henteu", "sanes", "tidak benar"],
    "faq/biaya": ["berapa biayanya", "apakah ada biaya", "bayar ora", "kudu mayar teu", "biaya usul berapa"],
    "faq/foto": ["foto wajib?", "harus kirim foto", "kudu nganggo foto", "perlu poto teu", "fotonya buat apa"],
}


def training_data() -> TrainingData:
    examples = []
    for label, texts in EXAMPLES.items():
        intent, _, topic = label.partition("/")
        for text in texts:
            data = {TEXT: text, INTENT: intent}
            if topic:
                data[INTENT_RESPONSE_KEY] = label
            examples.append(Message(data=data))
    return TrainingData(training_examples=examples)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def trained(tmp_path: Path) -> tuple[LocalModelStorage, Resource]:
    storage, resource = LocalModelStorage(tmp_path), Resource("ngram_classifier")
    NgramIntentClassifier.create({}, storage, resource, context()).train(training_data())
    return storage, resource


def diet_says(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking], add_to_output=True)
    return message


def test_blend_weighs_the_linear_model_and_keeps_ten_intents_best_first() -> None:
    diet = [{"name": "faq", "confidence": 0.9}, {"name": "deny", "confidence": 0.1}]
    linear = [{"name": "deny", "confidence": 0.8}, {"name": "faq", "confidence": 0.2}]
    blended = blend(diet, linear, weight=0.75)
    assert [e["name"] for e in blended] == ["deny", "faq"]
    assert blended[0]["confidence"] == pytest.approx(0.75 * 0.8 + 0.25 * 0.1)
    many = [{"name": f"intent_{i}", "confidence": 1 / 20} for i in range(20)]
    assert len(blend(many, many, 0.5)) == 10


def test_a_stored_model_overrules_a_confidently_wrong_diet(trained: tuple[LocalModelStorage, Resource]) -> None:
    """DIET reads a Sundanese 'no' as an FAQ question; the n-gram model, loaded from storage, knows 'henteu'."""
    storage, resource = trained
    classifier = NgramIntentClassifier.load({}, storage, resource, context())
    [message] = classifier.process([diet_says("henteu", [("faq", 0.6), ("deny", 0.3), ("affirm", 0.1)])])
    assert message.get(INTENT)["name"] == "deny"
    ranking = message.get(INTENT_RANKING_KEY)
    # Its FAQ topics come out folded into `faq`; the confidences still share 1.
    assert {e["name"] for e in ranking} == {"affirm", "deny", "faq"}
    assert sum(e["confidence"] for e in ranking) == pytest.approx(1.0)
    assert message.get(INTENT) == ranking[0]


def test_faq_topics_count_together_as_faq(trained: tuple[LocalModelStorage, Resource]) -> None:
    storage, resource = trained
    classifier = NgramIntentClassifier.load({}, storage, resource, context())
    [message] = classifier.process([diet_says("biaya foto berapa", [("faq", 0.5), ("affirm", 0.5)])])
    assert message.get(INTENT)["name"] == "faq"


def test_messages_diet_did_not_rank_are_left_alone(trained: tuple[LocalModelStorage, Resource]) -> None:
    storage, resource = trained
    classifier = NgramIntentClassifier.load({}, storage, resource, context())
    button = Message(data={TEXT: "/affirm", INTENT: {"name": "affirm", "confidence": 1.0}})
    [message] = classifier.process([button])
    assert message.get(INTENT) == {"name": "affirm", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY) is None


def test_a_model_holding_foreign_code_is_not_loaded(tmp_path: Path) -> None:
    """A stored model is only trusted with sklearn/numpy/scipy types; anything else passes DIET's ranking on."""
    import skops.io as sio

    storage, resource = LocalModelStorage(tmp_path), Resource("ngram_classifier")
    with storage.write_to(resource) as directory:
        sio.dump({"model": Path("/etc/passwd")}, directory / MODEL_FILE)
    classifier = NgramIntentClassifier.load({}, storage, resource, context())
    [message] = classifier.process([diet_says("henteu", [("faq", 0.6), ("deny", 0.4)])])
    assert message.get(INTENT)["name"] == "faq"


def test_untrained_classifier_passes_diets_ranking_on(tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("never_trained")
    classifier = NgramIntentClassifier.load({}, storage, resource, context())
    [message] = classifier.process([diet_says("henteu", [("faq", 0.6), ("deny", 0.4)])])
    assert message.get(INTENT)["name"] == "faq"


def test_the_fast_probabilities_are_sklearns() -> None:
    data = training_data()
    model = build_model(NgramIntentClassifier.get_default_config())
    model.fit([m.get(TEXT) for m in data.training_examples], [m.get(INTENT) for m in data.training_examples])
    texts = ["henteu", "ya betul", "biaya foto berapa", "zzz"]
    assert Scorer(model).probabilities(texts) == pytest.approx(model.predict_proba(texts), abs=1e-12)


def test_the_scorer_gives_sklearns_probabilities_on_every_nlu_example() -> None:
    """The n-gram features are computed by the Scorer itself (no vectoriser call per message): on all of
    nlu/data, as the pipeline sees it (normalised), the probabilities are sklearn's and so is the best label.
    Fitted on a fifth of the examples, so the rest also exercises n-grams the model never saw."""
    import numpy as np

    from core.language import resources
    from core.language.normalise import normalise

    examples = [(normalise(text), language) for language, text in resources.intent_examples(resources.NLU_EXAMPLES)]
    texts = [text for text, _ in examples]
    model = build_model(NgramIntentClassifier.get_default_config())
    model.fit(texts[::5], [language for _, language in examples[::5]])
    scorer = Scorer(model)
    ours = scorer.probabilities(texts)
    expected = model.predict_proba(texts)
    assert np.abs(ours - expected).max() < 1e-12
    assert (ours.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert scorer.probabilities(texts[:3]) == pytest.approx(expected[:3], abs=1e-12)  # from the cache, the same
