"""`TopicAwareDIETClassifier`: DIET that learns each FAQ topic as its own label, and answers `faq`.

The FAQ is one intent (`faq`, DESIGN.md) made of 25 unrelated topics (photos, privacy, RKPD, costs...),
four times the examples of any other intent. Learned as one label, DIET has to pull all of them to a
single point, and that point becomes a catch-all: short answers ("ya, data tersebut sudah benar"),
status questions and off-topic questions were read as `faq`. Here DIET learns `faq/<topic>` labels
(the ResponseSelector's own keys) and the parse result folds them back: `faq`'s confidence is the sum
of its topics', so the rest of the assistant sees the contract intents only; the ResponseSelector still
chooses the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

RETRIEVAL_INTENTS = ("faq",)
RANKING_LENGTH = 10  # what DIET reports by default


def topic_label(example: Message) -> str:
    """The label a classifier learns: the FAQ topic (`faq/biaya`) for FAQ examples, else the intent."""
    intent = example.get(INTENT)
    if intent in RETRIEVAL_INTENTS and example.get(INTENT_RESPONSE_KEY):
        return example.get(INTENT_RESPONSE_KEY)
    return intent


def split_topics(training_data: TrainingData) -> TrainingData:
    """A copy in which each FAQ example's label is its topic (`faq/biaya`), the others unchanged.

    Featurizers also encoded the old label names; those features are dropped from the copy, so DIET
    gives every label its own one-hot embedding, as it does for intent names anyway.
    """
    examples = []
    for example in training_data.training_examples:
        data = dict(example.data)
        if data.get(INTENT):
            data[INTENT] = topic_label(example)
        features = [f for f in example.features if f.attribute != INTENT]
        examples.append(Message(data=data, features=features))
    return TrainingData(training_examples=examples)


def summed_ranking(entries: Iterable[tuple[str, float]], length: int | None = RANKING_LENGTH) -> list[dict[str, Any]]:
    """A parse result's ranking from (name, confidence) pairs: a name's pairs are added up, best first."""
    totals: dict[str, float] = {}
    for name, confidence in entries:
        totals[name] = totals.get(name, 0.0) + confidence
    ordered = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:length]
    return [{"name": name, PREDICTED_CONFIDENCE_KEY: confidence} for name, confidence in ordered]


def fold_topics(ranking: list[dict[str, Any]], length: int | None = RANKING_LENGTH) -> list[dict[str, Any]]:
    """Topic labels back into their intent; its confidence is the sum of its topics', best first."""
    return summed_ranking(((entry["name"].split("/", 1)[0], float(entry[PREDICTED_CONFIDENCE_KEY]))
                           for entry in ranking), length)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class TopicAwareDIETClassifier(DIETClassifier):
    """DIET trained on FAQ topics, reporting contract intents (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rank every label: a topic outside DIET's usual top ten still adds to `faq`."""
        return {**DIETClassifier.get_default_config(), "ranking_length": 0}

    def train(self, training_data: TrainingData) -> Resource:
        """Trains on the topic labels; the pipeline's own data stays as it is for the ResponseSelector."""
        return super().train(split_topics(training_data))

    def process(self, messages: list[Message]) -> list[Message]:
        """DIET's prediction, with the topics folded into their intent."""
        for message in super().process(messages):
            ranking = message.get(INTENT_RANKING_KEY)
            if not ranking:
                continue
            folded = fold_topics(ranking)
            message.set(INTENT, folded[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, folded, add_to_output=True)
        return messages
