"""WhatsApp Cloud API: the signed webhook in, the Graph API out.

In: Meta signs every webhook POST with the app secret. A verified delivery is stored (once per
message id, so Meta's redeliveries are no-ops) and acknowledged at once; the background worker
relays it to Rasa. Anything that fails before it is stored answers 500, and Meta delivers again.
Out: the outbox dispatcher calls `WhatsAppSender.send`: text, reply buttons (≤ 3) or a list
(≤ 10). Outside WhatsApp's 24-hour customer-service window only an approved template may be sent.
While the worker waits for Rasa, the message is marked read with a typing indicator (shown until
the reply, at most 25 s), in a task of its own that never holds up or fails the turn.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
from aiohttp import web

from bot import keys
from bot.message import Button, Incoming, Outgoing
from bot.outbox import SendError
from bot.ratelimit import RateLimit
from bot.relay import TypingIndicator
from bot.web import _image_kind
from core import settings, texts
from storage import messages
from storage.db import Database

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PATH = "/webhooks/whatsapp"
MAX_BODY_BYTES = 1024 * 1024
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window after the citizen's last message

# Graph API limits for the messages we build.
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
MAX_BUTTONS = 3
MAX_ROWS = 10
TEMPLATE_PARAMETER_LIMIT = 1000

# Error codes that say "later", not "never": rate limits, service trouble, an expired token an
# operator can renew. Any other 4xx (invalid recipient, bad parameter, unknown template) is permanent.
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 190, 613, 80007, 130429, 131000, 131016, 131048, 131056, 133004})
REENGAGEMENT_CODE = 131047  # more than 24 hours since the citizen wrote: only a template may go

SEND_TIMEOUT = aiohttp.ClientTimeout(total=15)  # the dispatcher sends one message at a time
TYPING_TIMEOUT = aiohttp.ClientTimeout(total=5)  # "typing…" that late is pointless; the turn never waits
MEDIA_TIMEOUT = aiohttp.ClientTimeout(total=15)
MEDIA_RETRY_WAITS = (1.0, 4.0)
# A photo message is held (claimed) while its file downloads; the download must end well before the
# queue's claim lease does, or the worker would take the message over.
PHOTO_DEADLINE_S = messages.LEASE.total_seconds() * 0.75
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
IGNORED_TYPES = frozenset({"system", "request_welcome"})  # notices from WhatsApp, nothing to answer
PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
MEDIA_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")  # goes into a Graph API path
MAX_ID_CHARS = 128  # the queue's sender and message id columns


def _now() -> datetime:
    return datetime.now(timezone.utc)


class GraphError(SendError):
    def __init__(self, message: str, code: object, permanent: bool) -> None:
        super().__init__(message, permanent=permanent)
        self.code = code


class WhatsAppChannel:
    """The webhook's state: configuration, rate limits, photo downloads in flight."""

    def __init__(self, app: web.Application, config: settings.Settings) -> None:
        self.app = app
        self.config = config
        self.limit = RateLimit(config.whatsapp_rate_per_minute)
        self.tasks: set[asyncio.Task] = set()
        self.sender = WhatsAppSender(self)

    @property
    def db(self) -> Database:
        return self.app[keys.DB]

    @property
    def client(self) -> aiohttp.ClientSession:
        return self.app[keys.CLIENT]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.whatsapp_token}"}

    def signature_ok(self, body: bytes, header: str) -> bool:
        digest = hmac.new(self.config.whatsapp_app_secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={digest}".encode(), header.strip().encode("utf-8", "replace"))

    def wake(self) -> None:
        for key in (keys.WORKER, keys.DISPATCHER):
            if key in self.app:
                self.app[key].wakeup.set()

    async def started(self, app: web.Application) -> None:
        """on_startup (after the cleanup contexts, so the worker exists): show "typing…" during turns."""
        app[keys.WORKER].indicators[CHANNEL] = TypingIndicator(self.typing, timeout_s=TYPING_TIMEOUT.total + 1)

    async def typing(self, message: Incoming) -> None:
        """Mark the citizen's message read and show the typing indicator until the reply (the worker
        calls this while Rasa works on `message`; its id is the WhatsApp message id, wamid)."""
        config = self.config
        url = f"{config.whatsapp_graph_url.rstrip('/')}/{config.whatsapp_phone_number_id}/messages"
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message.message_id,
                "typing_indicator": {"type": "text"}}
        async with self.client.post(url, json=body, headers=self.auth, timeout=TYPING_TIMEOUT) as response:
            if response.status != 200:
                raise RuntimeError(f"graph answered {response.status}")  # the worker logs it

    async def shutdown(self, _app: web.Application) -> None:
        """Photo downloads stop with the gateway; their held messages are taken over after the lease."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    # Inbound ---------------------------------------------------------------------------------

    async def ingest(self, payload: dict) -> None:
        """Store every message and receipt of one webhook delivery."""
        for entry in _dicts(payload.get("entry")):
            for change in _dicts(entry.get("changes")):
                value = change.get("value")
                if change.get("field", "messages") != "messages" or not isinstance(value, dict):
                    continue
                phone_id = (value.get("metadata") or {}).get("phone_number_id")
                if phone_id and str(phone_id) != self.config.whatsapp_phone_number_id:
                    logger.warning("whatsapp webhook for another phone number id %s ignored", phone_id)
                    continue
                contacts = list(_dicts(value.get("contacts")))
                for message in _dicts(value.get("messages")):
                    await self._message(message, contacts)
                for status in _dicts(value.get("statuses")):
                    await self._receipt(status)
        self.wake()

    async def _message(self, message: dict, contacts: list[dict]) -> None:
        sender = _sender(message, contacts)
        message_id = str(message.get("id") or "")
        kind = str(message.get("type") or "")
        if not sender or not message_id or len(sender) > MAX_ID_CHARS or len(message_id) > MAX_ID_CHARS:
            logger.warning("whatsapp message without a usable sender or id ignored (type %s)", kind)
            return
        if kind in IGNORED_TYPES or (kind == "reaction" and not (message.get("reaction") or {}).get("emoji")):
            return
        meta = {"wa_type": kind}
        text = await self._text_of(kind, message)
        if not self.limit.allow(sender):
            notice = "rate_limited" if self.limit.notice_due(sender) else None
            await self._answer_only(sender, message_id, text or "", meta, notice)
        elif kind == "image":
            await self._photo(sender, message_id, message.get("image"), meta)
        elif text is None:
            await self._answer_only(sender, message_id, "", meta, "unsupported")
        elif not text.strip():
            await self._answer_only(sender, message_id, text, meta, "empty")
        elif len(text) > self.config.max_message_chars:
            await self._answer_only(sender, message_id, text, meta, "too_long", limit=self.config.max_message_chars)
        else:
            await messages.accept_inbound(self.db, CHANNEL, sender, message_id, text.strip(), meta)

    async def _text_of(self, kind: str, message: dict) -> str | None:
        """What Rasa receives for a message: its text, a button's payload, a map pin; None if unsupported."""
        if kind == "text":
            body = (message.get("text") or {}).get("body")
            return body if isinstance(body, str) else None
        if kind == "interactive":
            interactive = message.get("interactive") or {}
            reply = interactive.get(interactive.get("type")) if interactive.get("type") in (
                "button_reply", "list_reply") else None
            if not isinstance(reply, dict) or not reply.get("id"):
                return None
            return await messages.button_payload(self.db, str(reply["id"])) or str(reply.get("title") or "")
        if kind == "button":  # a quick-reply button of a template
            button = message.get("button") or {}
            payload = str(button.get("payload") or "")
            return (await messages.button_payload(self.db, payload) if payload else None) or str(
                button.get("text") or "")
        if kind == "location":
            location = message.get("location") or {}
            lat, lon = location.get("latitude"), location.get("longitude")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
                return None
            return f'/share_location{{"map_pin":"{_coordinate(lat)},{_coordinate(lon)}"}}'
        if kind == "image":
            return ""
        return None

    async def _answer_only(self, sender: str, message_id: str, text: str, meta: dict, notice: str | None,
                           **values: object) -> None:
        """Store the message as processed without Rasa (so a redelivery stays a no-op) and queue the notice.

        Stored, not dropped: it opens the 24-hour window, so the notice goes out as plain text.
        """
        inbound_id, is_new = await messages.accept_inbound(self.db, CHANNEL, sender, message_id, text, meta,
                                                           status="processing")
        if is_new:
            language = _language(text) if text.strip() and not text.startswith("/") else None
            replies = [Outgoing(text=texts.gateway(notice, language, **values)).as_dict()] if notice else []
            await messages.complete_inbound(self.db, inbound_id, replies)

    async def _photo(self, sender: str, message_id: str, image: object, meta: dict) -> None:
        """Hold the photo message (as `processing`) until the file is here, then let the worker relay it.

        Holding it keeps the sender's order: their next message waits behind the photo in the queue.
        """
        image = image if isinstance(image, dict) else {}
        extension = PHOTO_TYPES.get(str(image.get("mime_type") or "").split(";")[0].strip())
        media_id = str(image.get("id") or "")
        if extension is None or not MEDIA_ID_RE.match(media_id):
            await self._answer_only(sender, message_id, "", meta, "bad_photo",
                                    limit_mb=self.config.max_photo_bytes // (1024 * 1024))
            return
        name = f"{uuid.uuid4().hex}.{extension}"
        inbound_id, is_new = await messages.accept_inbound(
            self.db, CHANNEL, sender, message_id, f'/share_photo{{"photo_ref":"{name}"}}',
            {**meta, "media_id": media_id}, status="processing")
        if is_new:
            task = asyncio.create_task(self._fetch_photo(inbound_id, media_id, name))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _fetch_photo(self, inbound_id: int, media_id: str, name: str) -> None:
        """Download in a task of its own (no sender waits for another's photo), then free the message."""
        try:
            try:
                outcome = await asyncio.wait_for(self._download_with_retries(media_id, name), PHOTO_DEADLINE_S)
            except asyncio.TimeoutError:
                logger.warning("whatsapp photo %s: no download within %.0f s", media_id, PHOTO_DEADLINE_S)
                outcome = "failed"
            if outcome == "ok":
                await messages.release_inbound(self.db, inbound_id)
            else:
                key = "bad_photo" if outcome == "bad" else "photo_failed"
                notice = texts.gateway(key, limit_mb=self.config.max_photo_bytes // (1024 * 1024))
                await messages.complete_inbound(self.db, inbound_id, [Outgoing(text=notice).as_dict()])
            self.wake()
        except asyncio.CancelledError:
            raise
        except Exception:  # the held message is taken over by the worker after the lease
            logger.exception("whatsapp photo %s: storing the outcome failed", media_id)

    async def _download_with_retries(self, media_id: str, name: str) -> str:
        """"ok", "bad" (too big, not an image, unknown media) or "failed" (the Graph API kept failing)."""
        for wait in (*MEDIA_RETRY_WAITS, None):
            try:
                return await self._download(media_id, name)
            except (aiohttp.ClientError, asyncio.TimeoutError, _Retry) as error:
                logger.warning("whatsapp photo %s: download failed (%r)%s", media_id, error,
                               "" if wait is None else "; retrying")
            if wait is not None:
                await asyncio.sleep(wait)
        return "failed"

    async def _download(self, media_id: str, name: str) -> str:
        limit = self.config.max_photo_bytes
        url = f"{self.config.whatsapp_graph_url.rstrip('/')}/{media_id}"
        async with self.client.get(url, headers=self.auth, timeout=MEDIA_TIMEOUT) as response:
            if response.status in (400, 404):  # unknown or expired media
                return "bad"
            _raise_unless_ok(response.status)
            try:
                info = await response.json(content_type=None)
            except ValueError:
                return "bad"
        size = info.get("file_size") if isinstance(info, dict) else None
        media_url = info.get("url") if isinstance(info, dict) else None
        if not isinstance(media_url, str) or not media_url.startswith(("https://", "http://")):
            return "bad"
        if isinstance(size, int) and size > limit:
            return "bad"
        data = bytearray()
        async with self.client.get(media_url, headers=self.auth, timeout=MEDIA_TIMEOUT) as response:
            if response.status in (400, 404):
                return "bad"
            _raise_unless_ok(response.status)
            async for chunk in response.content.iter_chunked(64 * 1024):
                data.extend(chunk)
                if len(data) > limit:
                    return "bad"
        if _image_kind(bytes(data)) is None:
            return "bad"
        await asyncio.to_thread(_write_atomically, self.config.media_dir, name, bytes(data))
        return "ok"

    async def _receipt(self, status: dict) -> None:
        provider_id, state = status.get("id"), status.get("status")
        if not provider_id or not state:
            return
        recipient = status.get("recipient_user_id") or status.get("recipient_id")
        errors = status.get("errors")
        if state == "failed":
            logger.warning("whatsapp message %s failed: %s", provider_id, errors)
        await messages.record_receipt(self.db, CHANNEL, str(provider_id)[:160], str(state)[:16],
                                      str(recipient)[:MAX_ID_CHARS] if recipient else None,
                                      json.dumps(errors, ensure_ascii=False)[:2000] if errors else None)


class _Retry(Exception):
    """The Graph API answered 429, 5xx or an auth error: try again, then tell the citizen to resend."""


def _raise_unless_ok(status: int) -> None:
    if status != 200:
        raise _Retry(f"graph answered {status}")


def _write_atomically(folder: Path, name: str, data: bytes) -> None:
    """The action server checks that the file exists: it must never see half a photo."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    partial.replace(folder / name)


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _sender(message: dict, contacts: list[dict]) -> str:
    """The business-scoped user id when WhatsApp gives one (usernames hide the number), else the wa_id."""
    if message.get("from_user_id"):
        return str(message["from_user_id"])
    wa_id = message.get("from")
    same = [c for c in contacts if wa_id and c.get("wa_id") == wa_id] or (contacts if len(contacts) == 1 else [])
    if same and same[0].get("user_id"):
        return str(same[0]["user_id"])
    return str(wa_id or "")


def _coordinate(value: float) -> str:
    """Plain decimal notation (never "1e-05"), as precise as WhatsApp sends it (7 places ≈ 1 cm)."""
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _language(text: str) -> str:
    from nlu.language_model import detect

    return detect(text)


# Outbound ------------------------------------------------------------------------------------


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or a space when there is one."""
    text = text.strip()
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit + 1), text.rfind(" ", 0, limit + 1))
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _titles(buttons: tuple[Button, ...], limit: int) -> list[str]:
    """Shortened titles, kept distinct (WhatsApp rejects two reply buttons with the same title)."""
    titles: list[str] = []
    for button in buttons:
        title = _shorten(button.title, limit) or "-"
        number = 2
        while title in titles:
            suffix = f" ({number})"
            title = _shorten(button.title, limit - len(suffix)) + suffix
            number += 1
        titles.append(title)
    return titles


