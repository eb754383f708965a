"""The action server: rasa_sdk's own Sanic app with the project's actions, plus JSON logs and /metrics.

`python -m ops.action_server --port 5055` (in the Rasa environment) replaces `rasa run actions`: the same
app (rasa_sdk.endpoint.create_app), the same host rule (SANIC_HOST) and workers
(ACTION_SERVER_SANIC_WORKERS), with two middlewares that time each action and count the citizens'
messages the NLU did not understand (`nlu_fallback`), once per message.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections import OrderedDict

from core import observability, settings
from storage import photos

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"
SEEN_LIMIT = 10_000  # message ids remembered so a turn's second action does not count its message again


class MessageCounter:
    """Counts each citizen's message once, however many actions its turn runs on this server."""

    def __init__(self) -> None:
        self.seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def observe(self, call: object) -> None:
        if not isinstance(call, dict):
            return
        latest = (call.get("tracker") or {}).get("latest_message") or {}
        key = (str(call.get("sender_id") or ""), str(latest.get("message_id") or ""))
        intent = (latest.get("intent") or {}).get("name")
        if not key[1] or not intent or key in self.seen:
            return
        self.seen[key] = None
        if len(self.seen) > SEEN_LIMIT:
            self.seen.popitem(last=False)
        observability.NLU_MESSAGES.labels("yes" if intent == FALLBACK_INTENT else "no").inc()


def create_app(package: str = "actions"):  # noqa: ANN201 - a Sanic app (rasa env only)
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app(package)
    config = settings.load()
    counter = MessageCounter()

    @app.middleware("request")
    async def _start(request) -> None:  # noqa: ANN001 - Sanic's request
        request.ctx.timer = observability.Timer()

    @app.middleware("response")
    async def _finish(request, reply) -> None:  # noqa: ANN001 - Sanic's request and response
        if request.path != "/webhook" or request.method != "POST":
            return
        try:
            call = request.json
        except Exception:
            call = None
        action = str(call.get("next_action") or "?") if isinstance(call, dict) else "?"
        outcome = "ok" if reply.status == 200 else "error"
        seconds = request.ctx.timer.seconds
        observability.ACTION_SECONDS.labels(action, outcome).observe(seconds)
        counter.observe(call)
        logger.info("action %s %s", action, outcome, extra={"action": action, "outcome": outcome,
                                                            "seconds": round(seconds, 3)})

    @app.listener("after_server_stop")
    async def _close_database(_app, _loop) -> None:  # noqa: ANN001 - Sanic's app and loop
        """The actions' pooled database connections (actions/common.py `database`) closed on shutdown."""
        common = sys.modules.get("actions.common")
        if common is not None and common.database.cache_info().currsize:
            await common.database().dispose()
            common.database.cache_clear()

    @app.get("/metrics")
    async def metrics(request):  # noqa: ANN001, ANN202 - Sanic
        if not observability.may_scrape(request.ip, "X-Forwarded-For" in request.headers,
                                        request.headers.get("Authorization", ""), config.metrics_token):
            return response.text("not found", status=404)
        body, content_type = observability.exposition()
        return response.raw(body, content_type=content_type)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        config = settings.load()
        photos.check_store(config)  # the form's photo check reads the S3 store: one that cannot be used stops here
    except settings.ConfigError as error:
        raise SystemExit(f"error: {error}") from None
    if config.log_format == "json":
        observability.setup_logging()
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from rasa_sdk import utils

    app = create_app(args.actions)
    host = os.environ.get("SANIC_HOST", config.actions_host)
    logger.info("action server on %s:%s", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
