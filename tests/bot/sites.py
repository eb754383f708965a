"""The gateway's web pages on a test server, for every test module that reads them: the public site
(`Site`, `start_site`) and the officers' console (`Gateway`, `Browser`, `start_gateway`), proposals and
officers to look at (`make_officer`, `seed_private`; `propose` is tests/seeding.py's). Their fixtures
(`site`, `console`) are in tests/bot/conftest.py; a test module imports helpers from here, never from
another test module."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import update

from bot.app import create_app
from bot.officer import security
from core import settings
from storage import accounts, proposals, status_changes
from storage.db import Database
from storage.models import Citizen
from tests.seeding import CATURTUNGGAL, propose  # the one helper that stores a web citizen's proposal

MAGUWOHARJO = "34.04.07.2002"
BALECATUR = "34.04.01.2001"
WEDOMARTANI = "34.04.11.2004"
VILLAGE_A, VILLAGE_B = CATURTUNGGAL, MAGUWOHARJO  # the console's tests: two desa of one kecamatan (Depok)

PASSWORD = "Kuat-Sekali-123"
HASHED = security.hash_password(PASSWORD)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')

SECRET_SENDER = "rahasia-sender-7731"
SECRETS = ("Ani Rahasia Sekali", "081299998888", SECRET_SENDER, "catatan-internal-jangan-bocor",
           "officer:petugas_rahasia", "petugas_rahasia", "0812-3456-7890", "foto-rahasia.png")


# --- the public site -----------------------------------------------------------------------------


@dataclass
class Site:
    server: TestServer
    db: Database
    session: aiohttp.ClientSession

    async def get(self, path: str, **kwargs: object) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.session.get(path, **kwargs) as response:
            return response.status, await response.text(), response

    async def close(self) -> None:
        await self.session.close()
        await self.server.close()
        await self.db.dispose()


async def start_site(tmp_path: Path, url: str, **config: object) -> Site:
    server = TestServer(create_app(settings.Settings(var_dir=tmp_path / "var", database_url=url, **config)))
    await server.start_server()
    return Site(server, Database(url), aiohttp.ClientSession(base_url=str(server.make_url("/"))))


# --- the officers' console -----------------------------------------------------------------------


@dataclass
class Browser:
    """One person's browser: its own cookies."""

    session: aiohttp.ClientSession
    csrf: str = ""

    async def get(self, path: str, **kwargs: object) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.session.get(path, **kwargs) as response:
            text = await response.text(errors="replace")
            found = CSRF_RE.search(text)
            if found and "/login" not in str(response.url.path):
                self.csrf = found.group(1)
            return response.status, text, response

    async def post(self, path: str, data: dict | None = None, csrf: bool = True,
                   **kwargs: object) -> tuple[int, str, aiohttp.ClientResponse]:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        async with self.session.post(path, data=form, allow_redirects=False, **kwargs) as response:
            return response.status, await response.text(), response

    async def login(self, username: str, password: str = PASSWORD) -> int:
        _, page, _ = await self.get("/officer/login")
        token = CSRF_RE.search(page).group(1)
        status, _, _ = await self.post("/officer/login", {"username": username, "password": password,
                                                                 "csrf_token": token, "next": "/officer/usulan"})
        if status == 302:
            await self.get("/officer/usulan")  # picks up the session's CSRF token
        return status

    async def close(self) -> None:
        await self.session.close()


@dataclass
class Gateway:
    """A gateway app serving the console; `close` ends it and every browser opened on it."""

    server: TestServer
    config: settings.Settings
    db: Database
    browsers: list[Browser] = field(default_factory=list)

    def browser(self) -> Browser:
        opened = Browser(aiohttp.ClientSession(base_url=str(self.server.make_url("/")),
                                               cookie_jar=aiohttp.CookieJar(unsafe=True)))
        self.browsers.append(opened)
        return opened

    async def logged_in(self, username: str, role: str, scope: str | None = None,
                        sector: str | None = None) -> Browser:
        """A new officer's browser, logged in (`make_officer` with the test password)."""
        await make_officer(self.db, username, role, scope, sector)
        opened = self.browser()
        assert await opened.login(username) == 302
        return opened

    async def close(self) -> None:
        for browser in self.browsers:
            await browser.close()
        await self.server.close()
        await self.db.dispose()


async def start_gateway(tmp_path: Path, url: str, name: str = "var") -> Gateway:
    config = settings.Settings(var_dir=tmp_path / name, database_url=url)
    server = TestServer(create_app(config))
    await server.start_server()
    return Gateway(server, config, Database(url))


# --- what there is to see ------------------------------------------------------------------------


async def make_officer(db: Database, username: str, role: str, scope: str | None = None,
                       sector: str | None = None) -> accounts.OfficerView:
    return await accounts.create_officer(db, username, HASHED, role, scope, sector, full_name=username.title())


async def status_of(db: Database, code: str) -> str:
    return (await proposals.get_proposal(db, code)).status


async def seed_private(db: Database) -> tuple[str, str]:
    """A proposal whose database rows hold everything that must never be published."""
    code = await propose(db, SECRET_SENDER, "k-secret", "Jalan berlubang, telepon saya 0812-3456-7890",
                         latitude=-7.7713, longitude=110.3776, photo_ref="foto-rahasia.png")
    async with db.session() as session:
        await session.execute(update(Citizen).where(Citizen.external_id == SECRET_SENDER)
                              .values(name="Ani Rahasia Sekali", phone="081299998888"))
        await session.commit()
    await status_changes.change_status(db, code, "diverifikasi_desa", "officer:petugas_rahasia",
                                       note="catatan-internal-jangan-bocor")
    other = await propose(db, "warga-lain-01", "k-other", "Lampu jalan mati", "penerangan_jalan", MAGUWOHARJO)
    await status_changes.change_status(db, other, "ditolak", "officer:petugas_rahasia",
                                       reason="Sudah diusulkan tahun lalu",
                                       note="catatan-internal-jangan-bocor")
    return code, other
