"""Migrations as one step before the services (`./musrenbang migrate`): concurrent runs take turns under a
lock (PostgreSQL's advisory lock, a lock file on SQLite) and the later one finds nothing to do; in production
mode nothing migrates at start, and a gateway on a schema behind refuses to start with a clear message."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ops.stack import ROOT, Stack
from storage import migrate
from tests.conftest import free_port, in_thread


def start_migrate(url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "storage.migrate", url], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err[-2000:]
    return out


def test_two_concurrent_runs_one_migrates_the_other_waits_and_finds_nothing_to_do(empty_db: str) -> None:
    runs = [start_migrate(empty_db) for _ in range(2)]
    said = sorted(finished(run).strip() for run in runs)
    assert said == [f"Database schema up to date ({migrate.head()}); nothing to do.",
                    f"Migrated the database from empty to {migrate.head()}."]
    in_thread(migrate.check_current, empty_db)


def test_a_run_waits_for_the_advisory_lock(empty_db: str) -> None:
    if empty_db.startswith("sqlite"):
        pytest.skip("the advisory lock is PostgreSQL's")

    async def hold_then_release(started: float) -> float:
        engine = create_async_engine(empty_db)
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": migrate.LOCK_KEY})
            run = start_migrate(empty_db)
            await asyncio.sleep(4)
            assert run.poll() is None, "migrate did not wait for the lock"
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": migrate.LOCK_KEY})
            released = time.monotonic() - started
        await engine.dispose()
        assert "Migrated the database from empty" in finished(run)
        return released

    assert in_thread(asyncio.run, hold_then_release(time.monotonic())) >= 4


def test_check_says_when_the_schema_is_behind(empty_db: str) -> None:
    with pytest.raises(migrate.SchemaBehind, match=r"run `./musrenbang migrate`"):
        in_thread(migrate.check_current, empty_db)
    check = subprocess.run([sys.executable, "-m", "storage.migrate", "--check"], cwd=ROOT, capture_output=True,
                           text=True, env={**os.environ, "DATABASE_URL": empty_db}, timeout=120)
    assert check.returncode == 1 and "./musrenbang migrate" in check.stderr


def production_env(tmp_path: Path, url: str) -> dict[str, str]:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"built once by ./musrenbang train --out")
    return {**os.environ, "MUSRENBANG_MODE": "production", "DATABASE_URL": url, "MUSRENBANG_MODEL": str(model),
            "SESSION_SECRET": "s" * 64, "RASA_TOKEN": "t" * 64, "MUSRENBANG_VAR": str(tmp_path / "var"),
            "GATEWAY_PORT": str(free_port())}


def test_in_production_the_gateway_refuses_a_schema_behind_and_nothing_migrates(empty_db: str,
                                                                                 tmp_path: Path) -> None:
    env = production_env(tmp_path, empty_db)
    gateway = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert gateway.returncode != 0
    assert "run `./musrenbang migrate`" in gateway.stderr and "Traceback" not in gateway.stderr
    stack = Stack(var_dir=tmp_path / "var", model=Path(env["MUSRENBANG_MODEL"]), database_url=empty_db,
                  extra_env={k: env[k] for k in ("MUSRENBANG_MODE", "MUSRENBANG_MODEL", "SESSION_SECRET")})
    with pytest.raises(subprocess.CalledProcessError):
        stack.start(log=lambda _message: None, without=("actions", "rasa", "gateway"))
    with pytest.raises(migrate.SchemaBehind):  # the start did not migrate behind the operator's back
        in_thread(migrate.check_current, empty_db)
