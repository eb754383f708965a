"""Wake-ups of the queue loops: a loop sleeps until a write gives it work, instead of polling.

- In one process: an asyncio.Event per queue (`event`), set by the storage function that queued the
  work, after its commit (`notify`; `after_s` for work that falls due later: a retry, a postponed
  message).
- Across processes on PostgreSQL: triggers (migration 0010) send NOTIFY `musrenbang_<queue>` when a
  row becomes due, at commit, whoever wrote it (another gateway, the action server, the CLI); `listen`
  holds one connection with LISTEN on those channels and sets the same events. While it listens, the
  local `notify` leaves immediate wake-ups to it (each write wakes the loops once, not twice).
- SQLite has no such channel between processes: what another process writes (an escalation from the
  action server, a notification from the CLI) is found by the loops' slow safety poll (QUEUE_POLL_S),
  which also covers a lost connection and a claim whose lease ran out.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from storage.db import Database

logger = logging.getLogger(__name__)

INBOUND = "inbound"  # inbound_messages: a message to relay to Rasa
OUTBOX = "outbox"  # outbox: a reply, notification or notice to deliver
ESCALATIONS = "escalations"  # escalations: a question to post to the officers' chat
QUEUES = (INBOUND, OUTBOX, ESCALATIONS)
CHANNEL_PREFIX = "musrenbang_"  # the NOTIFY channel of a queue: musrenbang_<queue> (migration 0010)
RECONNECT_MAX_S = 10.0
WAKE_KEY = "wake_queues"  # session.info: the queues to wake once the session commits


def after_commit(session: object, queue: str) -> None:
    """Wake `queue`'s loops once this session's transaction commits (for writes inside a larger
    transaction, such as a status change that queues notifications); nothing on a rollback."""
    session.info.setdefault(WAKE_KEY, set()).add(queue)


def channel(queue: str) -> str:
    return CHANNEL_PREFIX + queue


class Wakeups:
    """The wake-up events of one process (one per queue), kept by its `Database`."""

    def __init__(self) -> None:
        self._events = {queue: asyncio.Event() for queue in QUEUES}
        self._timers: set[asyncio.TimerHandle] = set()
        self.listening = False  # a LISTEN connection is up: immediate wake-ups come through it

    def event(self, queue: str) -> asyncio.Event:
        return self._events[queue]

    def notify(self, queue: str, after_s: float = 0.0, here: bool = False) -> None:
        """Work for `queue` was committed (due in `after_s` seconds): wake its loops in this process.
        `here`: even while LISTENing, for a change no trigger announces (a finished turn frees its
        sender's next message)."""
        if after_s <= 0:
            if here or not self.listening:
                self._events[queue].set()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a synchronous caller (a CLI): no loop here waits for it
            return
        handle: asyncio.TimerHandle | None = None

        def fire() -> None:
            self._timers.discard(handle)
            self._events[queue].set()

        handle = loop.call_later(after_s, fire)
        self._timers.add(handle)

    def wake_all(self) -> None:
        for event in self._events.values():
            event.set()

    def close(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()


async def listen(db: Database) -> None:
    """Forever (a task of the gateway): LISTEN for the queues' NOTIFY on PostgreSQL and wake the loops.

    A lost connection (PostgreSQL restarted) is opened again with backoff; every loop is woken on
    each (re)connection, since a notification sent in between is gone. Nothing to do on SQLite."""
    if db.is_sqlite:
        return
    import asyncpg

    url = make_url(db.url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    wakeups = db.wakeups
    delay = 0.5

    def on_notify(_connection: object, _pid: int, name: str, _payload: str) -> None:
        queue = name.removeprefix(CHANNEL_PREFIX)
        if queue in wakeups._events:
            wakeups.event(queue).set()

    while True:
        connection = None
        try:
            connection = await asyncpg.connect(dsn)
            closed = asyncio.get_running_loop().create_future()
            connection.add_termination_listener(lambda _c, f=closed: f.done() or f.set_result(None))
            for queue in QUEUES:
                await connection.add_listener(channel(queue), on_notify)
            wakeups.listening = True
            wakeups.wake_all()
            delay = 0.5
            await closed
            logger.warning("queue wake-ups: the LISTEN connection closed; reconnecting")
        except asyncio.CancelledError:
            raise
        except Exception as error:  # PostgreSQL down or restarting: the safety poll carries on meanwhile
            logger.warning("queue wake-ups: LISTEN failed (%s); retrying in %.1f s",
                           str(error) or type(error).__name__, delay)
        finally:
            wakeups.listening = False
            if connection is not None and not connection.is_closed():
                try:
                    await asyncio.shield(connection.close(timeout=2))
                except Exception:  # closing a broken connection
                    connection.terminate()
        await asyncio.sleep(delay)
        delay = min(RECONNECT_MAX_S, delay * 2)
