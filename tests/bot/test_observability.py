"""The gateway reports on itself: /readyz names what is not ready, /metrics is for Prometheus on loopback
(or with its token) only, and its JSON logs of a turn carry ids, never a citizen's number, name or words.
The gateway runs in this process against a fake Rasa and a fake action server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from bot import keys
from core import observability
from storage import messages
from storage.models import OutboxMessage, utcnow
from tests.bot.conftest import Gateways

PHONE, NAME, WORDS = "081234567890", "Sutrisno Wibowo", "jalan berlubang depan rumah"
TEXT = f"Saya {NAME}, nomor saya {PHONE}, {WORDS}"


@pytest.fixture
async def action_server():
    """GET /health as rasa_sdk answers it."""
    app = web.Application()
    app.router.add_get("/health", lambda _request: web.json_response({"status": "ok"}))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhook"
    await runner.cleanup()


@pytest.fixture
async def gateway(db, rasa, action_server, tmp_path):
    start = Gateways(var_dir=tmp_path / "var", database_url=db.url, rasa_url=rasa.url,
                     action_server_url=action_server)
    yield start
    await start.close()


async def ready(client: TestClient) -> tuple[int, dict]:
    async with client.get("/readyz") as response:
        return response.status, await response.json()


async def test_ready_when_every_part_answers(gateway) -> None:
    status, body = await ready(await gateway())
    assert (status, body["failing"]) == (200, [])
    assert body["checks"]["inbound_queue"]["depth"] == {"queued": 0, "processing": 0}


async def test_not_ready_names_rasa_and_the_action_server_when_they_are_down(gateway) -> None:
    status, body = await ready(await gateway(rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9/webhook"))
    assert status == 503
    assert body["failing"] == ["rasa", "action_server"]
    assert body["checks"]["database"]["ok"]


async def test_not_ready_when_a_due_message_waits_too_long(gateway, db) -> None:
    """A notification for WhatsApp while this gateway has no WhatsApp sender: due, and nobody takes it."""
    await messages.queue_outgoing(db, "whatsapp", "6281234567890", {"text": "Usulan Anda diverifikasi"}, "notice")
    client = await gateway(ready_max_overdue_s=60)
    assert (await ready(client))[0] == 200  # just queued
    async with db.session() as session:
        await session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(minutes=5)))
        await session.commit()
    status, body = await ready(client)
    assert status == 503 and body["failing"] == ["outbox_queue"]
    assert body["checks"]["outbox_queue"]["overdue_s"] >= 300
    assert body["checks"]["outbox_queue"]["depth"]["pending"] == 1


async def test_the_database_down_is_named(gateway, tmp_path) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    status, body = await ready(await gateway(database_url=f"sqlite+aiosqlite:///{missing}"))
    assert status == 503 and "database" in body["failing"]


async def test_metrics_on_loopback_only_or_with_the_token(gateway) -> None:
    client = await gateway()
    async with client.post("/api/chat", json={"sender": "webcitizen0001", "message": "halo"}) as response:
        assert response.status == 200
    async with client.get("/metrics") as response:
        assert response.status == 200
        body = await response.text()
    assert 'musrenbang_turn_seconds_count{channel="web",outcome="ok"}' in body
    assert 'musrenbang_queue_depth{queue="outbox",status="pending"}' in body
    # Through the reverse proxy (it adds X-Forwarded-For) the metrics are not served.
    async with client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}) as response:
        assert response.status == 404
    protected = await gateway(metrics_token="scrape-me")
    async with protected.get("/metrics") as response:
        assert response.status == 404
    async with protected.get("/metrics", headers={"Authorization": "Bearer scrape-me"}) as response:
        assert response.status == 200


def test_only_loopback_may_scrape_without_a_token() -> None:
    assert observability.may_scrape("127.0.0.1", False, "", "")
    assert observability.may_scrape("::1", False, "", "")
    assert not observability.may_scrape("10.0.0.5", False, "", "")
    assert not observability.may_scrape("127.0.0.1", True, "", "")
    assert not observability.may_scrape("127.0.0.1", False, "", "token")


@pytest.fixture
def json_log():
    """The process's log records through the one JSON formatter, as the gateway writes them to stdout."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)  # what the gateway runs with
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_logged_turn_holds_ids_and_no_personal_data(gateway, rasa, db, json_log) -> None:
    client = await gateway()
    async with client.post("/api/chat", json={"sender": "webcitizen0001", "message": TEXT,
                                              "message_id": "webmsg0001"}) as response:
        assert response.status == 200
    # A WhatsApp turn through the gateway's background worker: the sender is a phone number.
    inbound_id, _ = await messages.accept_inbound(db, "whatsapp", "6281234567890", "wamid.HBgM001", TEXT)
    client.app[keys.WORKER].wakeup.set()
    deadline = time.monotonic() + 20
    while (await messages.inbound_state(db, inbound_id))[0] != "done":
        assert time.monotonic() < deadline, "the worker did not take the message"
        await asyncio.sleep(0.1)
    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    turns = [r for r in records if r["message"] == "turn ok"]
    assert [(t["channel"], t["message_id"], t["replies"]) for t in turns] == [
        ("web", "webmsg0001", 1), ("whatsapp", "wamid.HBgM001", 1)]
    assert all(isinstance(t["seconds"], float) for t in turns)
    logged = json_log.getvalue()
    for personal in (PHONE, "6281234567890", "81234567890", NAME, "Sutrisno", WORDS, "webcitizen0001"):
        assert personal not in logged


def test_the_formatter_masks_a_number_that_slips_into_a_message() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "send failed (%s)", ("chat 081234567890 blocked",),
                               None)
    entry = json.loads(observability.JsonFormatter().format(record))
    assert "081234567890" not in entry["message"] and entry["level"] == "WARNING"
