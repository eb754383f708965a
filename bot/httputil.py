"""What every HTTP part of the gateway (web chat, console, public pages, Open311) reads from a request
and adds to its response, kept in one place so a security fix lands everywhere at once."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from ipaddress import ip_address

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp_remotes import XForwardedFiltered
from aiohttp_remotes.utils import check_ip
from multidict import MultiDictProxy

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
    """The client's address, for every limit, lockout and audit row: the peer, or, when the peer is
    one of TRUSTED_PROXIES, the address it forwarded (`TrustedProxies`). Never a header alone."""
    return request.remote


def clone(request: web.Request, **changes: object) -> web.Request:
    """`request.clone` keeping the client's address, scheme and host: aiohttp's own clone starts them
    again from the connection, which would undo what `TrustedProxies` set."""
    return request.clone(**{"remote": request.remote, "scheme": request.scheme, "host": request.host, **changes})


class TrustedProxies(XForwardedFiltered):
    """aiohttp-remotes' X-Forwarded-For handling, only for requests whose peer is a trusted proxy:
    from such a peer, the right-most address in X-Forwarded-For that is not a trusted proxy becomes
    `request.remote` (and X-Forwarded-Proto its scheme, for secure cookies behind TLS); from anyone
    else the headers are ignored, so a client cannot choose its own address. A malformed header
    from a trusted proxy is answered 400."""

    def __init__(self, trusted: Iterable[str]) -> None:
        try:
            super().__init__(set(trusted))
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES: {error}") from None

    @web.middleware
    async def middleware(self, request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport is not None else None
        try:
            check_ip(self._trusted, ip_address(peer[0]))
        except Exception:  # an untrusted peer (or a unix socket): its forwarding headers mean nothing
            return await handler(request)
        return await super().middleware(request, handler)


def security_headers(policy: str, referrer: str = "same-origin") -> dict[str, str]:
    """The headers of an HTML page: its Content-Security-Policy, no sniffing, no framing."""
    return {
        "Content-Security-Policy": policy,
        **NOSNIFF,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": referrer,
    }


MAX_JSON_DEPTH = 64


def parse_json(body: bytes | str) -> object:
    """JSON from a request body; ValueError for anything that is not plain, shallow JSON (a deeply
    nested body would otherwise end in a RecursionError, answered 500)."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise ValueError("JSON nested too deeply")
    return data


def _depth(value: object) -> int:
    """Nesting depth, iteratively (no recursion for an attacker to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


async def read_json(request: web.Request, limit: int) -> object:
    """A JSON request body of at most `limit` bytes; ValueError when it is too large or not JSON."""
    body = await read_body(request, limit)
    if body is None:
        raise ValueError("body too large")
    return parse_json(body)


async def read_form(request: web.Request) -> MultiDictProxy:
    """The request's form (cached by aiohttp); a body that is not a well-formed form (a multipart part
    with a broken header, undecodable bytes) is the client's error: HTTPBadRequest, not a 500."""
    try:
        return await request.post()
    except (ValueError, UnicodeDecodeError, HttpProcessingError) as error:
        raise web.HTTPBadRequest(text="malformed form body") from error


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
