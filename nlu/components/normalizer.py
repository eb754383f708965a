"""`ChatNormalizer`: rewrites informal Indonesian chat the standard way before the tokenizer sees it.

Training examples and live messages go through the same `core.language.normalise.normalise`, so "gmn", "gimana" and
"bagaimana" become one feature for DIET. The user's own words are kept under `RAW_TEXT` (the language
identifier reads them) and the tracker keeps the original message text, so forms that store free text
store what the user typed. Entity offsets in parse results refer to the normalised text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core import numbers
from core.language import fold, normalise, resources, words
from core.language.normalise import normalise as normalise_text
from core.language.normalise import normalise_example

# Message key holding the text as the user wrote it, set only when normalising changed it.
RAW_TEXT = "text_raw"
# "/intent{...}" payloads from buttons are parsed by Rasa's RegexMessageHandler: never rewrite them.
_INTENT_PREFIX = "/"


def source_fingerprint(*modules: ModuleType) -> str:
    """Hash of the language modules a component runs and the resources they read, so Rasa's training
    cache notices when any of them changes.

    Rasa fingerprints a component by its class source and config only; the work is done in core.language.
    """
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    for path in sorted(resources.RESOURCES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(resources.RESOURCES).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ChatNormalizer(GraphComponent):
    """Replaces the message text with `normalise(text)`; must come before the tokenizer.

    Registered as a message featurizer because that is the recipe's type for components that rewrite
    messages in both the training and the inference graph (it adds no features).
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChatNormalizer:
        """Creates the component; the word lists load on first use and are shared per process."""
        return cls()

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the normaliser or its dictionaries change, not only when this class does."""
        return source_fingerprint(normalise, fold, words, resources, numbers)

    @staticmethod
    def _rewrites(text: Any) -> bool:
        return isinstance(text, str) and bool(text) and not text.startswith(_INTENT_PREFIX)

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalises incoming user messages in place."""
        for message in messages:
            text = message.get(TEXT)
            if not self._rewrites(text):
                continue
            normalised = normalise_text(text)
            if normalised != text:
                message.set(RAW_TEXT, text)
                message.set(TEXT, normalised)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises training examples (entity offsets follow) and adds normalised synonym spellings."""
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not self._rewrites(text):
                continue
            normalised, entities = normalise_example(text, example.get(ENTITIES) or [])
            if normalised != text:
                example.set(RAW_TEXT, text)
                example.set(TEXT, normalised)
                if entities:
                    example.set(ENTITIES, entities)
        for spelling, value in list(training_data.entity_synonyms.items()):
            training_data.entity_synonyms.setdefault(normalise_text(spelling).lower(), value)
        return training_data
