"""Behind a reverse proxy (TRUSTED_PROXIES): the client's own address counts in Open311's per-address
limit, in login lockouts and in the audit log, instead of the proxy's, which all clients share; an
X-Forwarded-For from anyone but a trusted proxy is ignored, so no client picks its own address."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.httputil import TrustedProxies, client_ip
from bot.open311 import LIMITS, Limits
from core import settings
from storage import audit
from storage.db import Database
from tests.bot.sites import Browser

CITIZEN_A, CITIZEN_B = "203.0.113.5", "198.51.100.7"


async def start(tmp_path: Path, url: str, trusted: tuple[str, ...]) -> TestClient:
    config = settings.Settings(var_dir=tmp_path / "var", database_url=url, trusted_proxies=trusted)
    app = create_app(config)
    app[LIMITS] = Limits(per_ip=2, post_per_key=100)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def services(client: TestClient, forwarded_for: str) -> int:
    async with client.get("/open311/v2/services.json", headers={"X-Forwarded-For": forwarded_for}) as response:
        return response.status


async def test_behind_a_trusted_proxy_each_client_has_its_own_open311_allowance(tmp_path, sqlite_db_url) -> None:
    client = await start(tmp_path, sqlite_db_url, ("127.0.0.1",))  # the test client is the proxy
    try:
        assert [await services(client, f"10.9.9.9, {CITIZEN_A}") for _ in range(3)] == [200, 200, 429]
        assert await services(client, CITIZEN_B) == 200  # another citizen, not the proxy's shared count
    finally:
        await client.close()


async def test_without_trusted_proxies_a_forwarded_address_is_ignored(tmp_path, sqlite_db_url) -> None:
    for trusted in ((), ("10.0.0.0/8",)):  # no proxy configured, or the peer is not one of them
        client = await start(tmp_path / str(len(trusted)), sqlite_db_url, trusted)
        try:
            statuses = [await services(client, address) for address in (CITIZEN_A, CITIZEN_B, "192.0.2.1")]
            assert statuses[-1] == 429  # one count for the peer, whatever the header claims
        finally:
            await client.close()
            await Database(sqlite_db_url).dispose()


async def test_a_failed_login_is_audited_and_counted_under_the_officers_address(tmp_path, sqlite_db_url) -> None:
    client = await start(tmp_path, sqlite_db_url, ("127.0.0.1",))
    browser = Browser(aiohttp.ClientSession(base_url=str(client.make_url("/")), headers={"X-Forwarded-For": CITIZEN_A},
                                            cookie_jar=aiohttp.CookieJar(unsafe=True)))
    db = Database(sqlite_db_url)
    try:
        assert await browser.login("nobody", "salah") == 401
        [entry] = await audit.entries(db, action="login_failed")
        assert entry.ip == CITIZEN_A
        throttled = await db_keys(db)
        assert f"ip:{CITIZEN_A}" in throttled and "ip:127.0.0.1" not in throttled
    finally:
        await browser.close()
        await client.close()
        await db.dispose()


async def db_keys(db: Database) -> set[str]:
    from sqlalchemy import select

    from storage.models import LoginThrottle

    async with db.session() as session:
        return set((await session.execute(select(LoginThrottle.key))).scalars())


@pytest.mark.parametrize(("peer_trusted", "header", "seen"), [
    (True, f"{CITIZEN_A}, 10.0.0.2", CITIZEN_A),  # through two proxies: the first untrusted from the right
    (True, f"6.6.6.6, {CITIZEN_A}", CITIZEN_A),  # a forged left part does not win
    (False, CITIZEN_A, "127.0.0.1"),  # a direct client cannot choose its address
])
async def test_the_client_address_is_the_first_untrusted_hop(peer_trusted: bool, header: str, seen: str) -> None:
    app = web.Application()
    trusted = ["127.0.0.1", "10.0.0.0/8"] if peer_trusted else ["10.0.0.0/8"]
    app.middlewares.append(TrustedProxies(trusted).middleware)

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=client_ip(request) or "")

    app.router.add_get("/", echo)
    async with TestClient(TestServer(app)) as client, client.get("/", headers={"X-Forwarded-For": header}) as response:
        assert await response.text() == seen


def test_a_bad_trusted_proxies_setting_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, nginx.local")
    with pytest.raises(settings.ConfigError, match=r"TRUSTED_PROXIES .*'nginx\.local'"):
        settings.load()
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        TrustedProxies(["nginx.local"])
