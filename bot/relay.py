"""Talking to Rasa's REST channel, and answering each accepted message exactly once."""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.message import Incoming, Outgoing
from core import texts
from storage import repo
from storage.db import Database

logger = logging.getLogger(__name__)

DUPLICATE_WAIT_S = 30.0
DUPLICATE_POLL_S = 0.2


class RasaUnavailable(Exception):
    """Rasa (or its action server) did not answer; the citizen is told, nothing is lost."""


class RasaClient:
    def __init__(self, base_url: str, session: aiohttp.ClientSession, timeout_s: float = 30) -> None:
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.session = session
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, message: Incoming) -> list[Outgoing]:
        body = {"sender": message.conversation_id, "message": message.text, "metadata": message.metadata}
        try:
            async with self.session.post(self.url, json=body, timeout=self.timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"rasa answered {response.status}")
                replies = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error)) from error
        return [to_outgoing(reply) for reply in replies if isinstance(reply, dict)]


def to_outgoing(reply: dict) -> Outgoing:
    """Rasa's REST reply ({"text", "buttons", "image", ...}) as an internal message."""
    return Outgoing.from_dict(reply)


class Relay:
    """Stores each message before processing it, so a redelivery returns the first answer."""

    def __init__(self, db: Database, rasa: RasaClient) -> None:
        self.db = db
        self.rasa = rasa

    async def handle(self, message: Incoming) -> list[Outgoing]:
        inbound_id, is_new = await repo.begin_inbound(
            self.db, message.channel, message.sender, message.message_id, message.text
        )
        if not is_new:
            return await self._replies_of_duplicate(inbound_id)
        try:
            replies = await self.rasa.send(message)
        except BaseException:  # unavailable or cancelled: a redelivery may try again
            await repo.abandon_inbound(self.db, inbound_id)
            raise
        await repo.finish_inbound(self.db, inbound_id, [r.as_dict() for r in replies])
        return replies

    async def _replies_of_duplicate(self, inbound_id: int) -> list[Outgoing]:
        waited = 0.0
        while waited < DUPLICATE_WAIT_S:
            stored = await repo.inbound_replies(self.db, inbound_id)
            if stored is not None:
                return [Outgoing.from_dict(r) for r in stored]
            await asyncio.sleep(DUPLICATE_POLL_S)
            waited += DUPLICATE_POLL_S
        return [Outgoing(text=texts.gateway("busy"))]
