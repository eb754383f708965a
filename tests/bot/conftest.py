"""The Telegram channel's test bench: the gateway app in this process, a fake Bot API and a fake Rasa."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels import telegram
from core.settings import Settings
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram import FakeTelegram

SECRET = "s3cret_webhook-token"
PUBLIC_URL = "https://musrenbang.example"


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def rasa():
    server = await FakeRasa().start()
    yield server
    await server.stop()


@pytest.fixture
async def make_gateway(tmp_path, sqlite_db_url, fake, rasa):
    """Start (or restart, same var dir and database) the gateway with Telegram in webhook mode."""
    clients: list[TestClient] = []

    async def start(**overrides) -> TestClient:
        values = dict(var_dir=tmp_path / "var", database_url=sqlite_db_url, rasa_url=rasa.url,
                      telegram_bot_token=fake.token, telegram_mode="webhook", telegram_webhook_secret=SECRET,
                      telegram_api_url=fake.url, public_url=PUBLIC_URL, telegram_poll_timeout_s=2)
        values.update(overrides)
        client = TestClient(TestServer(create_app(Settings(**values))))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()  # a second close (after a restart) does nothing


@pytest.fixture
async def gateway(make_gateway) -> TestClient:
    return await make_gateway()


async def post(client: TestClient, update: dict | bytes | str, secret: str | None = SECRET) -> int:
    """Deliver an update as Telegram does: JSON body, the webhook secret in its header."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[telegram.SECRET_HEADER] = secret
    body = update if isinstance(update, bytes | str) else json.dumps(update)
    async with client.post(telegram.WEBHOOK_PATH, data=body, headers=headers) as response:
        return response.status


async def eventually(condition: Callable[[], object], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not (await condition() if asyncio.iscoroutinefunction(condition) else condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
