"""The worker shows a channel's "typing…" while Rasa works, and never lets it hold up or fail a turn."""

from __future__ import annotations

import asyncio
import logging
import time

from bot.message import Incoming, Outgoing
from bot.relay import TypingIndicator, Worker
from storage import messages


class SlowRasa:
    """Answers every message after `delay_s`."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.answered: list[float] = []

    async def send(self, message: Incoming) -> list[Outgoing]:
        await asyncio.sleep(self.delay_s)
        self.answered.append(time.monotonic())
        return [Outgoing(text="jawaban")]


class Indicator:
    """Records each call; `behaviour` is "ok", "raise" or "hang"."""

    def __init__(self, behaviour: str = "ok") -> None:
        self.behaviour = behaviour
        self.calls: list[tuple[float, str]] = []

    async def __call__(self, message: Incoming) -> None:
        self.calls.append((time.monotonic(), message.message_id))
        if self.behaviour == "raise":
            raise ConnectionError("platform unreachable")
        if self.behaviour == "hang":
            await asyncio.Event().wait()


async def turn(db, worker: Worker, channel: str = "telegram", message_id: str = "u1") -> float:
    """Queue one message and run the worker's step on it; how long the step took."""
    await messages.accept_inbound(db, channel, "555", message_id, "mau usul jalan")
    started = time.monotonic()
    assert await worker.run_once()
    return time.monotonic() - started


async def test_the_indicator_is_shown_once_before_rasa_answers(db) -> None:
    indicator, rasa = Indicator(), SlowRasa(0.2)
    worker = Worker(db, rasa)
    worker.indicators["telegram"] = TypingIndicator(indicator)
    await turn(db, worker)
    assert [message_id for _, message_id in indicator.calls] == ["u1"]
    assert indicator.calls[0][0] < rasa.answered[0]
    await turn(db, worker, channel="web", message_id="w1")  # a channel without one: nothing
    assert len(indicator.calls) == 1


async def test_it_repeats_while_the_turn_lasts_and_stops_with_it(db) -> None:
    indicator = Indicator()
    worker = Worker(db, SlowRasa(0.5))
    worker.indicators["telegram"] = TypingIndicator(indicator, every_s=0.1)
    await turn(db, worker)
    shown = len(indicator.calls)
    assert 3 <= shown <= 7
    await asyncio.sleep(0.4)
    assert len(indicator.calls) == shown  # none after the turn


async def test_a_hanging_indicator_neither_delays_nor_outlives_the_turn(db) -> None:
    indicator = Indicator("hang")
    worker = Worker(db, SlowRasa(0.0))
    worker.indicators["whatsapp"] = TypingIndicator(indicator, timeout_s=2.0)
    assert await turn(db, worker, channel="whatsapp", message_id="wamid.1") < 1.5  # not the indicator's 2 s
    job = await messages.claim_outgoing(db, ("whatsapp",))
    assert [j.payload["text"] for j in job] == ["jawaban"]  # answered meanwhile
    assert len(worker._shots) == 1
    await asyncio.sleep(2.5)
    assert worker._shots == set()  # given up after its timeout


async def test_a_failing_indicator_is_logged_and_the_turn_goes_on(db, caplog) -> None:
    worker = Worker(db, SlowRasa(0.05))
    worker.indicators["telegram"] = TypingIndicator(Indicator("raise"))
    with caplog.at_level(logging.WARNING, logger="bot.relay"):
        await turn(db, worker)
        await asyncio.sleep(0.05)
    assert [j.payload["text"] for j in await messages.claim_outgoing(db, ("telegram",))] == ["jawaban"]
    assert "typing indicator for u1 not shown (platform unreachable)" in caplog.text


async def test_stopping_the_worker_cancels_indicators_in_flight(db) -> None:
    worker = Worker(db, SlowRasa(0.0), idle_s=0.05, concurrency=1)
    worker.indicators["telegram"] = TypingIndicator(Indicator("hang"), timeout_s=60)
    await messages.accept_inbound(db, "telegram", "555", "u1", "halo")
    running = asyncio.create_task(worker.run())
    deadline = time.monotonic() + 5
    while not worker._shots and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert worker._shots
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert worker._shots == set()
