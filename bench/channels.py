"""Channel latency and throughput: Telegram webhook, WhatsApp webhook and bare Rasa REST, in one run.

Starts the real stack (ops.stack) with both channels pointed at fake servers (the fake Telegram Bot
API in webhook mode, the fake WhatsApp Graph API), warms it up, then for 1, 20 and 100 concurrent
senders sends a short fixed mix of messages through each path. A sender sends its next message
once every reply to the previous one arrived. Latency is webhook POST → the last reply of that
message arriving at the fake server (for Rasa: POST → response). Reports p50/p95/p99, messages/s,
the gateway's overhead relative to bare Rasa, and the processes' RSS (from /proc).
Run: `.venv/app/bin/python -m bench.channels [--messages 2] [--out bench/results/channels.json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.turns import percentile, rss_mb
from bot.channels import telegram
from ops.stack import MODEL_CACHE, Stack, ensure_model, model_path
from tests.conftest import free_port
from tests.fakes.telegram import FakeTelegram
from tests.fakes.whatsapp import FakeGraph

MIX = ["halo", "status USL-7K3Q9D", "apa itu musrenbang?"]
CONCURRENCY = (1, 20, 100)
TG_SECRET = "bench-webhook_secret"
WA_SECRET = "bench-app-secret"
WA_TOKEN = "bench-token"
WA_PHONE_ID = "109876543211"
REPLY_TIMEOUT_S = 120.0


def bench_model() -> Path:
    if os.environ.get("MUSRENBANG_MODEL"):
        return Path(os.environ["MUSRENBANG_MODEL"])
    if model_path().is_file():
        return model_path()
    trained = [p for p in MODEL_CACHE.glob("*.tar.gz") if not p.name.startswith("default-")]
    return max(trained, key=lambda p: p.stat().st_mtime) if trained else ensure_model()


class Arrivals:
    """When replies reach a fake server, per recipient; waiters are resolved in the bench's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.times: dict[str, list[float]] = {}
        self.waiters: dict[str, tuple[int, asyncio.Future]] = {}

    def record(self, recipient: str) -> None:
        """Called from any thread when the fake accepted a message for `recipient`."""
        now = time.perf_counter()
        self.loop.call_soon_threadsafe(self._arrived, recipient, now)

    def _arrived(self, recipient: str, at: float) -> None:
        self.times.setdefault(recipient, []).append(at)
        waiter = self.waiters.get(recipient)
        if waiter and len(self.times[recipient]) >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(self.times[recipient][waiter[0] - 1])

    async def until(self, recipient: str, count: int) -> float:
        """The arrival time of the `count`-th message to `recipient`."""
        seen = self.times.get(recipient, [])
        if len(seen) >= count:
            return seen[count - 1]
        future = self.loop.create_future()
        self.waiters[recipient] = (count, future)
        try:
            return await asyncio.wait_for(future, REPLY_TIMEOUT_S)
        finally:
            self.waiters.pop(recipient, None)


class TimedTelegram(FakeTelegram):
    def __init__(self, arrivals: Arrivals) -> None:
        super().__init__()
        self.arrivals = arrivals

    async def _api_sendMessage(self, params: dict) -> web.Response:
        response = await super()._api_sendMessage(params)
        if response.status == 200:
            self.arrivals.record(str(params["chat_id"]))
        return response


class TimedGraph(FakeGraph):
    def __init__(self, arrivals: Arrivals) -> None:
        super().__init__(token=WA_TOKEN, phone_number_id=WA_PHONE_ID)
        self.arrivals = arrivals

    async def _messages(self, request: web.Request) -> web.Response:
        response = await super()._messages(request)
        if response.status == 200:
            body = await request.json()
            self.arrivals.record(str(body.get("to") or body.get("recipient")))
        return response


