"""A cluster's own PostgreSQL stops for good before it starts again: bench/scale.py starts the topology three
times in a row, and the chaos test restarts PostgreSQL mid-traffic."""

from __future__ import annotations

import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from ops.cluster import Cluster, Ports, _postgres_bin


@pytest.fixture()
def cluster():
    try:
        _postgres_bin()
    except RuntimeError:
        pytest.skip("PostgreSQL binaries are not installed")
    scratch = Path(tempfile.mkdtemp(prefix="musrenbang-pgrestart-"))
    scratch.chmod(0o755)  # the postgres user (when we are root) must reach its data directory
    made = Cluster(directory=scratch / "cluster", model=scratch / "none.tar.gz", ports=Ports.default(19500))
    yield made
    made.stop()
    shutil.rmtree(scratch, ignore_errors=True)


def test_postgres_stops_before_the_next_start_even_with_a_client_connected(cluster: Cluster) -> None:
    import subprocess

    cluster.init_postgres()
    psql = [str(_postgres_bin() / "psql"), "-h", "127.0.0.1", "-p", str(cluster.ports.postgres), "-U", "musrenbang",
            "-d", "musrenbang", "-c", "SELECT pg_sleep(600)"]
    client = subprocess.Popen(psql, env={"PGPASSWORD": "musrenbang", "PATH": "/usr/bin:/bin"}, cwd="/",
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cluster.wait_ready("postgres", 30)
        for _ in range(2):  # a whole stop (bench/scale.py between configurations), then a restart (chaos)
            cluster.stop()
            assert not (cluster.pg_dir / "postmaster.pid").exists()
            cluster.launch("postgres")
            cluster.wait_ready("postgres", 60)
        cluster.restart("postgres", signal.SIGINT)
        assert cluster.processes["postgres"].poll() is None
    finally:
        client.kill()
