"""The gateway application (aiohttp): `python -m bot` serves the web chat on :8080."""

from __future__ import annotations

import asyncio
import importlib
import logging

import aiohttp
from aiohttp import web

from bot import web as web_chat
from bot.outbox import OutboxDispatcher
from bot.relay import RasaClient, Relay, Worker
from core import settings
from storage.db import Database

CLIENT = web.AppKey("client", aiohttp.ClientSession)
DB = web.AppKey("db", Database)
SENDERS = web.AppKey("senders", dict)
WORKER = web.AppKey("worker", Worker)
DISPATCHER = web.AppKey("dispatcher", OutboxDispatcher)


def _channels() -> list:
    """The optional parts, each off unless configured: Telegram, WhatsApp, the officer console, the
    public dashboard."""
    setups = []
    for module in ("bot.channels.telegram", "bot.channels.whatsapp", "bot.officer", "bot.public",
                   "bot.open311"):
        try:
            setups.append(importlib.import_module(module).setup)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    return setups


CHANNELS = _channels()


def create_app(config: settings.Settings | None = None) -> web.Application:
    config = config or settings.load()
    # Room for a photo upload; text endpoints check their own, much smaller, limits.
    app = web.Application(client_max_size=config.max_photo_bytes + 64 * 1024)
    app[web_chat.SETTINGS] = config
    app[SENDERS] = {}  # channel name → ChannelSender, filled by the channel adapters that are configured
    app.add_routes(web_chat.routes)
    app.router.add_static("/static", web_chat.STATIC)
    for channel_setup in CHANNELS:
        channel_setup(app, config)
    app.cleanup_ctx.append(_resources)
    return app


async def _resources(app: web.Application):  # noqa: ANN202 - aiohttp cleanup context
    config = app[web_chat.SETTINGS]
    db = Database(config.database_url)
    client = aiohttp.ClientSession()
    app[DB] = db
    app[CLIENT] = client
    rasa = RasaClient(config.rasa_url, client, config.rasa_timeout_s)
    app[web_chat.RELAY] = Relay(db, rasa)
    worker = Worker(db, rasa)
    dispatcher = OutboxDispatcher(db, app[SENDERS])
    app[WORKER], app[DISPATCHER] = worker, dispatcher
    tasks = [asyncio.create_task(worker.run(), name="inbound-worker"),
             asyncio.create_task(dispatcher.run(), name="outbox-dispatcher")]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await client.close()
    await db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = settings.load()
    web.run_app(create_app(config), host=config.gateway_host, port=config.gateway_port, print=None)