class Bench:
    def __init__(self, stack: Stack, tg: TimedTelegram, arrivals: Arrivals, http: aiohttp.ClientSession,
                 replies_per_text: dict[str, int]) -> None:
        self.stack = stack
        self.tg = tg
        self.arrivals = arrivals
        self.http = http
        self.expected = replies_per_text

    async def telegram_sender(self, texts: list[str]) -> list[float]:
        chat = random.randrange(10**8, 10**9)
        latencies, received = [], 0
        for text in texts:
            update = self.tg.text_update(chat, text)
            started = time.perf_counter()
            async with self.http.post(f"{self.stack.gateway_url}{telegram.WEBHOOK_PATH}", json=update,
                                      headers={telegram.SECRET_HEADER: TG_SECRET}) as response:
                assert response.status == 200, response.status
            received += self.expected[text]
            latencies.append(await self.arrivals.until(str(chat), received) - started)
        return latencies

    async def whatsapp_sender(self, texts: list[str]) -> list[float]:
        wa_id = f"628{random.randrange(10**9, 10**10)}"
        latencies, received = [], 0
        for text in texts:
            message = {"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
                       "type": "text", "text": {"body": text}}
            value = {"messaging_product": "whatsapp",
                     "metadata": {"display_phone_number": "62274000000", "phone_number_id": WA_PHONE_ID},
                     "contacts": [{"profile": {"name": "Warga"}, "wa_id": wa_id}], "messages": [message]}
            body = json.dumps({"object": "whatsapp_business_account",
                               "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}]}).encode()
            signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            async with self.http.post(f"{self.stack.gateway_url}/webhooks/whatsapp", data=body,
                                      headers={"Content-Type": "application/json",
                                               "X-Hub-Signature-256": signature}) as response:
                assert response.status == 200, response.status
            received += self.expected[text]
            latencies.append(await self.arrivals.until(wa_id, received) - started)
        return latencies

    async def rasa_sender(self, texts: list[str]) -> list[float]:
        sender = f"bench:{uuid.uuid4().hex}"
        latencies = []
        for text in texts:
            started = time.perf_counter()
            async with self.http.post(f"{self.stack.rasa_url}/webhooks/rest/webhook",
                                      json={"sender": sender, "message": text},
                                      params={"token": self.stack.rasa_token}) as response:
                assert response.status == 200, response.status
                await response.read()
            latencies.append(time.perf_counter() - started)
        return latencies

    async def phase(self, path: str, senders: int, per_sender: int) -> dict:
        drive = {"telegram": self.telegram_sender, "whatsapp": self.whatsapp_sender, "rasa": self.rasa_sender}[path]
        peak = {"gateway": 0.0, "rasa": 0.0}

        async def sample() -> None:
            while True:
                for name in peak:
                    peak[name] = max(peak[name], rss_mb(self.stack.processes[name].pid))
                await asyncio.sleep(0.5)

        sampler = asyncio.create_task(sample())
        started = time.perf_counter()
        # Each sender starts at a different point of the mix, so every text is in flight at once.
        results = await asyncio.gather(*(drive([MIX[(i + j) % len(MIX)] for j in range(per_sender)])
                                         for i in range(senders)))
        elapsed = time.perf_counter() - started
        sampler.cancel()
        latencies = [value * 1000 for result in results for value in result]
        return {"path": path, "senders": senders, "messages": len(latencies),
                "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
                "p99_ms": round(percentile(latencies, 0.99), 1), "per_s": round(len(latencies) / elapsed, 2),
                "elapsed_s": round(elapsed, 1), "peak_rss_mb": {k: round(v, 1) for k, v in peak.items()}}


async def replies_per_text(stack: Stack, http: aiohttp.ClientSession) -> dict[str, int]:
    """How many messages Rasa answers each text of the mix with (a fresh conversation each time)."""
    counts = {}
    for text in MIX:
        async with http.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                             json={"sender": f"probe:{uuid.uuid4().hex}", "message": text},
                             params={"token": stack.rasa_token}) as response:
            counts[text] = len(await response.json())
        assert counts[text] > 0, f"Rasa does not answer {text!r}"
    return counts


async def run(per_sender: int, single_messages: int) -> dict:
    loop = asyncio.get_running_loop()
    arrivals = Arrivals(loop)
    tg = TimedTelegram(arrivals)
    await tg.start()
    graph = TimedGraph(arrivals).start()
    stack = Stack(var_dir=Path(tempfile.mkdtemp(prefix="bench-channels-")), model=bench_model(),
                  rasa_port=free_port(), actions_port=free_port(), gateway_port=free_port(),
                  extra_env={"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.url, "TELEGRAM_MODE": "webhook",
                             "TELEGRAM_WEBHOOK_SECRET": TG_SECRET, "PUBLIC_URL": "https://bench.example",
                             "WHATSAPP_TOKEN": WA_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
                             "WHATSAPP_APP_SECRET": WA_SECRET, **graph.env})
    results: list[dict] = []
    try:
        await asyncio.to_thread(stack.start, lambda _message: None)
        print(f"stack ready in {stack.timings['ready_s']:.1f} s", flush=True)
        await tg.wait_for(lambda: tg.webhook, timeout=30)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S),
                                         connector=aiohttp.TCPConnector(limit=0)) as http:
            bench = Bench(stack, tg, arrivals, http, await replies_per_text(stack, http))
            for path in ("rasa", "telegram", "whatsapp"):  # warm-up
                await bench.phase(path, 3, len(MIX))
            idle_rss = {name: round(rss_mb(p.pid), 1) for name, p in stack.processes.items()}
            for senders in CONCURRENCY:
                count = single_messages if senders == 1 else per_sender
                for path in ("rasa", "telegram", "whatsapp"):
                    results.append(await bench.phase(path, senders, count))
                    print(json.dumps(results[-1]), flush=True)
            final_rss = {name: round(rss_mb(p.pid), 1) for name, p in stack.processes.items()}
            expected = bench.expected
    finally:
        await asyncio.to_thread(stack.stop)
        graph.stop()
        await tg.stop()
    overhead = []
    for senders in CONCURRENCY:
        rasa = next(r for r in results if r["path"] == "rasa" and r["senders"] == senders)
        for path in ("telegram", "whatsapp"):
            row = next(r for r in results if r["path"] == path and r["senders"] == senders)
            overhead.append({"path": path, "senders": senders,
                             "p50_vs_rasa": round(row["p50_ms"] / rasa["p50_ms"], 2),
                             "p50_added_ms": round(row["p50_ms"] - rasa["p50_ms"], 1),
                             "throughput_vs_rasa": round(row["per_s"] / rasa["per_s"], 2)})
    return {"ready_s": round(stack.timings["ready_s"], 1), "cpus": os.cpu_count(),
            "load_avg_at_end": os.getloadavg(), "mix": MIX, "replies_per_text": expected,
            "rss_mb": {"idle_after_warmup": idle_rss, "end": final_rss}, "results": results, "overhead": overhead}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2, help="messages per sender at 20 and 100 senders")
    parser.add_argument("--single", type=int, default=12, help="messages of the lone sender")
    parser.add_argument("--out", default="bench/results/channels.json")
    args = parser.parse_args()
    report = asyncio.run(run(args.messages, args.single))
    print(json.dumps(report, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
