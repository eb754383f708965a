"""Rasa's scale-out recipe from the settings: Rasa 3.6's own classes read the endpoints file that
ops/endpoints.py writes — SQLTrackerStore on PostgreSQL (the `rasa` schema of the project's database, made by
`./musrenbang migrate`), RedisLockStore, several Sanic workers — and erasure finds Rasa's events there."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from core import settings
from ops import endpoints
from ops.stack import RASA_BIN, ROOT, Stack, redis_answers
from storage import tracker_events
from storage.db import Database
from tests.conftest import free_port, in_thread

# Run in Rasa's environment: what `rasa run --endpoints FILE` builds from the file, then one conversation saved
# through the tracker store, under a lock of the lock store.
RASA_SIDE = r"""
import asyncio, json, os, sys
import sqlalchemy as sa
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints, number_of_sanic_workers
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

async def main():
    found = AvailableEndpoints.read_endpoints(sys.argv[1])
    store = TrackerStore.create(found.tracker_store, Domain.empty())
    store = getattr(store, "_tracker_store", store)  # Rasa wraps a custom store in AwaitableTrackerStore
    locks = LockStore.create(found.lock_store)
    async with locks.lock("whatsapp:6281234567890"):
        tracker = DialogueStateTracker.from_events("whatsapp:6281234567890", [UserUttered("NIK saya 3404011234560003")])
        await store.save(tracker)
    survived = None
    if store.engine.dialect.name == "postgresql":
        # As after a PostgreSQL restart: every connection Rasa holds is cut; the next turn must still be saved.
        with store.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        tracker.update(UserUttered("halo lagi"))
        await store.save(tracker)
        survived = len((await store.retrieve("whatsapp:6281234567890")).events)
    print(json.dumps({"tracker_store": type(store).__name__, "dialect": store.engine.dialect.name,
                      "events_after_cut": survived,
                      "lock_store": type(locks).__name__, "workers": number_of_sanic_workers(locks),
                      "action_server": found.action.url}))

asyncio.run(main())
"""


def rasa_reads(endpoints_file: Path, env: dict[str, str]) -> dict:
    result = subprocess.run([str(RASA_BIN / "python"), "-c", RASA_SIDE, str(endpoints_file)], cwd=ROOT,
                            env={**env, "SANIC_WORKERS": env.get("SANIC_WORKERS", "1")},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_on_postgresql_rasa_keeps_its_events_in_its_own_schema_with_redis_locks_and_two_workers(
        pg_migrated: str, redis_url: str, tmp_path: Path) -> None:
    stack = Stack(var_dir=tmp_path / "var", model=Path("unused"), database_url=pg_migrated,
                  extra_env={"REDIS_URL": redis_url, "RASA_WORKERS": "2"})
    env = stack.env()
    assert env["SANIC_WORKERS"] == "2"
    config = settings.load(env)
    assert config.tracker_store_is_postgres and config.tracker_store_schema == "rasa"
    # `./musrenbang migrate` makes Rasa's schema; Rasa makes its table in it.
    subprocess.run([sys.executable, "-m", "storage.migrate"], cwd=ROOT, env=env, check=True, timeout=120)
    seen = rasa_reads(stack.write_endpoints(), env)
    assert seen == {"tracker_store": "ResilientSQLTrackerStore", "dialect": "postgresql", "events_after_cut": 2,
                    "lock_store": "RedisLockStore",
                    "workers": 2, "action_server": env["ACTION_SERVER_URL"]}

    async def check() -> None:
        db = Database(pg_migrated)
        try:
            async with db.engine.connect() as connection:
                senders = (await connection.execute(text("SELECT DISTINCT sender_id FROM rasa.events"))).scalars()
                assert list(senders) == ["whatsapp:6281234567890"]
                # Nothing of Rasa's in the product's own schema.
                assert (await connection.execute(text("SELECT to_regclass('public.events')"))).scalar() is None
            store = tracker_events.TrackerStore.of(config)
            assert await tracker_events.forget_conversation(store, "whatsapp:6281234567890") >= 1
            async with db.engine.connect() as connection:
                assert (await connection.execute(text("SELECT count(*) FROM rasa.events"))).scalar() == 0
        finally:
            await db.dispose()

    in_thread(asyncio.run, check())


def test_locally_rasa_keeps_the_sqlite_file_and_the_in_memory_lock_store(tmp_path: Path) -> None:
    stack = Stack(var_dir=tmp_path / "var", model=Path("unused"),
                  database_url=f"sqlite+aiosqlite:///{tmp_path / 'var' / 'musrenbang.db'}")
    env = {k: v for k, v in stack.env().items() if k not in ("REDIS_URL", "RASA_WORKERS", "TRACKER_STORE_URL")}
    seen = rasa_reads(endpoints.write(settings.load(env), tmp_path / "endpoints.yml", env["ACTION_SERVER_URL"]), env)
    # Rasa's SQLTrackerStore with WAL, pooled connections and two statements a turn (ops/rasa_tracker.py)
    assert seen["tracker_store"] == "ResilientSQLTrackerStore" and seen["dialect"] == "sqlite"
    assert seen["lock_store"] == "InMemoryLockStore" and seen["workers"] == 1
    assert (tmp_path / "var" / "tracker.db").is_file()


def test_the_stack_starts_redis_where_it_is_missing_and_stops_it(tmp_path: Path) -> None:
    """REDIS_URL on this machine with nothing listening: `./musrenbang run` starts Debian's redis-server,
    as `./musrenbang test` starts PostgreSQL; it stops with the stack."""
    url = f"redis://127.0.0.1:{free_port()}/1"
    running = Stack(var_dir=tmp_path / "var", model=tmp_path / "model.tar.gz",
                    database_url=f"sqlite+aiosqlite:///{tmp_path / 'var' / 'musrenbang.db'}",
                    extra_env={"REDIS_URL": url})
    running.model.write_bytes(b"unused")
    assert not redis_answers(url)
    try:
        running.start(log=lambda _message: None, without=("actions", "rasa", "gateway"))
        assert "redis" in running.processes and redis_answers(url)
    finally:
        running.stop()
    assert not redis_answers(url)
