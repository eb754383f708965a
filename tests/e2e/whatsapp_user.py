"""A WhatsApp user for end-to-end tests: webhooks signed and shaped as Meta sends them, replies read
from the fake Graph API. Each test module runs its own stack (own var dir, ports and app secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from ops.stack import Stack
from storage.db import Database
from tests.conftest import free_port, trained_model
from tests.fakes.whatsapp import FakeGraph, Sent

DISPLAY_NUMBER = "62274000000"


def whatsapp_stack(var_dir: Path, graph: FakeGraph, secret: str, verify_token: str = "verify",
                   without: tuple[str, ...] = ()) -> Iterator[Stack]:
    """The real stack with the WhatsApp channel pointed at the fake Graph API (a fixture body)."""
    running = Stack(var_dir=var_dir, model=trained_model(), rasa_port=free_port(), actions_port=free_port(),
                    gateway_port=free_port(),
                    extra_env={"WHATSAPP_TOKEN": graph.token, "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
                               "WHATSAPP_APP_SECRET": secret, "WHATSAPP_VERIFY_TOKEN": verify_token,
                               **graph.env})
    try:
        running.start(log=lambda _message: None, without=without)
        yield running
    finally:
        running.stop()


@dataclass
class WhatsAppUser:
    """One WhatsApp user; `post` signs and delivers a webhook as Meta does."""

    http: aiohttp.ClientSession
    stack: Stack
    graph: FakeGraph
    db: Database
    secret: str
    user_id: str = field(default_factory=lambda: f"ID.{random.randrange(10**19, 10**20)}")
    wa_id: str = field(default_factory=lambda: f"628{random.randrange(10**9, 10**10)}")
    seen: int = 0

    def webhook(self, value: dict) -> bytes:
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": self.graph.phone_number_id},
                 **value}
        return json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}]}).encode()

    def message(self, kind: str, **content: object) -> bytes:
        message = {"from": self.wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
                   "type": kind, **content}
        contact = {"profile": {"name": "Warga Sinduadi"}, "wa_id": self.wa_id, "user_id": self.user_id}
        return self.webhook({"contacts": [contact], "messages": [message]})

    def choice(self, sent: Sent, choice_id: str) -> bytes:
        """The webhook of a tap on one of `sent`'s buttons or list rows."""
        title = dict(sent.choices)[choice_id]
        kind = "button_reply" if sent.body["interactive"]["type"] == "button" else "list_reply"
        return self.message("interactive", context={"from": DISPLAY_NUMBER, "id": sent.id},
                            interactive={"type": kind, kind: {"id": choice_id, "title": title}})

    async def post(self, body: bytes, signed: bool = True) -> int:
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(self.secret.encode(), body,
                                                                  hashlib.sha256).hexdigest()
        async with self.http.post(f"{self.stack.gateway_url}/webhooks/whatsapp", data=body, headers=headers) as r:
            return r.status

    def new_replies(self) -> list[Sent]:
        replies = self.graph.to(self.user_id)[self.seen:]
        self.seen += len(replies)
        return replies

    async def requested_slot(self) -> str | None:
        url = f"{self.stack.rasa_url}/conversations/whatsapp:{self.user_id}/tracker"
        async with self.http.get(url, params={"token": self.stack.rasa_token}) as response:
            tracker = await response.json()
        return tracker["slots"].get("requested_slot") if (tracker.get("active_loop") or {}).get("name") else None
