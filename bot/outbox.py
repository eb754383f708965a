"""Delivering the outbox: replies, notifications and notices, with retries and backoff."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Protocol

from bot.message import Outgoing
from storage import messages
from storage.db import Database

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class SendError(Exception):
    """A failed send; `permanent` ones (unknown chat, blocked bot) are not retried."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChannelSender(Protocol):
    channel: str

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        """Deliver one outbox message to `job.recipient`; returns the channel's message id.

        Buttons may carry `f"{job.id}:{index}"` as their short id (Telegram allows 64 bytes of
        callback data); `messages.button_payload` turns it back into the Rasa payload.
        """


class OutboxDispatcher:
    def __init__(self, db: Database, senders: dict[str, ChannelSender], idle_s: float = 0.3) -> None:
        self.db = db
        self.senders = senders
        self.idle_s = idle_s
        self.wakeup = asyncio.Event()

    async def run_once(self) -> int:
        if not self.senders:
            return 0
        jobs = await messages.claim_outgoing(self.db, tuple(self.senders))
        for job in jobs:
            sender = self.senders[job.channel]
            try:
                provider_id = await sender.send(job, Outgoing.from_dict(job.payload))
            except SendError as error:
                give_up = error.permanent or job.attempts >= MAX_ATTEMPTS
                logger.warning("send %s failed (%s)%s", job.id, error, "; giving up" if give_up else "")
                retry = None if give_up else timedelta(seconds=min(300, 2 ** job.attempts))
                await messages.outgoing_failed(self.db, job.id, str(error), retry)
                continue
            except Exception as error:  # network trouble and the like: retry
                logger.exception("send %s failed", job.id)
                retry = None if job.attempts >= MAX_ATTEMPTS else timedelta(seconds=min(300, 2 ** job.attempts))
                await messages.outgoing_failed(self.db, job.id, repr(error), retry)
                continue
            await messages.outgoing_sent(self.db, job.id, provider_id)
        return len(jobs)

    async def run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:
                logger.exception("outbox step failed")
                sent = 0
            if not sent:
                self.wakeup.clear()
                try:
                    await asyncio.wait_for(self.wakeup.wait(), self.idle_s)
                except asyncio.TimeoutError:
                    pass
