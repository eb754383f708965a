"""`LanguageIdentifier`: tags each user message with `language` (`id`, `jv`, `su` or `other`).

`POST /model/parse` then returns top-level `"language"` and `"language_confidence"` keys, and actions can
read them from `tracker.latest_message` to answer in the user's language. The model is the pure-Python
`core.language.identify.LanguageModel`; it reads the text as the user wrote it (`ChatNormalizer` keeps it under
`RAW_TEXT`), because the normaliser's rewrites are Indonesian by design.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.language import fold, identify, resources, words
from core.language.identify import LanguageModel
from nlu.components.normalizer import RAW_TEXT, source_fingerprint

LANGUAGE = "language"
LANGUAGE_CONFIDENCE = "language_confidence"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LanguageIdentifier(GraphComponent):
    """Sets `message["language"]` (and its confidence) on every message that has text.

    Nothing is trained: the model is built from `core/language/resources/` when the component is created
    (about 0.3 s, once per process), so a Rasa model never carries a stale copy of it.
    """

    def __init__(self, model: LanguageModel) -> None:
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageIdentifier:
        """Creates the component around the process-wide language model."""
        return cls(identify.get_model())

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Changes with the language model's code and training text."""
        return source_fingerprint(identify, fold, words, resources)

    def process(self, messages: list[Message]) -> list[Message]:
        """Tags each message with its language; `add_to_output` puts it in the parse result."""
        for message in messages:
            text = message.get(RAW_TEXT) or message.get(TEXT)
            if not isinstance(text, str):
                continue
            code, confidence = self._model.predict(text)
            message.set(LANGUAGE, code, add_to_output=True)
            message.set(LANGUAGE_CONFIDENCE, round(confidence, 4), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples need no language tag: nothing downstream learns from it."""
        return training_data
