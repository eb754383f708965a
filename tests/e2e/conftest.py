"""Helpers to talk to the running gateway over HTTP, as the web chat does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from ops.stack import ROOT, wait_http
from tests.conftest import free_port


@dataclass
class Citizen:
    """One web-chat user: a sender id and the bot's replies to each message."""

    session: aiohttp.ClientSession
    base_url: str
    sender: str = field(default_factory=lambda: uuid.uuid4().hex)
    last_status: int = 0

    async def say(self, text: str, message_id: str | None = None) -> list[dict]:
        body = {"sender": self.sender, "message": text, "message_id": message_id or uuid.uuid4().hex}
        async with self.session.post(f"{self.base_url}/api/chat", json=body) as response:
            self.last_status = response.status
            return (await response.json())["messages"]

    async def text_of(self, text: str) -> str:
        return "\n".join(m["text"] for m in await self.say(text))


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


@pytest.fixture
def citizen(stack, http) -> Citizen:
    return Citizen(http, stack.gateway_url)


@pytest.fixture
def new_citizen(stack, http):
    return lambda: Citizen(http, stack.gateway_url)


@pytest.fixture
def gateway_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a gateway alone (officer console, dashboard): a fresh SQLite database, no Rasa."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "SESSION_SECRET", "PUBLIC_MAP_", "MUSRENBANG_REGION"))}
    env.update({"MUSRENBANG_VAR": str(tmp_path / "var"), "GATEWAY_PORT": str(free_port()),
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'var' / 'musrenbang.db'}",
                "RASA_URL": f"http://127.0.0.1:{free_port()}"})  # nothing listens: not needed here
    subprocess.run([sys.executable, "-m", "storage.migrate"], cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture
def gateway(gateway_env: dict[str, str], tmp_path: Path):
    """`python -m bot`, started for real in its own process group, stopped by its id."""
    log = (tmp_path / "gateway.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=gateway_env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{gateway_env['GATEWAY_PORT']}"
    try:
        wait_http(f"{url}/healthz", 60, process)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


ARTIFACTS = ROOT / "test-artifacts"  # screenshots from the browser tests, kept by CI for a look

# ./musrenbang test installs Chromium and requires it; a bare pytest run without it skips.
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and os.environ.get("MUSRENBANG_REQUIRE_BROWSER") != "1",
    reason="Debian's chromium is not installed",
)


@pytest.fixture
async def browser():
    """Debian's headless Chromium driven by Playwright (its own browser download is not reachable here)."""
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        try:
            yield launched
        finally:
            await launched.close()
