"""Rasa validates each action server reply against a constant schema; the schema is checked once
(nlu/rasa_runtime.py), not on every action call, and replies are judged exactly as before."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

import nlu.components  # noqa: F401 - what Rasa imports with the model; installs the validation

REPLY = {"events": [{"event": "slot", "name": "language", "value": "jv"}],
         "responses": [{"response": "utter_greet", "text": None}]}
BAD_REPLIES = [{"events": "not a list"}, {"responses": [{"text": 1}], "events": [{"event": 5}]}, {"events": [3]}]


def test_the_schema_is_not_checked_again_on_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def checked_again(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the meta-schema check ran again (~25 ms of CPU per action call)")

    monkeypatch.setattr(validator_for(RemoteAction.action_response_format_spec()), "check_schema", checked_again)
    assert RemoteAction("action_greet", None)._validate_action_result(REPLY) is True


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_a_bad_reply_is_refused_with_jsonschemas_own_error(reply: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        RemoteAction("action_greet", None)._validate_action_result(reply)
    assert ours.value.message.startswith(expected.value.message + ". Failed to validate Action server response")
    assert list(ours.value.path) == list(expected.value.path)
