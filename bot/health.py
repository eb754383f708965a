"""Readiness and metrics of the gateway: `/readyz` for the load balancer and the service manager,
`/metrics` for Prometheus. `/healthz` (bot/channels/web.py) stays the cheap liveness answer."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

from bot import httputil, keys
from core import observability
from storage import health

routes = web.RouteTableDef()
CHECK_TIMEOUT_S = 3


async def _http_ok(client: aiohttp.ClientSession, url: str, params: dict[str, str] | None = None) -> str | None:
    """None when `url` answers 200, else why not (no address or body: they may carry a token)."""
    try:
        async with client.get(url, params=params, timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)) as response:
            if response.status != 200:
                return f"answered {response.status}"
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return type(error).__name__
    if isinstance(body, dict) and "model_file" in body and not body.get("model_file"):
        return "no model loaded"
    return None


def _actions_health_url(webhook: str) -> str:
    base = webhook.rstrip("/")
    return (base[: -len("/webhook")] if base.endswith("/webhook") else base) + "/health"


async def _database(request: web.Request) -> tuple[str | None, dict]:
    db = httputil.db_of(request)
    try:
        await asyncio.wait_for(health.ping(db), CHECK_TIMEOUT_S)
        states = await asyncio.wait_for(health.queues(db), CHECK_TIMEOUT_S)
    except Exception as error:
        return type(error).__name__, {}
    return None, states


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """200 when this gateway can take and answer messages: the database, Rasa (model loaded) and the
    action server answer, and neither queue has a due message nobody took for READY_MAX_OVERDUE seconds.
    503 otherwise, naming the failing parts."""
    config, client = httputil.config_of(request), request.config_dict[keys.CLIENT]
    (db_error, states), rasa_error, actions_error = await asyncio.gather(
        _database(request),
        _http_ok(client, f"{config.rasa_url.rstrip('/')}/status", {"token": config.rasa_token}),
        _http_ok(client, _actions_health_url(config.action_server_url)),
    )
    checks: dict[str, dict] = {
        "database": {"ok": db_error is None, **({"error": db_error} if db_error else {})},
        "rasa": {"ok": rasa_error is None, **({"error": rasa_error} if rasa_error else {})},
        "action_server": {"ok": actions_error is None, **({"error": actions_error} if actions_error else {})},
    }
    for name, state in states.items():
        overdue = round(state.overdue_s, 1)
        ok = overdue <= config.ready_max_overdue_s
        checks[f"{name}_queue"] = {"ok": ok, "overdue_s": overdue, "depth": state.depth,
                                   **({} if ok else {"error": f"a message waits {overdue:.0f} s"})}
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ready" if not failing else "not ready", "failing": failing, "checks": checks}
    return web.json_response(body, status=200 if not failing else 503, headers={"Cache-Control": "no-store"})


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format; the queue gauges are read from the database at each scrape."""
    config = httputil.config_of(request)
    if not observability.may_scrape(request.remote, "X-Forwarded-For" in request.headers,
                                    request.headers.get("Authorization", ""), config.metrics_token):
        raise web.HTTPNotFound()
    try:
        states = await asyncio.wait_for(health.queues(httputil.db_of(request)), CHECK_TIMEOUT_S)
    except Exception:
        states = {}
    for name, state in states.items():
        for status, count in state.depth.items():
            observability.QUEUE_DEPTH.labels(name, status).set(count)
        observability.QUEUE_AGE.labels(name).set(state.overdue_s)
    body, content_type = observability.exposition()
    response = web.Response(body=body, headers={"Cache-Control": "no-store"})
    response.content_type = content_type.split(";")[0]
    response.charset = "utf-8"
    return response


def setup(app: web.Application, _config: object) -> None:
    app.add_routes(routes)
