"""Does the production topology scale? Turns/s and p50/p95 through nginx (HTTPS web chat) at 1, 20 and 100
concurrent senders for 1 Rasa process x 1 worker, 1 x 2 and 2 x 2 (each a `./musrenbang cluster`: 2
gateways, 2 action servers, PostgreSQL, Redis), in one run, with a bare Rasa (the rules-only starter bot,
straight to its REST channel) as the anchor; resident memory per process.

    MUSRENBANG_MODEL=~/.cache/musrenbang/models/<fingerprint>.tar.gz \
        .venv/app/bin/python bench/scale.py [--seconds 30] [--levels 1,20,100] [--anchor-model FILE]

Goal on a 2-core machine: throughput grows with workers until the cores are full (>= 1.8x from 1 to 2
workers), p95 <= 1 s at 20 senders. Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Result, drive
from ops.cluster import Cluster, Ports
from ops.stack import MODEL_CACHE, RASA_BIN, ROOT, ensure_model, rasa_env, wait_http, wait_model_loaded

CONFIGS = ((1, 1), (1, 2), (2, 2))  # Rasa processes x workers


def measure(url: str, levels: list[int], seconds: float, trace: Callable[[int, Result], None] | None = None,
            **kwargs: object) -> dict[str, dict]:
    """Each load level in turn; `trace(level, result)` sees each level's requests (--trace)."""
    out = {}
    warm = asyncio.run(drive(url, 2, min(10.0, seconds), **kwargs))  # warm-up: first turns load lazily
    if not warm.latencies:  # a server that answers nothing would be measured as infinitely slow, silently
        raise RuntimeError(f"{url}: no turn answered during the warm-up ({warm.errors} errors); see its log")
    for senders in levels:
        result = asyncio.run(drive(url, senders, seconds, **kwargs))
        out[str(senders)] = result.summary()
        if trace is not None:
            trace(senders, result)
        print(f"    {senders:>3} senders: {out[str(senders)]}", flush=True)
    return out


def anchor(model: Path, directory: Path, levels: list[int], seconds: float, port: int) -> dict:
    """A bare Rasa (in-memory tracker and lock store, one worker) with the starter bot, as `rasa init` runs it:
    Rasa's own REST channel (not the project's token-checking one in credentials.yml)."""
    token = secrets.token_hex(8)
    directory.mkdir(parents=True, exist_ok=True)
    endpoints = directory / "endpoints.yml"
    endpoints.write_text("")
    credentials = directory / "credentials.yml"
    credentials.write_text("rest:\n")
    log = open(directory / "anchor-rasa.log", "ab")
    process = subprocess.Popen([str(RASA_BIN / "rasa"), "run", "--enable-api", "--auth-token", token, "--model",
                                str(model), "--port", str(port), "--interface", "127.0.0.1",
                                "--endpoints", str(endpoints), "--credentials", str(credentials)],
                               cwd=ROOT, env=rasa_env(), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/version", 600, process)
        wait_model_loaded(url, token, 600, process)
        return {"levels": measure(url, levels, seconds, rasa_token=token)}
    finally:
        process.terminate()
        process.wait(timeout=60)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="per load level")
    parser.add_argument("--levels", default="1,20,100")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench-scale"))
    parser.add_argument("--base-port", type=int, default=18800)
    parser.add_argument("--anchor-model", default="", help="the starter bot (default: newest starter-*.tar.gz "
                                                           "in the model cache)")
    parser.add_argument("--configs", default=",".join(f"{p}x{w}" for p, w in CONFIGS),
                        help="Rasa processes x workers to run, e.g. 1x1")
    parser.add_argument("--no-anchor", action="store_true", help="skip the bare Rasa anchor")
    parser.add_argument("--trace", default="", help="a folder: per-request timing split of each level "
                                                    "(bench/turn_split.py)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "scale.json"))
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    model = Path(os.environ["MUSRENBANG_MODEL"]) if os.environ.get("MUSRENBANG_MODEL") else ensure_model()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "load_average_at_start": os.getloadavg()},
                     "seconds_per_level": args.seconds, "model": model.name, "configs": {}}
    starters = sorted(MODEL_CACHE.glob("starter-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    anchor_model = Path(args.anchor_model) if args.anchor_model else (starters[-1] if starters else None)
    if anchor_model is not None and not args.no_anchor:
        print(f"anchor: bare Rasa with {anchor_model.name}", flush=True)
        results["anchor"] = anchor(anchor_model, Path(args.dir) / "anchor", levels, args.seconds, args.base_port + 90)
    for name in args.configs.split(","):
        processes, workers = (int(part) for part in name.split("x"))
        print(f"cluster {name} (Rasa processes x workers)", flush=True)
        cluster = Cluster(directory=Path(args.dir) / "cluster", model=model, ports=Ports.default(args.base_port),
                          rasa_processes=processes, rasa_workers=workers,
                          extra_env={"WEB_RATE_PER_MINUTE": "100000", "RASA_TIMEOUT": "120"})
        started = time.monotonic()
        try:
            cluster.start(log=lambda message: print(f"  {message}", flush=True))
            ready_s = time.monotonic() - started
            trace = None
            if args.trace:
                def trace(senders: int, result: Result, cluster: Cluster = cluster, name: str = name) -> None:
                    from bench import turn_split

                    asyncio.run(turn_split.report(result.turns, cluster.database_url, cluster.directory / "logs",
                                                  Path(args.trace) / f"{name}-{senders}"))
            levels_out = measure(cluster.url, levels, args.seconds, trace=trace, tls=cluster.tls_context())
            results["configs"][name] = {"ready_s": round(ready_s), "levels": levels_out, "rss_mb": cluster.rss_mb()}
        finally:
            cluster.stop()
    one, two = results["configs"].get("1x1"), results["configs"].get("1x2")
    if one and two:
        peak = max(levels)
        results["speedup_1_to_2_workers"] = round(
            two["levels"][str(peak)]["turns_per_s"] / max(one["levels"][str(peak)]["turns_per_s"], 1e-9), 2)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
