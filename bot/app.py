"""The gateway application (aiohttp): `python -m bot` serves the web chat on :8080."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot import health, httputil, maintenance, media, officer, open311, public
from bot.channels import telegram, whatsapp
from bot.channels import web as web_chat
from bot.intake import Intake
from bot.keys import CLIENT, DB, DISPATCHER, INTAKE, RELAY, SENDERS, SETTINGS, WORKER
from bot.outbox import OutboxDispatcher
from bot.relay import RasaClient, Relay, Worker
from core import observability, settings
from storage import migrate, wakeups
from storage.db import Database

__all__ = ["CLIENT", "DB", "DISPATCHER", "INTAKE", "RELAY", "SENDERS", "SETTINGS", "WORKER", "create_app", "main"]

logger = logging.getLogger(__name__)

# Each part mounts its routes; the channels stay off unless their tokens are configured.
PARTS = (telegram.setup, whatsapp.setup, officer.setup, public.setup, open311.setup, health.setup)


def create_app(config: settings.Settings | None = None) -> web.Application:
    config = config or settings.load()
    # Room for a photo upload; text endpoints check their own, much smaller, limits.
    app = web.Application(client_max_size=config.max_photo_bytes + 64 * 1024)
    if config.trusted_proxies:  # behind nginx: the client's own address in limits, lockouts, audit
        app.middlewares.append(httputil.TrustedProxies(config.trusted_proxies).middleware)
    app[SETTINGS] = config
    app[SENDERS] = {}
    app[INTAKE] = Intake(config)
    app[INTAKE].limit(web_chat.CHANNEL, config.web_rate_per_minute)
    app.add_routes(web_chat.routes)
    app.router.add_static("/static", web_chat.STATIC)
    for setup in PARTS:
        setup(app, config)
    app.cleanup_ctx.append(_resources)
    app.on_shutdown.append(_stop_loops)
    app.on_response_prepare.append(_server_header)
    return app


LOOPS = web.AppKey("loops", list)
SERVER = "e-Musrenbang"  # not aiohttp's "Python/3.x aiohttp/3.y": versions only help an attacker


async def _server_header(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER


class AccessLog(AbstractAccessLogger):
    """Method, path (never the query string: it may carry a web chat's sender id or a key), status,
    size and time; not the client's address (personal data; the audit log keeps it where it matters)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info('"%s %s" %s %s %.3fs', request.method, request.path,
                         response.status, response.body_length, time)
SHUTDOWN_TIMEOUT_S = 5  # in-flight requests get this long on SIGTERM, then they are cancelled (and hand back)


async def _stop_loops(app: web.Application) -> None:
    """First thing on SIGTERM, before in-flight requests are waited for: the worker's turns and the photo
    downloads are cancelled, and each hands its message back (`release_inbound`) while the database is
    still open, so the next gateway takes it at once instead of after the claim's lease."""
    if INTAKE in app and app[INTAKE].db is not None:
        await app[INTAKE].stop()
    if RELAY in app:
        await app[RELAY].stop()
    tasks = app.get(LOOPS, [])
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _resources(app: web.Application):  # noqa: ANN202 - aiohttp cleanup context
    config = app[SETTINGS]
    db = Database(config.database_url)
    client = aiohttp.ClientSession()
    app[DB] = db
    app[CLIENT] = client
    rasa = RasaClient(config.rasa_url, client, config.rasa_timeout_s, token=config.rasa_token,
                      concurrency=config.rasa_concurrency)
    app[RELAY] = Relay(db, rasa)
    dispatcher = OutboxDispatcher(db, app[SENDERS], idle_s=config.queue_poll_s,
                                  budget=timedelta(hours=config.outbox_retry_hours))
    worker = Worker(db, rasa, idle_s=config.queue_poll_s, concurrency=config.worker_concurrency,
                    on_replies=dispatcher.wakeup.set)
    app[WORKER], app[DISPATCHER] = worker, dispatcher
    app[INTAKE].start(db, app[RELAY], wake_worker=worker.wakeup.set, wake_dispatcher=dispatcher.wakeup.set)
    tasks = [asyncio.create_task(worker.run(), name="inbound-worker"),
             asyncio.create_task(dispatcher.run(), name="outbox-dispatcher"),
             asyncio.create_task(wakeups.listen(db), name="queue-wakeups"),
             asyncio.create_task(_sweep_media(db, config), name="media-sweep"),
             asyncio.create_task(maintenance.run(db, config), name="personal-data-maintenance")]
    app[LOOPS] = tasks
    yield
    await _stop_loops(app)  # already done on a graceful shutdown; here for runners that skip it
    await client.close()
    await db.dispose()


async def _sweep_media(db: Database, config: settings.Settings, every_s: float = 3600) -> None:
    """Hourly: remove photos no proposal refers to (uploads outside a form, drafts never sent, photos
    replaced by a fix), once they are older than MEDIA_KEEP_HOURS."""
    while True:
        try:
            removed = await media.sweep_unreferenced(db, config, config.media_keep_hours * 3600)
            if removed:
                logger.info("removed %d unreferenced photos", len(removed))
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup: try again next round
            logger.exception("media sweep failed")
        await asyncio.sleep(every_s)


def main() -> None:
    os.umask(0o077)  # the database, photos and logs in var/ are the owner's alone
    try:
        # Bad configuration, a missing secret or a schema behind this code stop the start with one clear
        # line; the gateway never migrates (./musrenbang migrate, or ./musrenbang run in local mode, does).
        config = settings.load()
        if config.log_format == "json":
            observability.setup_logging()
        else:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        for warning in settings.check_startup(config):
            logger.warning(warning)
        media.check_store(config)  # an S3 photo store that cannot be used stops the start, not the first photo
        migrate.check_current(config.database_url)
    except (settings.ConfigError, migrate.SchemaBehind) as error:
        raise SystemExit(f"error: {error}") from None
    web.run_app(create_app(config), host=config.gateway_host, port=config.gateway_port, print=None,
                shutdown_timeout=SHUTDOWN_TIMEOUT_S, access_log_class=AccessLog)


