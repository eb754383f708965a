"""Rasa's REST channel with the token check Rasa leaves out (loaded by Rasa through credentials.yml).

`rasa run --auth-token` guards the HTTP API (/conversations/..., /model/...), but not the channels'
webhooks: anyone who reaches the port could still talk as any `sender` (`web:<someone else>`) through
/webhooks/rest/webhook. This channel is Rasa's own REST channel (same name, path and payload) that
answers 401 unless the request carries the same token (`?token=`), read from core/settings.py.
Runs in the Rasa environment only.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import settings


class TokenRestInput(RestInput):
    """`rest`, but only for callers that know RASA_TOKEN (the gateway, the tests, the benchmarks)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        token = settings.load().rasa_token

        @blueprint.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            given = request.args.get("token") or ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"message": "a valid token is required"}, status=401)
            return None

        return blueprint
