"""Latency and throughput: `/model/parse`, a bare Rasa REST turn, and a full turn through the gateway.

Starts the real stack (ops.stack), warms it up, then for 1 and 20 concurrent users sends a
fixed mix of messages and reports p50/p95/p99 and turns/s, plus each process's RSS.
Run: `.venv/app/bin/python -m bench.turns [--turns 200] [--out bench/results/turns.json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from ops.stack import Stack, ensure_model

MESSAGES = ["halo", "apa itu musrenbang?", "status USL-7K3Q9D", "usulan saya sudah sampai mana?",
            "terima kasih"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pids.extend(int(c) for c in children)
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total / 1024


async def drive(kind: str, base: str, users: int, turns: int) -> dict:
    async with aiohttp.ClientSession() as session:
        latencies: list[float] = []
        per_user = max(1, turns // users)

        async def one_user() -> None:
            sender = uuid.uuid4().hex
            for i in range(per_user):
                text = MESSAGES[i % len(MESSAGES)]
                if kind == "parse":
                    url, body = f"{base}/model/parse", {"text": text}
                elif kind == "rasa":
                    url, body = f"{base}/webhooks/rest/webhook", {"sender": f"web:{sender}", "message": text}
                else:
                    url, body = f"{base}/api/chat", {"sender": sender, "message": text,
                                                     "message_id": uuid.uuid4().hex}
                started = time.perf_counter()
                async with session.post(url, json=body) as response:
                    await response.read()
                    assert response.status == 200, (url, response.status)
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(one_user() for _ in range(users)))
        elapsed = time.perf_counter() - started
    return {"kind": kind, "users": users, "turns": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1), "p99_ms": round(percentile(latencies, 0.99), 1),
            "per_s": round(len(latencies) / elapsed, 1)}


async def run(stack: Stack, turns: int) -> list[dict]:
    results = []
    for kind, base in (("parse", stack.rasa_url), ("rasa", stack.rasa_url), ("gateway", stack.gateway_url)):
        await drive(kind, base, 4, 20)  # warm-up
        for users in (1, 20):
            results.append(await drive(kind, base, users, turns))
            print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--out", default="bench/results/turns.json")
    args = parser.parse_args()
    model = ensure_model()
    with tempfile.TemporaryDirectory() as var:
        stack = Stack(var_dir=Path(var), model=model, rasa_port=25005, actions_port=25055, gateway_port=28080,
                      extra_env={"WEB_RATE_PER_MINUTE": "0"})  # measure the stack, not the per-sender limit
        try:
            stack.start()
            print(f"stack ready in {stack.timings['ready_s']:.1f} s", flush=True)
            results = asyncio.run(run(stack, args.turns))
            memory = {name: round(rss_mb(p.pid), 1) for name, p in stack.processes.items()}
        finally:
            stack.stop()
    report = {"ready_s": round(stack.timings["ready_s"], 1), "rss_mb": memory, "results": results}
    print(json.dumps(report, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
