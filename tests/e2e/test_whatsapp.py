"""WhatsApp end to end: signed webhooks into the real gateway, Rasa and action server; replies to a
fake Graph API. The stack is this module's own (own var dir and ports), with WHATSAPP_* set.

The model's data may be changing while these run, so the form is driven by the slot Rasa asks
for (from its tracker) and the buttons' payloads, never by the wording of a reply.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from sqlalchemy import func, select

from storage import messages, proposals
from storage.db import Database
from storage.models import DeliveryReceipt, InboundMessage, OutboxMessage
from tests.e2e.whatsapp_user import WhatsAppUser, whatsapp_stack
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
    yield from whatsapp_stack(tmp_path_factory.mktemp("whatsapp-var"), graph, SECRET, VERIFY)


@pytest.fixture
async def wa_db(wa_stack):
    database = Database(f"sqlite+aiosqlite:///{wa_stack.var_dir / 'musrenbang.db'}")
    yield database
    await database.dispose()


class Phone(WhatsAppUser):
    """A WhatsApp user whose every message is waited for until it is processed and answered."""

    async def say(self, body: bytes) -> list[Sent]:
        """Deliver one message and return the replies it got, once it is processed and they are sent."""
        assert await self.post(body) == 200
        message_id = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        await self.settled(message_id)
        return self.new_replies()

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
        return await self.say(self.choice(sent, choice_id))

    async def payloads(self, sent: Sent) -> dict[str, str]:
        """Choice id → the Rasa payload behind it."""
        return {i: await messages.button_payload(self.db, i) or "" for i, _ in sent.choices}


@pytest.fixture
def phone(wa_stack, graph, http, wa_db) -> Phone:
    return Phone(http, wa_stack, graph, wa_db, SECRET)


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
    proposal = await proposals.get_proposal(wa_db, code)
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
    # Marked read with "typing…" while Rasa worked on it, before the answer; once, as the turn ran once.
    [typing] = graph.typing_for(message_id)
    assert typing.body["typing_indicator"] == {"type": "text"} and typing.body["status"] == "read"
    assert typing.seq < answers[0].seq
    assert await phone.post(body) == 200  # and once more, after it was answered
    await asyncio.sleep(2)
    assert graph.to(phone.user_id) == answers
    assert len(graph.typing_for(message_id)) == 1
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
