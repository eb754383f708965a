"""WhatsApp in: Meta's signed webhook, parsed into `Incoming` for the intake.

Meta signs every webhook POST with the app secret. Each message of a verified delivery goes to the
intake (stored once per message id, so Meta's redeliveries are no-ops) and the delivery is
acknowledged at once; anything that fails before it is stored answers 500, and Meta delivers again.
A photo is downloaded after the acknowledgement, with retries, while its message is held. Delivery
receipts are recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re

import aiohttp
from aiohttp import web

from bot import httputil, keys, media
from bot.channels.whatsapp.graph import CHANNEL, MAX_ID_CHARS, Graph
from bot.intake import Intake
from bot.message import Incoming, Outgoing, Photo, typed_text
from core import texts
from storage import messages

logger = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp"
MAX_BODY_BYTES = 1024 * 1024
MEDIA_TIMEOUT = aiohttp.ClientTimeout(total=15)
MEDIA_RETRY_WAITS = (1.0, 4.0)
IGNORED_TYPES = frozenset({"system", "request_welcome"})  # notices from WhatsApp, nothing to answer
MEDIA_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")  # goes into a Graph API path (fullmatch)
MALFORMED = (AttributeError, TypeError, ValueError, KeyError)  # a field of an unexpected type


class WhatsAppInbound:
    """Turns webhook deliveries into `Incoming` messages and receipts."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @property
    def intake(self) -> Intake:
        return self.graph.app[keys.INTAKE]

    def signature_ok(self, body: bytes, header: str) -> bool:
        digest = hmac.new(self.graph.config.whatsapp_app_secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={digest}".encode(), header.strip().encode("utf-8", "replace"))

    async def ingest(self, payload: dict) -> None:
        """Store every message and receipt of one webhook delivery."""
        for entry in _dicts(payload.get("entry")):
            for change in _dicts(entry.get("changes")):
                value = change.get("value")
                if change.get("field", "messages") != "messages" or not isinstance(value, dict):
                    continue
                phone_id = (value.get("metadata") or {}).get("phone_number_id")
                if phone_id and str(phone_id) != self.graph.config.whatsapp_phone_number_id:
                    logger.warning("whatsapp webhook for another phone number id %s ignored", phone_id)
                    continue
                contacts = list(_dicts(value.get("contacts")))
                for message in _dicts(value.get("messages")):
                    try:
                        incoming = await self.interpret(message, contacts)
                    except MALFORMED as error:  # one odd message must not fail (and repeat) the others
                        logger.warning("whatsapp message skipped: malformed (%r)", error)
                        continue
                    if incoming is not None:
                        await self.intake.accept(incoming)
                for status in _dicts(value.get("statuses")):
                    await self._receipt(status)

    async def interpret(self, message: dict, contacts: list[dict]) -> Incoming | None:
        """One message as an `Incoming`; None for what needs no answer (WhatsApp's own notices)."""
        sender = _sender(message, contacts)
        message_id = str(message.get("id") or "")
        kind = str(message.get("type") or "")
        if not sender or not message_id or len(sender) > MAX_ID_CHARS or len(message_id) > MAX_ID_CHARS:
            logger.warning("whatsapp message without a usable sender or id ignored (type %s)", kind)
            return None
        if kind in IGNORED_TYPES or (kind == "reaction" and not (message.get("reaction") or {}).get("emoji")):
            return None
        meta = {"wa_type": kind}
        if kind == "image":
            return self._photo(sender, message_id, message.get("image"), meta)
        text = await self._text_of(kind, message)
        if text is None:
            return Incoming(CHANNEL, sender, message_id, "", meta, notice=Outgoing(text=texts.gateway("unsupported")))
        return Incoming(CHANNEL, sender, message_id, text, meta)

    async def _text_of(self, kind: str, message: dict) -> str | None:
        """What Rasa receives for a message: its text, a button's payload, a map pin; None if unsupported."""
        if kind == "text":
            body = (message.get("text") or {}).get("body")
            return typed_text(body) if isinstance(body, str) else None
        if kind == "interactive":
            interactive = message.get("interactive") or {}
            reply = interactive.get(interactive.get("type")) if interactive.get("type") in (
                "button_reply", "list_reply") else None
            if not isinstance(reply, dict) or not reply.get("id"):
                return None
            return await messages.button_payload(self.graph.db, str(reply["id"])) or str(reply.get("title") or "")
        if kind == "button":  # a quick-reply button of a template
            button = message.get("button") or {}
            payload = str(button.get("payload") or "")
            return (await messages.button_payload(self.graph.db, payload) if payload else None) or str(
                button.get("text") or "")
        if kind == "location":
            location = message.get("location") or {}
            lat, lon = location.get("latitude"), location.get("longitude")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
                return None
            return f'/share_location{{"map_pin":"{_coordinate(lat)},{_coordinate(lon)}"}}'
        return None

    def _photo(self, sender: str, message_id: str, image: object, meta: dict) -> Incoming:
        """A photo to fetch from the Graph API after the acknowledgement (no sender waits for another's)."""
        image = image if isinstance(image, dict) else {}
        extension = media.extension_for(str(image.get("mime_type") or ""))
        media_id = str(image.get("id") or "")
        if extension is None or not MEDIA_ID_RE.fullmatch(media_id):
            notice = texts.gateway("bad_photo", limit_mb=media.megabytes(self.graph.config.max_photo_bytes))
            return Incoming(CHANNEL, sender, message_id, "", meta, notice=Outgoing(text=notice))
        name = media.new_name(extension)
        photo = Photo(name, lambda limit: self._download_with_retries(media_id, limit), background=True)
        return Incoming(CHANNEL, sender, message_id, media.share_text(name), {**meta, "media_id": media_id},
                        photo=photo)

    async def _download_with_retries(self, media_id: str, limit: int) -> bytes:
        """The photo's bytes; the Graph API is asked again after a failure, then media.Unavailable."""
        for wait in (*MEDIA_RETRY_WAITS, None):
            try:
                return await self._download(media_id, limit)
            except (aiohttp.ClientError, asyncio.TimeoutError, _Retry) as error:
                logger.warning("whatsapp photo %s: download failed (%r)%s", media_id, error,
                               "" if wait is None else "; retrying")
            if wait is not None:
                await asyncio.sleep(wait)
        raise media.Unavailable(f"media {media_id}: the Graph API kept failing")

    async def _download(self, media_id: str, limit: int) -> bytes:
        """The media's address, then its bytes; media.Refused when unknown, expired or too large."""
        graph = self.graph
        async with graph.client.get(graph.media_url(media_id), headers=graph.auth, timeout=MEDIA_TIMEOUT,
                                    allow_redirects=False) as response:
            if response.status in (400, 404):  # unknown or expired media
                raise media.Refused(f"media {media_id}: graph answered {response.status}")
            _raise_unless_ok(response.status)
            try:
                info = await response.json(content_type=None)
            except ValueError:
                raise media.Refused(f"media {media_id}: no JSON") from None
        size = info.get("file_size") if isinstance(info, dict) else None
        media_url = info.get("url") if isinstance(info, dict) else None
        if not graph.trusted_media_url(media_url):  # the token goes along: Meta's hosts only
            raise media.Refused(f"media {media_id}: no URL of Meta's")
        if isinstance(size, int) and size > limit:
            raise media.Refused(f"media {media_id}: {size} bytes announced")
        data = bytearray()
        async with graph.client.get(media_url, headers=graph.auth, timeout=MEDIA_TIMEOUT,
                                    allow_redirects=False) as response:
            if response.status in (400, 404) or 300 <= response.status < 400:  # no redirect is followed
                raise media.Refused(f"media {media_id}: graph answered {response.status}")
            _raise_unless_ok(response.status)
            async for chunk in response.content.iter_chunked(64 * 1024):
                data.extend(chunk)
                if len(data) > limit:
                    raise media.Refused(f"media {media_id}: over {limit} bytes")
        return bytes(data)

    async def _receipt(self, status: dict) -> None:
        provider_id, state = status.get("id"), status.get("status")
        if not provider_id or not state:
            return
        recipient = status.get("recipient_user_id") or status.get("recipient_id")
        errors = status.get("errors")
        if state == "failed":
            logger.warning("whatsapp message %s failed: %s", provider_id, errors)
        await messages.record_receipt(self.graph.db, CHANNEL, str(provider_id)[:160], str(state)[:16],
                                      str(recipient)[:MAX_ID_CHARS] if recipient else None,
                                      json.dumps(errors, ensure_ascii=False)[:2000] if errors else None)


class _Retry(Exception):
    """The Graph API answered 429, 5xx or an auth error: try again, then tell the citizen to resend."""


def _raise_unless_ok(status: int) -> None:
    if status != 200:
        raise _Retry(f"graph answered {status}")


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


WHATSAPP = web.AppKey("whatsapp", WhatsAppInbound)


async def verify(request: web.Request) -> web.Response:
    """Meta's subscription handshake: echo the challenge when the verify token is ours."""
    expected = request.app[WHATSAPP].graph.config.whatsapp_verify_token
    token = request.query.get("hub.verify_token", "")
    if (request.query.get("hub.mode") == "subscribe" and expected
            and hmac.compare_digest(token.encode(), expected.encode())):
        return web.Response(text=request.query.get("hub.challenge", ""))
    raise web.HTTPForbidden()


async def webhook(request: web.Request) -> web.Response:
    """One signed delivery: verify, store, acknowledge; the worker does the rest."""
    channel = request.app[WHATSAPP]
    body = await httputil.read_body(request, MAX_BODY_BYTES)
    if body is None:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length or 0)
    signature = request.headers.get("X-Hub-Signature-256")
    if not signature:
        raise web.HTTPUnauthorized()
    if not channel.signature_ok(body, signature):
        raise web.HTTPForbidden()
    try:
        payload = httputil.parse_json(body)
    except ValueError:
        raise web.HTTPBadRequest() from None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest()
    await channel.ingest(payload)
    return web.Response(text="ok")
