"""The security suite's bench: a real gateway process (`python -m bot`, as `./musrenbang run` starts it)
on SQLite and on PostgreSQL, with a fake Rasa where the conversation is not the point.

Each issue section has its own module (test_delivery.py: nothing dropped silently; test_hardening.py:
the smaller items; test_fuzz.py: property-based fuzzing of the parsers; test_open311_schema.py:
schemathesis against the Open311 OpenAPI document). A new item gets a test here that fails on the
code before its fix.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ops.stack import Stack
from storage.db import Database
from tests.conftest import _truncate, free_port
from tests.fakes.rasa import FakeRasa


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A migrated, empty database of each kind the product supports."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_db_url")
        return
    url = request.getfixturevalue("pg_migrated")
    database = Database(url)
    await _truncate(database)
    await database.dispose()
    yield url


@dataclass
class GatewayProcess:
    """`python -m bot` on its own port, started and stopped as the stack does (SIGTERM, then SIGKILL)."""

    var_dir: Path
    database_url: str
    rasa_url: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    stack: Stack | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.var_dir / "logs" / "gateway.log"

    async def start(self) -> GatewayProcess:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        rasa_port = int(self.rasa_url.rsplit(":", 1)[1])
        self.stack = Stack(var_dir=self.var_dir, model=Path("unused"), rasa_port=rasa_port, gateway_port=self.port,
                           database_url=self.database_url, extra_env=self.env)
        await asyncio.to_thread(self.stack.launch, "gateway", True, 60)
        return self

    async def terminate(self, timeout_s: float = 15) -> float:
        """SIGTERM, as `Stack.stop` sends it; the seconds the process took to exit."""
        process = self.stack.processes.pop("gateway")
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            await asyncio.to_thread(process.wait, timeout_s)
            raise AssertionError(f"the gateway ignored SIGTERM for {timeout_s} s") from None
        return time.monotonic() - started

    async def stop(self) -> None:
        if self.stack is not None and "gateway" in self.stack.processes:
            await asyncio.to_thread(self.stack.kill, "gateway", signal.SIGTERM)


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    server = await FakeRasa().start()
    yield server
    await server.stop()


@pytest.fixture
async def gateway_process(tmp_path: Path, rasa: FakeRasa):
    """Start real gateways (`await gateway_process(db_url, **env)`); all are stopped at the end."""
    started: list[GatewayProcess] = []

    async def start(database_url: str, var: str = "var", **env: str) -> GatewayProcess:
        process = GatewayProcess(tmp_path / var, database_url, rasa.url, env=env)
        started.append(process)
        return await process.start()

    yield start
    for process in started:
        await process.stop()




def pytest_terminal_summary(terminalreporter) -> None:
    from tests.security.counts import SERVER_ERRORS, TRIED

    if not TRIED:
        return
    terminalreporter.section("security fuzzing")
    for target in sorted(TRIED):
        terminalreporter.write_line(f"{target}: {TRIED[target]} tried, {SERVER_ERRORS[target]} answered 5xx")
