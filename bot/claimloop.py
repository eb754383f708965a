"""The one claim loop of the gateway's background queues: the inbound worker (bot/relay.Worker) and the
outbox dispatcher (bot/outbox.OutboxDispatcher) both claim work, process each unit in a task of its own
(up to `concurrency` at once) and sleep until a write wakes them (storage.wakeups), or `idle_s` at most.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

logger = logging.getLogger(__name__)

Unit = TypeVar("Unit")


async def run(claim: Callable[[], Awaitable[Sequence[Unit]]], process: Callable[[Unit], Awaitable[None]],
              wake: asyncio.Event, concurrency: int, idle_s: float, name: str,
              ids: Callable[[Unit], dict] = lambda _unit: {}) -> None:
    """Forever: claim while a slot is free, each unit processed by a task of its own (a slow one holds up
    only itself); when the claim finds nothing, sleep until woken. A unit that finishes wakes the loop:
    what it held back (a sender's next message) may be claimed now. On cancellation the units in flight
    are cancelled and awaited (each hands its claim back as it sees fit). `ids` names a unit in the log
    (ids only, no personal data)."""
    running: set[asyncio.Task] = set()

    def finished(task: asyncio.Task) -> None:
        running.discard(task)
        wake.set()

    try:
        while True:
            if len(running) >= concurrency:
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                continue
            wake.clear()  # before the claim: work stored during it wakes us again
            try:
                units = await claim()
            except Exception:  # the database is away: try again after the pause
                logger.exception("%s claim failed", name)
                units = []
            for unit in units or ():
                task = asyncio.create_task(_logged(process, unit, name, ids(unit)), name=name)
                running.add(task)
                task.add_done_callback(finished)
            if units:
                continue
            try:
                await asyncio.wait_for(wake.wait(), idle_s)
            except asyncio.TimeoutError:
                pass
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def _logged(process: Callable[[Unit], Awaitable[None]], unit: Unit, name: str, ids: dict) -> None:
    try:
        await process(unit)
    except asyncio.CancelledError:
        raise
    except Exception:  # a broken row must not stop the queue
        logger.exception("%s step failed %s", name, ids or "", extra=ids)
