"""The gateway's own share of a web-chat turn: its CPU per turn under 20 senders, and where it goes.

Starts the real stack (ops.stack, as bench/turns.py does, the per-sender limit off), drives `--turns`
web-chat turns of bench/turns.py's mix from `--senders` concurrent senders, and reports CPU time per
turn (utime + stime from /proc) of the gateway, Rasa and the action server, and their RSS at the end. On a
shared machine CPU per turn is steadier than turns/s: the gateway's CPU is what it takes from Rasa on the
same cores.
With `--py-spy FILE` it samples the gateway meanwhile (py-spy, requirements/app.lock; samples holding the
GIL only, so waiting threads do not count) and prints the functions holding the most samples: by own time,
and by time inside them.
Run: `.venv/app/bin/python -m bench.gateway_profile --model FILE [--turns 1000] [--py-spy /tmp/gw.txt]`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.idle import cpu_seconds
from bench.turns import MESSAGES, drive, rss_mb
from ops.stack import Stack, ensure_model

PROCESSES = ("gateway", "rasa", "actions")
PY_SPY = str(Path(sys.executable).parent / "py-spy")  # installed with the app environment


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (Rasa's `rasa run` is one process; kept general)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += cpu_seconds(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def summary(raw: Path, top: int = 25) -> dict[str, list[tuple[str, float]]]:
    """py-spy's raw (collapsed) stacks → the functions with the largest share of samples: `self` (the
    sample's innermost frame) and `inclusive` (anywhere on the stack, counted once per sample)."""
    own: collections.Counter[str] = collections.Counter()
    inside: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [frame.split(":")[0].rstrip(")") + ")" if frame.endswith(")") else frame
                  for frame in stack.split(";")]
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inside[frame] += n
    share = lambda counter: [(name, round(100 * n / total, 1)) for name, n in counter.most_common(top)]  # noqa: E731
    return {"samples": total, "self": share(own), "inclusive": share(inside)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", help="a trained model file (else the one for the current data)")
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--py-spy", dest="py_spy", help="sample the gateway into this raw file")
    parser.add_argument("--out", help="write the report (JSON) here too")
    args = parser.parse_args()
    model = Path(args.model) if args.model else ensure_model()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as var:
        stack = Stack(var_dir=Path(var), model=model, rasa_port=26005, actions_port=26055, gateway_port=29080,
                      extra_env={"WEB_RATE_PER_MINUTE": "0"})
        spy = None
        try:
            stack.start()
            asyncio.run(drive("gateway", stack.gateway_url, 4, 40, messages=MESSAGES))  # warm-up
            pids = {name: stack.processes[name].pid for name in PROCESSES}
            before = {name: tree_cpu(pid) for name, pid in pids.items()}
            if args.py_spy:
                spy = subprocess.Popen([PY_SPY, "record", "-p", str(pids["gateway"]), "-f", "raw", "-F", "--gil",
                                        "--nonblocking", "-o", args.py_spy],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
            result = asyncio.run(drive("gateway", stack.gateway_url, args.senders, args.turns, messages=MESSAGES))
            after = {name: tree_cpu(pid) for name, pid in pids.items()}
            memory = {name: round(rss_mb(pid), 1) for name, pid in pids.items()}
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
        finally:
            if spy is not None and spy.poll() is None:
                spy.kill()
            stack.stop()
    report = {"load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()], "result": result,
              "cpu_ms_per_turn": {name: round(1000 * (after[name] - before[name]) / result["turns"], 2)
                                  for name in PROCESSES}, "rss_mb": memory}
    if args.py_spy:
        report["profile"] = summary(Path(args.py_spy))
    print(json.dumps(report, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
