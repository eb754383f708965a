"""Latency and throughput of a turn, against Rasa's own starter bot measured in the same run.

Starts the real stack (ops.stack) and, after it, Rasa's starter bot (the `rasa init` project: its data,
domain and default NLU pipeline, with the same policies as ours, rules + memoization; trained once with
fixed seeds and cached by a fingerprint, `starter_model`). For 1 and 20 concurrent senders it sends a
fixed mix of messages and reports p50/p95/p99 and turns/s for `/model/parse`, a bare Rasa REST turn and
a full turn through the gateway's web chat, then the ratios the targets are stated in (project/starter,
gateway/Rasa), each process's CPU per turn at 20 senders and each process's RSS.
Run: `.venv/app/bin/python -m bench.turns [--turns 200] [--out bench/results/turns.json] [--model FILE]`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from bench.idle import cpu_seconds
from ops.stack import MODEL_CACHE, RASA_BIN, Stack, ensure_model, rasa_env, wait_http, wait_model_loaded

MESSAGES = ["halo", "apa itu musrenbang?", "status USL-7K3Q9D", "usulan saya sudah sampai mana?",
            "terima kasih"]
# The starter bot's own kind of conversation (its intents: greet, mood, bot challenge, affirm, goodbye).
STARTER_MESSAGES = ["hello", "I am feeling very good", "are you a bot?", "yes", "bye"]
STARTER_PORT = 25006

# `rasa init`'s config.yml leaves the pipeline to Rasa's suggestion; here it is written out, with seeds,
# and the project's policies (bench/default_config.yml is the same pipeline, for the NLU comparison).
STARTER_CONFIG = """recipe: default.v1
assistant_id: starter-bench
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
    random_seed: 42
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
    random_seed: 42
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
    max_history: 4
  - name: RulePolicy
"""


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


def _initial_project() -> Path:
    """The project `rasa init` copies, inside the installed Rasa."""
    found = subprocess.run([str(RASA_BIN / "python"), "-c", "import importlib.util as u; "
                            "print(u.find_spec('rasa').submodule_search_locations[0])"],
                           capture_output=True, text=True, check=True, env=rasa_env())
    return Path(found.stdout.strip()) / "cli" / "initial_project"


def starter_project(target: Path) -> Path:
    """`rasa init --no-prompt`'s files (data and domain; no custom actions) with STARTER_CONFIG, in `target`."""
    source = _initial_project()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source / "data", target / "data")
    shutil.copy(source / "domain.yml", target / "domain.yml")
    (target / "config.yml").write_text(STARTER_CONFIG)
    return target


