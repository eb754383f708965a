"""What the WhatsApp modules share: the Graph API's addresses and credentials."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot import keys
from core import settings
from storage.db import Database

CHANNEL = "whatsapp"
MAX_ID_CHARS = 128  # the queue's sender and message id columns
# Where Meta serves media from: the token goes along, so a media address anywhere else is refused.
META_DOMAINS = ("facebook.com", "fbcdn.net", "fbsbx.com", "whatsapp.net", "whatsapp.com")


class Graph:
    """The Graph API as seen by this gateway: the app's HTTP client, the token, the phone number."""

    def __init__(self, app: web.Application, config: settings.Settings) -> None:
        self.app = app
        self.config = config

    @property
    def db(self) -> Database:
        return self.app[keys.DB]

    @property
    def client(self) -> aiohttp.ClientSession:
        return self.app[keys.CLIENT]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.whatsapp_token}"}

    @property
    def messages_url(self) -> str:
        return f"{self.config.whatsapp_graph_url.rstrip('/')}/{self.config.whatsapp_phone_number_id}/messages"

    def media_url(self, media_id: str) -> str:
        return f"{self.config.whatsapp_graph_url.rstrip('/')}/{media_id}"

    def trusted_media_url(self, url: object) -> bool:
        """A media address the token may be sent to: https on one of Meta's domains, or the configured
        Graph API's own scheme and host (a test or a proxy)."""
        if not isinstance(url, str):
            return False
        try:
            parts, graph = urlsplit(url), urlsplit(self.config.whatsapp_graph_url)
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        if (parts.scheme, parts.netloc) == (graph.scheme, graph.netloc):
            return True
        return parts.scheme == "https" and any(host == d or host.endswith("." + d) for d in META_DOMAINS)
