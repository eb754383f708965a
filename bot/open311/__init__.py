"""An Open311 GeoReport v2 API under /open311/v2, so civic apps and dashboards that speak the
standard can list proposals and submit new ones (with an API key).

A sub-application, so its middleware covers exactly its routes: every answer, errors included,
is GeoReport v2 JSON; every request counts against its IP's rate limit (POSTs also against the
API key's); bodies are small. `openapi.json` documents it; README "Open311 API" tells the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import httputil
from bot.httputil import NOSNIFF, client_ip, db_of
from bot.open311.common import LIMITS, MAX_BODY, PREFIX, ApiError, Limits, error_response, limits_of
from bot.open311.views import routes
from core import settings
from storage import api_keys

__all__ = ["LIMITS", "PREFIX", "Limits", "setup"]

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
READ_METHODS = frozenset({"GET", "HEAD"})


def _http_error(error: web.HTTPException, request: web.Request) -> web.Response:
    if error.status == 404:
        text = f"No such endpoint: {request.path} (see {PREFIX}/openapi.json)."
    elif error.status == 405:
        text = f"Method {request.method} is not allowed here."
    elif error.status == 413:
        text = f"Request body too large (at most {MAX_BODY // 1024} KiB)."
    else:
        text = error.reason
    headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
    return error_response(error.status, (text,), headers)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        limits = limits_of(request)
        ip = client_ip(request) or "unknown"
        rate = await api_keys.hit(db_of(request), f"ip:{ip}", limits.per_ip, limits.ip_window_s)
        if not rate.allowed:
            raise ApiError(429, f"Too many requests from this address (at most {rate.limit} per "
                                f"{limits.ip_window_s} s); retry after {rate.retry_after_s} s.",
                           headers={"Retry-After": str(rate.retry_after_s)})
        if request.method not in READ_METHODS:
            if (request.content_length or 0) > MAX_BODY:
                raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length or 0)
            request = httputil.clone(request, client_max_size=MAX_BODY)
        response = await handler(request)
    except ApiError as error:
        response = error_response(error.status, error.descriptions, error.headers)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = _http_error(error, request)
    except Exception:
        logger.exception("open311 %s %s failed", request.method, request.path)
        response = error_response(500, ("Internal error; please retry later.",))
    response.headers.update(NOSNIFF)
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"  # public data, no cookies involved
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def setup(app: web.Application, config: settings.Settings) -> None:
    """Mount the API at /open311/v2 (called by bot.app.create_app); tests may replace app[LIMITS]."""
    api = web.Application(middlewares=[guard], client_max_size=MAX_BODY)
    api.add_routes(routes)
    app[LIMITS] = Limits(per_ip=config.open311_per_ip_minute, post_per_key=config.open311_posts_per_key_hour)
    app.add_subapp(PREFIX, api)
