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

from core import texts

# Turns that stay outside the proposal form (greeting, FAQ, status): each is one full NLU + policy turn.
MESSAGES = ("halo", "apa itu musrenbang?", "usulan saya", "terima kasih", "bagaimana cara mengusulkan?")
# The gateway's own notices ("busy, saved, will answer", "not processed, send again"): an answer to no turn.
NOTICES = frozenset(text for key in ("busy", "busy_saved", "no_answer") for text in texts.GATEWAY[key].values())


@dataclass(frozen=True)
class Turn:
    """One request of the load: who sent it (and its how-many-th message), when, and what came back."""

    sender: str
    seq: int
    message_id: str
    started: float  # time.time()
    ended: float
    status: int  # HTTP status; 0 when no response came
    kind: str  # "answer", "notice" (the gateway's busy/saved/not-processed notice) or "error"


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # real answers only
    errors: int = 0
    notices: int = 0  # answered by a gateway notice instead of the bot: not a turn
    turns: list[Turn] = field(default_factory=list)
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
        return {"turns": len(self.latencies), "errors": self.errors, "notices": self.notices,
                "turns_per_s": round(self.turns_per_s, 2),
                "p50_s": round(self.percentile(50), 3), "p95_s": round(self.percentile(95), 3)}


def classify(status: int, body: object) -> str:
    """A web chat (or bare Rasa) response: a real answer, a gateway notice, or an error."""
    replies = body.get("messages") if isinstance(body, dict) else body
    if not isinstance(replies, list) or (status != 200 and not replies):
        return "error"
    said = [reply.get("text") for reply in replies if isinstance(reply, dict)]
    if any(text in NOTICES for text in said):
        return "notice"
    # bare Rasa (a list) answers a turn it has nothing to say to with []; the web chat always says something
    return "answer" if status == 200 and (replies or not isinstance(body, dict)) else "error"


async def drive(base_url: str, senders: int, seconds: float, tls: ssl.SSLContext | None = None,
                rasa_token: str | None = None) -> Result:
    """`senders` conversations for `seconds`; with `rasa_token`, `base_url` is a Rasa server (REST channel)."""
    result = Result()
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0, ssl=tls if tls is not None else True)

    async def one(session: aiohttp.ClientSession, index: int) -> None:
        sender = f"bench{uuid.uuid4().hex[:20]}"
        turn = index
        seq = 0
        while time.monotonic() < deadline:
            text = MESSAGES[turn % len(MESSAGES)]
            turn += 1
            seq += 1
            message_id = uuid.uuid4().hex
            started, wall = time.monotonic(), time.time()
            status, kind = 0, "error"
            try:
                if rasa_token is not None:
                    request = session.post(f"{base_url}/webhooks/rest/webhook", params={"token": rasa_token},
                                           json={"sender": sender, "message": text})
                else:
                    request = session.post(f"{base_url}/api/chat", json={
                        "sender": sender, "message": text, "message_id": message_id})
                async with request as response:
                    status = response.status
                    kind = classify(status, await response.json(content_type=None))
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                pass
            elapsed = time.monotonic() - started
            result.turns.append(Turn(sender, seq, message_id, wall, wall + elapsed, status, kind))
            if kind == "answer":
                result.latencies.append(elapsed)
            elif kind == "notice":
                result.notices += 1
            else:
                result.errors += 1
                await asyncio.sleep(0.5)

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        await asyncio.gather(*(one(session, index) for index in range(senders)))
    result.seconds = time.monotonic() - started
    return result
