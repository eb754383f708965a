"""Resilience end to end: real processes (ops.stack), signed WhatsApp webhooks, a fake Graph API.

One stack for the module, started WITHOUT Rasa: the first test shows a message waiting (one
"busy, saved" notice) until Rasa starts on its port; the later ones use the full stack to kill the
gateway mid-conversation and to deliver one webhook five times at once. Every check counts what
reached the fake Graph API per stored inbound message: nothing lost, nothing answered twice.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from sqlalchemy import select

from core import texts
from storage import messages
from storage.db import Database
from storage.models import InboundMessage, OutboxMessage
from tests.e2e.whatsapp_user import WhatsAppUser, whatsapp_stack
from tests.fakes.whatsapp import FakeGraph, Sent

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")
SECRET = "resilience-app-secret"
TOKEN = "resilience-token"
PHONE_ID = "109876543299"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000"
    "1ff89993d1d0000000049454e44ae426082"
)
SINDUADI = (-7.7508, 110.3563)
BUSY_SAVED = set(texts.GATEWAY["busy_saved"].values())
# Rasa is retried with a growing pause (bot.relay.backoff, at most 60 s) while it is down.
AFTER_RASA_UP_S = 75.0



@pytest.fixture(scope="module")
def graph():
    fake = FakeGraph(token=TOKEN, phone_number_id=PHONE_ID).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def res_stack(tmp_path_factory, graph):
    """Action server and gateway running; Rasa's port chosen but nothing listening on it yet."""
    yield from whatsapp_stack(tmp_path_factory.mktemp("resilience-var"), graph, SECRET, without=("rasa",))


@pytest.fixture
async def full_stack(res_stack):
    """The same stack with Rasa running (started here if the first test did not get that far)."""
    if "rasa" not in res_stack.processes:
        await asyncio.to_thread(res_stack.launch, "rasa")
    return res_stack


@pytest.fixture
async def res_db(res_stack):
    database = Database(f"sqlite+aiosqlite:///{res_stack.var_dir / 'musrenbang.db'}")
    yield database
    await database.dispose()


class Phone(WhatsAppUser):
    """A WhatsApp user whose messages are checked against what the gateway stored and sent."""

    async def settled(self, timeout: float = 30.0) -> None:
        """Every stored message of this user processed and every reply sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.db.session() as session:
                open_in = (await session.execute(select(InboundMessage.id).where(
                    InboundMessage.sender == self.user_id, InboundMessage.status != "done"))).first()
                open_out = (await session.execute(select(OutboxMessage.id).where(
                    OutboxMessage.recipient == self.user_id,
                    OutboxMessage.status.in_(("pending", "sending"))))).first()
            if open_in is None and open_out is None:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.user_id}: messages not answered within {timeout:.0f} s")

    async def say(self, body: bytes, timeout: float = 30.0) -> list[Sent]:
        assert await self.post(body) == 200
        await self.settled(timeout)
        return self.new_replies()

    def text(self, body: str) -> bytes:
        return self.message("text", text={"body": body})

    async def ledger(self) -> list[tuple[InboundMessage, list[OutboxMessage]]]:
        """Each stored message of this user, oldest first, with the outbox rows it produced."""
        async with self.db.session() as session:
            inbound = (await session.execute(select(InboundMessage).where(
                InboundMessage.sender == self.user_id).order_by(InboundMessage.id))).scalars().all()
            outbox = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.recipient == self.user_id).order_by(OutboxMessage.id))).scalars().all()
        return [(row, [o for o in outbox if (o.dedupe_key or "").startswith(f"reply:{row.id}:")]) for row in inbound]

    async def assert_each_answered_once(self) -> None:
        """Every inbound is done, each of its replies went out exactly once, and in the order of the inbound."""
        sent_ids = [s.id for s in self.graph.to(self.user_id)]
        assert len(sent_ids) == len(set(sent_ids))
        ledger = await self.ledger()
        positions = []
        for row, replies in ledger:
            assert row.status == "done", (row.id, row.status)
            assert len(replies) == len(json.loads(row.replies or "[]")), row.id
            for reply in replies:
                assert reply.status == "sent" and reply.provider_id in sent_ids, (row.id, reply.id, reply.status)
                positions.append(sent_ids.index(reply.provider_id))
        assert positions == sorted(positions), "replies went out in another order than the messages came in"
        async with self.db.session() as session:
            others = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.recipient == self.user_id, OutboxMessage.kind != "reply"))).scalars().all()
        # Each outbox row is one send (one part: short texts, ≤ 3 buttons or a list); a second send of
        # the same reply would show as an extra message at the fake.
        assert len(sent_ids) == sum(len(r) for _, r in ledger) + len(others)


@pytest.fixture
def new_phone(res_stack, graph, http, res_db):
    return lambda: Phone(http, res_stack, graph, res_db, SECRET)


async def test_messages_wait_for_rasa_with_one_notice_and_are_answered_in_order(res_stack, graph, res_db,
                                                                               new_phone) -> None:
    assert "rasa" not in res_stack.processes
    phone = new_phone()
    first, second = phone.text("halo"), phone.text("apa itu musrenbang?")
    assert await phone.post(first) == 200
    assert await phone.post(second) == 200
    [notice] = await graph.wait_for(phone.user_id, 1, timeout=15)
    await asyncio.sleep(4)  # a few more retries of the first message, and the second one waiting behind it
    assert [s.text for s in graph.to(phone.user_id)] == [notice.text]
    assert notice.text in BUSY_SAVED
    async with res_db.session() as session:
        rows = (await session.execute(select(InboundMessage).where(
            InboundMessage.sender == phone.user_id).order_by(InboundMessage.id))).scalars().all()
    # The first may be in the middle of one more retry when we look; the second waits behind it.
    assert rows[0].status in ("queued", "processing") and rows[1].status == "queued"
    assert rows[0].attempts >= 2 and rows[1].attempts == 0  # the second never went ahead of the first
    assert rows[0].busy_notice_sent and not rows[1].busy_notice_sent

    started = time.monotonic()
    await asyncio.to_thread(res_stack.launch, "rasa")  # on the port the gateway has been trying
    loaded = time.monotonic()
    await phone.settled(timeout=AFTER_RASA_UP_S)
    print(f"\nrasa loaded in {loaded - started:.0f} s; both answered {time.monotonic() - loaded:.0f} s later")
    await phone.assert_each_answered_once()
    ledger = await phone.ledger()
    assert [row.text for row, _ in ledger] == ["halo", "apa itu musrenbang?"]
    assert all(replies for _, replies in ledger), "each message got an answer"
    assert ledger[0][0].processed_at <= ledger[1][0].processed_at
    assert sum(1 for s in graph.to(phone.user_id) if s.text in BUSY_SAVED) == 1
    await asyncio.sleep(2)
    await phone.assert_each_answered_once()  # nothing more arrived


async def _kill_after_ack(phone: Phone, body: bytes) -> str:
    """Deliver a webhook and SIGKILL the gateway as soon as it is acknowledged; the row's state then."""
    assert await phone.post(body) == 200
    phone.stack.kill("gateway")
    message_id = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    async with phone.db.session() as session:
        return (await session.execute(select(InboundMessage.status).where(
            InboundMessage.sender == phone.user_id, InboundMessage.message_id == message_id))).scalar_one()


