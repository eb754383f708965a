"""`./musrenbang cluster`: the production topology on one machine, on loopback addresses.

PostgreSQL (its own instance), Redis, nginx, 2 gateways, 2 Rasa processes with 2 workers each and 2
action servers, sharing state as on real servers. Nothing here is a second description of production:
the processes run the very command lines of deploy/systemd/*.service (instance ports for `%i`, this
checkout for /opt/musrenbang, this cluster's directory for /var/lib/musrenbang) with the settings of
deploy/musrenbang.env (loopback addresses, generated secrets), and nginx runs the very site files
deploy/nginx/musrenbang.conf and musrenbang-models.conf, their ports and certificate replaced (a self-signed one
for 127.0.0.1). The model is published into this cluster's models directory as `./musrenbang train --out`
publishes it, and the Rasa processes pull it from the cluster's own model server (MODEL_URL, no --model), as on
a real server.

Used by the chaos test (tests/cluster) and the benchmarks (bench/scale.py, bench/soak.py), which kill
and restart any one process (`kill`, `restart`).
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ops.stack import REDIS_SERVER, ROOT, VENVS, ensure_model, make_private, publish_model, redis_answers, wait_http

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "musrenbang.conf"
MODELS_SITE = DEPLOY / "nginx" / "musrenbang-models.conf"  # the model server (MODEL_URL)
MODEL_NAME = "musrenbang.tar.gz"  # as deploy/musrenbang.env and the Panduan Operator publish it
GATEWAYS = 2  # gateway-1 and gateway-2 (the site's upstream)
UNITS = DEPLOY / "systemd"
ENV_TEMPLATE = DEPLOY / "musrenbang.env"
NGINX = Path("/usr/sbin/nginx")
PRIVATE_UMASK = 0o077


@dataclass(frozen=True)
class Ports:
    """Every port of one cluster, from one base (several clusters can run side by side)."""

    https: int
    http: int
    rasa_lb: int
    actions_lb: int
    gateways: tuple[int, int]
    rasa: tuple[int, int]
    actions: tuple[int, int]
    postgres: int
    redis: int
    models: int  # the model server (MODEL_URL)

    @classmethod
    def default(cls, base: int) -> Ports:
        return cls(https=base, http=base + 1, rasa_lb=base + 2, actions_lb=base + 3, gateways=(base + 10, base + 11),
                   rasa=(base + 20, base + 21), actions=(base + 30, base + 31), postgres=base + 40, redis=base + 41,
                   models=base + 4)

    def site_ports(self) -> dict[str, int]:
        """The site file's ports (as written for a real server) → this cluster's."""
        return {"8081": self.gateways[0], "8082": self.gateways[1], "5005": self.rasa[0], "5006": self.rasa[1],
                "5055": self.actions[0], "5056": self.actions[1], "5004": self.rasa_lb, "5054": self.actions_lb,
                "5003": self.models}


# --- nginx: the site file, ported to loopback -----------------------------------------------------------
def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost (openssl), made once per cluster directory."""
    cert, key = directory / "tls.crt", directory / "tls.key"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def site_for(ports: Ports, cert: Path, key: Path, acme: Path, without: tuple[int, ...] = (),
             state: Path | None = None, site_file: Path = SITE) -> str:
    """A deploy/nginx site file with loopback listeners, this cluster's ports and certificate; upstream
    servers on the ports in `without` (processes this cluster does not run) left out; `state` for
    /var/lib/musrenbang (whose models/ the model server serves)."""
    site = site_file.read_text()
    if state is not None:
        site = site.replace("root /var/lib/musrenbang;", f"root {state};")
    mapping = ports.site_ports()
    site = re.sub(r"\n\s*server 127\.0\.0\.1:(\d+)[^;]*;",
                  lambda m: "" if mapping[m.group(1)] in without else m.group(0), site)
    site = re.sub(r"server 127\.0\.0\.1:(\d+)", lambda m: f"server 127.0.0.1:{mapping[m.group(1)]}", site)
    site = re.sub(r"listen 127\.0\.0\.1:(\d+);", lambda m: f"listen 127.0.0.1:{mapping[m.group(1)]};", site)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{ports.http};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{ports.https} ssl")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = site.replace("root /var/www/letsencrypt;", f"root {acme};")
    return site


