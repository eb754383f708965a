"""Delivering the outbox: replies, notifications and notices, with retries and backoff, through
each channel's `Sender` (bot/sender.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.message import Outgoing
from bot.sender import Sender, SendError
from storage import messages
from storage.db import Database

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class OutboxDispatcher:
    def __init__(self, db: Database, senders: dict[str, Sender], idle_s: float = 0.3) -> None:
        self.db = db
        self.senders = senders
        self.idle_s = idle_s
        self.wakeup = asyncio.Event()

    async def run_once(self) -> int:
        """Send what is due: recipients in parallel, each recipient's messages in order."""
        if not self.senders:
            return 0
        jobs = await messages.claim_outgoing(self.db, tuple(self.senders))
        by_recipient: dict[tuple[str, str], list[messages.OutboxJob]] = {}
        for job in jobs:
            by_recipient.setdefault((job.channel, job.recipient), []).append(job)
        await asyncio.gather(*(self._send_in_order(queue) for queue in by_recipient.values()))
        return len(jobs)

    async def _send_in_order(self, queue: list[messages.OutboxJob]) -> None:
        for index, job in enumerate(queue):
            retry = await self._send(job)
            if retry is not None:  # later messages must not overtake this one
                for later in queue[index + 1 :]:
                    await messages.outgoing_failed(self.db, later.id, "waiting for an earlier message", retry)
                return

    async def _send(self, job: messages.OutboxJob) -> timedelta | None:
        """Deliver one message; the delay before a retry when it failed, else None."""
        try:
            provider_id = await self.senders[job.channel].send(job, Outgoing.from_dict(job.payload))
        except Exception as error:
            permanent = isinstance(error, SendError) and error.permanent
            give_up = permanent or job.attempts >= MAX_ATTEMPTS
            if isinstance(error, SendError):
                logger.warning("send %s failed (%s)%s", job.id, error, "; giving up" if give_up else "")
            else:  # network trouble and the like
                logger.exception("send %s failed", job.id)
            retry = None if give_up else timedelta(seconds=min(300, 2 ** job.attempts))
            await messages.outgoing_failed(self.db, job.id, str(error) or repr(error), retry)
            return retry
        await messages.outgoing_sent(self.db, job.id, provider_id)
        return None

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