def starter_model(log=print) -> Path:
    """The starter bot's trained model, trained only when its inputs or Rasa changed."""
    with tempfile.TemporaryDirectory() as tmp:
        project = starter_project(Path(tmp) / "starter")
        digest = hashlib.sha256(str(_initial_project()).encode())
        for path in sorted(p for p in project.rglob("*") if p.is_file()):
            digest.update(path.relative_to(project).as_posix().encode() + path.read_bytes())
        target = MODEL_CACHE / f"starter-{digest.hexdigest()[:16]}.tar.gz"
        if target.exists():
            return target
        MODEL_CACHE.mkdir(parents=True, exist_ok=True)
        log(f"Training Rasa's starter bot → {target}")
        subprocess.run([str(RASA_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
                        "--data", "data", "--out", str(MODEL_CACHE), "--fixed-model-name",
                        target.name[: -len(".tar.gz")]], cwd=project, env=rasa_env(), check=True,
                       stdout=subprocess.DEVNULL)
        return target


class Starter:
    """Rasa serving the starter model as `rasa run --enable-api` would after `rasa init`: REST channel,
    Rasa's default (in-memory) tracker store, no action server (the starter has no custom actions)."""

    def __init__(self, model: Path, var_dir: Path, token: str) -> None:
        self.model, self.var_dir, self.token = model, var_dir, token
        self.url = f"http://127.0.0.1:{STARTER_PORT}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        (self.var_dir / "starter").mkdir(parents=True, exist_ok=True)
        (self.var_dir / "starter" / "credentials.yml").write_text("rest:\n")
        log = (self.var_dir / "starter" / "rasa.log").open("ab")
        self.process = subprocess.Popen(
            [str(RASA_BIN / "rasa"), "run", "--enable-api", "--auth-token", self.token, "--model", str(self.model),
             "--port", str(STARTER_PORT), "--interface", "127.0.0.1", "--credentials", "credentials.yml"],
            cwd=self.var_dir / "starter", env=rasa_env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_http(f"{self.url}/version", 240, self.process)
        wait_model_loaded(self.url, self.token, 240, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


async def drive(kind: str, base: str, users: int, turns: int, token: str = "",
                messages: list[str] = MESSAGES) -> dict:
    params = {"token": token} if token and kind != "gateway" else {}
    async with aiohttp.ClientSession() as session:
        latencies: list[float] = []
        per_user = max(1, turns // users)

        async def one_user() -> None:
            sender = uuid.uuid4().hex
            for i in range(per_user):
                text = messages[i % len(messages)]
                if kind == "parse":
                    url, body = f"{base}/model/parse", {"text": text}
                elif kind == "rasa":
                    url, body = f"{base}/webhooks/rest/webhook", {"sender": f"web:{sender}", "message": text}
                else:
                    url, body = f"{base}/api/chat", {"sender": sender, "message": text,
                                                     "message_id": uuid.uuid4().hex}
                started = time.perf_counter()
                async with session.post(url, json=body, params=params) as response:
                    await response.read()
                    assert response.status == 200, (url, response.status)
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(one_user() for _ in range(users)))
        elapsed = time.perf_counter() - started
    return {"kind": kind, "users": users, "turns": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1), "p99_ms": round(percentile(latencies, 0.99), 1),
            "per_s": round(len(latencies) / elapsed, 1)}


async def measure(kind: str, base: str, turns: int, token: str, messages: list[str],
                  results: list[dict], pids: dict[str, int] | None = None) -> None:
    """1 and 20 senders after a warm-up; with `pids`, each process's CPU per turn at 20 senders too (from
    /proc: steadier than turns/s on a shared machine, and what the gateway takes from Rasa's cores)."""
    await drive(kind, base, 4, 20, token, messages)  # warm-up
    for users in (1, 20):
        before = {name: cpu_seconds(pid) for name, pid in (pids or {}).items()} if users == 20 else {}
        results.append(await drive(kind, base, users, turns, token, messages))
        if before:
            results[-1]["cpu_ms_per_turn"] = {name: round(1000 * (cpu_seconds(pid) - before[name])
                                                          / results[-1]["turns"], 2)
                                              for name, pid in pids.items()}
        print(json.dumps(results[-1]), flush=True)


def _find(results: list[dict], kind: str, users: int) -> dict:
    return next(r for r in results if r["kind"] == kind and r["users"] == users)


def ratios(results: list[dict]) -> dict[str, float]:
    """The figures the targets are stated in (issue 14)."""
    rasa1, rasa20 = _find(results, "rasa", 1), _find(results, "rasa", 20)
    starter1, starter20 = _find(results, "starter", 1), _find(results, "starter", 20)
    gateway20 = _find(results, "gateway", 20)
    return {
        "project/starter turns/s at 20 senders": round(rasa20["per_s"] / starter20["per_s"], 2),
        "project/starter p50 alone": round(rasa1["p50_ms"] / starter1["p50_ms"], 2),
        "project/starter p95 at 20 senders": round(rasa20["p95_ms"] / starter20["p95_ms"], 2),
        "gateway/rasa turns/s at 20 senders": round(gateway20["per_s"] / rasa20["per_s"], 2),
        "gateway p95 at 20 senders (ms)": gateway20["p95_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--out", default="bench/results/turns.json")
    parser.add_argument("--model", help="a trained model file to serve instead of the one for the current data")
    args = parser.parse_args()
    model = Path(args.model) if args.model else ensure_model()
    starter = starter_model()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as var:
        stack = Stack(var_dir=Path(var), model=model, rasa_port=25005, actions_port=25055, gateway_port=28080,
                      extra_env={"WEB_RATE_PER_MINUTE": "0"})  # measure the stack, not the per-sender limit
        bot = Starter(starter, Path(var), stack.rasa_token)
        results: list[dict] = []
        try:
            stack.start()
            bot.start()
            print(f"stack ready in {stack.timings['ready_s']:.1f} s", flush=True)
            for kind, base, messages in (("starter", bot.url, STARTER_MESSAGES), ("parse", stack.rasa_url, MESSAGES),
                                         ("rasa", stack.rasa_url, MESSAGES),
                                         ("gateway", stack.gateway_url, MESSAGES)):
                # The starter's turns go through its REST channel, like our bare Rasa turn.
                pids = {name: process.pid for name, process in stack.processes.items()} if kind != "starter" \
                    else {"starter rasa": bot.process.pid}
                asyncio.run(measure("rasa" if kind == "starter" else kind, base, args.turns, stack.rasa_token,
                                    messages, results, pids))
                if kind == "starter":
                    for row in results[-2:]:
                        row["kind"] = "starter"
            memory = {name: round(rss_mb(p.pid), 1) for name, p in stack.processes.items()}
            memory["starter rasa"] = round(rss_mb(bot.process.pid), 1)
        finally:
            bot.stop()
            stack.stop()
    report = {"ready_s": round(stack.timings["ready_s"], 1), "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count(),
              "rss_mb": memory, "results": results, "ratios": ratios(results)}
    print(json.dumps(report, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
