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
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

from bot import claimloop
from bot.message import Outgoing
from bot.sender import Sender, SendError
from core import observability
from storage import messages, wakeups
from storage.db import Database

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
DEFAULT_BUDGET = timedelta(hours=48)
RECORD_WITHIN = messages.LEASE / 2  # a delivery's outcome is written again for this long (the lease outlasts it)
RECORD_ON_STOP_S = 5.0
LOST: timedelta = timedelta(-1)  # `_send`'s answer when the claim is not ours any more (taken over)


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
        for sender in senders.values():
            if isinstance(sender, Sender):  # each part of a message is recorded as it goes out
                sender.part_sent = self._part_sent

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
            if retry is LOST:  # another gateway took this run over: the rest is its to send
                return
            if retry is not None:  # later messages must not overtake this one
                for later in queue[index + 1 :]:
                    await messages.outgoing_failed(self.db, later.id, "waiting for an earlier message", retry)
                return

    async def _send(self, job: messages.OutboxJob) -> timedelta | None:
        """Deliver one message; the delay before a retry when it failed, else None (LOST: not ours now).

        Between the platform's answer and the "sent" record, a sender that dies leaves a claim another
        gateway takes over when its lease ends, and sends again: the Bot API and the Graph API have no
        idempotency key. So that window holds nothing else: the claim is checked and the delivery stamped
        as started before the call (`start_delivery`), each part of a message is recorded as the platform
        answers it, "sent" is one short transaction right after the answer, written again until it lands
        (a database restart), and whatever else follows a delivery (`Sender.after_sent`) waits for it.
        """
        ids = {"outbox_id": job.id, "channel": job.channel}
        if not await messages.start_delivery(self.db, job):
            logger.warning("outbox %s: claim taken over by another gateway; not sent here", job.id, extra=ids)
            return LOST
        if job.interrupted:
            logger.warning("outbox %s: sending again; an earlier sender died mid-delivery", job.id, extra=ids)
        sender = self.senders[job.channel]
        try:
            provider_id = await sender.send(job, Outgoing.from_dict(job.payload))
        except Exception as error:
            permanent = isinstance(error, SendError) and error.permanent
            retry_after = error.retry_after if isinstance(error, SendError) else None
            retry = retry_delay(job.attempts, retry_after)
            give_up = permanent or _age(job) + retry > self.budget
            if isinstance(error, SendError):
                logger.warning("send %s failed (%s)%s", job.id, error, "; giving up" if give_up else "", extra=ids)
            else:  # network trouble and the like
                logger.exception("send %s failed", job.id, extra=ids)
            retry = None if give_up else retry
            observability.DELIVERIES_FAILED.labels(job.channel, "yes" if give_up else "no").inc()
            await self._record(messages.outgoing_failed, job.id, str(error) or repr(error), retry)
            return retry
        await self._record(messages.outgoing_sent, job.id, provider_id)
        observability.DELIVERIES_SENT.labels(job.channel).inc()
        if isinstance(sender, Sender):
            await sender.after_sent(job, provider_id)
        return None

    async def _part_sent(self, job: messages.OutboxJob, parts_sent: int, provider_id: str | None) -> None:
        """A part of a message sent in several platform calls is out (Sender.in_parts)."""
        await self._record(messages.outgoing_part_sent, job.id, parts_sent, provider_id)

    async def _record(self, write: Callable[..., Awaitable[None]], outbox_id: int, *args: object) -> None:
        """Record a delivery's outcome at once, and again while the database does not take it (a restart,
        a dropped connection) for up to RECORD_WITHIN: until it lands, the claim would expire and the
        message go out twice. A gateway being stopped (cancelled) still lets the record finish."""
        recording = asyncio.ensure_future(self._record_until_done(write, outbox_id, *args))
        try:
            await asyncio.shield(recording)
        except asyncio.CancelledError:
            await asyncio.wait([recording], timeout=RECORD_ON_STOP_S)
            raise

    async def _record_until_done(self, write: Callable[..., Awaitable[None]], outbox_id: int, *args: object) -> None:
        deadline = time.monotonic() + RECORD_WITHIN.total_seconds()
        pause = 0.1
        while True:
            try:
                await write(self.db, outbox_id, *args)
                return
            except Exception as error:
                if time.monotonic() + pause > deadline:
                    raise
                logger.warning("outbox %s: outcome not recorded yet (%s); trying again", outbox_id,
                               type(error).__name__, extra={"outbox_id": outbox_id})
            await asyncio.sleep(pause)
            pause = min(2.0, pause * 2)

    async def run(self) -> None:
        """Forever: each recipient's run sent by a task of its own (a slow platform holds up only its
        recipients), up to `concurrency` at once; sleep until woken when nothing is due (the gateway's
        one claim loop, bot/claimloop.py)."""
        await claimloop.run(self._claim_runs, self._send_in_order, self.wakeup, self.concurrency, self.idle_s,
                            "outbox", ids=lambda queue: {"outbox_id": queue[0].id, "channel": queue[0].channel})

    async def _claim_runs(self) -> list[list[messages.OutboxJob]]:
        return _by_recipient(await self.claim() or [])  # `claim` looked up at each call (see there)


def _by_recipient(jobs: list[messages.OutboxJob]) -> list[list[messages.OutboxJob]]:
    by_recipient: dict[tuple[str, str], list[messages.OutboxJob]] = {}
    for job in jobs:
        by_recipient.setdefault((job.channel, job.recipient), []).append(job)
    return list(by_recipient.values())


def _age(job: messages.OutboxJob) -> timedelta:
    queued = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - queued
