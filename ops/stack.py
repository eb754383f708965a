"""Start Rasa, the action server and the gateway as real processes, and stop them cleanly.

Used by `./musrenbang run` and by the end-to-end tests (once per test session), so what the
tests exercise is exactly what a developer runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core import settings
from ops import endpoints

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("MUSRENBANG_VENVS", ROOT / ".venv"))
RASA_BIN = VENVS / "rasa" / "bin"
APP_BIN = VENVS / "app" / "bin"
REDIS_SERVER = Path("/usr/bin/redis-server")  # Debian's redis-server package
MODEL_CACHE = Path(os.environ.get("MUSRENBANG_MODEL_CACHE", Path.home() / ".cache" / "musrenbang" / "models"))

# Everything that changes what `rasa train` produces: the data, the pipeline, and every project module the
# pipeline's components import (tests/ops/test_training_inputs.py checks that none is missing). Of
# core/language only the parts the NLU runs: the function-word lists (markers.py) are not among them.
TRAINING_INPUTS = ("domain.yml", "nlu/config.yml", "nlu/data", "nlu/components", "core/__init__.py",
                   "core/numbers.py", "core/language/__init__.py", "core/language/fold.py", "core/language/words.py",
                   "core/language/resources.py", "core/language/resources", "core/language/normalise.py",
                   "core/language/identify.py", "requirements/rasa.lock")

# Imported by the pipeline's package but changing only how a loaded model is served (nlu/rasa_runtime.py checks
# the action server's reply schema once and asks core/answers.py which messages are questions, whose FAQ
# selection the actions read), not what training produces: no retrain when they change.
SERVING_ONLY = ("nlu/rasa_runtime.py", "core/answers.py", "core/language/markers.py")


SERVING_ONLY_MARK = b"# serving-only"  # a lock line the training never imports (prometheus-client for /metrics)


def _trained_part(file: Path) -> bytes:
    """The file's bytes, a lock file without the lines of packages only the serving processes use."""
    data = file.read_bytes()
    if file.suffix != ".lock":
        return data
    return b"".join(line for line in data.splitlines(keepends=True) if SERVING_ONLY_MARK not in line)


def fingerprint(inputs: tuple[str, ...] = TRAINING_INPUTS) -> str:
    digest = hashlib.sha256()
    for name in inputs:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if not file.exists() or "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(_trained_part(file))
    return digest.hexdigest()[:16]


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(ROOT),
        "PYTHONHASHSEED": "0",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_DETERMINISTIC_OPS": "1",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    })
    return env


def model_path() -> Path:
    return MODEL_CACHE / f"{fingerprint()}.tar.gz"


def ensure_model(log=print, use_configured: bool = True) -> Path | None:  # noqa: ANN001 - a print-like callable
    """The model to serve: MUSRENBANG_MODEL when set (a file built once by `./musrenbang train --out`; never
    trained here), None when MODEL_URL names a model server (Rasa pulls it; nothing local), else the trained
    model for the current data, training it only when the data changed. Production mode never trains at
    start: there MUSRENBANG_MODEL or MODEL_URL is required."""
    config = settings.load()
    if use_configured and config.model_url:
        log(f"Model: pulled by Rasa from {config.model_url} (MODEL_URL)")
        return None
    if use_configured and config.model_file is not None:
        if not config.model_file.is_file():
            raise settings.ConfigError(f"MUSRENBANG_MODEL: no model file at {config.model_file}")
        log(f"Model: {config.model_file} (MUSRENBANG_MODEL)")
        return config.model_file
    if use_configured and config.mode == "production":
        raise settings.ConfigError("MUSRENBANG_MODEL must name a trained model file (or MODEL_URL a model server) in "
                                   "production mode: services never train at start (build it once with "
                                   "./musrenbang train --out FILE)")
    target = model_path()
    if target.exists():
        log(f"Model up to date: {target}")
        return target
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    log(f"Training the Rasa model (data changed; takes a few minutes) → {target}")
    started = time.monotonic()
    subprocess.run(
        [str(RASA_BIN / "rasa"), "train", "--config", "nlu/config.yml", "--domain", "domain.yml",
         "--data", "nlu/data", "--out", str(MODEL_CACHE), "--fixed-model-name", target.name[: -len(".tar.gz")]],
        cwd=ROOT, env=rasa_env(), check=True,
    )
    log(f"Trained in {time.monotonic() - started:.0f} s")
    return target


def wait_http(url: str, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout_s:.0f} s")


