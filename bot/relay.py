"""From a stored inbound message to Rasa and back: each accepted message is processed once.

The intake (bot/intake.py) stores each message once; two paths then share the queue in
storage/messages.py:
- the web chat answers in the same HTTP request (`Relay.answer`);
- webhook channels (Telegram, WhatsApp) acknowledge at once and a `Worker` relays in the
  background, putting replies in the outbox. When Rasa is down the message waits, the citizen
  is told once that it is saved, and it is processed when Rasa is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import aiohttp

from bot import claimloop
from bot.message import Incoming, Outgoing, notice_language
from core import observability, texts
from storage import messages, wakeups
from storage.db import Database

logger = logging.getLogger(__name__)

DUPLICATE_WAIT_S = 30.0
POLL_S = 0.2
MAX_BACKOFF_S = 10  # once Rasa is back, a waiting message is answered within this


TURN_KEY = "musrenbang_turn"  # in a user event's metadata: the inbound message id it came from


class RasaUnavailable(Exception):
    """Rasa (or its action server) did not answer; nothing is lost, the message waits."""


def turn_replies(events: list, turn: str) -> list[Outgoing] | None:
    """The bot's messages after the user event of `turn`, once that turn ended (Rasa listens again).

    None when no user event carries the turn key; RasaUnavailable while the turn is unfinished.
    """
    start = next((index for index, event in enumerate(events)
                  if isinstance(event, dict) and event.get("event") == "user"
                  and isinstance(event.get("metadata"), dict) and event["metadata"].get(TURN_KEY) == turn), None)
    if start is None:
        return None
    replies = []
    for event in events[start + 1:]:
        if not isinstance(event, dict):
            continue
        if event.get("event") == "bot":
            data = event.get("data") if isinstance(event.get("data"), dict) else {}
            replies.append(Outgoing.from_dict({"text": event.get("text"), "buttons": data.get("buttons"),
                                               "image": data.get("image")}))
        elif event.get("event") == "action" and event.get("name") == "action_listen":
            return replies
        elif event.get("event") == "user":
            return replies
    raise RasaUnavailable("the first delivery of this message is still being processed by rasa")


class RasaClient:
    """The gateway's one way to Rasa (every channel, the web chat's requests and the worker alike).

    At most `concurrency` calls are in Rasa at once; the others wait here, first come first served
    (asyncio.Semaphore is FIFO), within the same `timeout_s` as the call. Why: Rasa (Sanic on uvloop)
    accepts one new connection per turn of its event loop, 0.1-0.7 s under load, while requests on the
    connections it already has go straight in. Unbounded, a burst of turns opened new connections
    through nginx that waited in Rasa's accept queue until the load stopped (p95 32 s at 100 web chat
    senders on one Rasa worker, p50 2 s); bounded, a few connections stay open and are reused
    (nginx's keepalive to Rasa), and the queue is ours and fair.
    """

    def __init__(self, base_url: str, session: aiohttp.ClientSession, timeout_s: float = 30,
                 token: str = "", concurrency: int = 8) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + "/webhooks/rest/webhook"
        self.params = {"token": token} if token else {}  # Rasa's REST channel answers 401 without it
        self.session = session
        self.timeout_s = timeout_s
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.slots = asyncio.Semaphore(concurrency)

    async def send(self, message: Incoming) -> list[Outgoing]:
        # The turn key goes into the tracker with the user's event, so a redelivery can find the turn.
        body = {"sender": message.conversation_id, "message": message.text,
                "metadata": {**message.metadata, TURN_KEY: message.message_id}}
        timer, outcome, queued = observability.Timer(), "unavailable", None
        try:
            async with asyncio.timeout(self.timeout_s), self.slots:  # a turn not yet sent may wait: see the class
                queued = timer.seconds
                async with self.session.post(self.url, json=body, params=self.params,
                                             timeout=self.timeout) as response:
                    if response.status != 200:
                        raise RasaUnavailable(f"rasa answered {response.status}")
                    replies = await response.json()
            outcome = "ok"
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error) or type(error).__name__) from error
        finally:  # every turn of every channel passes here: one latency histogram, one log line (ids only)
            observability.TURN_SECONDS.labels(message.channel, outcome).observe(timer.seconds)
            logger.info("turn %s", outcome, extra={"channel": message.channel, "message_id": message.message_id,
                                                   "seconds": round(timer.seconds, 3), "outcome": outcome,
                                                   "queued_s": None if queued is None else round(queued, 3),
                                                   "replies": len(replies) if outcome == "ok" else None})
        answered = [Outgoing.from_dict(reply) for reply in replies if isinstance(reply, dict)]
        if not answered:
            # Rasa took the message but said nothing (a custom action failed, e.g. its action server died
            # mid-call): the citizen is told to send it again rather than left without an answer.
            logger.warning("turn without replies", extra={"channel": message.channel, "message_id": message.message_id})
            answered = [Outgoing(text=texts.gateway("no_answer", notice_language(message)))]
        return answered

    async def requested_slot(self, conversation_id: str) -> str | None:
        """The question the conversation's form is waiting on (None outside a form), from Rasa's tracker
        (the HTTP API, with the token); RasaUnavailable when Rasa does not answer."""
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/tracker"
        try:
            async with asyncio.timeout(self.timeout_s), self.slots, self.session.get(
                    url, params={**self.params, "include_events": "NONE"}, timeout=self.timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"rasa answered {response.status}")
                tracker = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error) or type(error).__name__) from error
        if not isinstance(tracker, dict) or not (tracker.get("active_loop") or {}).get("name"):
            return None
        slot = (tracker.get("slots") or {}).get("requested_slot")
        return slot if isinstance(slot, str) else None

    async def replies_of_turn(self, message: Incoming) -> list[Outgoing] | None:
        """The replies Rasa gave to this very message, if it already took it (a turn the gateway was
        stopped in, or a reply slower than RASA_TIMEOUT): read back from the conversation's tracker,
        where the user's event carries the turn key. None when Rasa never saw it, so it is relayed.

        Raises RasaUnavailable while that turn is still running. A tracker that cannot be read (Rasa
        without its HTTP API) is logged and the message relayed: at least once rather than never.
        """
        url = f"{self.base_url}/conversations/{quote(message.conversation_id, safe='')}/tracker"
        try:
            async with asyncio.timeout(self.timeout_s), self.slots, self.session.get(
                    url, params=self.params, timeout=self.timeout) as response:
                if response.status != 200:
                    raise ValueError(f"rasa tracker answered {response.status}")
                tracker = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("tracker of %s unreadable (%s); message %s relayed again", message.channel,
                           str(error) or type(error).__name__, message.message_id)
            return None
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return turn_replies(events if isinstance(events, list) else [], message.message_id)


@dataclass(frozen=True)
class TypingIndicator:
    """A channel's "typing…" while the worker waits for Rasa (registered by the channel at startup).

    `send` shows it once for a message; it runs in a task of its own, bounded by `timeout_s`, so a slow
    or failing platform never delays or fails the turn (errors are logged). `every_s` repeats it while
    the turn lasts (Telegram's shows for 5 s); None shows it once (WhatsApp's lasts until the reply).
    """

    send: Callable[[Incoming], Awaitable[object]]
    every_s: float | None = None
    timeout_s: float = 5.0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_S, 2 ** max(0, attempts - 1)))


def busy_notice(text: str) -> Outgoing:
    """"Busy, your message is saved", in the language the citizen wrote in."""
    from core.language.identify import detect

    return Outgoing(text=texts.gateway("busy_saved", detect(text)))


class Relay:
    """The web chat's synchronous path: a message the intake stored (`processing`) goes to Rasa now."""

    def __init__(self, db: Database, rasa: RasaClient) -> None:
        self.db = db
        self.rasa = rasa
        self.turns: dict[asyncio.Task, asyncio.Task] = {}  # Rasa call → the request waiting for it

    async def answer(self, inbound_id: int, message: Incoming) -> list[Outgoing]:
        turn = asyncio.ensure_future(self.rasa.send(message))
        self.turns[turn] = asyncio.current_task()
        try:
            replies = await turn
        except RasaUnavailable:
            # Saved: the worker processes it when Rasa is back; the replies reach the chat by polling.
            await messages.postpone_inbound(self.db, inbound_id, backoff(1))
            raise
        except asyncio.CancelledError:
            await messages.release_inbound(self.db, inbound_id)
            if asyncio.current_task().cancelling():  # the request itself is cancelled
                raise
            raise RasaUnavailable("the gateway is stopping") from None  # `stop`: saved, answered later
        except BaseException:
            await messages.release_inbound(self.db, inbound_id)
            raise
        finally:
            self.turns.pop(turn, None)
        await messages.mark_inbound_done(self.db, inbound_id, [r.as_dict() for r in replies])
        return replies

    async def stop(self, timeout_s: float = 3.0) -> None:
        """On SIGTERM: end the web chat's turns in flight; each hands its message back (the worker of the
        next gateway takes it at once) and its request answers "saved" instead of being cut off."""
        waiting = list(self.turns.items())
        for turn, _ in waiting:
            turn.cancel()
        requests = [request for _, request in waiting if request is not None]
        if requests:
            await asyncio.wait(requests, timeout=timeout_s)

    async def replies_of(self, inbound_id: int) -> list[Outgoing]:
        """A redelivery's answer: the first delivery's replies, once it has them."""
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

    `run` claims one message at a time and relays up to `concurrency` of them at once: different
    senders in parallel, while the claim keeps one sender's messages in order, one at a time, across
    every gateway. With nothing to do it sleeps until a write wakes it (storage.wakeups), or for the
    safety poll `idle_s` at most.
    """

    def __init__(self, db: Database, rasa: RasaClient, idle_s: float = 5.0, concurrency: int = 8,
                 on_replies: Callable[[], None] | None = None) -> None:
        self.db = db
        self.rasa = rasa
        self.idle_s = idle_s
        self.concurrency = concurrency
        self.on_replies = on_replies  # e.g. wake the outbox dispatcher at once
        self.indicators: dict[str, TypingIndicator] = {}  # channel → its typing indicator
        self._shots: set[asyncio.Task] = set()  # indicator calls in flight (kept referenced until done)

    @property
    def wakeup(self) -> asyncio.Event:
        """Set when the inbound queue may have work (storage.wakeups)."""
        return self.db.wakeups.event(wakeups.INBOUND)

    async def claim(self) -> messages.InboundJob | None:
        """The background loop's claim (storage's one claim of the inbound queue); replacing it on an
        instance pauses the loop while `run_once` still steps by hand."""
        return await messages.claim_inbound(self.db)

    async def run_once(self) -> bool:
        """Process one message if one is due; False when the queue had nothing to do."""
        job = await messages.claim_inbound(self.db)
        if not job:
            return False
        await self.process(job)
        return True

    async def process(self, job: messages.InboundJob) -> None:
        """One claimed message: relay it to Rasa (or read back the turn Rasa took already) and queue
        the replies; postponed when Rasa does not answer, handed back when the gateway stops."""
        message = Incoming(job.channel, job.sender, job.message_id, job.text, job.meta)
        typing = self._start_typing(message)
        try:
            # Tried before (a stopped gateway, a timeout): Rasa may have taken it already, and a
            # second relay would apply it twice (a second proposal, a skipped question).
            earlier = await self.rasa.replies_of_turn(message) if job.attempts > 1 else None
            replies = earlier if earlier is not None else await self.rasa.send(message)
        except RasaUnavailable as error:
            logger.warning("rasa unavailable (%s); message %s waits", error, job.id,
                           extra={"inbound_id": job.id, "channel": job.channel})
            await messages.postpone_inbound(self.db, job.id, backoff(job.attempts), busy_notice(job.text).as_dict())
            return
        except asyncio.CancelledError:
            # The gateway is stopping: hand the message back now, not after the claim's lease (120 s),
            # which would hold this sender's conversation for that long after a restart.
            await messages.release_inbound(self.db, job.id)
            raise
        finally:
            if typing is not None:
                typing.cancel()  # no more repeats; a call already on its way is left to finish
        await messages.complete_inbound(self.db, job.id, [r.as_dict() for r in replies])
        if self.on_replies is not None:
            self.on_replies()

    def _start_typing(self, message: Incoming) -> asyncio.Task | None:
        """Show the channel's typing indicator for this turn, never awaited by the turn.

        The first call starts at once; the task returned repeats it (when the channel wants that)
        until it is cancelled at the end of the turn.
        """
        indicator = self.indicators.get(message.channel)
        if indicator is None:
            return None
        self._shoot(indicator, message)
        if indicator.every_s is None:
            return None
        return asyncio.create_task(self._repeat_typing(indicator, message), name=f"{message.channel}-typing")

    def _shoot(self, indicator: TypingIndicator, message: Incoming) -> None:
        shot = asyncio.create_task(self._typing_once(indicator, message))
        self._shots.add(shot)
        shot.add_done_callback(self._shots.discard)

    async def _repeat_typing(self, indicator: TypingIndicator, message: Incoming) -> None:
        while True:
            await asyncio.sleep(indicator.every_s)
            self._shoot(indicator, message)

    @staticmethod
    async def _typing_once(indicator: TypingIndicator, message: Incoming) -> None:
        try:
            await asyncio.wait_for(indicator.send(message), indicator.timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # only a nicety: the turn goes on without it
            logger.warning("%s typing indicator for %s not shown (%s)", message.channel, message.message_id,
                        str(error) or type(error).__name__)

    async def run(self) -> None:
        """Forever: claim while a relay slot is free, sleep until woken when the queue is empty (the
        gateway's one claim loop, bot/claimloop.py); stopped, each turn in flight hands its message back."""
        try:
            await claimloop.run(self._claim_one, self.process, self.wakeup, self.concurrency, self.idle_s,
                                "worker", ids=lambda job: {"inbound_id": job.id, "channel": job.channel})
        finally:
            shots = list(self._shots)
            for shot in shots:
                shot.cancel()
            await asyncio.gather(*shots, return_exceptions=True)

    async def _claim_one(self) -> list[messages.InboundJob]:
        job = await self.claim()  # looked up at each call: an instance's replacement pauses the loop
        return [job] if job else []
