"""Property-based fuzzing (hypothesis): the webhook parsers (Telegram, WhatsApp, through the real
gateway app), the normaliser and the answer parsers never fail on any input: a 4xx or a polite
notice, never a 500 or an exception, whatever a platform or a citizen sends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.channels import telegram, whatsapp
from bot.keys import DISPATCHER, WORKER
from bot.message import Incoming
from core import answers, corrections, description
from core.language.normalise import normalise
from core.settings import Settings
from tests.bot.whatsapp_bench import PHONE_ID, SECRET, TOKEN, sign, webhook_payload
from tests.fakes.rasa import FakeRasa
from tests.security.counts import count

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
SCALARS = st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=False) | TEXT
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)


def either(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the right shape, sometimes anything at all."""
    return st.one_of(valid, valid, valid, JSON)


class Bench:
    """The gateway app with Telegram (webhook) and WhatsApp on, in a loop of its own (hypothesis drives
    synchronous tests); the background loops are paused, so only parsing and storing are exercised."""

    def __init__(self, var_dir, database_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.rasa = self.run(FakeRasa().start())
        config = Settings(var_dir=var_dir, database_url=database_url, rasa_url=self.rasa.url,
                          telegram_bot_token="123456:fuzz-token", telegram_mode="webhook",
                          telegram_webhook_secret="fuzz-secret", telegram_api_url="http://127.0.0.1:9",
                          public_url="https://fuzz.example", whatsapp_token=TOKEN, whatsapp_phone_number_id=PHONE_ID,
                          whatsapp_app_secret=SECRET, whatsapp_graph_url="http://127.0.0.1:9/v21.0")
        self.app = create_app(config)
        self.client = self.run(self._start())
        self.app[WORKER].claim = _idle
        self.app[DISPATCHER].claim = _idle

    async def _start(self) -> TestClient:
        client = TestClient(TestServer(self.app))
        await client.start_server()
        return client

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        async def send() -> int:
            async with self.client.post(path, data=body, headers=headers) as response:
                await response.read()
                return response.status

        return self.run(send())

    def close(self) -> None:
        self.run(self.client.close())
        self.run(self.rasa.stop())
        self.loop.close()


async def _idle() -> bool:
    return False


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Iterator[Bench]:
    from storage import migrate

    var = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite+aiosqlite:///{var / 'fuzz.db'}"
    migrate.upgrade(url)
    running = Bench(var, url)
    yield running
    running.close()


TELEGRAM_UPDATE = st.fixed_dictionaries({
    "update_id": either(st.integers(1, 2**31)),
    "message": either(st.fixed_dictionaries({
        "message_id": either(st.integers(1, 2**31)),
        "date": either(st.integers(0, 2**31)),
        "chat": either(st.fixed_dictionaries({"id": either(st.integers(-2**40, 2**40)),
                                              "type": either(st.sampled_from(["private", "group", "supergroup"]))})),
        "from": either(st.fixed_dictionaries({"id": either(st.integers(1, 2**40)), "is_bot": st.just(False),
                                              "first_name": either(TEXT),
                                              "language_code": either(st.sampled_from(["id", "jv", "en"]))})),
        "text": either(TEXT),
    }, optional={"photo": JSON, "document": JSON, "location": JSON, "sticker": JSON, "entities": JSON})),
}, optional={"edited_message": JSON, "callback_query": JSON})


@FUZZ
@given(update=TELEGRAM_UPDATE)
def test_telegram_webhook_never_answers_5xx(bench: Bench, update: dict) -> None:
    status = bench.post(telegram.WEBHOOK_PATH, json.dumps(update).encode(), {
        "Content-Type": "application/json", telegram.SECRET_HEADER: "fuzz-secret"})
    count("telegram webhook", status)
    assert status < 500


def _whatsapp_payload(message: dict, contacts: object, statuses: object) -> dict:
    payload = webhook_payload("message", "text")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"], value["contacts"], value["statuses"] = [message], contacts, statuses
    return payload


WHATSAPP_MESSAGE = st.fixed_dictionaries({
    "from": either(st.from_regex(r"62[0-9]{9,12}", fullmatch=True)),
    "id": either(st.from_regex(r"wamid\.[A-Za-z0-9]{8,40}", fullmatch=True)),
    "timestamp": either(st.integers(0, 2**31).map(str)),
    "type": either(st.sampled_from(["text", "interactive", "button", "location", "image", "reaction", "system"])),
    "text": either(st.fixed_dictionaries({"body": either(TEXT)})),
}, optional={"interactive": JSON, "button": JSON, "location": JSON, "image": JSON, "reaction": JSON})


@FUZZ
@given(message=WHATSAPP_MESSAGE, contacts=either(st.just([{"wa_id": "6281234567890", "profile": {"name": "A"}}])),
       statuses=either(st.just([])))
def test_whatsapp_webhook_never_answers_5xx(bench: Bench, message: dict, contacts: object, statuses: object) -> None:
    body = json.dumps(_whatsapp_payload(message, contacts, statuses)).encode()
    status = bench.post(whatsapp.PATH, body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)})
    count("whatsapp webhook", status)
    assert status < 500


@FUZZ
@given(body=st.binary(max_size=2000) | JSON.map(lambda v: json.dumps(v).encode()))
def test_web_chat_never_answers_5xx(bench: Bench, body: bytes) -> None:
    status = bench.post("/api/chat", body, {"Content-Type": "application/json"})
    count("web chat /api/chat", status)
    assert status < 500


@FUZZ
@given(text=TEXT)
def test_the_normaliser_and_incoming_take_any_text(text: str) -> None:
    count("normaliser")
    assert isinstance(normalise(text), str)
    message = Incoming("web", "sender-1", "id-1", text)
    assert "\x00" not in message.text


SLOTS = st.sampled_from([None, "description", "sector", "village_code", "rt_rw", "photo", "map_pin", "kamus_item"])


@FUZZ
@given(text=TEXT, requested=SLOTS)
def test_the_answer_parsers_take_any_text(text: str, requested: str | None) -> None:
    count("answer parsers")
    for check in (answers.is_skip, answers.declines, answers.is_dont_know, answers.is_nudge, answers.is_just_asking,
                  answers.is_noise, answers.accepts, answers.asks_own_proposals, answers.is_cancel):
        assert isinstance(check(text), bool)
    assert isinstance(answers.clean_description(text), str)
    rt_rw = answers.parse_rt_rw(text)
    assert rt_rw is None or isinstance(rt_rw, tuple)
    pin = answers.parse_map_pin(text)
    assert pin is None or all(-180 <= v <= 180 for v in pin)
    corrections.find(text, requested)
    assert isinstance(description.substance(text), str)
    opening = description.from_opening(text)
    assert opening is None or isinstance(opening, str)
