"""What the Rasa server process changes in Rasa itself, imported with the pipeline's components.

Each change removes per-turn work whose result is known in advance; what Rasa answers stays the same
(tests/pipeline/test_rasa_runtime.py). Where a turn's time went, before and after: docs/operations.md.

1. The action server's reply schema. Rasa 3.6 checks every action server reply with
`jsonschema.validate(result, schema)`. That call first checks the *schema* against JSON Schema's own
meta-schema (draft 2020-12, resolved through `$dynamicRef`), every time: ~25 ms of CPU per action call,
two thirds of a whole turn's CPU in Rasa under load (py-spy, docs/operations.md). The schema is a
constant, so it is checked once here, and each reply is then validated with the same validator class and
the same error selection (`best_match`) as `jsonschema.validate`: the same replies pass, the same errors
are raised with the same message.

2. Reading a stored conversation. Every event read back from the tracker store finds its class with
`Event.resolve_by_type`, which walks all of Event's subclasses (and asks `inspect.isabstract` of each) per
event: ~9 % of Rasa's CPU under load, a quarter of a turn's tracker read. The name → class table is built
once here (first class in Rasa's own order wins, as in its loop; rebuilt when a name is missing, so a
class imported later is still found); names it does not know go to Rasa's function (the `topic`
compatibility case, the default, the error).

3. The ResponseSelector on messages that are not FAQ questions. Rasa runs it on every message (~4 ms, as
much as DIET), but its answer is read only when the message's intent is its retrieval intent
(`actions/escalation.py: faq_answer`, the held-out test). The pipeline sets the intent before it runs
(DIET, then the n-gram blend; the FallbackClassifier after it never turns an intent into `faq`), so on
messages with another intent it is skipped: their parse has no `response_selector` entry; intents,
confidences, entities and every FAQ message's selection are unchanged.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

_SCHEMA = RemoteAction.action_response_format_spec()
_VALIDATOR_CLASS = validator_for(_SCHEMA)
_VALIDATOR_CLASS.check_schema(_SCHEMA)
_VALIDATOR = _VALIDATOR_CLASS(_SCHEMA)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the schema checked once (module docstring)."""
    error = best_match(_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_RASA_RESOLVE_BY_TYPE = Event.resolve_by_type
_EVENT_CLASSES: dict[str, type[Event]] = {}


def _event_classes() -> dict[str, type[Event]]:
    """Each event type name's class: the first in `all_subclasses(Event)` order, as Rasa's loop picks."""
    table: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type` from a table instead of a walk over the subclasses (module docstring)."""
    cls = _EVENT_CLASSES.get(type_name)
    if cls is None:
        _EVENT_CLASSES.update(_event_classes())
        cls = _EVENT_CLASSES.get(type_name)
    if cls is not None:
        return cls
    return _RASA_RESOLVE_BY_TYPE(type_name, default)


_RASA_SELECTOR_PROCESS = ResponseSelector.process


def _wanted_by_selector(selector: ResponseSelector, message: Message) -> bool:
    """Whether the selector's answer can be read: no intent yet, or its retrieval intent."""
    intent = message.get(INTENT)
    if not selector.retrieval_intent or not isinstance(intent, dict) or not intent.get(INTENT_NAME_KEY):
        return True
    return intent[INTENT_NAME_KEY] == selector.retrieval_intent


def _select_responses(self: ResponseSelector, messages: list[Message]) -> list[Message]:
    """`ResponseSelector.process` for the messages of its retrieval intent only (module docstring)."""
    wanted = [message for message in messages if _wanted_by_selector(self, message)]
    if wanted:
        _RASA_SELECTOR_PROCESS(self, wanted)
    return messages


def install() -> None:
    """Idempotent; runs on import of `nlu.components` (every Rasa process that loads our model)."""
    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result
    if Event.resolve_by_type is not _resolve_by_type:
        Event.resolve_by_type = staticmethod(_resolve_by_type)
    if ResponseSelector.process is not _select_responses:
        ResponseSelector.process = _select_responses


install()
