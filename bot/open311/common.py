"""What the Open311 handlers share: app keys, limits, and GeoReport v2's error format."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from bot.httputil import config_of as config_of  # the API's handlers use them from here
from bot.httputil import db_of as db_of

PREFIX = "/open311/v2"
MAX_BODY = 64 * 1024  # a proposal is text; photos go through the chat


@dataclass(frozen=True)
class Limits:
    """Rate limits: every request per client IP, and POSTs per API key as well."""

    per_ip: int = 120
    ip_window_s: int = 60
    post_per_key: int = 60
    key_window_s: int = 3600


LIMITS = web.AppKey("open311_limits", Limits)


class ApiError(Exception):
    """A refusal, answered as GeoReport v2's list of errors: [{"code": 400, "description": "..."}]."""

    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = descriptions or ("error",)
        self.headers = headers or {}


def error_response(status: int, descriptions: tuple[str, ...] | list[str],
                   headers: dict[str, str] | None = None) -> web.Response:
    return json_response([{"code": status, "description": text} for text in descriptions], status, headers)


def json_response(data: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(data, status=status, headers=headers,
                             dumps=lambda value: json.dumps(value, ensure_ascii=False))


def limits_of(request: web.Request) -> Limits:
    return request.config_dict.get(LIMITS) or Limits()
