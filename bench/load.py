"""Steady chat load for the cluster benchmarks (bench/scale.py, bench/soak.py): N senders, each sending
its next message as soon as the previous one is answered, through nginx's HTTPS web chat (or straight to
a bare Rasa's REST channel, the anchor), with latency per turn."""

from __future__ import annotations

import asyncio
import ssl
import statistics
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

# Turns that stay outside the proposal form (greeting, FAQ, status): each is one full NLU + policy turn.
MESSAGES = ("halo", "apa itu musrenbang?", "usulan saya", "terima kasih", "bagaimana cara mengusulkan?")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def turns_per_s(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]

    def summary(self) -> dict[str, float]:
        return {"turns": len(self.latencies), "errors": self.errors, "turns_per_s": round(self.turns_per_s, 2),
                "p50_s": round(self.percentile(50), 3), "p95_s": round(self.percentile(95), 3)}


async def drive(base_url: str, senders: int, seconds: float, tls: ssl.SSLContext | None = None,
                rasa_token: str | None = None) -> Result:
    """`senders` conversations for `seconds`; with `rasa_token`, `base_url` is a Rasa server (REST channel)."""
    result = Result()
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0, ssl=tls if tls is not None else True)

    async def one(session: aiohttp.ClientSession, index: int) -> None:
        sender = f"bench{uuid.uuid4().hex[:20]}"
        turn = index
        while time.monotonic() < deadline:
            text = MESSAGES[turn % len(MESSAGES)]
            turn += 1
            started = time.monotonic()
            try:
                if rasa_token is not None:
                    async with session.post(f"{base_url}/webhooks/rest/webhook", params={"token": rasa_token},
                                            json={"sender": sender, "message": text}) as response:
                        ok = response.status == 200 and isinstance(await response.json(), list)
                else:
                    async with session.post(f"{base_url}/api/chat", json={
                            "sender": sender, "message": text, "message_id": uuid.uuid4().hex}) as response:
                        ok = response.status == 200 and bool((await response.json()).get("messages"))
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok = False
            if ok:
                result.latencies.append(time.monotonic() - started)
            else:
                result.errors += 1
                await asyncio.sleep(0.5)

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        await asyncio.gather(*(one(session, index) for index in range(senders)))
    result.seconds = time.monotonic() - started
    return result
