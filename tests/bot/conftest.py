"""The gateway's test benches, in this process: the app started (and restarted) by `Gateways` against a
fake Rasa that asks for its token (and a fake Bot API for Telegram: `make_gateway`, `gateway`), the public
site (`site`) and the officers' console (`console`) of tests/bot/sites.py."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels import telegram
from core.settings import Settings
from tests.bot.sites import start_gateway, start_site
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
async def telegram_sender(fake):
    """The real Telegram sender (python-telegram-bot) talking to the fake Bot API server."""
    from bot.channels.telegram import outbound

    bot, requests = telegram.make_bot(Settings(telegram_bot_token=fake.token, telegram_api_url=fake.url))
    yield outbound.TelegramSender(bot)
    for request in requests:
        await request.shutdown()


@pytest.fixture
async def rasa():
    """Rasa's REST API, refusing calls without the token every gateway sends (RASA_TOKEN: tests/conftest.py)."""
    server = await FakeRasa(token=os.environ["RASA_TOKEN"]).start()
    yield server
    await server.stop()


class Gateways:
    """Starts gateway apps in this process with `defaults` (a restart: the same var dir and database);
    `close` ends every one of them (a second close of a client does nothing)."""

    def __init__(self, **defaults: object) -> None:
        self.defaults = defaults
        self.clients: list[TestClient] = []

    async def __call__(self, **overrides: object) -> TestClient:
        client = TestClient(TestServer(create_app(Settings(**{**self.defaults, **overrides}))))
        await client.start_server()
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


@pytest.fixture
async def make_gateway(tmp_path, sqlite_db_url, fake, rasa):
    """Start (or restart, same var dir and database) the gateway with Telegram in webhook mode."""
    start = Gateways(var_dir=tmp_path / "var", database_url=sqlite_db_url, rasa_url=rasa.url,
                     telegram_bot_token=fake.token, telegram_mode="webhook", telegram_webhook_secret=SECRET,
                     telegram_api_url=fake.url, public_url=PUBLIC_URL, telegram_poll_timeout_s=2)
    yield start
    await start.close()


@pytest.fixture
async def gateway(make_gateway) -> TestClient:
    return await make_gateway()


@pytest.fixture
async def site(tmp_path: Path, sqlite_db_url: str):
    """The public site on a fresh SQLite database."""
    running = await start_site(tmp_path, sqlite_db_url)
    yield running
    await running.close()


@pytest.fixture
async def console(tmp_path: Path, sqlite_db_url: str):
    """The officers' console on a fresh SQLite database; `console.browser()` is one person's browser."""
    running = await start_gateway(tmp_path, sqlite_db_url)
    yield running
    await running.close()


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
