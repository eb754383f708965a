"""Telegram in: updates by long polling or a webhook, parsed into `Incoming` for the intake.

Every update is stored once before it is acknowledged — its id (`u<update_id>`) makes a redelivery
a no-op. Polling moves its offset past an update only after storing it; the webhook answers 200 only
after storing, otherwise 500 and Telegram delivers again. What Rasa cannot use (stickers, voice,
edits, unknown commands, expired buttons) carries a polite notice instead; a photo is downloaded
before the update is acknowledged. Updates from the officers' group go to `officers.OfficersChat`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from telegram import Bot, Message, Update, User
from telegram.error import BadRequest, Conflict, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot import httputil, keys, media
from bot.channels.telegram import outbound
from bot.channels.telegram.api import CHANNEL, redacted, seconds
from bot.channels.telegram.officers import OfficersChat
from bot.intake import Intake
from bot.message import Incoming, Outgoing, Photo
from core import settings, texts
from storage import messages
from storage.db import Database

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
COMMANDS = {"/start": "/greet", "/help": "/help", "/status": "/check_status", "/batal": "/cancel"}
MAX_BACKOFF_S = 60.0
MAX_UPDATE_FAILURES = 5  # then a poisonous update is skipped instead of blocking the chat for ever
DOWNLOAD_TIMEOUT_S = 30.0


def _backoff(failures: int) -> float:
    return min(MAX_BACKOFF_S, 2.0 ** max(0, failures - 1))


def _user_language(user: User | None) -> str:
    """The Telegram app's language, for notices when the message's own words tell none."""
    code = ((user.language_code if user else None) or "").split("-")[0].lower()
    return code if code in texts.LANGUAGES else texts.DEFAULT_LANGUAGE


def command_text(text: str) -> str | None:
    """What a bot command means to Rasa; None for a command the assistant does not know."""
    head, _, arguments = text.partition(" ")
    name = head.split("@", 1)[0].lower()
    arguments = arguments.strip()
    if name == "/status" and arguments:
        return f"status {arguments}"
    return COMMANDS.get(name)



class MalformedUpdate(ValueError):
    """An update Telegram's library parsed but whose fields have the wrong types."""

