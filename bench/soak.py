"""Soak: the cluster (`./musrenbang cluster`, 2 Rasa x 2 workers) under a steady load for a long time.
Memory must stay flat (+-10 % from the first sample after warm-up to the last, per process), no turn may
fail, and p95 must stay stable (the last third's median p95 within 25 % + 0.1 s of the first third's).

    MUSRENBANG_MODEL=... .venv/app/bin/python bench/soak.py [--minutes 20] [--senders 10]

tests/cluster runs a 2-minute form of it (`run(cluster, minutes=2)`) on the cluster of the chaos test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Result, drive
from ops.cluster import Cluster, Ports
from ops.stack import ROOT, ensure_model

WINDOW_S = 30
MEMORY_TOLERANCE = 0.10


async def _soak(cluster: Cluster, minutes: float, senders: int, warmup_s: float) -> dict:
    tls = cluster.tls_context()
    await drive(cluster.url, senders, warmup_s, tls=tls)
    windows: list[dict] = []
    deadline = time.monotonic() + minutes * 60
    while time.monotonic() < deadline:
        window: Result = await drive(cluster.url, senders, min(WINDOW_S, max(1.0, deadline - time.monotonic())),
                                     tls=tls)
        rss = cluster.rss_mb()
        windows.append({**window.summary(), "rss_mb": rss})
        print(json.dumps(windows[-1]), flush=True)
    return verdict(windows)


def verdict(windows: list[dict]) -> dict:
    first, last = windows[0]["rss_mb"], windows[-1]["rss_mb"]
    # PostgreSQL's RSS grows as its shared buffers are first touched (shared memory, not a leak): reported,
    # not judged; the project's processes, nginx and Redis are.
    memory = {name: round((last[name] - first[name]) / first[name], 3) for name in first
              if name in last and first[name] > 0}
    judged = {name: change for name, change in memory.items() if name != "postgres"}
    third = max(1, len(windows) // 3)
    early = statistics.median(w["p95_s"] for w in windows[:third])
    late = statistics.median(w["p95_s"] for w in windows[-third:])
    # a "busy, saved" notice instead of an answer is as much a failure of a steady load as an error
    errors = sum(w["errors"] + w.get("notices", 0) for w in windows)
    return {"windows": len(windows), "turns": sum(w["turns"] for w in windows), "errors": errors,
            "notices": sum(w.get("notices", 0) for w in windows),
            "memory_change": memory, "memory_flat": all(abs(v) <= MEMORY_TOLERANCE for v in judged.values()),
            "p95_first_third_s": early, "p95_last_third_s": late, "p95_stable": late <= early * 1.25 + 0.1,
            "ok": errors == 0 and all(abs(v) <= MEMORY_TOLERANCE for v in judged.values())
            and late <= early * 1.25 + 0.1, "samples": windows}


def run(cluster: Cluster, minutes: float = 20, senders: int = 10, warmup_s: float = 30) -> dict:
    """The soak on a running cluster (the CI form calls this with minutes=2)."""
    return asyncio.run(_soak(cluster, minutes, senders, warmup_s))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench-soak"))
    parser.add_argument("--base-port", type=int, default=18900)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "soak.json"))
    args = parser.parse_args(argv)
    model = Path(os.environ["MUSRENBANG_MODEL"]) if os.environ.get("MUSRENBANG_MODEL") else ensure_model()
    cluster = Cluster(directory=Path(args.dir) / "cluster", model=model, ports=Ports.default(args.base_port),
                      extra_env={"WEB_RATE_PER_MINUTE": "100000"})
    try:
        cluster.start()
        result = run(cluster, args.minutes, args.senders)
    finally:
        cluster.stop()
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
