"""WhatsApp Cloud API: the signed webhook in (`inbound`), the Graph API out (`outbound`).
On when WHATSAPP_TOKEN is set, with the phone number id and the app secret."""

from __future__ import annotations

import logging

from aiohttp import web

from bot import keys
from bot.channels.whatsapp import outbound
from bot.channels.whatsapp.graph import CHANNEL, Graph
from bot.channels.whatsapp.inbound import PATH, WHATSAPP, WhatsAppInbound, verify, webhook
from core import settings

__all__ = ["CHANNEL", "PATH", "WHATSAPP", "setup"]

logger = logging.getLogger(__name__)


def setup(app: web.Application, config: settings.Settings) -> None:
    """Add the webhook and the sender when WHATSAPP_TOKEN is set (with the phone number id and app secret)."""
    if not config.whatsapp_token:
        return
    missing = [name for name, value in (("WHATSAPP_PHONE_NUMBER_ID", config.whatsapp_phone_number_id),
                                        ("WHATSAPP_APP_SECRET", config.whatsapp_app_secret)) if not value]
    if missing:
        logger.error("WhatsApp channel off: %s not set", ", ".join(missing))
        return
    if not config.whatsapp_verify_token:
        logger.warning("WHATSAPP_VERIFY_TOKEN not set: Meta cannot verify the webhook subscription")
    graph = Graph(app, config)
    app[WHATSAPP] = WhatsAppInbound(graph)
    app[keys.INTAKE].limit(CHANNEL, config.whatsapp_rate_per_minute)
    app[keys.SENDERS][CHANNEL] = outbound.WhatsAppSender(graph)
    app.router.add_get(PATH, verify)
    app.router.add_post(PATH, webhook)

    async def started(app: web.Application) -> None:
        """on_startup (after the cleanup contexts, so the worker exists): "typing…" during turns."""
        app[keys.WORKER].indicators[CHANNEL] = outbound.typing_indicator(graph)

    app.on_startup.append(started)