def build_messages(outbox_id: int, message: Outgoing, language: str | None = None) -> list[dict]:
    """The Graph API message objects (without the recipient) for one outbox message, in order.

    Buttons become reply buttons (1–3) or a list (4–10; beyond that the first 9 plus a typed hint),
    with ids `"outboxid:index"` that `messages.button_payload` turns back into Rasa payloads.
    """
    parts: list[dict] = []
    if message.image and message.image.startswith(("https://", "http://")):
        parts.append({"type": "image", "image": {"link": message.image}})
    buttons = message.buttons
    if not buttons:
        parts.extend({"type": "text", "text": {"body": piece}} for piece in split_text(message.text, TEXT_LIMIT))
        return parts
    body = message.text.strip()
    if len(buttons) > MAX_ROWS:
        hint = texts.whatsapp("more_choices", language, choices=", ".join(b.title for b in buttons[MAX_ROWS - 1:]))
        body = f"{body}\n\n{hint}" if body else hint
        buttons = buttons[: MAX_ROWS - 1]
    *before, body = split_text(body, INTERACTIVE_BODY_LIMIT) or [texts.whatsapp("choose", language)]
    parts.extend({"type": "text", "text": {"body": piece}} for piece in before)
    ids = [f"{outbox_id}:{index}" for index in range(len(buttons))]
    if len(buttons) <= MAX_BUTTONS:
        replies = [{"type": "reply", "reply": {"id": i, "title": t}}
                   for i, t in zip(ids, _titles(buttons, BUTTON_TITLE_LIMIT), strict=True)]
        action: dict = {"buttons": replies}
        kind = "button"
    else:
        rows = []
        for i, title, button in zip(ids, _titles(buttons, ROW_TITLE_LIMIT), buttons, strict=True):
            row = {"id": i, "title": title}
            if len(button.title) > ROW_TITLE_LIMIT:  # the whole title stays readable under the row
                row["description"] = _shorten(button.title, ROW_DESCRIPTION_LIMIT)
            rows.append(row)
        action = {"button": _shorten(texts.whatsapp("list_button", language), BUTTON_TITLE_LIMIT),
                  "sections": [{"title": _shorten(texts.whatsapp("list_section", language), ROW_TITLE_LIMIT),
                                "rows": rows}]}
        kind = "list"
    parts.append({"type": "interactive", "interactive": {"type": kind, "body": {"text": body}, "action": action}})
    return parts


