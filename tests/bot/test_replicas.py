"""Gateways as replicas: two real gateway apps on one PostgreSQL database (each its own connection
pool, as two processes), Telegram webhooks spread over both, a Rasa that answers every turn with
three messages, and a slow platform. Every message is answered once, each citizen's turns one at a
time and in order, and no citizen ever gets two messages at once or out of order. Then: the queue
loops sleep until a write wakes them (another process's write through LISTEN/NOTIFY included)."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import DISPATCHER, SENDERS, WORKER, create_app
from bot.message import Outgoing
from bot.relay import Worker
from core.settings import Settings
from storage import messages
from storage.db import Database
from tests.bot.conftest import PUBLIC_URL, SECRET, eventually, post
from tests.conftest import _truncate
from tests.fakes.rasa import FakeRasa

CITIZENS = [7001, 7002, 7003, 7004]
TURNS = 6


class ThreePartRasa(FakeRasa):
    """Answers each message with three parts, slowly, and notes a sender relayed twice at once."""

    def __init__(self) -> None:
        super().__init__()
        self.busy: set[str] = set()
        self.overlaps: list[str] = []

    async def handle(self, request):
        sender = (await request.json())["sender"]
        if sender in self.busy:
            self.overlaps.append(sender)
        self.busy.add(sender)
        try:
            await asyncio.sleep(0.02)
            return await super().handle(request)
        finally:
            self.busy.discard(sender)

    def reply(self, text: str) -> list[dict]:
        return [{"text": f"{text}/{part}"} for part in ("a", "b", "c")]


class SlowPlatform:
    """Wraps a gateway's Telegram sender: every send takes a while, and two sends to one chat at
    once (from either gateway) are noted."""

    def __init__(self, inner, busy: set[str], overlaps: list[str], delivered: dict[str, list[str]]) -> None:
        self.inner, self.busy, self.overlaps, self.delivered = inner, busy, overlaps, delivered

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        if job.recipient in self.busy:
            self.overlaps.append(job.recipient)
        self.busy.add(job.recipient)
        try:
            await asyncio.sleep(0.05)
            self.delivered.setdefault(job.recipient, []).append(message.text)
            return await self.inner.send(job, message)
        finally:
            self.busy.discard(job.recipient)


@pytest.fixture
async def pg_url(pg_migrated: str) -> str:
    database = Database(pg_migrated)
    await _truncate(database)
    await database.dispose()
    return pg_migrated


async def start_gateway(tmp_path, url: str, fake, rasa, name: str) -> TestClient:
    config = Settings(var_dir=tmp_path / name, database_url=url, rasa_url=rasa.url, telegram_bot_token=fake.token,
                      telegram_mode="webhook", telegram_webhook_secret=SECRET, telegram_api_url=fake.url,
                      public_url=PUBLIC_URL, telegram_rate_per_minute=1000)
    client = TestClient(TestServer(create_app(config)))
    await client.start_server()
    return client


async def test_two_gateways_answer_every_message_once_in_order_per_citizen(tmp_path, pg_url, fake) -> None:
    rasa = await ThreePartRasa().start()
    gateways = [await start_gateway(tmp_path, pg_url, fake, rasa, name) for name in ("one", "two")]
    busy: set[str] = set()
    overlaps: list[str] = []
    delivered: dict[str, list[str]] = {}
    try:
        for gateway in gateways:
            senders = gateway.app[SENDERS]
            senders["telegram"] = SlowPlatform(senders["telegram"], busy, overlaps, delivered)
        for turn in range(TURNS):  # each citizen's messages in order, spread over both gateways
            for index, chat in enumerate(CITIZENS):
                gateway = gateways[(turn + index) % 2]
                assert await post(gateway, fake.message_update(chat, text=f"pesan-{turn}")) == 200
        expected = {str(chat): [f"pesan-{turn}/{part}" for turn in range(TURNS) for part in "abc"]
                    for chat in CITIZENS}
        await eventually(lambda: all(len(delivered.get(chat, [])) >= len(texts) for chat, texts in expected.items()),
                         timeout=60)
        await asyncio.sleep(0.5)  # nothing more may come
        assert delivered == expected
        assert overlaps == [] and rasa.overlaps == []
        for chat in CITIZENS:  # Rasa saw each citizen's turns once, in order
            assert [body["message"] for body in rasa.received if body["sender"] == f"telegram:{chat}"] == \
                [f"pesan-{turn}" for turn in range(TURNS)]
    finally:
        for gateway in gateways:
            await gateway.close()
        await rasa.stop()


async def test_idle_loops_sleep_until_another_process_writes(tmp_path, pg_url, fake) -> None:
    """With a safety poll of a minute, a message stored by another process (its own pool: a
    webhook on another gateway) is still relayed at once: the NOTIFY wakes this gateway."""
    rasa = await FakeRasa().start()
    config = Settings(var_dir=tmp_path / "var", database_url=pg_url, rasa_url=rasa.url, queue_poll_s=60)
    client = TestClient(TestServer(create_app(config)))
    await client.start_server()
    other = Database(pg_url)
    try:
        await eventually(lambda: client.app[WORKER].db.wakeups.listening, timeout=10)
        await asyncio.sleep(0.3)  # the loops have claimed nothing and sleep now
        started = time.monotonic()
        await messages.accept_inbound(other, "telegram", "8001", "1", "halo dari proses lain")
        await eventually(lambda: rasa.received, timeout=10)
        assert time.monotonic() - started < 2  # not the minute of the safety poll
        assert client.app[DISPATCHER].idle_s == 60
    finally:
        await other.dispose()
        await client.close()
        await rasa.stop()


async def test_a_postponed_message_is_retried_when_due_without_polling(db: Database) -> None:
    """Rasa is down once: the message is postponed by its backoff (1 s) and relayed when it falls
    due, although the safety poll is a minute away."""
    rasa = Flaky()
    worker = Worker(db, rasa, idle_s=60)
    loop = asyncio.create_task(worker.run())
    try:
        await messages.accept_inbound(db, "whatsapp", "628123", "wamid.1", "halo")
        await eventually(lambda: rasa.calls == 2, timeout=5)  # refused once, then relayed after ~1 s
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)


class Flaky:
    """A Rasa that is unavailable for the first call only."""

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, message) -> list[Outgoing]:
        from bot.relay import RasaUnavailable

        self.calls += 1
        if self.calls == 1:
            raise RasaUnavailable("down")
        return [Outgoing(text="ok")]

    async def replies_of_turn(self, message) -> None:
        return None
