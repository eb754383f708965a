"""`NgramIntentClassifier`: a linear model on character and word n-grams, blended with DIET's ranking.

DIET learns well from few examples but is sure of itself on messages unlike its training data (a
Sundanese "teu kudu" read as an FAQ question). A logistic regression on TF-IDF character n-grams
errs elsewhere: it rewards the spelling shared across registers and languages (affixes, "usul",
"status") and its probabilities are calibrated. Averaging the two distributions keeps what each gets
right. On the blind development sets (bench/nlu_dev/, 520 messages) DIET alone scored 0.977, the
linear model alone 0.987, their blend with weight 0.75 on the linear model 0.990 offline and 0.987 in
the trained pipeline (the FallbackClassifier sends four of them to the unclear path). Gibberish
("zzz", "?") now falls back instead of being read as a confident yes or no.

It must come after the DIET classifier: it reads DIET's ranking and replaces `intent` and
`intent_ranking` with the blend, so the FallbackClassifier after it judges the blended confidence.
FAQ topics are learned as their own labels and folded into `faq`, as in TopicAwareDIETClassifier.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from core.language.words import RUN_RE
from nlu.components.intent_classifier import fold_topics, summed_ranking, topic_label

logger = logging.getLogger(__name__)

MODEL_FILE = "ngram_intent_classifier.skops"
# What a stored model may contain: sklearn's, numpy's and scipy's classes and Python builtins, nothing else.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "builtins.", "scipy.")


def build_model(config: dict[str, Any]) -> Pipeline:
    """Word and character-within-word n-grams (sub-word pieces survive typos and missing spaces)."""
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, config["max_ngram"]), sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")),
    ])
    classifier = LogisticRegression(C=config["C"], max_iter=5000, class_weight="balanced")
    return Pipeline([("features", features), ("classifier", classifier)])


class Scorer:
    """`model.predict_proba`, computed directly from the fitted pipeline's parts.

    sklearn's `predict_proba` spent ~4 ms a call in input checks, and multiplying by `coef_.T` (a
    Fortran-ordered view) made scipy copy the 43 x 36k weights on every call (3.4 ms); the weights are
    laid out once here instead. For the same reason the two TF-IDF vectorisers are not called either
    (their `transform` checked its input and built two sparse matrices per message, ~0.6 ms): each
    message's n-grams come from the vectoriser's own analyser, and the sublinear TF, IDF and L2 norm of
    `TfidfVectorizer` are applied to those few features only. Chat repeats itself ("ya", "halo"), so
    the probabilities of recent texts are kept. Same probabilities as sklearn's (tested on nlu/data).
    """

    CACHED_TEXTS = 4096

    def __init__(self, model: Pipeline) -> None:
        classifier = model.named_steps["classifier"]
        self.classes: list[str] = list(classifier.classes_)
        self._weights = np.ascontiguousarray(classifier.coef_.T)
        self._intercept = classifier.intercept_
        self._parts = []  # per vectoriser: analyser, vocabulary, IDF, row offset into the weights
        offset = 0
        for _, vectoriser in model.named_steps["features"].transformer_list:
            if not (vectoriser.sublinear_tf and vectoriser.use_idf and vectoriser.norm == "l2"
                    and vectoriser.binary is False):
                raise ValueError("Scorer computes sublinear, IDF-weighted, L2-normalised TF-IDF only")
            self._parts.append((vectoriser.build_analyzer(), vectoriser.vocabulary_, vectoriser.idf_, offset))
            offset += len(vectoriser.vocabulary_)
        if offset != self._weights.shape[0]:
            raise ValueError("the vectorisers' vocabularies do not match the classifier's weights")
        self._cache: dict[str, np.ndarray] = {}

    def _row(self, text: str) -> np.ndarray:
        """One message's probabilities."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        scores = self._intercept.copy()
        for analyse, vocabulary, idf, offset in self._parts:
            counts: dict[int, int] = {}
            for feature in analyse(text):
                index = vocabulary.get(feature)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(sorted(counts), dtype=np.intp, count=len(counts))
            values = (np.log([counts[i] for i in indices]) + 1.0) * idf[indices]
            values /= np.sqrt(np.dot(values, values))
            scores += values @ self._weights[indices + offset]
        scores = np.exp(scores - scores.max())
        row = scores / scores.sum()
        row.flags.writeable = False
        if len(self._cache) >= self.CACHED_TEXTS:
            self._cache.clear()
        self._cache[text] = row
        return row

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._row(text) for text in texts])


def blend(diet: list[dict[str, Any]], linear: list[dict[str, Any]], weight: float) -> list[dict[str, Any]]:
    """`weight` × the linear model's confidence + the rest × DIET's, per intent, best first, top ten."""
    return summed_ranking((entry["name"], share * float(entry[PREDICTED_CONFIDENCE_KEY]))
                          for entries, share in ((diet, 1.0 - weight), (linear, weight)) for entry in entries)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentClassifier(GraphComponent):
    """Blends an n-gram logistic regression into the preceding classifier's ranking (module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Chosen on the development sets; C and n-gram length moved the blend by under 0.003 there."""
        return {"weight": 0.75, "C": 30.0, "max_ngram": 4}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: Pipeline | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._scorer = Scorer(model) if model is not None else None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NgramIntentClassifier:
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits on the normalised text of every intent example, FAQ topics as their own labels."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        if len({topic_label(m) for m in examples}) < 2:
            logger.warning("NgramIntentClassifier needs two or more intents to learn; it will pass DIET's ranking on.")
            return self._resource
        model = build_model(self._config)
        model.fit([m.get(TEXT) for m in examples], [topic_label(m) for m in examples])
        self._scorer = Scorer(model)
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> NgramIntentClassifier:
        """Reads the stored model, refusing any type that is not sklearn's, numpy's or scipy's."""
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = sio.get_untrusted_types(file=path)
                foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
                if foreign:
                    raise ValueError(f"unexpected types in {MODEL_FILE}: {foreign}")
                model = sio.load(path, trusted=untrusted)
        except (ValueError, FileNotFoundError):
            logger.warning("NgramIntentClassifier has no usable stored model; DIET's ranking is passed on.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        """Replaces the intent and its ranking with the blend, for messages DIET has ranked."""
        ranked = [m for m in messages if m.get(INTENT_RANKING_KEY) and m.get(TEXT)]
        if self._scorer is None or not ranked:
            return messages
        rows = self._scorer.probabilities([m.get(TEXT) for m in ranked])
        for message, row in zip(ranked, rows, strict=True):
            scores = [{"name": label, PREDICTED_CONFIDENCE_KEY: float(p)}
                      for label, p in zip(self._scorer.classes, row, strict=True)]
            linear = fold_topics(scores, length=None)
            blended = blend(message.get(INTENT_RANKING_KEY), linear, self._config["weight"])
            if not RUN_RE.search(message.get(TEXT)):  # no letter or digit in any script
                # "!!!", "...", "??": punctuation says nothing; zero confidence sends it to the fallback,
                # so it is never read as the "yes" that stores a proposal.
                blended = [{**entry, PREDICTED_CONFIDENCE_KEY: 0.0} for entry in blended]
            message.set(INTENT, blended[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, blended, add_to_output=True)
        return messages

