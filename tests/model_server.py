"""The model server of deploy/nginx/musrenbang-models.conf, run for real: nginx with the very site file (ported to
loopback by ops/cluster.py) serving a models directory, as Rasa's MODEL_URL sees it in production."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops import cluster

MODEL_NAME = "musrenbang.tar.gz"


def _free_base() -> int:
    """A port with the four after it free too (the site's listeners: https, http, Rasa, actions, models)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base > 60000:
            continue
        try:
            for offset in range(1, 5):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError("no five free ports in a row")


@dataclass
class ModelServer:
    state: Path  # /var/lib/musrenbang of the site: the models are in state/models
    port: int
    log: Path  # nginx's access log

    @property
    def models(self) -> Path:
        return self.state / "models"

    def url(self, name: str = MODEL_NAME) -> str:
        return f"http://127.0.0.1:{self.port}/models/{name}"


@contextmanager
def model_server(directory: Path) -> Iterator[ModelServer]:
    """nginx running deploy/nginx/musrenbang-models.conf, its models directory under `directory`; stopped by its id."""
    if not cluster.NGINX.exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    ports = cluster.Ports.default(_free_base())
    state = directory / "state"
    (state / "models").mkdir(parents=True)
    config = cluster.nginx_config(directory / "nginx", ports, state=state)
    log = (directory / "nginx.log").open("wb")
    process = subprocess.Popen([str(cluster.NGINX), "-p", str(directory / "nginx"), "-c", str(config)],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = ModelServer(state=state, port=ports.models, log=directory / "nginx" / "logs" / "access.log")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports.models), timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {(directory / 'nginx.log').read_text()}") from None
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