def nginx_config(directory: Path, ports: Ports, without: tuple[int, ...] = (), state: Path | None = None) -> Path:
    """nginx.conf for a project-owned nginx (its own prefix, pid and logs) that includes the ported site."""
    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("tmp", "acme", "logs"):
        (directory / sub).mkdir(exist_ok=True)
    cert, key = self_signed(directory)
    (directory / "site.conf").write_text(site_for(ports, cert, key, directory / "acme", without, state))
    (directory / "models.conf").write_text(site_for(ports, cert, key, directory / "acme", without, state,
                                                    MODELS_SITE))
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.getuid() == 0 else ""
    temp = directory / "tmp"
    config = directory / "nginx.conf"
    config.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'logs' / 'error.log'} warn;\n"
        "events { worker_connections 2048; }\n"
        "http {\n"
        # nginx's combined format, then when it was logged and the upstream's share (bench/turn_split.py)
        "    log_format timed '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
        "\"$http_referer\" \"$http_user_agent\" msec=$msec upstream=$upstream_addr "
        "connect=$upstream_connect_time header=$upstream_header_time request=$request_time';\n"
        f"    access_log {directory / 'logs' / 'access.log'} timed;\n"
        f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n    scgi_temp_path {temp}/scgi;\n"
        "    default_type application/octet-stream;\n"
        f"    include {directory / 'site.conf'};\n"
        f"    include {directory / 'models.conf'};\n"
        "}\n")
    return config


# --- systemd units, run here ------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitCommand:
    pre: list[list[str]]
    start: list[str]
    env: dict[str, str]


def unit_command(unit: str, instance: str, var_dir: Path) -> UnitCommand:
    """The [Service] command lines and Environment= of deploy/systemd/<unit>, for this checkout."""
    lines = (UNITS / unit).read_text().splitlines()
    in_service, pre, start, env = False, [], [], {}
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_service = stripped == "[Service]"
            continue
        if not in_service or not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        value = _local(value, instance, var_dir)
        if key == "Environment":
            env.update(part.split("=", 1) for part in shlex.split(value))
        elif key in ("ExecStart", "ExecStartPre"):
            # systemd's $$ is a literal $ for the shell the unit starts
            words = [word.replace("$$", "$") for word in shlex.split(value)]
            (pre.append(words) if key == "ExecStartPre" else start.extend(words))
    return UnitCommand(pre=pre, start=start, env=env)


def _local(value: str, instance: str, var_dir: Path) -> str:
    return (value.replace("%i", instance).replace("/opt/musrenbang/.venv", str(VENVS))
            .replace("/opt/musrenbang", str(ROOT)).replace("/var/lib/musrenbang", str(var_dir)))


def template_env() -> dict[str, str]:
    values = {}
    for line in ENV_TEMPLATE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            if value.strip():
                values[name.strip()] = value.strip()
    return values


# --- the cluster ----------------------------------------------------------------------------------------
def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is needed (Debian: apt-get install postgresql)")
    return found[-1].parent


