"""A model from a model server (MODEL_URL): Rasa gets Rasa's own `models:` endpoint and no local file, the
nginx site serves the models directory with the ETag Rasa's puller sends back, and a model server that
does not serve a model stops the start with the reason instead of starting a bot without a model.
(tests/e2e/test_model_pulled_from_a_server.py starts a real Rasa on it.)"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from core import settings
from ops import endpoints
from ops.stack import Stack
from tests.conftest import free_port
from tests.model_server import MODEL_NAME, ModelServer, model_server


@pytest.fixture
def served(tmp_path: Path) -> ModelServer:
    with model_server(tmp_path) as server:
        (server.models / MODEL_NAME).write_bytes(gzip.compress(b"a trained model, as ./musrenbang train writes it"))
        yield server


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_the_nginx_site_serves_models_with_an_etag_and_304_until_a_new_one_is_published(served: ModelServer) -> None:
    status, headers, body = _get(served.url())
    assert status == 200 and body.startswith(b"\x1f\x8b") and headers["ETag"]
    # What Rasa's puller sends on every pull after the first: nothing is downloaded again.
    assert _get(served.url(), **{"If-None-Match": headers["ETag"]})[0] == 304
    assert endpoints.check_model_server(served.url()) == headers["ETag"]
    # Publishing a new model (train --out: a hidden temporary file, renamed) gives a new ETag, which Rasa loads.
    temporary = served.models / f".{MODEL_NAME}.tmp"
    assert _get(served.url(temporary.name))[0] == 404  # never served half-written
    temporary.write_bytes(gzip.compress(b"the next model, with other training data"))
    temporary.replace(served.models / MODEL_NAME)
    status, renewed, _body = _get(served.url(), **{"If-None-Match": headers["ETag"]})
    assert status == 200 and renewed["ETag"] != headers["ETag"]
    assert _get(f"http://127.0.0.1:{served.port}/models/")[0] in (403, 404)  # no listing


def test_a_model_server_without_the_model_is_a_clear_error(served: ModelServer) -> None:
    with pytest.raises(settings.ConfigError, match=r"MODEL_URL: the model server answers 404 .*train --out"):
        endpoints.check_model_server(served.url("missing.tar.gz"))
    (served.models / "index.html").write_text("<html>not a model</html>")
    with pytest.raises(settings.ConfigError, match="is not a trained model"):
        endpoints.check_model_server(served.url("index.html"))
    with pytest.raises(settings.ConfigError, match="no model server answers"):
        endpoints.check_model_server(f"http://127.0.0.1:{free_port()}/models/{MODEL_NAME}")


def test_rasa_gets_its_models_endpoint_and_no_model_file(served: ModelServer, tmp_path: Path) -> None:
    config = settings.load({"MODEL_URL": served.url(), "MODEL_PULL_INTERVAL": "30",
                            "MUSRENBANG_VAR": str(tmp_path / "var")})
    written = yaml.safe_load(endpoints.write(config, tmp_path / "endpoints.yml").read_text())
    assert written["models"] == {"url": served.url(), "wait_time_between_pulls": 30}
    stack = Stack(var_dir=tmp_path / "var", model=None, extra_env={"MODEL_URL": served.url(), "MUSRENBANG_MODEL": ""})
    command = stack.command("rasa")
    assert "--model" not in command and "--endpoints" in command


def test_the_start_stops_before_any_process_when_the_model_server_has_no_model(served: ModelServer,
                                                                               tmp_path: Path) -> None:
    stack = Stack(var_dir=tmp_path / "var", model=None, rasa_port=free_port(), actions_port=free_port(),
                  gateway_port=free_port(), database_url=f"sqlite+aiosqlite:///{tmp_path / 'var' / 'm.db'}",
                  extra_env={"MODEL_URL": served.url("missing.tar.gz"), "MUSRENBANG_MODEL": ""})
    with pytest.raises(settings.ConfigError, match="answers 404"):
        stack.start(log=lambda _message: None)
    assert stack.processes == {}  # no Rasa without a model, no gateway answering nobody


def _check(environ: dict[str, str]) -> list[str]:
    """check_startup as a process with exactly this environment runs it."""
    token = settings._SOURCE.set(environ)
    try:
        return settings.check_startup(settings.Settings())
    finally:
        settings._SOURCE.reset(token)


def test_production_takes_a_model_server_instead_of_a_model_file(tmp_path: Path) -> None:
    base = {"MUSRENBANG_MODE": "production", "MUSRENBANG_VAR": str(tmp_path), "SESSION_SECRET": "s" * 64,
            "RASA_TOKEN": "t" * 64}
    with pytest.raises(settings.ConfigError, match="MODEL_URL a model server"):
        _check(base)
    assert _check({**base, "MODEL_URL": "http://127.0.0.1:5003/models/musrenbang.tar.gz"}) == []
    with pytest.raises(settings.ConfigError, match="both set"):
        settings.load({**base, "MODEL_URL": "http://127.0.0.1:5003/models/m.tar.gz", "MUSRENBANG_MODEL": "/m.tar.gz"})
    with pytest.raises(settings.ConfigError, match="MODEL_URL must start with http"):
        settings.load({**base, "MODEL_URL": "/var/lib/musrenbang/models/musrenbang.tar.gz"})


def test_the_rasa_unit_passes_a_model_file_only_when_one_is_set(tmp_path: Path) -> None:
    """deploy/systemd/musrenbang-rasa@.service (and compose): `--model` with MUSRENBANG_MODEL, none with MODEL_URL
    (an empty --model would make Rasa look in ./models of a read-only /opt/musrenbang)."""
    import os
    import subprocess

    from ops import cluster
    from ops.stack import VENVS

    unit = cluster.unit_command("musrenbang-rasa@.service", "18420", tmp_path)
    shown = unit.start[2].replace(f"{VENVS}/rasa/bin/rasa run", "printf '%s\\n'")
    base = {"PATH": os.environ["PATH"], "RASA_TOKEN": "t"}
    with_file = subprocess.run([*unit.start[:2], shown], env={**base, "MUSRENBANG_MODEL": "/m/a b.tar.gz"},
                               capture_output=True, text=True, check=True).stdout.splitlines()
    assert with_file[with_file.index("--model") + 1] == "/m/a b.tar.gz"
    from_server = subprocess.run([*unit.start[:2], shown], env={**base, "MODEL_URL": "http://127.0.0.1:5003/m"},
                                 capture_output=True, text=True, check=True).stdout.splitlines()
    assert "--model" not in from_server and "--endpoints" in from_server
    compose = yaml.safe_load((Path(cluster.DEPLOY) / "compose.yaml").read_text())["services"]["rasa"]["command"][0]
    assert '${MUSRENBANG_MODEL:+--model "$MUSRENBANG_MODEL"}' in compose.replace("$$", "$")
