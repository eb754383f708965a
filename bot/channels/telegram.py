"""Telegram: updates in (long polling or a webhook), the Bot API out.

In: every update is stored once before it is acknowledged — its id (`u<update_id>`) makes a
redelivery a no-op — and the background worker relays it to Rasa. Polling moves its offset past
an update only after storing it; the webhook answers 200 only after storing, otherwise 500 and
Telegram delivers again. What Rasa cannot use (stickers, voice, edits, unknown commands, a flood)
is stored too but answered with a polite notice through the outbox instead.
Out: the outbox dispatcher calls `TelegramSender.send`: plain text (no parse_mode, so nothing
needs escaping), split at 4096, Rasa buttons as an inline keyboard whose callback data is the short
`"outboxid:index"` that `messages.button_payload` turns back into the Rasa payload.
While the worker waits for Rasa, the chat shows "typing…" (sendChatAction, repeated every few
seconds because Telegram shows it for 5 s), never holding up or failing the turn.
Officers (TELEGRAM_OFFICERS_CHAT_ID): every new escalation is posted to their chat through the
outbox; a reply to such a post is the answer, taken on the console's path (`escalation_flow.answer_from_chat`).
Nothing from that chat is ever relayed to Rasa.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot import keys
from bot.message import Button, Incoming, Outgoing
from bot.outbox import SendError
from bot.ratelimit import RateLimit
from bot.relay import TypingIndicator
from bot.web import _image_kind
from core import privacy, settings, texts
from storage import escalations, messages
from storage.db import Database
from workflows import escalations as escalation_flow

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts as secret_token
MAX_BODY_BYTES = 1024 * 1024
TEXT_LIMIT = 4096  # per message, counted in UTF-16 code units
LONG_TITLE = 20  # a button with a longer title gets a row of its own
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
COMMANDS = {"/start": "/greet", "/help": "/help", "/status": "/check_status", "/batal": "/cancel"}
IMAGE_DOCUMENTS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_BACKOFF_S = 60.0
MAX_UPDATE_FAILURES = 5  # then a poisonous update is skipped instead of blocking the chat for ever
DOWNLOAD_TIMEOUT_S = 30.0
ESCALATION_POLL_S = 3.0  # how often new escalations (the Rasa action server writes them) are looked for
POST_QUESTION_CHARS = 1000  # so that a post stays one message, the one a reply must point at
POST_EXCERPT_CHARS = 2000
MAX_ANSWER_CHARS = 4000  # as in the console's answer form
EXCERPT_LABELS = {"warga", "bot"}  # the speakers in an excerpt (actions/escalation.py), never a name to blank
TYPING_EVERY_S = 4.5  # Telegram shows a chat action for 5 s, or until the bot's next message
TYPING_TIMEOUT_S = 4.0  # a typing call slower than this is pointless; the turn never waits for it
PHONE_RE = privacy.PHONE_RE  # +62 8.., 08.., 0274-..


def derived_secret(token: str) -> str:
    """The webhook secret when none is configured: stable per bot, unknown without the token."""
    return hmac.new(b"musrenbang-telegram-webhook", token.encode(), hashlib.sha256).hexdigest()


def _backoff(failures: int) -> float:
    return min(MAX_BACKOFF_S, 2.0 ** max(0, failures - 1))


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# --- out: the outbox sender -------------------------------------------------------------------

def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> int:
    """The number of leading characters of `text` that fit in `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces Telegram accepts, cut at a line break, else at a space, else where the limit falls."""
    pieces = []
    rest = text.strip()
    while _units(rest) > limit:
        end = max(1, _fitting(rest, limit))
        cut = rest.rfind("\n", 0, end + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, end + 1)
        if cut <= 0:
            cut = end
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]


def keyboard(outbox_id: int, buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Rasa buttons as an inline keyboard; callback data stays far below Telegram's 64 bytes."""
    if not buttons:
        return None
    keys = [InlineKeyboardButton(button.title or button.payload, callback_data=f"{outbox_id}:{index}")
            for index, button in enumerate(buttons)]
    per_row = 1 if any(len(button.title) > LONG_TITLE for button in buttons) else 2
    return InlineKeyboardMarkup([keys[start:start + per_row] for start in range(0, len(keys), per_row)])


class TelegramSender:
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
        pieces = split_text(text) if text else []
        sent_id: int | None = None
        try:
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                sent = await self.bot.send_message(chat_id=job.recipient, text=piece,
                                                   reply_markup=markup if last else None)
                sent_id = sent.message_id
            if message.image and message.image.startswith(("https://", "http://")):
                sent_id = (await self.bot.send_photo(chat_id=job.recipient, photo=message.image)).message_id
        except (Forbidden, BadRequest, ChatMigrated) as error:
            # Blocked bot, unknown chat, a request Telegram refuses: the same call fails again.
            raise SendError(_redacted(error, self.bot.token), permanent=True) from error
        except RetryAfter as error:
            raise SendError(f"flood control: retry after {_seconds(error.retry_after):.0f} s") from error
        except TelegramError as error:  # network trouble, 5xx, a token being renewed: later
            raise SendError(_redacted(error, self.bot.token)) from error
        if job.kind == "escalation" and sent_id is not None:
            await self._post_sent(job, sent_id)
        return str(sent_id) if sent_id is not None else None

    async def _post_sent(self, job: messages.OutboxJob, message_id: int) -> None:
        """Remember the post of an escalation, so an officer's reply to it finds the escalation.

        Never raises: the post is out, and a retry of the outbox would post it twice.
        """
        escalation_id = job.payload.get("escalation_id")
        if self.database is None or not isinstance(escalation_id, int):
            return
        try:
            await escalations.escalation_post_sent(self.database(), escalation_id, job.recipient, message_id)
        except Exception:
            logger.exception("telegram post of escalation %s not recorded; replies to it go unmatched",
                             escalation_id)


def _redacted(error: BaseException, token: str) -> str:
    """The error text without the bot token (PTB and httpx put it into URLs and messages)."""
    return (str(error) or type(error).__name__).replace(token, "<token>")


# --- in: updates to the inbound queue ---------------------------------------------------------

@dataclass(frozen=True)
class Photo:
    file_id: str
    size: int | None
    extension: str


@dataclass
class Inbound:
    """What one update asks for: relay `text` to Rasa (after fetching `photo`), or only `notice`."""

    chat: str
    text: str
    meta: dict
    relay: bool = True
    notice: Outgoing | None = None
    photo: Photo | None = None
    photo_ref: str = ""  # the file name in the media directory, chosen before the download
    callback_id: str | None = None
    language: str = texts.DEFAULT_LANGUAGE


def _user_language(user: User | None) -> str:
    code = ((user.language_code if user else None) or "").split("-")[0].lower()
    return code if code in texts.LANGUAGES else texts.DEFAULT_LANGUAGE


def _text_language(text: str, user: User | None) -> str:
    """Notices follow the language of the message itself, else the Telegram app's language."""
    if re.search(r"[^\W\d_]{2,}", text):
        from nlu.language_model import detect

        return detect(text)
    return _user_language(user)


def command_text(text: str) -> str | None:
    """What a bot command means to Rasa; None for a command the assistant does not know."""
    head, _, arguments = text.partition(" ")
    name = head.split("@", 1)[0].lower()
    arguments = arguments.strip()
    if name == "/status" and arguments:
        return f"status {arguments}"
    return COMMANDS.get(name)


class TelegramChannel:
    """The bot's inbound side and its lifecycle inside the gateway application."""

    def __init__(self, config: settings.Settings, bot: Bot, requests: tuple[HTTPXRequest, ...], secret: str) -> None:
        self.config = config
        self.bot = bot
        self.requests = requests
        self.secret = secret
        self.limiter = RateLimit(config.telegram_rate_per_minute)
        self.app: web.Application | None = None
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.poster: asyncio.Task | None = None
        self.failures: dict[int, int] = {}
        self.officers_chat = config.telegram_officers_chat_id

    @property
    def db(self) -> Database:
        return self.app[keys.DB]

    def wake(self, worker: bool) -> None:
        """Nudge the background loop that has new work (the worker, or the outbox dispatcher)."""
        self.app[keys.WORKER if worker else keys.DISPATCHER].wakeup.set()

    # --- lifecycle ---
    async def context(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: the background task (polling, or webhook registration) and the HTTP clients."""
        self.app = app
        self.task = asyncio.create_task(self._background(), name="telegram")
        if self.officers_chat:
            self.poster = asyncio.create_task(self._post_escalations(), name="telegram-escalations")
        yield
        await self.stop(app)
        await asyncio.gather(*(request.shutdown() for request in self.requests), return_exceptions=True)

    async def started(self, _app: web.Application) -> None:
        """on_startup runs after every cleanup context, so the database and the worker exist."""
        self.app[keys.WORKER].indicators[CHANNEL] = TypingIndicator(self.typing, every_s=TYPING_EVERY_S,
                                                                     timeout_s=TYPING_TIMEOUT_S + 1)
        self.ready.set()

    async def typing(self, message: Incoming) -> None:
        """"typing…" in the citizen's chat while Rasa works on `message` (the worker calls it)."""
        chat = message.metadata.get("chat_id") or message.sender
        try:
            await self.bot.send_chat_action(chat_id=chat, action=ChatAction.TYPING, read_timeout=TYPING_TIMEOUT_S,
                                            write_timeout=TYPING_TIMEOUT_S, connect_timeout=TYPING_TIMEOUT_S,
                                            pool_timeout=1.0)
        except TelegramError as error:
            raise RuntimeError(_redacted(error, self.bot.token)) from None  # logged by the worker, token-free

    async def stop(self, _app: web.Application) -> None:
        """on_shutdown: stop polling before the database is closed."""
        tasks = [task for task in (self.task, self.poster) if task is not None and not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

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
                delay = _seconds(error.retry_after) if isinstance(error, RetryAfter) else _backoff(failures)
                logger.warning("telegram %s failed (%s); again in %.0f s", name, _redacted(error, self.bot.token),
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
                delay = _seconds(error.retry_after) if isinstance(error, RetryAfter) else _backoff(failures)
                logger.warning("telegram getUpdates failed (%s); again in %.0f s",
                               _redacted(error, self.bot.token), delay)
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
        except Exception:
            count = self.failures.get(update.update_id, 0) + 1
            logger.exception("telegram update %s failed (%d)", update.update_id, count)
            if count < MAX_UPDATE_FAILURES:
                self.failures = {update.update_id: count}
                return False
            logger.error("telegram update %s skipped", update.update_id)
        self.failures.pop(update.update_id, None)
        return True

    # --- escalations to the officers' chat ---
    async def _post_escalations(self) -> None:
        """Look for new escalations every few seconds: the Rasa action server, another process,
        creates them, and the table is the one place both see."""
        await self.ready.wait()
        while True:
            try:
                await self.post_escalations()
            except Exception:
                logger.exception("telegram: posting escalations to the officers' chat failed")
            await asyncio.sleep(ESCALATION_POLL_S)

    async def post_escalations(self) -> int:
        """Queue a post for each escalation not posted yet; the dedupe key keeps it to one post even
        when several gateways look at once or a crash comes between queueing and marking."""
        db = self.db
        posts = await escalations.escalations_to_post(db)
        for post in posts:
            payload = {**Outgoing(text=post_text(post)).as_dict(), "escalation_id": post.id}
            await messages.queue_outgoing(db, CHANNEL, self.officers_chat, payload, "escalation",
                                          dedupe_key=f"escalation:{post.id}")
            await escalations.escalation_posted(db, post.id)
        if posts:
            self.wake(worker=False)
        return len(posts)

    def _in_officers_chat(self, update: Update) -> bool:
        chat = update.effective_chat
        return bool(self.officers_chat) and chat is not None and str(chat.id) == self.officers_chat

    async def officer_reply(self, update: Update) -> None:
        """A message in the officers' chat: a reply to an escalation's post is its answer; anything
        else there is conversation between officers and is left alone (never relayed to Rasa)."""
        message = update.message
        if update.callback_query is not None:
            await self._answer_callback(update.callback_query.id)
        if message is None or message.reply_to_message is None or message.from_user is None \
                or message.from_user.is_bot:
            return
        db = self.db
        ticket = await escalations.escalation_for_post(db, self.officers_chat, message.reply_to_message.message_id)
        if ticket is None:
            return
        user = message.from_user
        text = (message.text or "").strip()
        if self.config.telegram_officer_ids and user.id not in self.config.telegram_officer_ids:
            notice = texts.telegram_officers("not_officer", ticket=ticket)
        elif not text:
            notice = texts.telegram_officers("text_only", ticket=ticket)
        elif len(text) > MAX_ANSWER_CHARS:
            notice = texts.telegram_officers("too_long", ticket=ticket, limit=MAX_ANSWER_CHARS)
        else:
            notice = await self._answer(ticket, f"telegram:{user.username or user.id}", text)
        # Keyed by the officer's message: a redelivered update confirms nothing twice.
        await messages.queue_outgoing(db, CHANNEL, self.officers_chat, Outgoing(text=notice).as_dict(), "notice",
                                      dedupe_key=f"{CHANNEL}:officers:{self.officers_chat}:{message.message_id}")
        self.wake(worker=False)

    async def _answer(self, ticket: int, actor: str, text: str) -> str:
        try:
            result = await escalation_flow.answer_from_chat(self.db, ticket, actor, text)
        except LookupError:
            return texts.telegram_officers("missing", ticket=ticket)
        who = result.by or texts.telegram_officers("someone")
        if result.outcome == "sent":
            logger.info("escalation %s answered from the officers' Telegram chat by %s", ticket, actor)
            return texts.telegram_officers("sent", ticket=ticket)
        return texts.telegram_officers(result.outcome, ticket=ticket, who=who)

    # --- the webhook ---
    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        body = await _read_body(request)
        if body is None:
            return web.Response(status=413, text="too large")
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.bot)
        except Exception:  # malformed JSON, or JSON that is not an Update
            return web.Response(status=400, text="not a Telegram update")
        try:
            await self.handle(update)
        except Exception:
            logger.exception("telegram update %s not stored", update.update_id)
            return web.Response(status=500, text="try again")  # Telegram delivers it again
        return web.Response(text="ok")

    # --- one update ---
    async def handle(self, update: Update) -> None:
        """Store the update once, then start what it asks for: a relay, a photo download, a notice."""
        if self._in_officers_chat(update):
            await self.officer_reply(update)
            return
        inbound = await self.interpret(update)
        if inbound is None:
            return
        if not self.limiter.allow(inbound.chat):
            notice = (Outgoing(text=texts.gateway("rate_limited", inbound.language))
                      if self.limiter.notice_due(inbound.chat) else None)
            inbound.relay, inbound.notice, inbound.photo = False, notice, None
            inbound.meta["rate_limited"] = True
        db = self.db
        message_id = f"u{update.update_id}"
        if not inbound.relay:
            _, is_new = await messages.accept_inbound(db, CHANNEL, inbound.chat, message_id, inbound.text,
                                                      inbound.meta, status="done")
            if is_new and inbound.notice is not None:
                await messages.queue_outgoing(db, CHANNEL, inbound.chat, inbound.notice.as_dict(), "notice",
                                              dedupe_key=f"{CHANNEL}:{inbound.chat}:{message_id}")
                self.wake(worker=False)
        elif inbound.photo is None:
            _, is_new = await messages.accept_inbound(db, CHANNEL, inbound.chat, message_id, inbound.text,
                                                      inbound.meta)
            if is_new:
                self.wake(worker=True)
        else:
            # Held ("processing") until the file is in place, so the worker cannot relay it before.
            inbound_id, is_new = await messages.accept_inbound(db, CHANNEL, inbound.chat, message_id, inbound.text,
                                                               inbound.meta, status="processing")
            if is_new:
                try:
                    problem = await self.store_photo(inbound.photo, inbound.photo_ref, inbound.language)
                except Exception:  # e.g. a full disk: answer, rather than leave the message half-done
                    logger.exception("telegram photo of update %s not stored", update.update_id)
                    problem = Outgoing(text=texts.gateway("photo_failed", inbound.language))
                if problem is None:
                    await messages.release_inbound(db, inbound_id)
                    self.wake(worker=True)
                else:
                    await messages.complete_inbound(db, inbound_id, [problem.as_dict()])
                    self.wake(worker=False)
        if is_new and inbound.callback_id is not None:
            await self._answer_callback(inbound.callback_id)

    async def interpret(self, update: Update) -> Inbound | None:
        """The update as the queue needs it; None for what needs no answer (groups, service messages)."""
        if update.callback_query is not None:
            return await self._callback(update)
        if update.edited_message is not None:
            edited = update.edited_message
            if edited.chat.type != "private" or edited.location is not None:  # a live location moving on
                return None
            return self._notice(edited, "edited", texts.telegram("edited", _user_language(edited.from_user)))
        message = update.message
        if message is None or message.chat.type != "private" or (message.from_user and message.from_user.is_bot):
            return None
        if message.text is not None:
            return self._text(message)
        if message.location is not None:
            pin = f"{message.location.latitude:.6f},{message.location.longitude:.6f}"
            return self._inbound(message, f'/share_location{{"map_pin":"{pin}"}}', "location")
        photo = _photo_of(message)
        if photo is not None:
            name = f"{uuid.uuid4().hex}.{photo.extension}"
            inbound = self._inbound(message, f'/share_photo{{"photo_ref":"{name}"}}', "photo", file_id=photo.file_id)
            inbound.photo, inbound.photo_ref = photo, name
            return inbound
        if message.effective_attachment is not None:  # sticker, voice, video, contact, poll, ...
            language = _user_language(message.from_user)
            return self._notice(message, "unsupported", texts.gateway("unsupported", language))
        return None  # a service message (pinned, chat photo changed, ...): nothing to answer

    def _inbound(self, message: Message, text: str, kind: str, **meta: object) -> Inbound:
        user = message.from_user
        return Inbound(chat=str(message.chat.id), text=text, language=_user_language(user),
                       meta={"kind": kind, "chat_id": message.chat.id, "telegram_message_id": message.message_id,
                             "language_code": user.language_code if user else None, **meta})

    def _notice(self, message: Message, kind: str, notice: str, text: str = "") -> Inbound:
        inbound = self._inbound(message, text, kind)
        inbound.relay, inbound.notice = False, Outgoing(text=notice)
        return inbound

    def _text(self, message: Message) -> Inbound:
        text = message.text.strip()
        language = _text_language(text, message.from_user)
        if not text:
            return self._notice(message, "empty", texts.gateway("empty", language))
        if len(text) > self.config.max_message_chars:
            notice = texts.gateway("too_long", language, limit=self.config.max_message_chars)
            return self._notice(message, "too_long", notice, text)
        if text.startswith("/"):  # never relayed as typed: Rasa would read it as an intent
            mapped = command_text(text)
            if mapped is None:
                notice = texts.telegram("unknown_command", _user_language(message.from_user))
                return self._notice(message, "unknown_command", notice, text)
            inbound = self._inbound(message, mapped, "command", command=text.split()[0])
        else:
            inbound = self._inbound(message, text, "text")
        inbound.language = language
        return inbound

    async def _callback(self, update: Update) -> Inbound | None:
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
        if payload is None:
            inbound = Inbound(chat=str(message.chat.id), text="", meta=meta, relay=False, language=language,
                              notice=Outgoing(text=texts.telegram("button_expired", language)))
        else:
            inbound = Inbound(chat=str(message.chat.id), text=payload, meta=meta, language=language)
        inbound.callback_id = query.id
        return inbound

    async def _answer_callback(self, query_id: str) -> None:
        """Stops the button's spinner; a failure here costs nothing but that."""
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            logger.info("telegram answerCallbackQuery failed (%s)", _redacted(error, self.bot.token))

    async def store_photo(self, photo: Photo, name: str, language: str) -> Outgoing | None:
        """Fetch the photo into the media directory; a notice for the citizen when that fails."""
        limit = self.config.max_photo_bytes
        refused = Outgoing(text=texts.gateway("bad_photo", language, limit_mb=limit // (1024 * 1024)))
        if photo.size and photo.size > limit:
            return refused
        try:
            file = await self.bot.get_file(photo.file_id)
            if file.file_size and file.file_size > limit:
                return refused
            data = bytes(await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT_S))
        except BadRequest as error:  # e.g. "file is too big" (over the Bot API's 20 MB)
            logger.info("telegram photo refused (%s)", _redacted(error, self.bot.token))
            return refused
        except (TelegramError, RuntimeError) as error:
            logger.warning("telegram photo download failed (%s)", _redacted(error, self.bot.token))
            return Outgoing(text=texts.gateway("photo_failed", language))
        if len(data) > limit or _image_kind(data) != photo.extension:
            return refused
        self.config.media_dir.mkdir(parents=True, exist_ok=True)
        partial = self.config.media_dir / f".{name}.part"
        partial.write_bytes(data)
        partial.replace(self.config.media_dir / name)
        return None


def redact(text: str, private: tuple[str, ...] = ()) -> str:
    """`text` without phone numbers and the citizen's name: the officers' chat is a wider
    audience than the console, and the question needs neither to be answered."""
    for value in sorted(private, key=len, reverse=True):
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6:  # a phone number, however it is written
            tail = digits[2:] if digits.startswith("62") else digits.lstrip("0")
            text = re.sub(r"(?:\+?62|0)?[\s.-]?" + r"[\s.-]?".join(tail), texts.telegram_officers("phone"), text)
            continue
        words = [value.strip(), *(word for word in value.split() if len(word) >= 3)]
        for word in (word for word in words if word.lower() not in EXCERPT_LABELS):
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", texts.telegram_officers("name"), text,
                          flags=re.IGNORECASE)
    return PHONE_RE.sub(texts.telegram_officers("phone"), text)


def _clip(text: str, limit: int, tail: bool = False) -> str:
    """At most `limit` characters; the end of a conversation matters more than its beginning."""
    if len(text) <= limit:
        return text
    return "…" + text[-(limit - 1):] if tail else text[:limit - 1] + "…"


def post_text(post: escalations.EscalationPost) -> str:
    """An escalation as the officers' chat sees it: one message (a reply must point at it)."""
    excerpt = _clip(redact(post.excerpt.strip(), post.private), POST_EXCERPT_CHARS, tail=True)
    return texts.telegram_officers("post", ticket=post.id, channel=post.channel,
                                   question=_clip(redact(post.question.strip(), post.private), POST_QUESTION_CHARS),
                                   excerpt=excerpt or texts.telegram_officers("no_excerpt"))


def _photo_of(message: Message) -> Photo | None:
    """The largest size of a photo, or an image sent as a file (JPEG, PNG, WEBP)."""
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        return Photo(largest.file_id, largest.file_size, "jpg")
    document = message.document
    if document is not None and (document.mime_type or "") in IMAGE_DOCUMENTS:
        return Photo(document.file_id, document.file_size, IMAGE_DOCUMENTS[document.mime_type])
    return None


async def _read_body(request: web.Request) -> bytes | None:
    """The body, or None when it is larger than an update can be."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


TELEGRAM = web.AppKey("telegram", TelegramChannel)


def make_bot(config: settings.Settings) -> tuple[Bot, tuple[HTTPXRequest, HTTPXRequest]]:
    api = config.telegram_api_url.rstrip("/")
    requests = (HTTPXRequest(connection_pool_size=8), HTTPXRequest(connection_pool_size=1))
    bot = Bot(config.telegram_bot_token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot",
              request=requests[0], get_updates_request=requests[1])
    return bot, requests


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
    app[keys.SENDERS][CHANNEL] = TelegramSender(bot, lambda: app[keys.DB])
    app.router.add_post(WEBHOOK_PATH, channel.webhook)
    app.cleanup_ctx.append(channel.context)
    app.on_startup.append(channel.started)
    app.on_shutdown.append(channel.stop)
