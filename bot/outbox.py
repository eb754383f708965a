"""Delivering the outbox: replies, notifications and notices, with retries and backoff, through
each channel's `Sender` (bot/sender.py).

A message is retried until it is delivered or its time budget (OUTBOX_RETRY_HOURS, 48 h by default,
counted from when it was queued) is spent, so a channel outage of a day loses nothing; the backoff
grows to MAX_BACKOFF and follows the platform's own `retry_after` when it names one. Only a
permanent error (a blocked bot, an unknown chat) or a spent budget marks it `failed`; admins see
failed deliveries in the console (/officer/admin/pengiriman) and re-send them there or with
`./musrenbang resend`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from bot.message import Outgoing
from bot.sender import Sender, SendError
from storage import messages, wakeups
from storage.db import Database

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
DEFAULT_BUDGET = timedelta(hours=48)


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """2, 4, 8 ... seconds, capped at MAX_BACKOFF; never sooner than the platform's `retry_after`."""
    delay = timedelta(seconds=min(MAX_BACKOFF.total_seconds(), 2 ** min(attempts, 20)))
    if retry_after is not None and retry_after > 0:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


class OutboxDispatcher:
    """Sends the outbox: recipients in parallel (up to `concurrency` at once), each recipient's
    messages in order. Sleeps until a write wakes it (storage.wakeups), or `idle_s` at most."""

    def __init__(self, db: Database, senders: dict[str, Sender], idle_s: float = 5.0,
                 budget: timedelta = DEFAULT_BUDGET, concurrency: int = 16) -> None:
        self.db = db
        self.senders = senders
        self.idle_s = idle_s
        self.budget = budget  # how long a message is retried before it is marked failed
        self.concurrency = concurrency

    @property
    def wakeup(self) -> asyncio.Event:
        """Set when the outbox may have work (storage.wakeups)."""
        return self.db.wakeups.event(wakeups.OUTBOX)

    async def claim(self) -> list[messages.OutboxJob]:
        """The background loop's claim: due messages of the channels this gateway sends (storage's one
        claim of the outbox); replacing it on an instance pauses the loop, `run_once` still steps."""
        return await self._claim_due()

    async def _claim_due(self) -> list[messages.OutboxJob]:
        if not self.senders:
            return []
        return await messages.claim_outgoing(self.db, tuple(self.senders))

    async def run_once(self) -> int:
        """Send what is due: recipients in parallel, each recipient's messages in order."""
        jobs = await self._claim_due()
        await asyncio.gather(*(self._send_in_order(queue) for queue in _by_recipient(jobs or [])))
        return len(jobs or [])

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
            retry_after = error.retry_after if isinstance(error, SendError) else None
            retry = retry_delay(job.attempts, retry_after)
            give_up = permanent or _age(job) + retry > self.budget
            if isinstance(error, SendError):
                logger.warning("send %s failed (%s)%s", job.id, error, "; giving up" if give_up else "")
            else:  # network trouble and the like
                logger.exception("send %s failed", job.id)
            retry = None if give_up else retry
            await messages.outgoing_failed(self.db, job.id, str(error) or repr(error), retry)
            return retry
        await messages.outgoing_sent(self.db, job.id, provider_id)
        return None

    async def run(self) -> None:
        """Forever: claim while a slot is free, each recipient's run sent by a task of its own (a slow
        platform holds up only its recipients); sleep until woken when nothing is due."""
        wake = self.wakeup
        running: set[asyncio.Task] = set()
        try:
            while True:
                if len(running) >= self.concurrency:
                    await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                wake.clear()  # before the claim: a message queued during it wakes us again
                try:
                    jobs = await self.claim()
                except Exception:
                    logger.exception("outbox claim failed")
                    jobs = []
                for queue in _by_recipient(jobs or []):
                    task = asyncio.create_task(self._send_logged(queue))
                    running.add(task)
                    # done: that recipient's next message may be claimed now
                    task.add_done_callback(lambda done: (running.discard(done), wake.set()))
                if jobs:
                    continue
                try:
                    await asyncio.wait_for(wake.wait(), self.idle_s)
                except asyncio.TimeoutError:
                    pass
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _send_logged(self, queue: list[messages.OutboxJob]) -> None:
        try:
            await self._send_in_order(queue)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("outbox step failed")


def _by_recipient(jobs: list[messages.OutboxJob]) -> list[list[messages.OutboxJob]]:
    by_recipient: dict[tuple[str, str], list[messages.OutboxJob]] = {}
    for job in jobs:
        by_recipient.setdefault((job.channel, job.recipient), []).append(job)
    return list(by_recipient.values())


def _age(job: messages.OutboxJob) -> timedelta:
    queued = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - queued