def template_message(config: settings.Settings, message: Outgoing) -> dict | None:
    """The approved template carrying the text as its one body parameter (one line, as Meta requires)."""
    text = _shorten(message.text, TEMPLATE_PARAMETER_LIMIT)
    if not text:
        return None
    return {"type": "template", "template": {
        "name": config.whatsapp_template,
        "language": {"code": config.whatsapp_template_language},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
    }}


def _address(recipient: str) -> dict[str, str]:
    """A phone number goes in `to`; a business-scoped user id (e.g. "US.1349...") in `recipient`."""
    return {"to": recipient.lstrip("+")} if PHONE_RE.match(recipient) else {"recipient": recipient}


class WhatsAppSender:
    """The outbox's ChannelSender for WhatsApp."""

    channel = CHANNEL

    def __init__(self, whatsapp: WhatsAppChannel) -> None:
        self.whatsapp = whatsapp

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        last = await messages.last_inbound_at(self.whatsapp.db, CHANNEL, job.recipient)
        if last is None or _now() - last > WINDOW:
            return await self._send_template(job, message)
        language = _language(message.text) if message.buttons and message.text.strip() else None
        provider_id = None
        for index, part in enumerate(build_messages(job.id, message, language)):
            try:
                provider_id = await self._post(job.recipient, part)
            except GraphError as error:
                if error.code == REENGAGEMENT_CODE and index == 0:  # the window closed after all
                    return await self._send_template(job, message)
                raise
        return provider_id

    async def _send_template(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        template = template_message(self.whatsapp.config, message)
        return await self._post(job.recipient, template) if template else None

    async def _post(self, recipient: str, part: dict) -> str:
        config = self.whatsapp.config
        url = f"{config.whatsapp_graph_url.rstrip('/')}/{config.whatsapp_phone_number_id}/messages"
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **_address(recipient), **part}
        try:
            async with self.whatsapp.client.post(url, json=body, headers=self.whatsapp.auth,
                                                 timeout=SEND_TIMEOUT) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise SendError(f"whatsapp unreachable: {error!r}") from error
        data = data if isinstance(data, dict) else {}
        if status == 200:
            sent = data.get("messages")
            if isinstance(sent, list) and sent and isinstance(sent[0], dict) and sent[0].get("id"):
                return str(sent[0]["id"])
            raise SendError("whatsapp answered 200 without a message id")
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = error.get("code")
        permanent = 400 <= status < 500 and status != 429 and code not in TRANSIENT_CODES
        raise GraphError(f"whatsapp {status} (code {code}): {error.get('message') or 'no details'}", code, permanent)


