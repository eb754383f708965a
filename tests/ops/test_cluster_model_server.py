"""`./musrenbang cluster` serves its model as production does: the model is published into the cluster's models
directory (as `./musrenbang train --out` publishes it), the cluster's nginx serves it through the very site file
deploy/nginx/musrenbang-models.conf, and the Rasa processes get MODEL_URL and no --model from the unit's own
command line. (tests/cluster/test_chaos.py starts the whole topology and reads nginx's access log for the
Rasa processes' pulls.)"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from core import settings
from ops import endpoints
from ops.cluster import NGINX, Cluster, Ports, unit_command
from ops.stack import VENVS
from tests.model_server import _free_base


@pytest.fixture()
def cluster():
    if not NGINX.exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    scratch = Path(tempfile.mkdtemp(prefix="musrenbang-models-"))
    model = scratch / "trained.tar.gz"
    model.write_bytes(gzip.compress(b"a trained model, as ./musrenbang train writes it"))
    made = Cluster(directory=scratch / "cluster", model=model, ports=Ports.default(_free_base()))
    made.var_dir.mkdir(parents=True)  # as Cluster.start makes it
    yield made
    made.stop()
    shutil.rmtree(scratch, ignore_errors=True)


def test_the_cluster_publishes_its_model_to_its_own_model_server_and_rasa_pulls_it_from_there(
        cluster: Cluster) -> None:
    env = cluster.env()
    # Rasa is given the model server, not a file: one artefact on one server, as in production.
    assert env["MUSRENBANG_MODEL"] == ""
    assert env["MODEL_URL"] == f"http://127.0.0.1:{cluster.ports.models}/models/musrenbang.tar.gz"
    config = settings.load(env)
    assert config.mode == "production" and config.model_url and config.model_file is None
    settings.check_startup(config)  # production needs MUSRENBANG_MODEL or MODEL_URL: it has the latter

    published = cluster.publish_model()
    assert published == cluster.var_dir / "models" / "musrenbang.tar.gz"
    assert published.read_bytes() == cluster.model.read_bytes() and not list(published.parent.glob(".*"))
    cluster.launch("nginx")
    cluster.wait_ready("nginx", 30)
    # What every Rasa start checks first (the unit's ExecStartPre): the model server serves a model, with an ETag.
    assert endpoints.check_model_server(env["MODEL_URL"])
    assert "models.conf" in (cluster.directory / "nginx" / "nginx.conf").read_text()

    # The unit's own command line, as the cluster runs it, expands to `rasa run` without --model.
    unit = unit_command("musrenbang-rasa@.service", str(cluster.ports.rasa[0]), cluster.var_dir)
    rasa_bin = str(VENVS / "rasa" / "bin" / "rasa")
    assert rasa_bin in unit.start[2]
    shown = subprocess.run(["/bin/sh", "-c", unit.start[2].replace("exec env", "exec echo", 1)],
                           env={**env, **unit.env}, capture_output=True, text=True, timeout=30, check=True).stdout
    assert f"{rasa_bin} run --enable-api" in shown and "--model" not in shown
    written = endpoints.render(config)
    assert f'url: "{env["MODEL_URL"]}"' in written.split("models:", 1)[1]
