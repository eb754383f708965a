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
(`actions/escalation.py: faq_answer`, the held-out test) or when the message asks something
(`core/answers.is_question`: the proposal form answers a question typed where an answer was expected from the
FAQ, and "boleh usul buat desa lain?" read as a request, whatever the intent). The pipeline sets the intent
before it runs (DIET, then the n-gram blend; the FallbackClassifier after it never turns an intent into
`faq`), so on other messages it is skipped: their parse has no `response_selector` entry; intents,
confidences, entities and every FAQ message's or question's selection are unchanged.

4. Calls to the action server. Rasa's `EndpointConfig.request` built a new aiohttp session, and so a new
TCP connection the action server had to accept, for every call, and serialised the whole domain (57 KB of
JSON, the same every time) into each body. Here each endpoint keeps one session per event loop whose
connections are reused (kept idle 2 s, less than the 5 s the action server's Sanic keeps them), and the
domain's JSON is made once per Domain object and put into the body in its place: the body's bytes are
those of `json.dumps` of the same dict, as aiohttp sends them. Status, errors and the returned JSON are
handled as in Rasa's method.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
from typing import Any

import aiohttp
from aiohttp.client_exceptions import ContentTypeError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.exceptions import FileNotFoundException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, ClientResponseError, EndpointConfig, concat_url

from core import answers
from nlu.components.normalizer import RAW_TEXT

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
    """Whether the selector's answer can be read: no intent yet, its retrieval intent, or a question whatever
    its intent (the proposal form answers "boleh usul buat desa lain?" from the FAQ when it reads as a request)."""
    intent = message.get(INTENT)
    if not selector.retrieval_intent or not isinstance(intent, dict) or not intent.get(INTENT_NAME_KEY):
        return True
    if intent[INTENT_NAME_KEY] == selector.retrieval_intent:
        return True
    return any(answers.is_question(message.get(key)) for key in (TEXT, RAW_TEXT))


def _select_responses(self, messages: list[Message]) -> list[Message]:  # noqa: ANN001 - see the docstring
    """`ResponseSelector.process` for the messages of its retrieval intent and questions (module docstring).

    `self` stays unannotated: Rasa's graph validation reads the method's type hints when it trains, and an
    annotated `self` would be a parameter the graph must provide."""
    wanted = [message for message in messages if _wanted_by_selector(self, message)]
    if wanted:
        _RASA_SELECTOR_PROCESS(self, wanted)
    return messages


KEEPALIVE_S = 2.0  # below Sanic's KEEP_ALIVE_TIMEOUT (5 s): we drop an idle connection before the server does
_SESSION = "_musrenbang_session"
_domain_json: tuple[Any, str] | None = None  # (the domain dict, its JSON); the dict is held, so its id stays its own


def _body(payload: dict[str, Any]) -> bytes:
    """`json.dumps(payload).encode()` (what aiohttp sends for `json=`), with the domain's JSON made once."""
    global _domain_json
    domain = payload["domain"]
    if _domain_json is None or _domain_json[0] is not domain:
        _domain_json = (domain, json.dumps(domain))
    head = json.dumps({key: value for key, value in payload.items() if key != "domain"})
    joiner = ", " if head != "{}" else ""
    return f'{head[:-1]}{joiner}"domain": {_domain_json[1]}}}'.encode()


def _session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The endpoint's session on the running loop, made as Rasa's `EndpointConfig.session` makes it."""
    loop = asyncio.get_running_loop()
    held = getattr(endpoint, _SESSION, None)
    if held is not None and held[0] is loop and not held[1].closed:
        return held[1]
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    session = aiohttp.ClientSession(headers=endpoint.headers, auth=auth,
                                    timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                    connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S))
    setattr(endpoint, _SESSION, (loop, session))
    return session


async def _request(self: EndpointConfig, method: str = "post", subpath: str | None = None,
                   content_type: str | None = "application/json", compress: bool = False, **kwargs: Any) -> Any:
    """Rasa's `EndpointConfig.request` on a kept session, the domain serialised once (module docstring)."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if self.headers:
        headers.update(self.headers)
    payload = kwargs.get("json")
    if isinstance(payload, dict) and isinstance(payload.get("domain"), dict) and list(payload)[-1] == "domain":
        del kwargs["json"]
        kwargs["data"] = _body(payload)
        headers.setdefault("Content-Type", "application/json")
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(f"Failed to find certificate file, "
                                        f"'{os.path.abspath(self.cafile)}' does not exist.") from e
    async with _session(self).request(method, url, headers=headers, params=self.combine_parameters(kwargs),
                                      compress=compress, ssl=sslcontext, **kwargs) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except ContentTypeError:
            return None


def install() -> None:
    """Idempotent; runs on import of `nlu.components` (every Rasa process that loads our model)."""
    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result
    if Event.resolve_by_type is not _resolve_by_type:
        Event.resolve_by_type = staticmethod(_resolve_by_type)
    if ResponseSelector.process is not _select_responses:
        ResponseSelector.process = _select_responses
    if EndpointConfig.request is not _request:
        EndpointConfig.request = _request


install()
