"""What nlu/rasa_runtime.py changes in Rasa: the action reply's schema is checked once, not on every action
call, and replies are judged exactly as before; stored events find their class from a table, the same
class as Rasa's walk; the ResponseSelector runs on messages of its retrieval intent and on questions only (whole parses
compared in tests/pipeline/test_parse_identity.py)."""

from __future__ import annotations

import asyncio
import json

import jsonschema
import pytest
from aiohttp import web
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import nlu.components  # noqa: F401 - what Rasa imports with the model; installs the validation
from nlu import rasa_runtime

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


def test_stored_events_find_the_class_rasas_own_walk_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert Event.resolve_by_type is not rasa_runtime._RASA_RESOLVE_BY_TYPE  # installed
    for name in names:
        assert Event.resolve_by_type(name) is rasa_runtime._RASA_RESOLVE_BY_TYPE(name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    # The walk over Event's subclasses no longer runs per event.
    walks = []
    monkeypatch.setattr(rasa_runtime, "all_subclasses", lambda cls: walks.append(cls) or all_subclasses(cls))
    events = [Event.from_parameters(event.as_dict()) for event in (UserUttered("halo"), BotUttered("Halo!"))]
    assert [type(e) for e in events] == [UserUttered, BotUttered] and walks == []


class ResponseSelectorStub:
    retrieval_intent = "faq"


@pytest.mark.parametrize(("intent", "text", "selected"), [
    ("faq", "apa itu musrenbang", True), ("greet", "halo min", False), (None, "apa itu musrenbang", True),
    # a question read as another intent: the proposal form still answers it from the FAQ
    ("submit_proposal", "boleh usul buat desa mertua, bisa gak?", True), ("inform", "jalan rusak parah", False)])
def test_the_response_selector_runs_for_its_retrieval_intent_and_questions(monkeypatch: pytest.MonkeyPatch,
                                                                          intent: str | None, text: str,
                                                                          selected: bool) -> None:
    ran = []
    monkeypatch.setattr(rasa_runtime, "_RASA_SELECTOR_PROCESS", lambda _self, messages: ran.extend(messages))
    message = Message(data={"text": text})
    if intent:
        message.set("intent", {"name": intent, "confidence": 0.9})
    assert ResponseSelector.process(ResponseSelectorStub(), [message]) == [message]
    assert ran == ([message] if selected else [])


def test_the_action_server_gets_the_bytes_rasa_sends_over_one_kept_connection() -> None:
    domain = {"intents": ["greet", "faq"], "responses": {"utter_greet": [{"text": "Halo \u2014 \"warga\""}]}}
    payload = {"next_action": "action_greet", "sender_id": "web:a", "tracker": {"events": [{"event": "user"}]},
               "version": "3.6.20", "domain": domain}
    seen: list[tuple[bytes, str, object]] = []

    async def webhook(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername")
        seen.append((await request.read(), request.headers["Content-Type"], peer))
        if request.query.get("fail"):
            return web.Response(status=500, text="boom")
        return web.json_response({"events": [], "responses": []})

    async def scenario() -> None:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            for _ in range(3):
                assert await endpoint.request(json=payload, method="post") == {"events": [], "responses": []}
            with pytest.raises(ClientResponseError) as failed:
                await endpoint.request(json={"next_action": "x"}, method="post", params={"fail": "1"})
            assert failed.value.status == 500 and failed.value.text == b"boom"
        finally:
            await getattr(endpoint, rasa_runtime._SESSION)[1].close()
            await runner.cleanup()

    asyncio.run(scenario())
    assert [body for body, _, _ in seen[:3]] == [json.dumps(payload).encode()] * 3
    assert seen[3][0] == json.dumps({"next_action": "x"}).encode()
    assert {content_type for _, content_type, _ in seen} == {"application/json"}
    assert len({peer for _, _, peer in seen}) == 1  # one connection, kept


def test_training_still_validates_the_patched_selector() -> None:
    """The patches are installed in the training process too: Rasa's graph validation must see the same
    parameters on the ResponseSelector's `process` as on Rasa's own (an annotated `self` once broke `rasa train`)."""
    from rasa.engine.validation import _get_parameter_information, _required_args

    patched, _ = _get_parameter_information(ResponseSelector, "process")
    assert ResponseSelector.process is rasa_runtime._select_responses
    assert _required_args(patched) == {"messages"}