def wait_model_loaded(rasa_url: str, token: str, timeout_s: float, process: subprocess.Popen) -> None:
    """Rasa answers /status before its model is loaded; a turn before that would get no reply. Rasa loads a
    model file, or pulls from MODEL_URL, before it serves: /status without a model means none will come
    (a model server that failed between our check and Rasa's pull), so that is an error, not a wait."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasa exited with {process.returncode}")
        query = urllib.parse.urlencode({"token": token})
        with urllib.request.urlopen(f"{rasa_url}/status?{query}", timeout=5) as response:
            if json.load(response).get("model_file"):
                return
        time.sleep(0.5)
    raise TimeoutError("rasa did not load its model (see its log)")


def train_to(out: Path, log=print) -> Path:  # noqa: ANN001 - a print-like callable
    """`./musrenbang train --out FILE`: the model of the current data (trained unless cached) as one file
    that services load with MUSRENBANG_MODEL."""
    model = ensure_model(log, use_configured=False)
    assert model is not None  # never None unless the configured MODEL_URL is used
    publish_model(model, out)
    log(f"Model written to {out}; start the services with MUSRENBANG_MODEL={out}, or serve its directory and "
        "set MODEL_URL (Rasa pulls a newly written file within MODEL_PULL_INTERVAL seconds)")
    return out


def publish_model(model: Path, out: Path) -> Path:
    """Copy a trained model to `out` the one way a model server may see it (`train --out`, `./musrenbang
    cluster`): under a hidden temporary name, renamed at once, so a model server serving the directory
    (MODEL_URL) never hands Rasa a half-written file, and the rename gives the file a new ETag, which Rasa's
    next pull loads."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    shutil.copyfile(model, temporary)
    temporary.chmod(0o644)  # the model server (nginx, its own user) reads it; a model holds no personal data
    os.replace(temporary, out)
    return out


def redis_answers(url: str, timeout_s: float = 1.0) -> bool:
    """Whether something speaking Redis listens at `url` (a PING; an auth error counts as an answer)."""
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout_s) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64)[:1] in (b"+", b"-")
    except OSError:
        return False


def _reachable(host: str) -> str:
    """The address to call a service on that listens on `host` (a wildcard is reached on loopback)."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


PRIVATE_UMASK = 0o077  # what the processes create in var/ (database, photos, logs) is the owner's alone


def make_private(var_dir: Path) -> None:
    """var/ and everything in it owner-only (0700 directories, 0600 files), also what an older version left
    world-readable: the database holds citizens' phone numbers, the logs their messages."""
    for path in [var_dir, *var_dir.rglob("*")]:
        if path.is_symlink():
            continue
        try:
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError:  # not ours (a shared mount): leave it
            pass


