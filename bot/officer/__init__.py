"""The officers' console under /officer: server-rendered pages inside the gateway.

A sub-application, so its guard middleware (session, CSRF, security headers) covers every
console route and nothing else of the gateway. Anonymous GETs go to the login page, anonymous
POSTs get 403; a POST without the session's CSRF token gets 403 as well.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot import httputil
from bot.officer import common, security
from bot.officer.views import routes
from core import settings
from storage import accounts

PUBLIC_ROUTES = frozenset({"login", "login_post", "static"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS = {
    **httputil.security_headers("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _forbidden(request: web.Request, message: str) -> web.Response:
    return common.error_page(request, 403, message)


def _foreign_origin(request: web.Request) -> bool:
    """A browser's cross-site POST names its origin; ours must match the host it was sent to."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc != request.host


MAX_BODY = 64 * 1024  # forms only: no upload goes through the console


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        # The gateway's own limit (room for a photo) applies to a sub-application's requests unless
        # the request is told otherwise: every form here is read under the console's limit.
        if (request.content_length or 0) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length or 0)
        request = httputil.clone(request, client_max_size=MAX_BODY)
        response = await _guarded(request, handler)
    except web.HTTPException as error:
        if error.status < 400:  # redirects
            error.headers.update(SECURITY_HEADERS)
            raise
        response = common.error_page(request, error.status, error.text or error.reason)
    response.headers.update({k: v for k, v in SECURITY_HEADERS.items() if k not in response.headers})
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route
    if route.name in PUBLIC_ROUTES:
        if request.method not in SAFE_METHODS and _foreign_origin(request):
            return _forbidden(request, "Permintaan dari situs lain ditolak.")
        return await handler(request)
    token = request.cookies.get(common.SESSION_COOKIE)
    session = None
    if token:
        session = await accounts.get_session(common.db_of(request),
                                             security.token_hash(request.app[common.SECRET], token))
    if session is None:
        if request.method in SAFE_METHODS:
            raise web.HTTPFound(f"{common.PREFIX}/login?next={quote(request.path_qs, safe='')}")
        return _forbidden(request, "Silakan masuk terlebih dahulu.")
    request[common.SESSION] = session
    if request.method not in SAFE_METHODS:
        if _foreign_origin(request):
            return _forbidden(request, "Permintaan dari situs lain ditolak.")
        form = await httputil.read_form(request)  # cached: the handler reads the same form
        sent = form.get("csrf_token") or request.headers.get("X-CSRF-Token")
        if not security.same(str(sent) if sent else None, session.csrf_token):
            return _forbidden(request, "Token keamanan (CSRF) tidak valid. Muat ulang halaman lalu coba lagi.")
    return await handler(request)


async def _to_console(request: web.Request) -> web.Response:
    raise web.HTTPFound(f"{common.PREFIX}/")


def setup(app: web.Application, config: settings.Settings) -> None:
    """Mount the console at /officer (called by bot.app.create_app)."""
    console = web.Application(middlewares=[guard], client_max_size=MAX_BODY)
    console[common.JINJA] = common.make_environment()
    console[common.SECRET] = config.session_secret
    console[common.PASSWORD_GATE] = security.PasswordGate()
    console.add_routes(routes)
    app.router.add_get(common.PREFIX, _to_console)
    app.add_subapp(common.PREFIX, console)