# Routes --------------------------------------------------------------------------------------

WHATSAPP = web.AppKey("whatsapp", WhatsAppChannel)


async def verify(request: web.Request) -> web.Response:
    """Meta's subscription handshake: echo the challenge when the verify token is ours."""
    expected = request.app[WHATSAPP].config.whatsapp_verify_token
    token = request.query.get("hub.verify_token", "")
    if (request.query.get("hub.mode") == "subscribe" and expected
            and hmac.compare_digest(token.encode(), expected.encode())):
        return web.Response(text=request.query.get("hub.challenge", ""))
    raise web.HTTPForbidden()


async def webhook(request: web.Request) -> web.Response:
    """One signed delivery: verify, store, acknowledge; the worker does the rest."""
    channel = request.app[WHATSAPP]
    body = await _read_body(request)
    if body is None:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length or 0)
    signature = request.headers.get("X-Hub-Signature-256")
    if not signature:
        raise web.HTTPUnauthorized()
    if not channel.signature_ok(body, signature):
        raise web.HTTPForbidden()
    try:
        payload = json.loads(body)
    except ValueError:
        raise web.HTTPBadRequest() from None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest()
    await channel.ingest(payload)
    return web.Response(text="ok")


async def _read_body(request: web.Request) -> bytes | None:
    """The raw body (the signature is over these bytes), or None when it exceeds the limit."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    data = bytearray()
    while chunk := await request.content.read(64 * 1024):
        data.extend(chunk)
        if len(data) > MAX_BODY_BYTES:
            return None
    return bytes(data)


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
    channel = WhatsAppChannel(app, config)
    app[WHATSAPP] = channel
    app[keys.SENDERS][CHANNEL] = channel.sender
    app.router.add_get(PATH, verify)
    app.router.add_post(PATH, webhook)
    app.on_startup.append(channel.started)
    app.on_shutdown.append(channel.shutdown)
