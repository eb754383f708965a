"""From a stored inbound message to Rasa and back: each accepted message is processed once.

Two paths share the queue in storage/messages.py:
- the web chat answers in the same HTTP request (`Relay.handle`);
- webhook channels (Telegram, WhatsApp) acknowledge at once and a `Worker` relays in the
  background, putting replies in the outbox. When Rasa is down the message waits, the citizen
  is told once that it is saved, and it is processed when Rasa is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

import aiohttp

from bot.message import Incoming, Outgoing
from core import texts
from storage import messages
from storage.db import Database

logger = logging.getLogger(__name__)

DUPLICATE_WAIT_S = 30.0
POLL_S = 0.2
MAX_BACKOFF_S = 10  # once Rasa is back, a waiting message is answered within this


class RasaUnavailable(Exception):
    """Rasa (or its action server) did not answer; nothing is lost, the message waits."""


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
            raise RasaUnavailable(str(error) or type(error).__name__) from error
        return [Outgoing.from_dict(reply) for reply in replies if isinstance(reply, dict)]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_S, 2 ** max(0, attempts - 1)))


def busy_notice(text: str) -> Outgoing:
    """"Busy, your message is saved", in the language the citizen wrote in."""
    from nlu.language_model import detect

    return Outgoing(text=texts.gateway("busy_saved", detect(text)))


class Relay:
    """The web chat's synchronous path: store, relay, answer; a redelivery gets the first answer."""

    def __init__(self, db: Database, rasa: RasaClient) -> None:
        self.db = db
        self.rasa = rasa

    async def handle(self, message: Incoming) -> list[Outgoing]:
        inbound_id, is_new = await messages.accept_inbound(
            self.db, message.channel, message.sender, message.message_id, message.text, message.metadata,
            status="processing",
        )
        if not is_new:
            return await self._replies_of(inbound_id)
        try:
            replies = await self.rasa.send(message)
        except RasaUnavailable:
            # Saved: the worker processes it when Rasa is back; the replies reach the chat by polling.
            await messages.postpone_inbound(self.db, inbound_id, backoff(1))
            raise
        except BaseException:
            await messages.release_inbound(self.db, inbound_id)
            raise
        await messages.mark_inbound_done(self.db, inbound_id, [r.as_dict() for r in replies])
        return replies

    async def _replies_of(self, inbound_id: int) -> list[Outgoing]:
        waited = 0.0
        while waited < DUPLICATE_WAIT_S:
            status, stored = await messages.inbound_state(self.db, inbound_id)
            if status == "done":
                return [Outgoing.from_dict(r) for r in stored or []]
            await asyncio.sleep(POLL_S)
            waited += POLL_S
        raise RasaUnavailable("the first delivery of this message is still being processed")


class Worker:
    """Relays queued messages to Rasa and queues the replies.

    `run` keeps `concurrency` loops busy: different senders are relayed in parallel, while the
    claim query keeps one sender's messages in order, one at a time.
    """

    def __init__(self, db: Database, rasa: RasaClient, idle_s: float = 0.3, concurrency: int = 8,
                 on_replies: Callable[[], None] | None = None) -> None:
        self.db = db
        self.rasa = rasa
        self.idle_s = idle_s
        self.concurrency = concurrency
        self.on_replies = on_replies  # e.g. wake the outbox dispatcher at once
        self.wakeup = asyncio.Event()

    async def run_once(self) -> bool:
        """Process one message if one is due; False when the queue had nothing to do."""
        job = await messages.claim_inbound(self.db)
        if job is None:
            return False
        message = Incoming(job.channel, job.sender, job.message_id, job.text, job.meta)
        try:
            replies = await self.rasa.send(message)
        except RasaUnavailable as error:
            logger.warning("rasa unavailable (%s); message %s waits", error, job.id)
            await messages.postpone_inbound(self.db, job.id, backoff(job.attempts), busy_notice(job.text).as_dict())
            return True
        except asyncio.CancelledError:
            # The gateway is stopping: hand the message back now, not after the claim's lease (120 s),
            # which would hold this sender's conversation for that long after a restart.
            await messages.release_inbound(self.db, job.id)
            raise
        await messages.complete_inbound(self.db, job.id, [r.as_dict() for r in replies])
        if self.on_replies is not None:
            self.on_replies()
        return True

    async def run(self) -> None:
        await asyncio.gather(*(self._loop() for _ in range(self.concurrency)))

    async def _loop(self) -> None:
        while True:
            try:
                busy = await self.run_once()
            except Exception:  # a broken row must not stop the queue
                logger.exception("worker step failed")
                busy = False
            if not busy:
                self.wakeup.clear()
                try:
                    await asyncio.wait_for(self.wakeup.wait(), self.idle_s)
                except asyncio.TimeoutError:
                    pass
