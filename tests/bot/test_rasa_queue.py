"""The gateway's turns wait their turn in the gateway, not in Rasa's accept queue (bot/relay.RasaClient).

Measured in the cluster (bench/scale.py --trace): Rasa accepts one new connection per turn of its event
loop, so a burst of web chat turns on new connections waited there while later turns on open connections
went first (p95 32 s, p50 2 s at 100 senders). Here: at most RASA_CONCURRENCY turns are in Rasa at once,
the others are sent in the order they came, and one that finds no free place within RASA_TIMEOUT is
saved for later without reaching Rasa (so it is relayed once, later)."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest
from aiohttp import web

from bench.load import classify
from bot.message import Incoming
from bot.relay import RasaClient, RasaUnavailable
from core import texts
from tests.fakes.rasa import FakeRasa


class SlowRasa(FakeRasa):
    """Holds each turn until `gate` opens (or `hold_s` passes); counts the turns inside at once."""

    def __init__(self, token: str, hold_s: float = 0.05) -> None:
        super().__init__(token=token)
        self.hold_s = hold_s
        self.gate = asyncio.Event()
        self.inside = 0
        self.most_inside = 0
        self.arrived: list[str] = []  # senders, in the order their turns reached Rasa

    async def handle(self, request: web.Request) -> web.Response:
        self.arrived.append((await request.json())["sender"])
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            try:
                await asyncio.wait_for(self.gate.wait(), self.hold_s)
            except asyncio.TimeoutError:
                pass
            return await super().handle(request)
        finally:
            self.inside -= 1


async def test_a_burst_of_web_chat_turns_has_at_most_rasa_concurrency_in_rasa(make_gateway) -> None:
    rasa = await SlowRasa(token=os.environ["RASA_TOKEN"]).start()
    try:
        gateway = await make_gateway(rasa_url=rasa.url, rasa_concurrency=3, web_rate_per_minute=1000)
        senders = [f"websender{index:02d}" for index in range(12)]

        async def chat(sender: str) -> int:
            response = await gateway.post("/api/chat", json={"sender": sender, "message": "halo",
                                                             "message_id": f"m-{sender}"})
            assert (await response.json())["messages"]
            return response.status

        tasks = []
        for sender in senders:  # one after the other, as a burst of citizens would arrive
            tasks.append(asyncio.create_task(chat(sender)))
            await asyncio.sleep(0.01)
        assert await asyncio.gather(*tasks) == [200] * len(senders)
        assert rasa.most_inside == 3
        assert sorted(rasa.arrived) == [f"web:{sender}" for sender in senders]  # each once
    finally:
        await rasa.stop()


async def test_turns_waiting_for_a_place_reach_rasa_in_the_order_they_came() -> None:
    rasa = await SlowRasa(token="t").start()
    try:
        async with aiohttp.ClientSession() as session:
            client = RasaClient(rasa.url, session, timeout_s=10, token="t", concurrency=2)
            senders = [f"sender{index:02d}" for index in range(10)]
            tasks = []
            for sender in senders:
                tasks.append(asyncio.create_task(client.send(Incoming("web", sender, f"m-{sender}", "halo"))))
                await asyncio.sleep(0.005)
            await asyncio.gather(*tasks)
        assert rasa.most_inside == 2
        assert rasa.arrived == [f"web:{sender}" for sender in senders]
    finally:
        await rasa.stop()


async def test_a_turn_with_no_free_place_within_the_timeout_is_not_sent() -> None:
    rasa = await SlowRasa(token="t", hold_s=10).start()
    try:
        async with aiohttp.ClientSession() as session:
            client = RasaClient(rasa.url, session, timeout_s=2, token="t", concurrency=1)
            first = asyncio.create_task(client.send(Incoming("web", "senderone", "m1", "halo")))
            await asyncio.sleep(0.1)
            client.timeout_s = 0.3  # the next turn has less time than the first one holds its place
            with pytest.raises(RasaUnavailable):
                await client.send(Incoming("web", "sendertwo", "m2", "halo"))
            assert rasa.arrived == ["web:senderone"]  # the second never reached Rasa
            rasa.gate.set()
            assert await first
    finally:
        rasa.gate.set()
        await rasa.stop()


def test_the_benchmark_counts_only_real_answers_as_turns() -> None:
    saved = {"messages": [{"text": texts.gateway("busy_saved", "id")}]}
    not_processed = {"messages": [{"text": texts.gateway("no_answer", "jv")}]}
    assert classify(503, saved) == "notice"
    assert classify(200, not_processed) == "notice"
    assert classify(200, {"messages": [{"text": "Halo! Ada yang bisa dibantu?"}]}) == "answer"
    assert classify(502, None) == "error"
    assert classify(200, []) == "answer"  # bare Rasa (the anchor) with nothing to say
