"""What the Rasa server process changes in Rasa itself, imported with the pipeline's components.

Rasa 3.6 checks every action server reply with `jsonschema.validate(result, schema)`. That call first
checks the *schema* against JSON Schema's own meta-schema (draft 2020-12, resolved through `$dynamicRef`),
every time: ~25 ms of CPU per action call, two thirds of a whole turn's CPU in Rasa under load (py-spy,
docs/operations.md). The schema is a constant, so it is checked once here, and each reply is then
validated with the same validator class and the same error selection (`best_match`) as
`jsonschema.validate`: the same replies pass, the same errors are raised with the same message.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

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


def install() -> None:
    """Idempotent; runs on import of `nlu.components` (every Rasa process that loads our model)."""
    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result


install()