@dataclass
class Cluster:
    directory: Path
    model: Path
    ports: Ports = field(default_factory=lambda: Ports.default(18400))
    extra_env: dict[str, str] = field(default_factory=dict)
    rasa_workers: int = 2
    rasa_processes: int = 2  # 1 or 2 (the benchmark compares them)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    # the process names: postgres, redis, nginx, gateway-1/2, rasa-1/2, actions-1/2
    @property
    def names(self) -> list[str]:
        return ["postgres", "redis", "nginx", "actions-1", "actions-2", "rasa-1", "rasa-2", "gateway-1", "gateway-2"]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}"

    @property
    def var_dir(self) -> Path:
        return self.directory / "var"

    @property
    def pg_dir(self) -> Path:
        return self.directory.parent / (self.directory.name + "-pgdata")

    @property
    def models_dir(self) -> Path:
        """/var/lib/musrenbang/models of this cluster: what its model server (nginx) serves."""
        return self.var_dir / "models"

    @property
    def model_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.models}/models/{MODEL_NAME}"

    def publish_model(self) -> Path:
        """The model as an artefact on the model server, published as `./musrenbang train --out` does it (a
        hidden name, then a rename: a new ETag, never half a file)."""
        return publish_model(self.model, self.models_dir / MODEL_NAME)

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://musrenbang:musrenbang@127.0.0.1:{self.ports.postgres}/musrenbang"

    def env(self) -> dict[str, str]:
        """deploy/musrenbang.env with this cluster's addresses and secrets."""
        if not self.secrets:
            path = self.directory / "secrets"
            if path.exists():
                self.secrets = dict(line.split("=", 1) for line in path.read_text().split())
            else:
                self.secrets = {"SESSION_SECRET": secrets.token_hex(32), "RASA_TOKEN": secrets.token_hex(16)}
                path.write_text("\n".join(f"{k}={v}" for k, v in self.secrets.items()))
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "MUSRENBANG_VENVS")}
        env.update(template_env())
        env.update(self.secrets)
        env.update({
            "MUSRENBANG_VAR": str(self.var_dir),
            # The Rasa processes pull the published model from this cluster's model server: no --model
            "MUSRENBANG_MODEL": "",
            "MODEL_URL": self.model_url,
            "PUBLIC_URL": self.url,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.ports.redis}/1",
            "RASA_URL": f"http://127.0.0.1:{self.ports.rasa_lb}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports.actions_lb}/webhook",
            "RASA_WORKERS": str(self.rasa_workers),
            "RASA_PROCESSES": str(self.rasa_processes),
            "GATEWAY_PROCESSES": str(GATEWAYS),
            "MEDIA_DIR": str(self.var_dir / "media"),
            "TRUSTED_PROXIES": "127.0.0.1",
            "TELEGRAM_MODE": "webhook",
        })
        env.update(self.extra_env)
        return env

    # --- processes ---------------------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None,
               user: str | None = None) -> subprocess.Popen:
        logs = self.directory / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = os.fdopen(os.open(logs / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        if user is not None:
            args = ["runuser", "-u", user, "--", *args]
        process = subprocess.Popen(args, cwd=ROOT, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, umask=PRIVATE_UMASK if user is None else 0o077)
        log.close()
        self.processes[name] = process
        return process

    def _unit(self, name: str) -> tuple[UnitCommand, dict[str, str]]:
        kind, index = name.rsplit("-", 1)
        ports = {"gateway": self.ports.gateways, "rasa": self.ports.rasa, "actions": self.ports.actions}[kind]
        port = ports[int(index) - 1]
        unit = unit_command(f"musrenbang-{kind}@.service", str(port), self.var_dir)
        env = self.env()
        env.update(unit.env)
        return unit, env

    def launch(self, name: str) -> subprocess.Popen:
        if name == "postgres":
            binary = _postgres_bin()
            user = "postgres" if os.getuid() == 0 else None
            return self._spawn(name, [str(binary / "postgres"), "-D", str(self.pg_dir), "-p", str(self.ports.postgres),
                                      "-c", "listen_addresses=127.0.0.1",
                                      "-c", f"unix_socket_directories={self.pg_dir}",
                                      "-c", "max_connections=200", "-c", "fsync=off"], user=user)
        if name == "redis":
            return self._spawn(name, [str(REDIS_SERVER), "--port", str(self.ports.redis), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(self.directory)])
        if name == "nginx":
            config = nginx_config(self.directory / "nginx", self.ports, self.ports.rasa[self.rasa_processes:],
                                  self.var_dir)
            return self._spawn(name, [str(NGINX), "-p", str(self.directory / "nginx"), "-c", str(config)])
        unit, env = self._unit(name)
        for pre in unit.pre:
            subprocess.run(pre, cwd=ROOT, env=env, check=True, umask=PRIVATE_UMASK)
        return self._spawn(name, unit.start, env)

    def wait_ready(self, name: str, timeout_s: float = 600) -> None:
        process = self.processes[name]
        deadline = time.monotonic() + timeout_s
        if name == "postgres":
            binary = _postgres_bin()
            while subprocess.run([str(binary / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.ports.postgres)]
                                 ).returncode != 0:
                _alive_until(process, deadline, name)
            return
        if name == "redis":
            while not redis_answers(f"redis://127.0.0.1:{self.ports.redis}"):
                _alive_until(process, deadline, name)
            return
        if name == "nginx":  # listening on its TLS port (plain HTTP only redirects to a real server's 443)
            while True:
                try:
                    socket.create_connection(("127.0.0.1", self.ports.https), timeout=2).close()
                    return
                except OSError:
                    _alive_until(process, deadline, name)
        kind, index = name.rsplit("-", 1)
        if kind == "gateway":
            wait_http(f"http://127.0.0.1:{self.ports.gateways[int(index) - 1]}/healthz", timeout_s, process)
        elif kind == "actions":
            wait_http(f"http://127.0.0.1:{self.ports.actions[int(index) - 1]}/health", timeout_s, process)
        else:
            from ops.stack import wait_model_loaded

            url = f"http://127.0.0.1:{self.ports.rasa[int(index) - 1]}"
            wait_http(f"{url}/version", timeout_s, process)
            wait_model_loaded(url, self.env()["RASA_TOKEN"], timeout_s, process)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one process (SIGKILL by default: a crash, nothing cleaned up)."""
        process = self.processes.pop(name)
        if process.poll() is None:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if name == "postgres":
            self._wait_postmaster_gone()

    def _wait_postmaster_gone(self, timeout_s: float = 60) -> None:
        """Until the postmaster itself has exited: the process we started is runuser when we are root, which
        can exit before it, and a new postmaster refuses to start while the old one holds postmaster.pid."""
        deadline = time.monotonic() + timeout_s
        pid_file = self.pg_dir / "postmaster.pid"
        while time.monotonic() < deadline:
            try:
                pid = int(pid_file.read_text().split()[0])
                os.kill(pid, 0)
            except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
                return
            except PermissionError:  # alive, owned by the postgres user
                pass
            time.sleep(0.2)
        raise TimeoutError(f"PostgreSQL in {self.pg_dir} did not stop within {timeout_s:.0f} s")

    def restart(self, name: str, sig: int = signal.SIGKILL, wait: bool = True) -> None:
        self.kill(name, sig)
        self.launch(name)
        if wait:
            self.wait_ready(name)

    # --- whole cluster -----------------------------------------------------------------------------------
    def init_postgres(self) -> None:
        """A PostgreSQL instance of this cluster (not the machine's), its role and database."""
        if (self.pg_dir / "PG_VERSION").exists():
            return
        binary = _postgres_bin()
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        prefix: list[str] = []
        if os.getuid() == 0:
            shutil.chown(self.pg_dir, "postgres", "postgres")
            prefix = ["runuser", "-u", "postgres", "--"]
        made = subprocess.run([*prefix, str(binary / "initdb"), "-D", str(self.pg_dir), "-U", "postgres",
                               "--auth=trust", "-E", "UTF8"], capture_output=True, text=True, cwd="/")
        if made.returncode != 0:  # e.g. the postgres user cannot reach a folder under a root-only one
            raise RuntimeError(f"initdb failed for {self.pg_dir}: {made.stderr.strip()[-300:]}")
        self.launch("postgres")
        self.wait_ready("postgres", 60)
        psql = [*prefix, str(binary / "psql"), "-h", "127.0.0.1", "-p", str(self.ports.postgres), "-U", "postgres",
                "-q"]
        subprocess.run([*psql, "-c", "CREATE ROLE musrenbang LOGIN PASSWORD 'musrenbang'"], check=True, cwd="/")
        subprocess.run([*psql, "-c", "CREATE DATABASE musrenbang OWNER musrenbang"], check=True, cwd="/")

    def start(self, log=print, timeout_s: float = 900) -> None:  # noqa: ANN001 - a print-like callable
        """Every process, in the order systemd would start them, then wait until nginx answers /readyz."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        make_private(self.directory)
        started = time.monotonic()
        log(f"PostgreSQL on 127.0.0.1:{self.ports.postgres}, Redis on :{self.ports.redis}")
        self.init_postgres()
        for name in ("postgres", "redis"):
            if name not in self.processes:
                self.launch(name)
        for name in ("postgres", "redis"):
            self.wait_ready(name, 60)
        log("Migrating (deploy/systemd/musrenbang-migrate.service)")
        migrate = unit_command("musrenbang-migrate.service", "", self.var_dir)
        subprocess.run(migrate.start, cwd=ROOT, env={**self.env(), **migrate.env}, check=True, umask=PRIVATE_UMASK)
        log(f"Publishing the model to the model server ({self.model_url}), starting nginx")
        self.publish_model()
        # nginx first: every Rasa start checks the model server before it starts (the unit's ExecStartPre)
        if "nginx" not in self.processes:
            self.launch("nginx")
        self.wait_ready("nginx", 60)
        log(f"Starting 2 action servers, {self.rasa_processes} Rasa process(es) (x{self.rasa_workers} "
            "workers, each pulling the model from nginx and loading it: minutes) and 2 gateways")
        rasa = [f"rasa-{index + 1}" for index in range(self.rasa_processes)]
        for name in ("actions-1", "actions-2", *rasa, "gateway-1", "gateway-2"):
            self.launch(name)
        for name in ("actions-1", "actions-2", "gateway-1", "gateway-2", *rasa):
            self.wait_ready(name, timeout_s)
        self.wait_cluster_ready(timeout_s)
        log(f"Ready in {time.monotonic() - started:.0f} s")

    def wait_cluster_ready(self, timeout_s: float = 300) -> dict:
        """Until the gateways' /readyz through nginx says ready (every part answers)."""
        import json

        deadline = time.monotonic() + timeout_s
        context = self.tls_context()
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=10, context=context) as response:
                    return json.load(response)
            except OSError as error:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"cluster not ready: {error}") from error
                time.sleep(1)

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.directory / "nginx" / "tls.crt"))

    def stop(self) -> None:
        """SIGTERM to everything (gateways first, PostgreSQL last, with SIGINT), SIGKILL what does not stop."""
        order = [n for n in ("nginx", "gateway-1", "gateway-2", "rasa-1", "rasa-2", "actions-1", "actions-2", "redis",
                             "postgres") if n in self.processes]
        order += [n for n in self.processes if n not in order]
        for name in order:
            process = self.processes[name]
            if process.poll() is None:
                try:  # PostgreSQL's SIGTERM is a "smart" shutdown that waits for every client: use its fast one
                    os.killpg(process.pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name in order:
            process = self.processes[name]
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            if name == "postgres":
                self._wait_postmaster_gone()
        self.processes.clear()

    def rss_mb(self) -> dict[str, float]:
        """Resident memory per process, children included (Rasa's workers), in MB."""
        result = {}
        for name, process in self.processes.items():
            result[name] = round(_tree_rss_kb(process.pid) / 1024, 1)
        return result


def _alive_until(process: subprocess.Popen, deadline: float, name: str) -> None:
    if process.poll() is not None:
        raise RuntimeError(f"{name} exited with {process.returncode}; see its log")
    if time.monotonic() > deadline:
        raise TimeoutError(f"{name} not ready")
    time.sleep(0.3)


def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) if "VmRSS" in status else 0
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo += [int(child) for child in children]
        except (OSError, AttributeError):
            continue
    return total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./musrenbang cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=str(ROOT / "var" / "cluster"),
                        help="state of the cluster (default var/cluster)")
    parser.add_argument("--base-port", type=int, default=18400, help="https on this port; the others above it")
    parser.add_argument("--rasa-workers", type=int, default=2)
    args = parser.parse_args(argv)
    model = (Path(os.environ["MUSRENBANG_MODEL"]) if os.environ.get("MUSRENBANG_MODEL")
             else ensure_model(use_configured=False))
    cluster = Cluster(directory=Path(args.dir).resolve(), model=model, ports=Ports.default(args.base_port),
                      rasa_workers=args.rasa_workers)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        cluster.start()
        print(f"\nSiap. Web chat lewat nginx (TLS, sertifikat sendiri): {cluster.url}/chat\n"
              f"Sertifikat: {cluster.directory / 'nginx' / 'tls.crt'}\nLog: {cluster.directory / 'logs'}\n"
              "Ctrl-C untuk berhenti.", flush=True)
        while True:
            dead = [name for name, process in cluster.processes.items() if process.poll() is not None]
            if dead:
                print(f"{', '.join(dead)} stopped; see the logs.", file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