@dataclass
class Stack:
    """The three processes on chosen ports, sharing one var directory and database."""

    var_dir: Path
    model: Path | None  # None: Rasa pulls it from MODEL_URL (the endpoints file's `models:`)
    rasa_port: int = 5005
    actions_port: int = 5055
    gateway_port: int = 8080
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{_reachable(settings.load().rasa_host)}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{_reachable(settings.load().actions_host)}:{self.actions_port}"

    @property
    def rasa_token(self) -> str:
        """What every call to Rasa carries (`?token=`): RASA_TOKEN, or the installation's own (var/rasa_token),
        so the tests, benchmarks and tools of this checkout reach every stack it starts."""
        return settings.load().rasa_token


    def env(self) -> dict[str, str]:
        env = rasa_env()
        env.update({
            "MUSRENBANG_VAR": str(self.var_dir),
            "RASA_URL": self.rasa_url,
            "GATEWAY_PORT": str(self.gateway_port),
            "ACTION_SERVER_URL": f"{self.actions_url}/webhook",
            "RASA_TRACKER_DB": str(self.var_dir / "tracker.db"),
            "RASA_TOKEN": self.rasa_token,
        })
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        # rasa_sdk binds the action server to $SANIC_HOST, 0.0.0.0 unless told: it has no token, so it
        # listens on loopback unless a multi-host deployment names a private address (ACTIONS_HOST).
        env["SANIC_HOST"] = settings.load().actions_host
        # Rasa's Sanic workers (it refuses more than one without a shared lock store: settings checks REDIS_URL).
        env["SANIC_WORKERS"] = str(settings.load(env).rasa_workers)
        return env

    @property
    def endpoints_file(self) -> Path:
        return self.var_dir / "endpoints.yml"

    def write_endpoints(self) -> Path:
        """Rasa's endpoints (tracker store, lock store, action server) from the settings its processes see."""
        env = self.env()
        return endpoints.write(settings.load(env), self.endpoints_file, env["ACTION_SERVER_URL"])

    def _spawn(self, name: str, args: list[str], log_dir: Path) -> subprocess.Popen:
        log = os.fdopen(os.open(log_dir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, umask=PRIVATE_UMASK)
        self.processes[name] = process
        return process

    def command(self, name: str) -> list[str]:
        """The command line of one of the three processes."""
        if name == "actions":
            # rasa_sdk's app with JSON logs and /metrics (ops/action_server.py)
            return [str(RASA_BIN / "python"), "-m", "ops.action_server", "--actions", "actions",
                    "--port", str(self.actions_port)]
        if name == "rasa":
            model = ["--model", str(self.model)] if self.model is not None else []
            return [str(RASA_BIN / "rasa"), "run", "--enable-api", "--auth-token", self.rasa_token,
                    *model, "--port", str(self.rasa_port), "--interface", settings.load().rasa_host,
                    "--endpoints", str(self.endpoints_file), "--credentials", "credentials.yml"]
        if name == "redis":
            url = urllib.parse.urlsplit(settings.load(self.env()).redis_url)
            args = [str(REDIS_SERVER), "--port", str(url.port or 6379), "--bind", url.hostname or "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", str(self.var_dir)]
            if url.password:
                args += ["--requirepass", urllib.parse.unquote(url.password)]
            return args
        if name == "gateway":
            return [str(APP_BIN / "python"), "-m", "bot"]
        raise ValueError(f"unknown process {name!r}")

    def wait_ready(self, name: str, timeout_s: float = 240) -> None:
        process = self.processes[name]
        if name == "redis":
            deadline = time.monotonic() + 30
            while not redis_answers(settings.load(self.env()).redis_url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start; see its log")
                time.sleep(0.2)
        elif name == "gateway":
            wait_http(f"{self.gateway_url}/healthz", min(timeout_s, 60), process)
        elif name == "actions":
            wait_http(f"{self.actions_url}/health", timeout_s, process)
        else:
            wait_http(f"{self.rasa_url}/version", timeout_s, process)
            wait_model_loaded(self.rasa_url, self.rasa_token, timeout_s, process)

    def launch(self, name: str, wait: bool = True, timeout_s: float = 240) -> subprocess.Popen:
        """Start one process (its log appends to var/logs/<name>.log), by default waiting until it is ready."""
        log_dir = self.var_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        make_private(self.var_dir)
        if name == "rasa":
            self.write_endpoints()
        process = self._spawn(name, self.command(name), log_dir)
        if wait:
            self.wait_ready(name, timeout_s)
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL, timeout_s: float = 15) -> None:
        """Stop one process (SIGKILL by default: no clean-up runs, as in a crash)."""
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout_s)

    def start(self, log=print, timeout_s: float = 240,  # noqa: ANN001 - a print-like callable
              without: tuple[str, ...] = ()) -> None:
        """Migrate, then start the three processes (except those in `without`) and wait until they serve."""
        config = settings.load(self.env())
        if self.model is None and not config.model_url:
            raise settings.ConfigError("no model: give a model file or set MODEL_URL")
        if self.model is not None and not self.model.is_file():
            raise FileNotFoundError(f"no trained model at {self.model}")
        if config.model_url and "rasa" not in without:  # before anything starts: a clear error, no silent bot
            endpoints.check_model_server(config.model_url)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        make_private(self.var_dir)
        if config.redis_url and self.needs_redis(config) and "redis" not in without:
            if not REDIS_SERVER.is_file():
                raise RuntimeError(f"REDIS_URL names this machine but nothing answers there, and {REDIS_SERVER} is "
                                   "missing: apt-get install redis-server (or point REDIS_URL at a running Redis)")
            log("Starting Redis (Rasa's lock store)")
            self.launch("redis")
        # Local mode migrates here (a laptop just works); production mode only checks: migrating is its own
        # step (`./musrenbang migrate`), and a schema behind stops the start with a clear message.
        check = ["--check"] if config.mode == "production" else []
        subprocess.run([str(APP_BIN / "python"), "-m", "storage.migrate", *check], cwd=ROOT, env=self.env(),
                       check=True, umask=PRIVATE_UMASK)
        started = time.monotonic()
        names = [name for name in ("actions", "rasa", "gateway") if name not in without]
        for name in names:
            self.launch(name, wait=False)
        log("Starting the action server, Rasa (loading the model takes about a minute) and the gateway...")
        for name in sorted(names, key=("gateway", "actions", "rasa").index):
            self.wait_ready(name, timeout_s)
        self.timings["ready_s"] = time.monotonic() - started

    @staticmethod
    def needs_redis(config: settings.Settings) -> bool:
        """Redis is ours to start when REDIS_URL names this machine and nothing answers there."""
        host = urllib.parse.urlsplit(config.redis_url).hostname or ""
        return host in ("127.0.0.1", "localhost", "::1") and not redis_answers(config.redis_url)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def _interrupt(_signum: int, _frame: object) -> None:
    """`kill` or a service manager stops us with SIGTERM: clean up the children as on Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    """`python -m ops.stack run|train`: the long-running part of `./musrenbang run`."""
    command = argv[0] if argv else "run"
    if command == "train":
        if len(argv) >= 3 and argv[1] == "--out":
            train_to(Path(argv[2]).resolve())
        else:
            ensure_model(use_configured=False)
        return 0
    config = settings.load()
    for warning in settings.check_startup(config):
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    model = ensure_model()
    signal.signal(signal.SIGTERM, _interrupt)
    stack = Stack(var_dir=config.var_dir, model=model, gateway_port=config.gateway_port)
    try:
        stack.start()
        print(f"\nSiap. Buka web chat: {stack.gateway_url}/chat\n"
              f"Atau chat di terminal: ./musrenbang chat\nLog: {stack.var_dir / 'logs'}\nCtrl-C untuk berhenti.",
              flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("A process stopped; see the logs.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except settings.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