class TelegramChannel:
    """The bot's inbound side and its lifecycle inside the gateway application."""

    def __init__(self, config: settings.Settings, bot: Bot, requests: tuple[HTTPXRequest, ...], secret: str) -> None:
        self.config = config
        self.bot = bot
        self.requests = requests
        self.secret = secret
        self.app: web.Application | None = None
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.poster: asyncio.Task | None = None
        self.failures: dict[int, int] = {}
        self.officers = OfficersChat(config, config.telegram_officers_chat_id, lambda: self.db, self._answer_callback,
                                     lambda: self.app[keys.DISPATCHER].wakeup.set()) \
            if config.telegram_officers_chat_id else None

    @property
    def db(self) -> Database:
        return self.app[keys.DB]

    @property
    def intake(self) -> Intake:
        return self.app[keys.INTAKE]

    # --- lifecycle ---
    async def context(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: the background task (polling, or webhook registration) and the HTTP clients."""
        self.app = app
        self.task = asyncio.create_task(self._background(), name="telegram")
        if self.officers is not None:
            self.poster = asyncio.create_task(self._post_escalations(), name="telegram-escalations")
        yield
        await self.stop(app)
        await asyncio.gather(*(request.shutdown() for request in self.requests), return_exceptions=True)

    async def started(self, _app: web.Application) -> None:
        """on_startup runs after every cleanup context, so the database and the worker exist."""
        self.app[keys.WORKER].indicators[CHANNEL] = outbound.typing_indicator(self.bot)
        self.ready.set()

    async def stop(self, _app: web.Application) -> None:
        """on_shutdown: stop polling before the database is closed."""
        tasks = [task for task in (self.task, self.poster) if task is not None and not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _post_escalations(self) -> None:
        await self.ready.wait()
        await self.officers.run(self.config.queue_poll_s)

    async def _background(self) -> None:
        await self.ready.wait()
        await self._until_done(self.bot.initialize, "getMe")
        logger.info("telegram bot @%s connected (%s mode)", self.bot.username, self.config.telegram_mode)
        if self.config.telegram_mode == "webhook":
            url = f"{self.config.public_url}{WEBHOOK_PATH}"
            await self._until_done(lambda: self.bot.set_webhook(url=url, secret_token=self.secret,
                                                                allowed_updates=ALLOWED_UPDATES), "setWebhook")
            logger.info("telegram webhook set to %s", url)
        else:
            await self.poll()

    async def _until_done(self, call: Callable[[], object], name: str) -> None:
        """Retry a start-up call with growing pauses: a network blip must not stop the channel."""
        failures = 0
        while True:
            try:
                await call()
                return
            except Exception as error:
                failures += 1
                delay = seconds(error.retry_after) if isinstance(error, RetryAfter) else _backoff(failures)
                logger.warning("telegram %s failed (%s); again in %.0f s", name, redacted(error, self.bot.token),
                               delay)
                await asyncio.sleep(delay)

    async def poll(self) -> None:
        """Long-poll getUpdates for ever; an update is confirmed (offset) only once it is stored."""
        offset: int | None = None
        failures = 0
        webhook_cleared = False
        while True:
            try:
                if not webhook_cleared:  # getUpdates is refused while a webhook is set
                    await self.bot.delete_webhook(drop_pending_updates=False)
                    webhook_cleared = True
                updates = await self.bot.get_updates(offset=offset, timeout=self.config.telegram_poll_timeout_s,
                                                     allowed_updates=ALLOWED_UPDATES)
            except Exception as error:
                failures += 1
                if isinstance(error, Conflict):
                    webhook_cleared = False
                delay = seconds(error.retry_after) if isinstance(error, RetryAfter) else _backoff(failures)
                logger.warning("telegram getUpdates failed (%s); again in %.0f s",
                               redacted(error, self.bot.token), delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update in updates:
                if not await self._handle_or_skip(update):
                    await asyncio.sleep(_backoff(self.failures.get(update.update_id, 1)))
                    break
                offset = update.update_id + 1

    async def _handle_or_skip(self, update: Update) -> bool:
        """True when the update is dealt with (stored, or skipped after repeated failures)."""
        try:
            await self.handle(update)
        except MalformedUpdate:
            return web.Response(status=400, text="not a Telegram update")  # e.g. a list where text should be
        except Exception:
            count = self.failures.get(update.update_id, 0) + 1
            logger.exception("telegram update %s failed (%d)", update.update_id, count)
            if count < MAX_UPDATE_FAILURES:
                self.failures = {update.update_id: count}
                return False
            logger.error("telegram update %s skipped", update.update_id)
        self.failures.pop(update.update_id, None)
        return True

    # --- the webhook ---
    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        body = await httputil.read_body(request, MAX_BODY_BYTES)
        if body is None:
            return web.Response(status=413, text="too large")
        try:
            data = httputil.parse_json(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.bot)
        except Exception:  # malformed JSON, or JSON that is not an Update
            return web.Response(status=400, text="not a Telegram update")
        try:
            await self.handle(update)
        except MalformedUpdate:
            return web.Response(status=400, text="not a Telegram update")  # e.g. a list where text should be
        except Exception:
            logger.exception("telegram update %s not stored", update.update_id)
            return web.Response(status=500, text="try again")  # Telegram delivers it again
        return web.Response(text="ok")

    # --- one update ---
    async def handle(self, update: Update) -> None:
        """Hand the update to the intake (the officers' group's to its own handler)."""
        if self.officers is not None and self.officers.owns(update):
            await self.officers.reply(update)
            return
        try:
            message = await self.interpret(update)
        except (AttributeError, TypeError) as error:  # fields of the wrong type: retrying cannot mend it
            raise MalformedUpdate(str(error)) from error
        if message is None:
            return
        is_new = await self.intake.accept(message)
        if is_new and update.callback_query is not None:
            await self._answer_callback(update.callback_query.id)

    async def interpret(self, update: Update) -> Incoming | None:
        """The update as an `Incoming`; None for what needs no answer (groups, service messages)."""
        if update.callback_query is not None:
            return await self._callback(update)
        if update.edited_message is not None:
            edited = update.edited_message
            if edited.chat.type != "private" or edited.location is not None:  # a live location moving on
                return None
            notice = texts.telegram("edited", _user_language(edited.from_user))
            return self._incoming(update, edited, "", "edited", notice=notice)
        message = update.message
        if message is None or message.chat.type != "private" or (message.from_user and message.from_user.is_bot):
            return None
        if message.text is not None:
            return self._text(update, message)
        if message.location is not None:
            pin = f"{message.location.latitude:.6f},{message.location.longitude:.6f}"
            return self._incoming(update, message, f'/share_location{{"map_pin":"{pin}"}}', "location")
        found = self._photo_of(message)
        if found is not None:
            photo, file_id = found
            return self._incoming(update, message, media.share_text(photo.name), "photo", photo=photo,
                                  file_id=file_id)
        if message.effective_attachment is not None:  # sticker, voice, video, contact, poll, ...
            notice = texts.gateway("unsupported", _user_language(message.from_user))
            return self._incoming(update, message, "", "unsupported", notice=notice)
        return None  # a service message (pinned, chat photo changed, ...): nothing to answer

    def _incoming(self, update: Update, message: Message, text: str, kind: str, notice: str | None = None,
                  photo: Photo | None = None, **meta: object) -> Incoming:
        user = message.from_user
        return Incoming(
            channel=CHANNEL, sender=str(message.chat.id), message_id=f"u{update.update_id}", text=text,
            metadata={"kind": kind, "chat_id": message.chat.id, "telegram_message_id": message.message_id,
                      "language_code": user.language_code if user else None, **meta},
            notice=Outgoing(text=notice) if notice is not None else None, language=_user_language(user), photo=photo)

    def _text(self, update: Update, message: Message) -> Incoming:
        """A typed text or command; emptiness and length are the intake's to judge."""
        text = message.text.strip()
        if not text.startswith("/") or len(text) > self.config.max_message_chars:
            return self._incoming(update, message, text, "text")
        mapped = command_text(text)  # never relayed as typed: Rasa would read it as an intent
        if mapped is None:
            notice = texts.telegram("unknown_command", _user_language(message.from_user))
            return self._incoming(update, message, text, "unknown_command", notice=notice)
        return self._incoming(update, message, mapped, "command", command=text.split()[0])

    async def _callback(self, update: Update) -> Incoming | None:
        """A pressed inline button: the payload of the button, if the message still offers it."""
        query = update.callback_query
        message = query.message
        if message is None or message.chat.type != "private":
            await self._answer_callback(query.id)
            return None
        data = query.data or ""
        # Telegram does not check callback data against the keyboard; the message it sends along does.
        offered = isinstance(message, Message) and message.reply_markup is not None and any(
            key.callback_data == data for row in message.reply_markup.inline_keyboard for key in row)
        payload = await messages.button_payload(self.db, data) if offered else None
        language = _user_language(query.from_user)
        meta = {"kind": "callback", "chat_id": message.chat.id, "callback_data": data[:64],
                "language_code": query.from_user.language_code}
        notice = Outgoing(text=texts.telegram("button_expired", language)) if payload is None else None
        return Incoming(channel=CHANNEL, sender=str(message.chat.id), message_id=f"u{update.update_id}",
                        text=payload or "", metadata=meta, notice=notice, language=language)

    async def _answer_callback(self, query_id: str) -> None:
        """Stops the button's spinner; a failure here costs nothing but that."""
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            logger.info("telegram answerCallbackQuery failed (%s)", redacted(error, self.bot.token))

    def _photo_of(self, message: Message) -> tuple[Photo, str] | None:
        """The largest size of a photo, or an image sent as a file (JPEG, PNG, WEBP), to be downloaded
        before the update is acknowledged; with its file id."""
        if message.photo:
            largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
            file_id, size, extension = largest.file_id, largest.file_size, "jpg"
        elif message.document is not None and media.extension_for(message.document.mime_type or ""):
            document = message.document
            file_id, size, extension = document.file_id, document.file_size, media.extension_for(document.mime_type)
        else:
            return None

        async def fetch(limit: int) -> bytes:
            if size and size > limit:
                raise media.Refused(f"{size} bytes announced")
            try:
                file = await self.bot.get_file(file_id)
                if file.file_size and file.file_size > limit:
                    raise media.Refused(f"{file.file_size} bytes announced")
                return bytes(await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT_S))
            except BadRequest as error:  # e.g. "file is too big" (over the Bot API's 20 MB)
                raise media.Refused(redacted(error, self.bot.token)) from None
            except (TelegramError, RuntimeError) as error:
                raise media.Unavailable(redacted(error, self.bot.token)) from None

        return Photo(media.new_name(extension), fetch, extension=extension), file_id


TELEGRAM = web.AppKey("telegram", TelegramChannel)
