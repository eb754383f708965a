"""Shared fixtures: databases (SQLite and a real PostgreSQL) and, on demand, the running stack."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage import migrate
from storage.db import Database
from storage.models import Base

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
# Every stack the tests start asks for this token, and every test helper that calls Rasa sends it.
os.environ.setdefault("RASA_TOKEN", uuid.uuid4().hex)
# Processes on PostgreSQL refuse to start without the installation's shared secrets (core/settings.check_startup).
os.environ.setdefault("SESSION_SECRET", uuid.uuid4().hex)
# Scripted citizens answer at machine speed; the web chat's limit itself is tested in tests/bot/test_web_abuse.py.
os.environ.setdefault("WEB_RATE_PER_MINUTE", "120")
PG_REQUIRED = os.environ.get("MUSRENBANG_REQUIRE_PG") == "1"


def in_thread(function, *args):
    """Alembic and asyncio.run need a thread of their own when an event loop is already running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


async def _truncate(db: Database) -> None:
    async with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(text(f"DELETE FROM {table.name}"))


@pytest.fixture(scope="session")
def pg_migrated():
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end.

    Its own database (not a shared schema), so test sessions running at the same time on one
    server cannot drop each other's tables.
    """
    if not PG_URL:
        if PG_REQUIRED:
            pytest.fail("TEST_DATABASE_URL is not set but PostgreSQL tests are required")
        pytest.skip("no PostgreSQL: set TEST_DATABASE_URL (./musrenbang test does)")
    server = make_url(PG_URL)
    name = f"{server.database}_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    in_thread(asyncio.run, admin(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        in_thread(migrate.upgrade, url)
        yield url
    finally:
        in_thread(asyncio.run, admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    in_thread(migrate.upgrade, url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A migrated, empty database of each kind the product supports."""
    url = request.getfixturevalue("sqlite_migrated" if request.param == "sqlite" else "pg_migrated")
    database = Database(url)
    await _truncate(database)
    yield database
    await database.dispose()


@pytest.fixture
def sqlite_db_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'musrenbang.db'}"
    in_thread(migrate.upgrade, url)
    return url


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path):
    """A Redis server of Debian's redis-server package on a free loopback port, stopped by its id."""
    import signal
    import subprocess
    import time

    from ops.stack import REDIS_SERVER, redis_answers

    if not REDIS_SERVER.is_file():
        if os.environ.get("MUSRENBANG_REQUIRE_REDIS") == "1":
            pytest.fail("Debian's redis-server is not installed but the Redis tests are required")
        pytest.skip("Debian's redis-server is not installed")
    port = free_port()
    process = subprocess.Popen([str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/1"
    try:
        deadline = time.monotonic() + 20
        while not redis_answers(url):
            assert process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def trained_model() -> Path:
    """The model `./musrenbang test` trained for this data (MUSRENBANG_MODEL), else trained now."""
    from ops.stack import ensure_model

    configured = os.environ.get("MUSRENBANG_MODEL")
    return Path(configured) if configured else ensure_model(log=lambda _message: None)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    """Rasa, the action server and the gateway, started for real once per test session."""
    from ops.stack import Stack

    running = Stack(var_dir=tmp_path_factory.mktemp("var"), model=trained_model(), rasa_port=free_port(),
                    actions_port=free_port(), gateway_port=free_port())
    try:
        running.start(log=lambda _message: None)
        yield running
    finally:
        running.stop()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Fail loudly instead of hanging when a thread that is not a daemon outlives the last test.

    Python waits for such threads before it exits, so one left running (an unclosed aiosqlite
    connection, see tests/storage/test_exit.py) turns a green run into a CI timeout with no message.
    """
    stuck = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in stuck:
        thread.join(timeout=10)
    stuck = [t for t in stuck if t.is_alive()]
    if stuck:
        names = ", ".join(t.name for t in stuck)
        print(f"\nThreads still running after the tests, which would keep this process alive: {names}",
              file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(3)
