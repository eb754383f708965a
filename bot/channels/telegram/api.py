"""What the Telegram modules share: the Bot API client, and error text without the bot token."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.request import HTTPXRequest

from core import settings

CHANNEL = "telegram"


def make_bot(config: settings.Settings) -> tuple[Bot, tuple[HTTPXRequest, HTTPXRequest]]:
    """The bot, with a connection pool for calls and one of its own for the long poll."""
    api = config.telegram_api_url.rstrip("/")
    requests = (HTTPXRequest(connection_pool_size=8), HTTPXRequest(connection_pool_size=1))
    bot = Bot(config.telegram_bot_token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot",
              request=requests[0], get_updates_request=requests[1])
    return bot, requests


def redacted(error: BaseException, token: str) -> str:
    """The error text without the bot token (PTB and httpx put it into URLs and messages)."""
    return (str(error) or type(error).__name__).replace(token, "<token>")


def seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
