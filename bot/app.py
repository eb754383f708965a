"""The gateway application (aiohttp): `python -m bot.app` serves the web chat on :8080."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from bot import web as web_chat
from bot.relay import RasaClient, Relay
from core import settings
from storage.db import Database

CLIENT = web.AppKey("client", aiohttp.ClientSession)
DB = web.AppKey("db", Database)


def create_app(config: settings.Settings | None = None) -> web.Application:
    config = config or settings.load()
    # Room for a photo upload; text endpoints check their own, much smaller, limits.
    app = web.Application(client_max_size=config.max_photo_bytes + 64 * 1024)
    app[web_chat.SETTINGS] = config
    app.add_routes(web_chat.routes)
    app.router.add_static("/static", web_chat.STATIC)
    app.cleanup_ctx.append(_resources)
    return app


async def _resources(app: web.Application):  # noqa: ANN202 - aiohttp cleanup context
    config = app[web_chat.SETTINGS]
    db = Database(config.database_url)
    client = aiohttp.ClientSession()
    app[DB] = db
    app[CLIENT] = client
    app[web_chat.RELAY] = Relay(db, RasaClient(config.rasa_url, client, config.rasa_timeout_s))
    yield
    await client.close()
    await db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = settings.load()
    web.run_app(create_app(config), host=config.gateway_host, port=config.gateway_port, print=None)


if __name__ == "__main__":
    main()
