"""Telegram: citizens' private chats in (`inbound`), the Bot API out (`outbound`), and the officers'
group for escalations (`officers`). On when TELEGRAM_BOT_TOKEN is set."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from aiohttp import web

from bot import keys
from bot.channels.telegram.api import CHANNEL, make_bot
from bot.channels.telegram.inbound import SECRET_HEADER, TELEGRAM, WEBHOOK_PATH, TelegramChannel
from bot.channels.telegram.outbound import TelegramSender
from core import settings

__all__ = ["CHANNEL", "SECRET_HEADER", "TELEGRAM", "WEBHOOK_PATH", "derived_secret", "make_bot", "setup"]

logger = logging.getLogger(__name__)

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}\Z")  # what setWebhook accepts as secret_token


def derived_secret(token: str) -> str:
    """The webhook secret when none is configured: stable per bot, unknown without the token."""
    return hmac.new(b"musrenbang-telegram-webhook", token.encode(), hashlib.sha256).hexdigest()


def setup(app: web.Application, config: settings.Settings) -> None:
    """Turn the channel on when TELEGRAM_BOT_TOKEN is set."""
    if not config.telegram_bot_token:
        return
    if config.telegram_mode not in ("polling", "webhook"):
        raise ValueError(f"TELEGRAM_MODE must be polling or webhook, not {config.telegram_mode!r}")
    if config.telegram_mode == "webhook" and not config.public_url.startswith(("https://", "http://")):
        raise ValueError("TELEGRAM_MODE=webhook needs PUBLIC_URL, the gateway's https:// address")
    if config.telegram_mode == "webhook" and not config.public_url.startswith("https://"):
        logger.warning("PUBLIC_URL is not https://: Telegram delivers webhooks only over HTTPS")
    secret = config.telegram_webhook_secret or derived_secret(config.telegram_bot_token)
    if not SECRET_RE.match(secret):
        raise ValueError("TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (at most 256)")
    if config.telegram_officers_chat_id and not re.fullmatch(r"-?\d+", config.telegram_officers_chat_id):
        raise ValueError("TELEGRAM_OFFICERS_CHAT_ID must be the chat's numeric id (e.g. -1001234567890)")
    # httpx logs every request URL at INFO, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    bot, requests = make_bot(config)
    channel = TelegramChannel(config, bot, requests, secret)
    app[TELEGRAM] = channel
    app[keys.INTAKE].limit(CHANNEL, config.telegram_rate_per_minute)
    app[keys.SENDERS][CHANNEL] = TelegramSender(bot, lambda: app[keys.DB])
    app.router.add_post(WEBHOOK_PATH, channel.webhook)
    app.cleanup_ctx.append(channel.context)
    app.on_startup.append(channel.started)
    app.on_shutdown.append(channel.stop)