async def test_a_gateway_killed_mid_conversation_loses_and_repeats_nothing(full_stack, graph, new_phone) -> None:
    phone = new_phone()
    replies = await phone.say(phone.text("mau usul lampu jalan mati di desa Sinduadi"))
    graph.add_media("media-resilience", PNG, "image/png")
    asked: list[str | None] = []
    code, killed_at = None, None
    for _ in range(12):
        assert replies, f"no reply after {asked}"
        if found := CODE.search(" ".join(s.text for s in replies)):
            code = found.group(0)
            break
        slot = await phone.requested_slot()
        asked.append(slot)
        last = replies[-1]
        if slot in ("sector", "village_code", "confirmed"):
            assert last.type == "interactive", f"{slot}: expected buttons or a list"
            payloads = {i: await messages.button_payload(phone.db, i) or "" for i, _ in last.choices}
            wanted = {"sector": "penerangan_jalan", "village_code": "", "confirmed": "/affirm"}[slot]
            body = phone.choice(last, next((i for i, p in payloads.items() if wanted in p), next(iter(payloads))))
        elif slot == "rt_rw":
            body = phone.text("rt 2 rw 5")
        elif slot == "photo":
            body = phone.message("image", image={"mime_type": "image/png", "sha256": "x", "id": "media-resilience"})
        elif slot == "map_pin":
            body = phone.message("location", location={"latitude": SINDUADI[0], "longitude": SINDUADI[1]})
        else:
            raise AssertionError(f"unexpected question for {slot!r} after {asked}")
        if killed_at is None:  # the first answer to a question: the gateway dies right after taking it
            killed_at = await _kill_after_ack(phone, body)
            await asyncio.to_thread(phone.stack.launch, "gateway")
            # A message claimed by the dead process waits for its claim's lease to run out.
            await phone.settled(timeout=30 if killed_at == "queued" else messages.LEASE.total_seconds() + 30)
            print(f"\ngateway killed with the message {killed_at}; asked {slot}")
            replies = phone.new_replies()
        else:
            replies = await phone.say(body)
    assert killed_at is not None and code, f"no tracking code after {asked}"
    assert {"sector", "photo", "map_pin"} <= set(asked), asked
    assert len(asked) == len(set(asked)), f"a question was asked twice: {asked}"
    await phone.assert_each_answered_once()
    assert not any(s.text in BUSY_SAVED for s in graph.to(phone.user_id))


async def test_a_webhook_delivered_five_times_at_once_is_answered_once(full_stack, graph, new_phone) -> None:
    phone = new_phone()
    body = phone.text("halo")
    assert await asyncio.gather(*(phone.post(body) for _ in range(5))) == [200] * 5
    await phone.settled()
    answers = graph.to(phone.user_id)
    assert answers
    await asyncio.sleep(2)
    assert graph.to(phone.user_id) == answers
    ledger = await phone.ledger()
    assert len(ledger) == 1 and ledger[0][0].attempts == 1
    await phone.assert_each_answered_once()
