"""An idle gateway's CPU: two gateway processes (`python -m bot`, as deployed) on one database, no
traffic at all, CPU time (utime + stime from /proc/<pid>/stat) over a window, as % of one core.

The queue loops sleep until a write wakes them (storage/wakeups.py), so an idle gateway should cost
next to nothing; before that it polled its queues (15 % of a core per instance, issue 14).
Run: `.venv/app/bin/python -m bench.idle [--seconds 30] [--database-url URL] [--out bench/results/idle.json]`
(without --database-url: a fresh SQLite file; give a PostgreSQL URL to measure with LISTEN/NOTIFY).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready in {timeout_s:.0f} s")


def migrate(database_url: str) -> None:
    subprocess.run([sys.executable, "-m", "storage.migrate"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": database_url}, stdout=subprocess.DEVNULL)


def measure(database_url: str, var_dir: Path, seconds: float = 30, instances: int = 2,
            settle_s: float = 3, extra_env: dict[str, str] | None = None) -> list[float]:
    """Start `instances` gateways on `database_url` (migrated already), let them settle, and return
    each one's CPU over `seconds` as % of one core."""
    processes = []
    try:
        for index in range(instances):
            port = free_port()
            env = {**os.environ, "DATABASE_URL": database_url, "GATEWAY_PORT": str(port),
                   "MUSRENBANG_VAR": str(var_dir / f"gateway{index}"), "RASA_URL": f"http://127.0.0.1:{free_port()}",
                   "RASA_TOKEN": "idle-bench", **(extra_env or {})}
            for name in ("TELEGRAM_BOT_TOKEN", "WHATSAPP_TOKEN"):  # no platform to poll: the gateway alone
                env.pop(name, None)
            process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
            processes.append(process)
            wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        time.sleep(settle_s)  # start-up work (imports, first claims, first maintenance step) is over
        before = [cpu_seconds(process.pid) for process in processes]
        started = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - started
        after = [cpu_seconds(process.pid) for process in processes]
        return [100 * (end - start) / elapsed for start, end in zip(before, after, strict=True)]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--database-url", action="append", default=[],
                        help="measure on this database (repeatable); default: a fresh SQLite file")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as temporary:
        var = Path(temporary)
        urls = args.database_url or [f"sqlite+aiosqlite:///{var / 'musrenbang.db'}"]
        for url in urls:
            backend = "sqlite" if url.startswith("sqlite") else "postgresql"
            migrate(url)
            figures = measure(url, var / backend, args.seconds, args.instances)
            results[backend] = {"seconds": args.seconds, "cpu_percent_of_a_core": [round(f, 2) for f in figures]}
            print(f"{backend}: idle CPU over {args.seconds:.0f} s, {args.instances} gateways: "
                  + ", ".join(f"{figure:.2f} %" for figure in figures))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
