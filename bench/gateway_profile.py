"""The gateway's own share of a web-chat turn: its CPU per turn under 20 senders, and where it goes.

Starts the real stack (ops.stack, as bench/turns.py does, the per-sender limit off), drives `--turns`
web-chat turns of bench/turns.py's mix from `--senders` concurrent senders, and reports CPU time per
turn (utime + stime from /proc) of the gateway, Rasa and the action server, and their RSS at the end. On a
shared machine CPU per turn is steadier than turns/s: the gateway's CPU is what it takes from Rasa on the
same cores.
With `--py-spy FILE` it samples the gateway meanwhile (py-spy, requirements/app.lock; samples holding the
GIL only, so waiting threads do not count) and prints the functions holding the most samples: by own time,
and by time inside them.
With `--fake-rasa` the gateway alone is started, against a stand-in for Rasa's REST channel in a process
of its own (`FAKE_REPLIES`, shaped like Rasa's, after `--rasa-delay` seconds): no model, no Rasa or action
server taking the cores, so the gateway's CPU per turn can be compared run after run on a busy machine
(`--rounds` measures that many times on one gateway). `--rate` keeps the web chat's per-sender limit on (as
in production: one more transaction per turn), with a limit no sender reaches.
Run: `.venv/app/bin/python -m bench.gateway_profile --model FILE [--turns 1000] [--py-spy /tmp/gw.txt]`, or
`.venv/app/bin/python -m bench.gateway_profile --fake-rasa [--turns 2000 --rounds 3]`.
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
from ops.stack import ROOT, Stack, ensure_model, wait_http

PROCESSES = ("gateway", "rasa", "actions")
FAKE_RASA_PORT = 26099
# What Rasa's REST channel answers to the bench's greeting, in size and shape (a text with three buttons, a text).
FAKE_REPLIES = [{"text": "Halo! Saya asisten e-Musrenbang. Saya bisa membantu Anda mengajukan usulan pembangunan, "
                         "mengecek status usulan, atau menjawab pertanyaan tentang Musrenbang.",
                 "buttons": [{"title": "Ajukan usulan", "payload": "/propose"},
                             {"title": "Cek status", "payload": "/check_status"},
                             {"title": "Apa itu Musrenbang?", "payload": "/ask_faq"}]},
                {"text": "Silakan pilih salah satu, atau tulis pertanyaan Anda."}]


def serve_fake_rasa(port: int, delay_s: float) -> None:
    """Rasa's REST channel as the gateway sees it: `FAKE_REPLIES` after `delay_s` (Rasa's own time)."""
    from aiohttp import web

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(delay_s)
        return web.json_response([{"recipient_id": body["sender"], **reply} for reply in FAKE_REPLIES])

    async def version(_request: web.Request) -> web.Response:
        return web.json_response({"version": "fake"})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/version", version)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def gateway_alone(args: argparse.Namespace) -> dict:
    """`--fake-rasa`: the gateway's CPU per turn against the stand-in, `args.rounds` times."""
    fake = subprocess.Popen([sys.executable, "-m", "bench.gateway_profile", "--serve-fake-rasa",
                             str(FAKE_RASA_PORT), "--rasa-delay", str(args.rasa_delay)], start_new_session=True)
    rounds, spy = [], None
    with tempfile.TemporaryDirectory() as var:
        stack = Stack(var_dir=Path(var), model=None, gateway_port=29080, extra_env={
            "WEB_RATE_PER_MINUTE": "1000000" if args.rate else "0", "RASA_URL": f"http://127.0.0.1:{FAKE_RASA_PORT}"})
        try:
            wait_http(f"http://127.0.0.1:{FAKE_RASA_PORT}/version", 30, fake)
            subprocess.run([sys.executable, "-m", "storage.migrate"], cwd=ROOT, env=stack.env(), check=True,
                           stdout=subprocess.DEVNULL)
            stack.launch("gateway")
            pid = stack.processes["gateway"].pid
            asyncio.run(drive("gateway", stack.gateway_url, 4, 200, messages=MESSAGES))  # warm-up
            spy = _spy(args.py_spy, pid)
            for _ in range(args.rounds):
                before = tree_cpu(pid)
                result = asyncio.run(drive("gateway", stack.gateway_url, args.senders, args.turns, messages=MESSAGES))
                rounds.append({"gateway_cpu_ms_per_turn": round(1000 * (tree_cpu(pid) - before) / result["turns"], 3),
                               **result})
            _stop_spy(spy)
        finally:
            if spy is not None and spy.poll() is None:
                spy.kill()
            stack.stop()
            os.killpg(fake.pid, signal.SIGTERM)
            fake.wait(timeout=15)
    cpu = sorted(r["gateway_cpu_ms_per_turn"] for r in rounds)
    return {"rounds": rounds, "gateway_cpu_ms_per_turn_median": cpu[len(cpu) // 2], "rate_limit": args.rate}


def _spy(raw: str | None, pid: int) -> subprocess.Popen | None:
    if not raw:
        return None
    spy = subprocess.Popen([PY_SPY, "record", "-p", str(pid), "-f", "raw", "-F", "--gil", "--nonblocking", "-o", raw],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return spy


def _stop_spy(spy: subprocess.Popen | None) -> None:
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
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
    parser.add_argument("--fake-rasa", dest="fake_rasa", action="store_true",
                        help="the gateway alone, against a stand-in for Rasa (see the module)")
    parser.add_argument("--rounds", type=int, default=3, help="with --fake-rasa: measurements on one gateway")
    parser.add_argument("--rasa-delay", dest="rasa_delay", type=float, default=0.02,
                        help="with --fake-rasa: the stand-in's seconds per turn")
    parser.add_argument("--rate", action="store_true", help="with --fake-rasa: the per-sender limit counts")
    parser.add_argument("--serve-fake-rasa", dest="serve_fake_rasa", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake_rasa:
        serve_fake_rasa(args.serve_fake_rasa, args.rasa_delay)
        return
    load_before = os.getloadavg()
    if args.fake_rasa:
        report = {"load_average_before": [round(x, 2) for x in load_before], **gateway_alone(args),
                  "load_average_after": [round(x, 2) for x in os.getloadavg()]}
        if args.py_spy:
            report["profile"] = summary(Path(args.py_spy))
        print(json.dumps(report, indent=1))
        if args.out:
            Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
        return
    model = Path(args.model) if args.model else ensure_model()
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
