"""WhatsApp end to end: signed webhooks into the real gateway, Rasa and action server; replies to a
fake Graph API. The stack is this module's own (own var dir and ports), with WHATSAPP_* set.

The model's data may be changing while these run, so the form is driven by the slot Rasa asks
for (from its tracker) and the buttons' payloads, never by the wording of a reply.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field

import aiohttp
import pytest
from sqlalchemy import func, select

from ops.stack import Stack
from storage import messages, repo
from storage.db import Database
from storage.models import DeliveryReceipt, InboundMessage, OutboxMessage
from tests.conftest import free_port, trained_model
from tests.fakes.whatsapp import FakeGraph, Sent

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")
SECRET = "e2e-app-secret"
TOKEN = "e2e-token"
PHONE_ID = "109876543210"
VERIFY = "e2e-verify-token"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000"
    "1ff89993d1d0000000049454e44ae426082"
)
SINDUADI = (-7.7508, 110.3563)




@pytest.fixture(scope="module")
def graph():
    fake = FakeGraph(token=TOKEN, phone_number_id=PHONE_ID).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def wa_stack(tmp_path_factory, graph):
    running = Stack(var_dir=tmp_path_factory.mktemp("whatsapp-var"), model=trained_model(), rasa_port=free_port(),
                    actions_port=free_port(), gateway_port=free_port(),
                    extra_env={"WHATSAPP_TOKEN": TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
                               "WHATSAPP_APP_SECRET": SECRET, "WHATSAPP_VERIFY_TOKEN": VERIFY,
                               "WHATSAPP_GRAPH_URL": graph.url})
    try:
        running.start(log=lambda _message: None)
        yield running
    finally:
        running.stop()


@pytest.fixture
async def wa_db(wa_stack):
    database = Database(f"sqlite+aiosqlite:///{wa_stack.var_dir / 'musrenbang.db'}")
    yield database
    await database.dispose()


@dataclass
class Phone:
    """One WhatsApp user talking to the gateway through signed webhooks."""

    http: aiohttp.ClientSession
    stack: Stack
    graph: FakeGraph
    db: Database
    user_id: str = field(default_factory=lambda: f"ID.{random.randrange(10**19, 10**20)}")
    wa_id: str = field(default_factory=lambda: f"628{random.randrange(10**9, 10**10)}")
    seen: int = 0

    def webhook(self, value: dict) -> bytes:
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": "62274000000", "phone_number_id": PHONE_ID}, **value}
        return json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}]}).encode()

    def message(self, kind: str, **content: object) -> bytes:
        message = {"from": self.wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
                   "type": kind, **content}
        contact = {"profile": {"name": "Warga Sinduadi"}, "wa_id": self.wa_id, "user_id": self.user_id}
        return self.webhook({"contacts": [contact], "messages": [message]})

    async def post(self, body: bytes, signed: bool = True) -> int:
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        async with self.http.post(f"{self.stack.gateway_url}/webhooks/whatsapp", data=body, headers=headers) as r:
            return r.status

    async def say(self, body: bytes) -> list[Sent]:
        """Deliver one message and return the replies it got, once it is processed and they are sent."""
        assert await self.post(body) == 200
        message_id = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        await self.settled(message_id)
        replies = self.graph.to(self.user_id)[self.seen:]
        self.seen += len(replies)
        return replies

    async def settled(self, message_id: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.db.session() as session:
                done = (await session.execute(select(InboundMessage.status).where(
                    InboundMessage.sender == self.user_id, InboundMessage.message_id == message_id))).scalar()
                unsent = (await session.execute(select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.recipient == self.user_id, OutboxMessage.status.in_(("pending", "sending"))
                ))).scalar_one()
            if done == "done" and not unsent:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{message_id} not answered within {timeout:.0f} s")

    async def text(self, body: str) -> list[Sent]:
        return await self.say(self.message("text", text={"body": body}))

    async def tap(self, sent: Sent, choice_id: str) -> list[Sent]:
        title = dict(sent.choices)[choice_id]
        kind = "button_reply" if sent.body["interactive"]["type"] == "button" else "list_reply"
        context = {"from": "62274000000", "id": sent.id}
        return await self.say(self.message("interactive", context=context,
                                           interactive={"type": kind, kind: {"id": choice_id, "title": title}}))

    async def payloads(self, sent: Sent) -> dict[str, str]:
        """Choice id → the Rasa payload behind it."""
        return {i: await messages.button_payload(self.db, i) or "" for i, _ in sent.choices}

    async def requested_slot(self) -> str | None:
        url = f"{self.stack.rasa_url}/conversations/whatsapp:{self.user_id}/tracker"
        async with self.http.get(url) as response:
            tracker = await response.json()
        return tracker["slots"].get("requested_slot") if (tracker.get("active_loop") or {}).get("name") else None


@pytest.fixture
def phone(wa_stack, graph, http, wa_db) -> Phone:
    return Phone(http, wa_stack, graph, wa_db)


async def test_a_proposal_from_whatsapp_gets_its_tracking_code(phone, graph, wa_db) -> None:
    started = time.monotonic()
    replies = await phone.text("mau usul lampu jalan mati di desa Sinduadi")
    graph.add_media("media-sinduadi", PNG, "image/png")
    asked, code = [], None
    for _ in range(10):
        assert replies, f"no reply after {asked}"
        assert all(s.type in ("text", "interactive") for s in replies)  # a citizen who just wrote: no template
        if found := CODE.search(" ".join(s.text for s in replies)):
            code = found.group(0)
            break
        slot = await phone.requested_slot()
        asked.append(slot)
        last = replies[-1]
        if slot in ("sector", "village_code", "confirmed"):
            assert last.type == "interactive", f"{slot}: expected buttons or a list"
            payloads = await phone.payloads(last)
            assert all(payloads.values()), "every choice id leads back to a payload"
            wanted = {"sector": "penerangan_jalan", "village_code": "", "confirmed": "/affirm"}[slot]
            choice = next((i for i, p in payloads.items() if wanted in p), next(iter(payloads)))
            replies = await phone.tap(last, choice)
        elif slot == "rt_rw":
            replies = await phone.text("rt 2 rw 5")
        elif slot == "photo":
            replies = await phone.say(phone.message("image", image={"mime_type": "image/png", "sha256": "x",
                                                                    "id": "media-sinduadi"}))
        elif slot == "map_pin":
            replies = await phone.say(phone.message("location", location={"latitude": SINDUADI[0],
                                                                          "longitude": SINDUADI[1]}))
        else:
            raise AssertionError(f"unexpected question for {slot!r} after {asked}")
    assert code, f"no tracking code after {asked}"
    assert {"sector", "photo", "map_pin"} <= set(asked)
    proposal = await repo.get_proposal(wa_db, code)
    assert proposal.sector == "penerangan_jalan" and proposal.has_photo and proposal.has_location
    assert proposal.rt == "02" and proposal.rw == "05"
    assert "media-sinduadi" in graph.media_requests
    assert time.monotonic() - started < 60


async def test_a_redelivered_webhook_is_answered_once(phone, graph, wa_db) -> None:
    body = phone.message("text", text={"body": "halo"})
    message_id = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    # Meta retries when it thinks a delivery failed, sometimes while the first is still in flight.
    assert await asyncio.gather(*(phone.post(body) for _ in range(3))) == [200, 200, 200]
    await phone.settled(message_id)
    answers = graph.to(phone.user_id)
    assert answers
    assert await phone.post(body) == 200  # and once more, after it was answered
    await asyncio.sleep(2)
    assert graph.to(phone.user_id) == answers
    async with wa_db.session() as session:
        stored = (await session.execute(select(func.count(InboundMessage.id)).where(
            InboundMessage.sender == phone.user_id))).scalar_one()
    assert stored == 1


async def test_statuses_are_recorded_and_never_reach_rasa(phone, graph, wa_db) -> None:
    [*_, answer] = await phone.text("halo")
    answered = len(graph.to(phone.user_id))
    async with wa_db.session() as session:
        provider_ids = set((await session.execute(select(OutboxMessage.provider_id).where(
            OutboxMessage.recipient == phone.user_id))).scalars())
    assert answer.id in provider_ids  # the outbox keeps WhatsApp's id of what it sent
    contact = {"profile": {"name": "Warga"}, "wa_id": phone.wa_id, "user_id": phone.user_id}
    for state in ("sent", "delivered", "read", "read"):
        status = {"id": answer.id, "status": state, "timestamp": str(int(time.time())), "recipient_id": phone.wa_id,
                  "recipient_user_id": phone.user_id}
        assert await phone.post(phone.webhook({"contacts": [contact], "statuses": [status]})) == 200
    async with wa_db.session() as session:
        receipts = (await session.execute(select(DeliveryReceipt.status).where(
            DeliveryReceipt.provider_id == answer.id))).scalars().all()
        inbound = (await session.execute(select(func.count(InboundMessage.id)).where(
            InboundMessage.sender == phone.user_id))).scalar_one()
    assert sorted(receipts) == ["delivered", "read", "sent"] and inbound == 1
    await asyncio.sleep(1)
    assert len(graph.to(phone.user_id)) == answered  # a receipt is never answered


async def test_unsigned_webhooks_are_refused_and_the_handshake_works(phone, http, wa_stack) -> None:
    body = phone.message("text", text={"body": "halo"})
    assert await phone.post(body, signed=False) == 401
    url = f"{wa_stack.gateway_url}/webhooks/whatsapp"
    async with http.get(url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                     "hub.challenge": "424242"}) as response:
        assert response.status == 200 and await response.text() == "424242"
    async with http.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                     "hub.challenge": "1"}) as response:
        assert response.status == 403
