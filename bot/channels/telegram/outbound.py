"""Telegram out: the outbox's sender, and "typing…" while Rasa works.

`TelegramSender.send` posts plain text (no parse_mode, so nothing needs escaping), split at 4096
UTF-16 units, with Rasa buttons as an inline keyboard whose callback data is the short
`"outboxid:index"` that `messages.button_payload` turns back into the Rasa payload.
The chat shows "typing…" (sendChatAction, repeated every few seconds because Telegram shows it for
5 s) while the worker waits for Rasa, never holding up or failing the turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.channels.telegram.api import CHANNEL, redacted, seconds
from bot.message import Button, Incoming, Outgoing
from bot.relay import TypingIndicator
from bot.sender import Sender, SendError, split_text, utf16_units
from core import texts
from storage import escalations, messages
from storage.db import Database

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096  # per message, counted in UTF-16 code units
LONG_TITLE = 20  # a button with a longer title gets a row of its own
TYPING_EVERY_S = 4.5  # Telegram shows a chat action for 5 s, or until the bot's next message
TYPING_TIMEOUT_S = 4.0  # a typing call slower than this is pointless; the turn never waits for it


def pieces(text: str) -> list[str]:
    """The text in messages Telegram accepts (4096 UTF-16 units each)."""
    return split_text(text, TEXT_LIMIT, utf16_units)


def keyboard(outbox_id: int, buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Rasa buttons as an inline keyboard; callback data stays far below Telegram's 64 bytes."""
    if not buttons:
        return None
    keys = [InlineKeyboardButton(button.title or button.payload, callback_data=f"{outbox_id}:{index}")
            for index, button in enumerate(buttons)]
    per_row = 1 if any(len(button.title) > LONG_TITLE for button in buttons) else 2
    return InlineKeyboardMarkup([keys[start:start + per_row] for start in range(0, len(keys), per_row)])


class TelegramSender(Sender):
    """Delivers outbox messages; errors that retrying cannot fix are raised as permanent."""

    channel = CHANNEL

    def __init__(self, bot: Bot, database: Callable[[], Database] | None = None) -> None:
        self.bot = bot
        self.database = database  # to note where an escalation's post landed; the app's, once it runs

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        markup = keyboard(job.id, message.buttons)
        text = message.text.strip()
        if not text and markup is not None:
            text = texts.telegram("choose")  # Telegram shows no keyboard without a text above it
        parts = pieces(text) if text else []
        calls = [partial(self._text, job.recipient, piece, markup if index == len(parts) - 1 else None)
                 for index, piece in enumerate(parts)]
        if message.image and message.image.startswith(("https://", "http://")):
            calls.append(partial(self._photo, job.recipient, message.image))
        try:
            return await self.in_parts(job, calls)
        except (Forbidden, BadRequest, ChatMigrated) as error:
            # Blocked bot, unknown chat, a request Telegram refuses: the same call fails again.
            raise SendError(redacted(error, self.bot.token), permanent=True) from error
        except RetryAfter as error:
            wait = seconds(error.retry_after)
            raise SendError(f"flood control: retry after {wait:.0f} s", retry_after=wait) from error
        except TelegramError as error:  # network trouble, 5xx, a token being renewed: later
            raise SendError(redacted(error, self.bot.token)) from error

    async def _text(self, chat: str, text: str, markup: InlineKeyboardMarkup | None) -> str:
        return str((await self.bot.send_message(chat_id=chat, text=text, reply_markup=markup)).message_id)

    async def _photo(self, chat: str, photo: str) -> str:
        return str((await self.bot.send_photo(chat_id=chat, photo=photo)).message_id)

    async def after_sent(self, job: messages.OutboxJob, provider_id: str | None) -> None:
        """Remember the post of an escalation, so an officer's reply to it finds the escalation (after the
        outbox recorded it as sent: a retry of the outbox would post it twice)."""
        escalation_id = job.payload.get("escalation_id")
        if job.kind != "escalation" or self.database is None or not isinstance(escalation_id, int) \
                or not (provider_id or "").isdigit():
            return
        try:
            await escalations.escalation_post_sent(self.database(), escalation_id, job.recipient, int(provider_id))
        except Exception:
            logger.exception("telegram post of escalation %s not recorded; replies to it go unmatched",
                             escalation_id)


def typing_indicator(bot: Bot) -> TypingIndicator:
    """The worker's "typing…" for Telegram chats (registered at startup)."""

    async def typing(message: Incoming) -> None:
        chat = message.metadata.get("chat_id") or message.sender
        try:
            await bot.send_chat_action(chat_id=chat, action=ChatAction.TYPING, read_timeout=TYPING_TIMEOUT_S,
                                       write_timeout=TYPING_TIMEOUT_S, connect_timeout=TYPING_TIMEOUT_S,
                                       pool_timeout=1.0)
        except TelegramError as error:
            raise RuntimeError(redacted(error, bot.token)) from None  # logged by the worker, token-free

    return TypingIndicator(typing, every_s=TYPING_EVERY_S, timeout_s=TYPING_TIMEOUT_S + 1)
