"""What every HTTP part of the gateway (web chat, console, public pages, Open311) reads from a request
and adds to its response, kept in one place so a security fix lands everywhere at once."""

from __future__ import annotations

from aiohttp import web

from bot import keys
from core import settings
from storage.db import Database

NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def db_of(request: web.Request) -> Database:
    """The gateway's one Database (opened at startup); `config_dict` reaches it from sub-applications."""
    return request.config_dict[keys.DB]


def config_of(request: web.Request) -> settings.Settings:
    return request.config_dict[keys.SETTINGS]


def client_ip(request: web.Request) -> str | None:
    """The peer address. Behind a reverse proxy this is the proxy; X-Forwarded-For is not trusted."""
    return request.remote


def security_headers(policy: str, referrer: str = "same-origin") -> dict[str, str]:
    """The headers of an HTML page: its Content-Security-Policy, no sniffing, no framing."""
    return {
        "Content-Security-Policy": policy,
        **NOSNIFF,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": referrer,
    }


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The raw body (a webhook's signature is over these bytes), or None when it exceeds `limit`:
    checked against Content-Length first and counted while reading, for bodies sent without one."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)
