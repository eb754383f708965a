"""The WhatsApp channel's bench: real webhook payloads (tests/fixtures/whatsapp, from pywa) signed with a test
secret, and the gateway app in this process against the fake Graph API with its queue worker and outbox
dispatcher paused, so what a webhook stored can be read back. Used by tests/bot/test_whatsapp_unit.py and the
security suite."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import DB, DISPATCHER, WORKER, create_app
from bot.channels import whatsapp
from core.settings import Settings
from ops.stack import ROOT
from storage import messages
from storage.db import Database
from tests.fakes.whatsapp import FakeGraph

FIXTURES = ROOT / "tests" / "fixtures" / "whatsapp"
SECRET = "test-app-secret"
TOKEN = "test-token"
PHONE_ID = "1122334455667"  # the fixtures' business phone number id
VERIFY = "verify-me-please"
USER = "US.13491208655302741918"  # the fixtures' business-scoped user id: the sender when present


def webhook_payload(file: str, key: str) -> dict:
    """A real payload of tests/fixtures/whatsapp/`file`.json, a fresh copy to change."""
    return copy.deepcopy(json.loads((FIXTURES / f"{file}.json").read_text())[key])


def first_message(payload: dict) -> dict:
    return payload["entry"][0]["changes"][0]["value"]["messages"][0]


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Gateway:
    client: TestClient
    app: web.Application

    @property
    def db(self) -> Database:
        return self.app[DB]

    async def post(self, payload: dict | bytes, signature: str | None = "sign") -> int:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Hub-Signature-256"] = sign(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        response = await self.client.post(whatsapp.PATH, data=body, headers=headers)
        return response.status

    async def inbound(self) -> list[messages.InboundJob]:
        """Everything queued for Rasa (claimed, so each call sees only what is new)."""
        jobs = []
        while (job := await messages.claim_inbound(self.db)) is not None:
            jobs.append(job)
            await messages.complete_inbound(self.db, job.id, [], deliver=False)
        return jobs

    async def outbox(self) -> list[messages.OutboxJob]:
        return await messages.claim_outgoing(self.db, ("whatsapp",))


async def _idle() -> bool:
    return False


def fake_graph() -> FakeGraph:
    """The Graph API as the bench's settings name it (stop it when done)."""
    return FakeGraph(token=TOKEN, phone_number_id=PHONE_ID).start()


def settings_for(tmp_path, sqlite_db_url: str, graph: FakeGraph, **overrides) -> Settings:
    values = dict(var_dir=tmp_path, database_url=sqlite_db_url, rasa_url="http://127.0.0.1:9",
                  whatsapp_token=TOKEN, whatsapp_phone_number_id=PHONE_ID, whatsapp_app_secret=SECRET,
                  whatsapp_verify_token=VERIFY, whatsapp_graph_url=graph.url)
    return Settings(**{**values, **overrides})


async def start(config: Settings):
    app = create_app(config)
    client = TestClient(TestServer(app))
    await client.start_server()
    app[WORKER].claim = _idle  # paused: the rows stay as the webhook stored them
    app[DISPATCHER].claim = _idle
    return Gateway(client, app)
