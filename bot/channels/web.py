"""The web chat: its page, the JSON endpoint it talks to, and photo uploads.

In: /api/chat and /api/photo parse the request into `Incoming` and the intake answers it in the same
request (`Intake.answer`). Out: the JSON answer holds the replies; what comes later (an answer delayed
while Rasa was down, status news) is fetched by the page from /api/updates, so the web chat needs no
outbox sender.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import re
import uuid
from functools import lru_cache
from pathlib import Path

from aiohttp import web

from bot import httputil, media
from bot.keys import INTAKE
from bot.message import Incoming, Outgoing
from bot.relay import RasaUnavailable
from core import texts
from storage import messages, rate_limits

CHANNEL = "web"
routes = web.RouteTableDef()
STATIC = Path(__file__).resolve().parent.parent / "static"
SENDER_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")  # always fullmatch: "$" would let a trailing newline in
MESSAGE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_CHAT_BODY = 64 * 1024  # a message is at most MAX_MESSAGE_CHARS; the gateway's limit is a photo's
PAGE_LANGUAGE = "id"  # <html lang="id">: the page's own words, the offline banner's too
INLINE_RE = re.compile(rb"<(script|style)>(.*?)</\1>", re.DOTALL)


def _reply(messages: list[Outgoing], status: int = 200) -> web.Response:
    return web.json_response({"messages": [m.as_dict() for m in messages]}, status=status)


def _notice(key: str, status: int, language: str | None = None, **values: object) -> web.Response:
    return _reply([Outgoing(text=texts.gateway(key, language, **values))], status=status)


@routes.get("/chat")
async def chat_page(request: web.Request) -> web.Response:
    """The chat page: one file with its own script and style, and a CSP that allows exactly those."""
    page = STATIC / "chat.html"
    stat = page.stat()
    body, policy = _page(page, stat.st_mtime_ns, stat.st_size)
    return web.Response(body=body, content_type="text/html", charset="utf-8", headers={
        "Cache-Control": "no-cache", **httputil.security_headers(policy)})


def page_text(template: bytes, language: str = PAGE_LANGUAGE) -> bytes:
    """The page with its offline texts (core/texts.py, in the page's language) in their places."""
    for key in texts.WEB_CHAT:
        template = template.replace(b"{{" + key.encode() + b"}}", html.escape(texts.web_chat(key, language)).encode())
    return template


@lru_cache(maxsize=4)
def _page(path: Path, _mtime_ns: int, _size: int) -> tuple[bytes, str]:
    """The page and its CSP (hashes of its inline script and style: nothing else runs, nothing loads
    from elsewhere; its own service worker and manifest only); cached until the file changes."""
    body = page_text(path.read_bytes())
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for kind, content in INLINE_RE.findall(body):
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
        hashes[kind.decode()].append(f"'sha256-{digest}'")
    scripts, styles = (" ".join(hashes[kind]) or "'none'" for kind in ("script", "style"))
    policy = (f"default-src 'none'; script-src {scripts}; style-src {styles}; connect-src 'self'; "
              "img-src 'self' data:; worker-src 'self'; manifest-src 'self'; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")
    return body, policy


# The installable, offline web chat: its service worker (scope /chat), manifest and icon.
SHELL_FILES = {"chat-sw.js": "text/javascript", "chat.webmanifest": "application/manifest+json",
               "chat-icon.svg": "image/svg+xml"}


async def shell_file(request: web.Request) -> web.Response:
    name = request.path.lstrip("/")
    headers = {"Cache-Control": "no-cache", **httputil.NOSNIFF,
               # the worker fetches the page for its cache; nothing else
               "Content-Security-Policy": "default-src 'none'; connect-src 'self'"}
    return web.Response(body=(STATIC / name).read_bytes(), content_type=SHELL_FILES[name], headers=headers)


for _name in SHELL_FILES:
    routes.get("/" + _name)(shell_file)


@routes.get("/healthz")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.post("/api/chat")
async def chat(request: web.Request) -> web.Response:
    """One message from the web chat; the JSON answer holds the bot's replies."""
    try:
        body = await httputil.read_json(request, MAX_CHAT_BODY)
    except ValueError:
        return _notice("bad_request", 400)
    if not isinstance(body, dict):
        return _notice("bad_request", 400)
    sender = str(body.get("sender") or "")
    message_id = str(body.get("message_id") or uuid.uuid4().hex)
    text = body.get("message")
    if not SENDER_RE.fullmatch(sender) or not MESSAGE_ID_RE.fullmatch(message_id) or not isinstance(text, str):
        return _notice("bad_request", 400)
    message = Incoming(channel=CHANNEL, sender=sender, message_id=message_id, text=text)
    try:
        replies = await request.app[INTAKE].answer(message)
    except RasaUnavailable:
        return _notice("busy_saved", 503)  # stored: the answer comes through /api/updates
    return _reply(replies)


@routes.get("/api/updates")
async def updates(request: web.Request) -> web.Response:
    """Messages for this web chat that arrived outside a request: late answers, notifications.

    Nothing counts as delivered until the page says it has it: each poll sends `after`, the `last` id
    of the previous answer, and only those messages are marked sent. A poll whose answer was lost
    (a dropped connection, a closed tab) gets the same messages again on the next one.
    """
    sender = request.query.get("sender", "")
    after = request.query.get("after", "0") or "0"
    if not SENDER_RE.fullmatch(sender) or not after.isdigit() or len(after) > 18:
        return _notice("bad_request", 400)
    db = httputil.db_of(request)
    rate = await rate_limits.hit(db, f"web-poll:{sender}", httputil.config_of(request).web_poll_per_minute, 60)
    if not rate.allowed:  # the page polls every 5 s; faster is not a person
        return web.json_response({"messages": []}, status=429, headers={"Retry-After": str(rate.retry_after_s)})
    pending = await messages.web_updates(db, CHANNEL, sender, int(after))
    return web.json_response({"messages": [Outgoing.from_dict(payload).as_dict() for _, payload in pending],
                              "last": pending[-1][0] if pending else int(after)})


@routes.post("/api/photo")
async def photo(request: web.Request) -> web.Response:
    """Store an uploaded photo and pass its reference to the form, as if the citizen sent it.

    Within the sender's rate, and only while their form asks for a photo; the file is decoded (with a
    pixel cap) and stored re-encoded, without its metadata (bot/media.py)."""
    config = httputil.config_of(request)
    intake = request.app[INTAKE]
    sender = request.query.get("sender", "")
    if not SENDER_RE.fullmatch(sender):
        return _notice("bad_request", 400)
    message = Incoming(channel=CHANNEL, sender=sender, message_id=uuid.uuid4().hex, text="")
    over = await intake.over_rate(message)
    if over is not None:
        return _reply([over] if over.text else [])
    try:
        expected = await intake.photo_expected(message)
    except RasaUnavailable:
        return _notice("busy", 503)
    language = await intake.citizen_language(message)
    if not expected:
        return _notice("photo_not_expected", 200, language=language)
    data = await _read_upload(request, config.max_photo_bytes)
    try:
        kind, data = await media.accept_async(data or b"", config.max_photo_bytes, config.max_photo_pixels)
    except media.Refused:
        return _notice("bad_photo", 200, language=language, limit_mb=media.megabytes(config.max_photo_bytes))
    name = media.new_name(kind)
    try:
        await media.store_async(config, name, data)
    except media.Unavailable:  # the photo store (S3) cannot be reached now: the citizen sends it again
        return _notice("busy", 503)
    message = dataclasses.replace(message, text=media.share_text(name))
    try:
        replies = await intake.answer(message, counted=True)
    except RasaUnavailable:
        return _notice("busy", 503)
    return _reply(replies)


async def _read_upload(request: web.Request, limit: int) -> bytes | None:
    """The uploaded file's bytes, or None when there is none or it is larger than `limit`."""
    if not request.content_type.startswith("multipart/"):
        return None
    reader = await request.multipart()
    part = await reader.next()
    if part is None or getattr(part, "name", None) != "photo":
        return None
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data.extend(chunk)
        if len(data) > limit:
            return None
    return bytes(data)
