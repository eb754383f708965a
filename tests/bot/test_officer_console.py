"""The officers' console through HTTP, on the real gateway app (aiohttp test server, SQLite):
nobody gets in without logging in, officers stay inside their scope, forged forms fail, citizens'
text stays text, password guessing is slowed down, and every action leaves an audit row."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.officer import security
from core import texts
from storage import accounts, audit, escalations, proposals, status_changes
from storage import faq as faq_store
from storage.db import Database
from storage.models import Citizen, Escalation, FaqEntry, LoginThrottle, OutboxMessage
from tests.bot.sites import (
    CSRF_RE,
    PASSWORD,
    VILLAGE_A,
    VILLAGE_B,
    Browser,
    Gateway,
    make_officer,
    propose,
    start_gateway,
    status_of,
)
from workflows import escalations as escalation_flow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def outbox_for(db: Database, recipient: str) -> list[str]:
    async with db.session() as session:
        rows = (await session.execute(select(OutboxMessage.payload).where(OutboxMessage.recipient == recipient)
                                      .order_by(OutboxMessage.id))).scalars().all()
    return [json.loads(r)["text"] for r in rows]


# --- anonymous ----------------------------------------------------------------------------------


async def test_anonymous_is_refused_everywhere(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "citizen-0001", "k1", photo_ref="abc.png")
    escalation = await escalations.create_escalation(db, "web", "citizen-0001", "Kapan?", "...")
    admin = await make_officer(db, "root", "admin")
    anonymous = console.browser()
    for path in ("/officer/", "/officer/usulan", "/officer/usulan?status=diajukan", f"/officer/usulan/{code}",
                 f"/officer/usulan/{code}/foto", "/officer/eskalasi", "/officer/admin/petugas",
                 "/officer/admin/audit", "/officer/admin/faq", "/officer/tidak-ada", "/officer/usulan/USL-000000"):
        status, _, response = await anonymous.get(path, allow_redirects=False)
        assert status == 302, path
        assert response.headers["Location"].startswith("/officer/login?next="), path
    status, page, _ = await anonymous.get("/officer")  # followed to the end: the login page
    assert status == 200 and 'name="password"' in page
    posts = ("/officer/logout", "/officer/usulan/massal", f"/officer/usulan/{code}/status",
             f"/officer/usulan/{code}/gabung", f"/officer/eskalasi/{escalation}/ambil",
             f"/officer/eskalasi/{escalation}/jawab", f"/officer/eskalasi/{escalation}/lepas",
             f"/officer/eskalasi/{escalation}/faq", "/officer/admin/petugas",
             f"/officer/admin/petugas/{admin.id}/aktif", "/officer/admin/faq/1")
    form = {"new_status": "diverifikasi_desa", "codes": code, "answer": "x", "csrf_token": "guess",
            "username": "evil", "role": "admin", "password": "Aa1aaaaaaaaaa", "active": "0", "target": code}
    for path in posts:
        status, _, _ = await anonymous.post(path, form)
        assert status == 403, path
    forged = console.browser()
    forged.session.cookie_jar.update_cookies({"musrenbang_officer": "made-up-token"})
    for path in posts:
        assert (await forged.post(path, form))[0] == 403, path
    assert await status_of(db, code) == "diajukan"
    assert (await escalations.get_escalation(db, escalation, 2)).status == "open"
    assert [o.username for o in await accounts.list_officers(db)] == ["root"]
    assert (await anonymous.get("/officer/static/console.css"))[0] == 200


# --- scope --------------------------------------------------------------------------------------


async def test_a_desa_officer_cannot_see_or_change_another_village(console: Gateway) -> None:
    db = console.db
    own = await propose(db, "citizen-000a", "a", "Jalan desa A berlubang", village=VILLAGE_A)
    other = await propose(db, "citizen-000b", "b", "Jalan desa B berlubang", village=VILLAGE_B, photo_ref="b.png")
    async with db.session() as session:
        await session.execute(update(Citizen).values(name="Warga Rahasia", phone="+62811000"))
        await session.commit()
    (console.config.media_dir).mkdir(parents=True)
    (console.config.media_dir / "b.png").write_bytes(PNG)
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)

    _, queue, _ = await officer.get("/officer/usulan")
    assert own in queue and other not in queue and "Warga Rahasia" not in queue  # no contact data in lists
    status, page, _ = await officer.get(f"/officer/usulan/{own}")
    assert status == 200 and "Warga Rahasia" in page and "+62811000" in page
    for path in (f"/officer/usulan/{other}", f"/officer/usulan/{other}/foto"):
        status, page, _ = await officer.get(path)
        assert status == 404 and "Warga Rahasia" not in page and "desa B" not in page, path
    for path, form in ((f"/officer/usulan/{other}/status", {"new_status": "diverifikasi_desa"}),
                       (f"/officer/usulan/{other}/status", {"new_status": "ditolak", "reason": "x"}),
                       (f"/officer/usulan/{other}/gabung", {"target": own})):
        assert (await officer.post(path, form))[0] == 404, path
    status, page, _ = await officer.post("/officer/usulan/massal", {"codes": [own, other],
                                                                    "new_status": "diverifikasi_desa"})
    assert status == 200 and "1 dari 2" in page
    assert await status_of(db, other) == "diajukan"
    assert await status_of(db, own) == "diverifikasi_desa"
    assert await outbox_for(db, "citizen-000b") == []
    # Their own village's next stage belongs to the kecamatan: no button, and a POST is refused.
    _, page, _ = await officer.get(f"/officer/usulan/{own}")
    assert "move-dibahas_kecamatan" not in page
    assert (await officer.post(f"/officer/usulan/{own}/status", {"new_status": "dibahas_kecamatan"}))[0] == 403
    assert await status_of(db, own) == "diverifikasi_desa"


async def test_kecamatan_sees_both_villages_and_moves_only_its_stage(console: Gateway) -> None:
    db = console.db
    first = await propose(db, "citizen-000a", "a", village=VILLAGE_A)
    second = await propose(db, "citizen-000b", "b", village=VILLAGE_B)
    await status_changes.change_status(db, first, "diverifikasi_desa", "test")
    officer = await console.logged_in("camat", "kecamatan", "34.04.07")
    _, queue, _ = await officer.get("/officer/usulan")
    assert first in queue and second in queue
    assert (await officer.post(f"/officer/usulan/{second}/status", {"new_status": "diverifikasi_desa"}))[0] == 403
    status, _, response = await officer.post(f"/officer/usulan/{first}/status", {"new_status": "dibahas_kecamatan"})
    assert status == 302 and response.headers["Location"].endswith("?ok=status")
    assert await status_of(db, first) == "dibahas_kecamatan"


# --- CSRF, cookies, logout ----------------------------------------------------------------------


async def test_forged_posts_without_the_csrf_token_are_refused(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "citizen-0001", "a")
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    path = f"/officer/usulan/{code}/status"
    assert (await officer.post(path, {"new_status": "diverifikasi_desa"}, csrf=False))[0] == 403
    assert (await officer.post(path, {"new_status": "diverifikasi_desa", "csrf_token": "x" * 43}))[0] == 403
    status, _, _ = await officer.post(path, {"new_status": "diverifikasi_desa"},
                                      headers={"Origin": "https://evil.example"})
    assert status == 403
    assert (await officer.post("/officer/logout", csrf=False))[0] == 403
    assert await status_of(db, code) == "diajukan"
    assert (await officer.get("/officer/usulan", allow_redirects=False))[0] == 200  # still logged in
    # The login form has its own token, tied to a cookie: a cross-site login POST fails too.
    stranger = console.browser()
    status, _, _ = await stranger.post("/officer/login", {"username": "desa_a", "password": PASSWORD}, csrf=False)
    assert status == 403
    assert (await officer.post(path, {"new_status": "diverifikasi_desa"}))[0] == 302


async def test_session_cookie_flags_and_logout(console: Gateway) -> None:
    await make_officer(console.db, "desa_a", "desa", VILLAGE_A)
    officer = console.browser()
    _, page, _ = await officer.get("/officer/login")
    token = CSRF_RE.search(page).group(1)
    status, _, response = await officer.post("/officer/login", {"username": "desa_a", "password": PASSWORD,
                                                                "csrf_token": token})
    assert status == 302
    cookie = next(v for v in response.headers.getall("Set-Cookie") if v.startswith("musrenbang_officer="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/officer" in cookie
    stolen = cookie.split(";")[0].split("=", 1)[1]
    await officer.get("/officer/usulan")
    status, _, response = await officer.post("/officer/logout")
    assert status == 302 and response.headers["Location"] == "/officer/login"
    replay = console.browser()
    replay.session.cookie_jar.update_cookies({"musrenbang_officer": stolen})
    assert (await replay.get("/officer/usulan", allow_redirects=False))[0] == 302  # the session is gone


async def test_login_redirects_only_inside_the_console(console: Gateway) -> None:
    await make_officer(console.db, "desa_a", "desa", VILLAGE_A)
    officer = console.browser()
    _, page, _ = await officer.get("/officer/login")
    token = CSRF_RE.search(page).group(1)
    status, _, response = await officer.post("/officer/login", {"username": "desa_a", "password": PASSWORD,
                                                                "csrf_token": token,
                                                                "next": "//evil.example/officer/"})
    assert status == 302 and response.headers["Location"] == "/officer/"


# --- citizens' text is text ---------------------------------------------------------------------


async def test_html_written_by_citizens_is_shown_escaped(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "citizen-0001", "a", description="<script>alert('x')</script><b>tebal</b>")
    await escalations.create_escalation(db, "web", "citizen-0001", "<img src=x onerror=alert(1)>", "<i>cuplikan</i>")
    async with db.session() as session:
        await session.execute(update(Citizen).values(name="<u>Nama</u>"))
        await session.commit()
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    for path in ("/officer/usulan", f"/officer/usulan/{code}", "/officer/eskalasi"):
        status, page, response = await officer.get(path)
        assert status == 200
        for raw in ("<script>alert", "<b>tebal", "<img src=x", "<i>cuplikan", "<u>Nama"):
            assert raw not in page, (path, raw)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    _, page, _ = await officer.get(f"/officer/usulan/{code}")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;tebal&lt;/b&gt;" in page
    assert "&lt;u&gt;Nama&lt;/u&gt;" in page
    _, page, _ = await officer.get("/officer/eskalasi")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --- password guessing --------------------------------------------------------------------------


async def test_repeated_wrong_passwords_lock_the_account_on_every_gateway(console: Gateway, tmp_path: Path,
                                                                          sqlite_db_url: str) -> None:
    db = console.db
    await make_officer(db, "desa_a", "desa", VILLAGE_A)
    second = await start_gateway(tmp_path, sqlite_db_url, "var2")  # another instance, same database
    try:
        guesser = console.browser()
        statuses = [await guesser.login("desa_a", f"salah-{i}") for i in range(security.USER_FREE_FAILURES)]
        assert statuses == [401] * security.USER_FREE_FAILURES
        other = Browser(aiohttp.ClientSession(base_url=str(second.server.make_url("/")),
                                              cookie_jar=aiohttp.CookieJar(unsafe=True)))
        try:
            assert await other.login("desa_a") == 429  # the right password, but locked for now
        finally:
            await other.close()
        assert await guesser.login("desa_a") == 429
        # Unknown usernames answer exactly like wrong passwords (no account discovery).
        assert await guesser.login("tidak_ada", "salah") == 401
        async with db.session() as session:  # the lock runs out
            await session.execute(update(LoginThrottle).values(locked_until=None))
            await session.commit()
        assert await guesser.login("desa_a") == 302
        async with db.session() as session:
            keys = set((await session.execute(select(LoginThrottle.key))).scalars().all())
        assert "user:desa_a" not in keys  # a successful login clears the count
        actions = [a.action for a in await audit.entries(db)]
        assert actions.count("login_failed") == security.USER_FREE_FAILURES + 1
        assert actions.count("login_locked") == 2 and actions[0] == "login"
    finally:
        await second.server.close()
        await second.db.dispose()


class VerifySpy:
    """Counts the argon2 checks really run, and how many ran at once (the real check still runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import threading

        self.calls = self.running = self.most = 0
        self._lock = threading.Lock()
        real = security._verify

        def counted(password_hash: str | None, password: str) -> bool:
            with self._lock:
                self.calls += 1
                self.running += 1
                self.most = max(self.most, self.running)
            try:
                return real(password_hash, password)
            finally:
                with self._lock:
                    self.running -= 1

        monkeypatch.setattr(security, "_verify", counted)


async def login_burst(console: Gateway, attempts: list[tuple[str, str]]) -> list[int]:
    """Each (username, password) from its own browser, the POSTs sent at the same moment."""
    browsers = [console.browser() for _ in attempts]
    tokens = []
    for browser in browsers:
        _, page, _ = await browser.get("/officer/login")
        tokens.append(CSRF_RE.search(page).group(1))
    results = await asyncio.gather(*(
        browser.post("/officer/login", {"username": name, "password": password, "csrf_token": token})
        for browser, token, (name, password) in zip(browsers, tokens, attempts, strict=True)))
    return [status for status, _, _ in results]


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_console(request: pytest.FixtureRequest, tmp_path: Path):
    """The console on each database the product supports."""
    url = request.getfixturevalue("sqlite_db_url" if request.param == "sqlite" else "pg_migrated")
    running = await start_gateway(tmp_path, url)
    if request.param == "postgresql":
        from tests.conftest import _truncate

        await _truncate(running.db)
    yield running
    await running.close()


async def test_a_burst_of_wrong_passwords_is_checked_only_as_often_as_the_policy_allows(
        any_console: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    await make_officer(any_console.db, "desa_a", "desa", VILLAGE_A)
    spy = VerifySpy(monkeypatch)
    statuses = await login_burst(any_console, [("desa_a", f"salah-{i}") for i in range(10)])
    assert sorted(statuses) == [401] * security.USER_FREE_FAILURES + [429] * (10 - security.USER_FREE_FAILURES)
    assert spy.calls == security.USER_FREE_FAILURES
    assert len(await audit.entries(any_console.db, action="login_failed")) == security.USER_FREE_FAILURES


async def test_password_checks_from_one_address_run_a_few_at_a_time(
        any_console: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guesses under many usernames (each below its own lockout) still queue for argon2 per address."""
    spy = VerifySpy(monkeypatch)
    statuses = await login_burst(any_console, [(f"tamu{i}", "salah") for i in range(12)])
    assert set(statuses) <= {401, 429} and statuses.count(401) >= 6
    assert spy.most <= 2
    assert spy.calls == statuses.count(401)  # a refused request never reached argon2
    # A good login afterwards works, and gives back its count on the office's address.
    await make_officer(any_console.db, "desa_a", "desa", VILLAGE_A)
    assert await any_console.browser().login("desa_a") == 302


async def test_a_double_click_on_a_status_button_changes_once(any_console: Gateway) -> None:
    db = any_console.db
    officer = await any_console.logged_in("desa_a", "desa", VILLAGE_A)
    for trial in range(4):
        code = await propose(db, f"citizen-{trial:04d}", f"k{trial}")
        await officer.get(f"/officer/usulan/{code}")
        clicks = await asyncio.gather(*(officer.post(f"/officer/usulan/{code}/status",
                                                     {"new_status": "diverifikasi_desa"}) for _ in range(2)))
        assert sorted(status for status, _, _ in clicks) == [302, 409], trial
        assert [c.new_status for c in await status_changes.history(db, code)] == ["diajukan", "diverifikasi_desa"]
        assert len(await outbox_for(db, f"citizen-{trial:04d}")) == 1
        assert len(await audit.entries(db, action="status_change", target=code)) == 1


def test_lockout_grows_with_failures() -> None:
    assert security.user_lockout(security.USER_FREE_FAILURES - 1) is None
    waits = [security.user_lockout(n) for n in range(security.USER_FREE_FAILURES, 20)]
    assert waits == sorted(waits) and waits[0].total_seconds() > 0 and waits[-1] == security.MAX_LOCK


# --- audit, admin -------------------------------------------------------------------------------


async def test_actions_write_audit_rows_with_who_what_and_ip(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "citizen-0001", "a")
    await make_officer(db, "desa_a", "desa", VILLAGE_A)
    await make_officer(db, "root", "admin")
    officer = console.browser()
    await officer.login("desa_a")
    await officer.get(f"/officer/usulan/{code}")
    await officer.post(f"/officer/usulan/{code}/status", {"new_status": "ditolak", "reason": "Di luar wilayah"})
    await officer.post("/officer/logout")
    rows = await audit.entries(db)
    assert [(r.actor, r.action, r.target) for r in rows] == [
        ("officer:desa_a", "logout", None), ("officer:desa_a", "status_change", code),
        ("officer:desa_a", "view_proposal", code), ("officer:desa_a", "login", "desa_a")]
    assert all(r.ip == "127.0.0.1" for r in rows) and "Di luar wilayah" in rows[1].detail
    admin = console.browser()
    await admin.login("root")
    status, page, _ = await admin.get("/officer/admin/audit?actor=officer:desa_a")
    assert status == 200 and "status_change" in page and code in page


async def test_admin_pages_and_creating_officers(console: Gateway) -> None:
    db = console.db
    await make_officer(db, "root", "admin")
    desa = await console.logged_in("desa_a", "desa", VILLAGE_A)
    assert (await desa.get("/officer/admin/petugas"))[0] == 403
    assert (await desa.get("/officer/admin/audit"))[0] == 403
    form = {"username": "camat_depok", "full_name": "Camat", "role": "kecamatan", "scope_code": "34.04.07",
            "sector": "", "password": "Kecamatan-2026"}
    assert (await desa.post("/officer/admin/petugas", form))[0] == 403
    admin = console.browser()
    await admin.login("root")
    status, page, _ = await admin.post("/officer/admin/petugas", form | {"password": "lemah"})
    assert status == 400 and "minimal" in page
    status, page, _ = await admin.post("/officer/admin/petugas", form | {"scope_code": "35.04.07"})
    assert status == 400 and "35.04.07" in page
    assert (await admin.post("/officer/admin/petugas", form))[0] == 302
    assert (await admin.post("/officer/admin/petugas", form))[0] == 409
    created = await accounts.get_officer(db, "camat_depok")
    assert (created.role, created.scope_code) == ("kecamatan", "34.04.07")
    newcomer = console.browser()
    assert await newcomer.login("camat_depok", "Kecamatan-2026") == 302
    assert (await admin.post(f"/officer/admin/petugas/{created.id}/aktif", {"active": "0"}))[0] == 302
    assert (await newcomer.get("/officer/usulan", allow_redirects=False))[0] == 302  # switched off: logged out
    assert "officer_create" in [a.action for a in await audit.entries(db)]


# --- proposal actions ---------------------------------------------------------------------------


async def test_required_reason_and_note_and_what_the_citizen_is_told(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "citizen-0001", "a")
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    path = f"/officer/usulan/{code}/status"
    status, page, _ = await officer.post(path, {"new_status": "perlu_perbaikan", "note": "  "})
    assert status == 400 and "Catatan perbaikan wajib" in page
    status, page, _ = await officer.post(path, {"new_status": "ditolak", "note": "internal"})
    assert status == 400 and "Alasan penolakan wajib" in page
    assert await status_of(db, code) == "diajukan"
    status, _, _ = await officer.post(path, {"new_status": "perlu_perbaikan", "note": "Lampirkan foto jalan"})
    assert status == 302
    assert "Lampirkan foto jalan" in (await outbox_for(db, "citizen-0001"))[-1]
    _, page, _ = await officer.get(f"/officer/usulan/{code}?ok=status")
    assert "Status usulan sudah diubah" in page and "Lampirkan foto jalan" in page


async def test_photo_and_map_pin_for_officers_in_scope_only(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "citizen-0001", "a", photo_ref="foto1.png", latitude=-7.7713, longitude=110.3776)
    sneaky = await propose(db, "citizen-0002", "b", photo_ref="../session_secret.png")
    console.config.media_dir.mkdir(parents=True)
    (console.config.media_dir / "foto1.png").write_bytes(PNG)
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    status, _, response = await officer.get(f"/officer/usulan/{code}/foto")
    assert status == 200 and response.headers["Content-Type"] == "image/png"
    assert "no-store" in response.headers["Cache-Control"]
    _, page, _ = await officer.get(f"/officer/usulan/{code}")
    assert f'src="/officer/usulan/{code}/foto"' in page and "-7.771300, 110.377600" in page
    assert "openstreetmap.org/?mlat=-7.771300&amp;mlon=110.377600" in page
    assert (await officer.get(f"/officer/usulan/{sneaky}/foto"))[0] == 404
    assert (await console.browser().get(f"/officer/usulan/{code}/foto", allow_redirects=False))[0] == 302


async def test_bulk_moves_the_selected_proposals_of_a_stage(console: Gateway) -> None:
    db = console.db
    codes = [await propose(db, f"citizen-000{i}", f"k{i}", description=f"Usulan {i}") for i in range(3)]
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    _, page, _ = await officer.get("/officer/usulan?status=diajukan")
    assert 'name="codes"' in page and "Tindakan massal" in page
    status, page, _ = await officer.post("/officer/usulan/massal", {"codes": codes[:2],
                                                                    "new_status": "diverifikasi_desa"})
    assert status == 200 and "2 dari 2" in page
    assert [await status_of(db, c) for c in codes] == ["diverifikasi_desa", "diverifikasi_desa", "diajukan"]
    status, page, _ = await officer.post("/officer/usulan/massal", {"codes": codes[2:], "new_status": "ditolak"})
    assert "0 dari 1" in page and "Alasan penolakan wajib" in page
    assert "bulk_status" in [a.action for a in await audit.entries(db)]


async def test_merge_a_likely_duplicate(console: Gateway) -> None:
    db = console.db
    target = await propose(db, "citizen-0001", "a", description="Perbaikan jalan rusak berlubang di RT 03 RW 05")
    duplicate = await propose(db, "citizen-0002", "b", description="jalan rusak berlubang RT 03 RW 05 tolong")
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    _, page, _ = await officer.get(f"/officer/usulan/{duplicate}")
    assert f"Gabungkan ke {target}" in page
    status, _, _ = await officer.post(f"/officer/usulan/{duplicate}/gabung", {"target": "USL-000000"})
    assert status == 400
    status, _, _ = await officer.post(f"/officer/usulan/{duplicate}/gabung", {"target": target.lower()})
    assert status == 302
    assert await status_of(db, duplicate) == "digabung"
    assert (await proposals.get_proposal(db, target)).supporters == 1


async def test_escalation_desk_claim_answer_and_faq(console: Gateway) -> None:
    db = console.db
    escalation = await escalations.create_escalation(db, "web", "citizen-0001", "Kapan musrenbang desa diadakan?",
                                                     "warga: kapan, WA 081234567890", VILLAGE_A)
    await make_officer(db, "desa_a", "desa", VILLAGE_A)
    await make_officer(db, "desa_a2", "desa", VILLAGE_A)
    first, second = console.browser(), console.browser()
    await first.login("desa_a")
    await second.login("desa_a2")
    _, page, _ = await first.get("/officer/eskalasi")
    assert "Kapan musrenbang desa diadakan?" in page and "warga: kapan" in page
    assert (await first.post(f"/officer/eskalasi/{escalation}/ambil"))[0] == 302
    await second.get("/officer/eskalasi")
    assert (await second.post(f"/officer/eskalasi/{escalation}/ambil"))[0] == 409
    status, page, _ = await second.post(f"/officer/eskalasi/{escalation}/jawab", {"answer": "Saya saja"})
    assert status == 409 and "petugas lain" in page
    await first.get("/officer/eskalasi")
    assert (await first.post(f"/officer/eskalasi/{escalation}/jawab", {"answer": "Januari, di balai desa."}))[0] == 302
    *_, answer, question = await outbox_for(db, "citizen-0001")  # the answer, then how helpful it was (1–5)
    assert answer.endswith("Januari, di balai desa.") and question == texts.satisfaction("ask_answer")
    _, page, _ = await first.get("/officer/eskalasi")
    assert "Usulkan sebagai FAQ" in page
    status, page, _ = await first.post(f"/officer/eskalasi/{escalation}/faq",
                                       {"question": "Kapan?", "answer": "Januari.", "topic": "jadwal"})
    assert status == 400 and "terlalu pendek" in page
    status, _, _ = await first.post(f"/officer/eskalasi/{escalation}/faq",
                                    {"question": "Kapan musrenbang desa?", "answer": "Januari.", "topic": "jadwal"})
    assert status == 302
    async with db.session() as session:
        faq = (await session.execute(select(FaqEntry))).scalar_one()
        assert (faq.topic, faq.answer, faq.approved_at) == ("jadwal", "Januari.", None)
        assert (await session.get(Escalation, escalation)).faq_entry_id == faq.id
    _, page, _ = await first.get("/officer/eskalasi")
    assert "menunggu persetujuan admin" in page
    assert await faq_store.learned_faqs(db) == []  # no citizen gets it yet


async def test_another_desas_escalation_is_invisible_and_untouchable(console: Gateway) -> None:
    """A desa B operator can neither read, claim, answer nor save as FAQ a desa A citizen's question."""
    db = console.db
    await propose(db, "citizen-0001", "k1")  # the citizen's desa is known from their proposal: desa A
    escalation = await escalations.create_escalation(db, "web", "citizen-0001", "Kapan musrenbang desa diadakan?",
                                                     "Warga: nomor saya 081234567890")
    await make_officer(db, "desa_b", "desa", VILLAGE_B)
    await make_officer(db, "camat", "kecamatan", "34.04.07")
    intruder = console.browser()
    await intruder.login("desa_b")
    _, page, _ = await intruder.get("/officer/eskalasi")
    assert "Kapan musrenbang desa diadakan?" not in page and "081234567890" not in page
    for action, form in (("ambil", {}), ("jawab", {"answer": "Saya jawab"}),
                         ("faq", {"question": "Kapan musrenbang desa diadakan?", "answer": "Saya jawab"})):
        status, _, _ = await intruder.post(f"/officer/eskalasi/{escalation}/{action}", form)
        assert status == 404, action
    assert await outbox_for(db, "citizen-0001") == []
    assert (await escalations.get_escalation(db, escalation, 2)).status == "open"
    camat = console.browser()  # the kecamatan above both desa sees it
    await camat.login("camat")
    _, page, _ = await camat.get("/officer/eskalasi")
    assert "Kapan musrenbang desa diadakan?" in page


async def test_an_admin_approves_a_saved_faq_or_switches_it_off(console: Gateway) -> None:
    db = console.db
    desa = await make_officer(db, "desa_a", "desa", VILLAGE_A)
    await make_officer(db, "root", "admin")
    escalation = await escalations.create_escalation(db, "web", "citizen-0001", "Kapan musrenbang desa diadakan?",
                                                     "...", VILLAGE_A)
    await escalation_flow.answer_escalation(db, escalation, desa, "Bulan Januari di balai desa.")
    entry = await faq_store.save_as_faq(db, escalation, desa)
    officer = console.browser()
    await officer.login("desa_a")
    assert (await officer.get("/officer/admin/faq"))[0] == 403
    assert (await officer.post(f"/officer/admin/faq/{entry}", {"decision": "setujui"}))[0] == 403
    assert await faq_store.learned_faqs(db) == []
    admin = console.browser()
    await admin.login("root")
    _, page, _ = await admin.get("/officer/admin/faq")
    assert "Menunggu persetujuan" in page and "Bulan Januari di balai desa." in page
    assert (await admin.post(f"/officer/admin/faq/{entry}", {"decision": "setujui"}))[0] == 302
    assert [f.answer for f in await faq_store.learned_faqs(db)] == ["Bulan Januari di balai desa."]
    assert (await admin.post(f"/officer/admin/faq/{entry}", {"decision": "matikan"}))[0] == 302
    assert await faq_store.learned_faqs(db) == []
    logged = [(a.actor, a.action, a.target) for a in await audit.entries(db) if a.action.startswith("faq_")]
    assert logged == [("officer:root", "faq_disabled", f"faq:{entry}"),
                      ("officer:root", "faq_approved", f"faq:{entry}")]
    assert (await admin.post("/officer/admin/faq/999999", {"decision": "setujui"}))[0] == 404


# --- the CLI twin -------------------------------------------------------------------------------


def test_cli_creates_officers_and_moves_proposals(tmp_path: Path, sqlite_db_url: str,
                                                  monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from ops import cli
    from tests.conftest import in_thread

    monkeypatch.setenv("DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("MUSRENBANG_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("MUSRENBANG_REGION", "34.04")

    async def seed() -> list[str]:
        db = Database(sqlite_db_url)
        try:
            return [await propose(db, f"citizen-000{i}", f"k{i}", description=f"Jalan {i}") for i in range(4)]
        finally:
            await db.dispose()

    codes = in_thread(asyncio.run, seed())

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    status, out, _ = run("officer", "create", "--username", "camat", "--role", "kecamatan", "--scope", "34.04.07",
                         "--full-name", "Pak Camat", "--password", PASSWORD)
    assert status == 0 and json.loads(out)["scope_code"] == "34.04.07" and PASSWORD not in out
    status, _, err = run("officer", "create", "--username", "x", "--role", "desa", "--scope", "34.04.07.2001",
                         "--password", "pendek")
    assert status == 1 and "password" in err
    status, _, err = run("officer", "create", "--username", "camat", "--role", "kecamatan", "--scope", "34.04.07",
                         "--password", PASSWORD)
    assert status == 1 and "taken" in err
    assert [o["username"] for o in json.loads(run("officer", "list")[1])] == ["camat"]

    status, out, _ = run("proposal", "set-status", codes[0].lower(), "diverifikasi_desa", "--actor", "cli:tester")
    result = json.loads(out)
    assert status == 0 and result["changed"] == 1
    assert result["results"][0] == {"code": codes[0], "old_status": "diajukan", "new_status": "diverifikasi_desa",
                                  "ok": True}
    status, out, err = run("proposal", "set-status", codes[1], "ditolak")
    assert status == 1 and "needs a reason" in out and "could not" in err
    listing = tmp_path / "codes.txt"
    listing.write_text(f"# batch\n{codes[1]}\n{codes[2]}  # dobel\nUSL-000000\n", encoding="utf-8")
    status, out, _ = run("proposal", "set-status", "--file", str(listing), "ditolak", "--reason", "Dobel")
    result = json.loads(out)
    assert status == 1 and (result["changed"], result["failed"]) == (2, 1)
    status, out, _ = run("proposal", "set-status", codes[3], "digabung", "--target", codes[0])
    assert status == 0 and json.loads(out)["results"][0]["target"] == codes[0]
    assert run("proposal", "set-status", codes[3], "entah")[0] == 1

    async def check() -> None:
        db = Database(sqlite_db_url)
        try:
            assert [await status_of(db, c) for c in codes] == ["diverifikasi_desa", "ditolak", "ditolak", "digabung"]
            assert (await status_changes.history(db, codes[0]))[-1].new_status == "diverifikasi_desa"
            actors = {a.actor for a in await audit.entries(db, action="status_change")}
            assert actors == {"cli:tester", f"cli:{__import__('getpass').getuser()}"}
        finally:
            await db.dispose()

    in_thread(asyncio.run, check())


# --- passwords ----------------------------------------------------------------------------------

NEW_PASSWORD = "Sandi-Baru-2027"


async def test_an_officer_changes_their_own_password_and_other_sessions_end(console: Gateway) -> None:
    db = console.db
    await make_officer(db, "sari", "desa", VILLAGE_A)
    here, elsewhere = console.browser(), console.browser()
    assert await here.login("sari") == 302 and await elsewhere.login("sari") == 302
    status, page, _ = await here.get("/officer/akun/sandi")
    assert status == 200 and 'name="current_password"' in page

    def form(current: str, new: str, again: str | None = None) -> dict:
        return {"current_password": current, "new_password": new, "new_password_again": again or new}

    refused = [
        (form("salah-sekali-1", NEW_PASSWORD), "Kata sandi lama salah"),
        (form(PASSWORD, NEW_PASSWORD, "Sandi-Lain-2027"), "tidak sama"),
        (form(PASSWORD, "pendek"), "minimal 10"),
        (form(PASSWORD, "semuahurufkecil123"), "huruf besar"),
        (form(PASSWORD, PASSWORD), "berbeda"),
    ]
    for data, message in refused:
        status, page, _ = await here.post("/officer/akun/sandi", data)
        assert status == 400 and message in page, message
    assert (await here.post("/officer/akun/sandi", form(PASSWORD, NEW_PASSWORD), csrf=False))[0] == 403
    assert await console.browser().login("sari") == 302  # nothing changed so far

    status, _, response = await here.post("/officer/akun/sandi", form(PASSWORD, NEW_PASSWORD))
    assert status == 302 and response.headers["Location"] == "/officer/akun/sandi?ok=sandi"
    assert "Kata sandi sudah diganti" in (await here.get(response.headers["Location"]))[1]
    assert (await here.get("/officer/usulan", allow_redirects=False))[0] == 200  # this browser stays in
    status, _, response = await elsewhere.get("/officer/usulan", allow_redirects=False)
    assert status == 302 and response.headers["Location"].startswith("/officer/login")  # the others are out
    assert await console.browser().login("sari") == 401
    assert await console.browser().login("sari", NEW_PASSWORD) == 302
    changes = await audit.entries(db, action="password_change")
    assert len(changes) == 1 and changes[0].actor == "officer:sari" and "2 sesi lain" in changes[0].detail
    assert NEW_PASSWORD not in json.dumps([a.detail for a in await audit.entries(db)])


async def test_guessing_the_current_password_locks_the_account_like_a_login(console: Gateway) -> None:
    await make_officer(console.db, "sari", "desa", VILLAGE_A)
    thief = console.browser()  # a browser someone left logged in
    assert await thief.login("sari") == 302
    guesses = [(await thief.post("/officer/akun/sandi", {"current_password": f"tebak-{i}",
                                                         "new_password": NEW_PASSWORD,
                                                         "new_password_again": NEW_PASSWORD}))[0]
               for i in range(security.USER_FREE_FAILURES + 1)]
    assert guesses == [400] * security.USER_FREE_FAILURES + [429]
    assert await console.browser().login("sari") == 429
    assert len(await audit.entries(console.db, action="password_change_failed")) == security.USER_FREE_FAILURES


async def test_an_admin_resets_an_officers_password(console: Gateway) -> None:
    db = console.db
    admin = await make_officer(db, "root", "admin")
    budi = await make_officer(db, "budi", "desa", VILLAGE_A)
    officer, boss = console.browser(), console.browser()
    assert await officer.login("budi") == 302 and await boss.login("root") == 302
    reset = {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    assert (await officer.post(f"/officer/admin/petugas/{admin.id}/sandi", reset))[0] == 403  # not an admin
    assert "Atur ulang sandi" in (await boss.get("/officer/admin/petugas"))[1]
    status, page, _ = await boss.post(f"/officer/admin/petugas/{budi.id}/sandi",
                                      {"new_password": "lemah", "new_password_again": "lemah"})
    assert status == 400 and "minimal 10" in page
    assert (await boss.post(f"/officer/admin/petugas/{admin.id}/sandi", reset))[0] == 400  # own: use the form
    assert (await boss.post("/officer/admin/petugas/9999/sandi", reset))[0] == 404
    status, _, response = await boss.post(f"/officer/admin/petugas/{budi.id}/sandi", reset)
    assert status == 302 and response.headers["Location"].endswith("?ok=sandi_petugas")
    assert (await officer.get("/officer/usulan", allow_redirects=False))[0] == 302  # budi must log in again
    assert await console.browser().login("budi") == 401
    assert await console.browser().login("budi", NEW_PASSWORD) == 302
    assert (await boss.get("/officer/usulan", allow_redirects=False))[0] == 200
    entry = (await audit.entries(db, action="officer_password_reset"))[0]
    assert (entry.actor, entry.target, entry.detail) == ("officer:root", f"officer:{budi.id}", "1 sesi diakhiri")


def test_cli_sets_a_forgotten_password(tmp_path: Path, sqlite_db_url: str, monkeypatch: pytest.MonkeyPatch,
                                       capsys) -> None:
    from ops import cli
    from tests.conftest import in_thread

    monkeypatch.setenv("DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("MUSRENBANG_VAR", str(tmp_path / "var"))
    assert cli.main(["officer", "create", "--username", "admin", "--role", "admin", "--password", PASSWORD]) == 0
    capsys.readouterr()
    assert cli.main(["officer", "set-password", "--username", "admin", "--password", "lemah"]) == 1
    assert "too weak" in capsys.readouterr().err
    assert cli.main(["officer", "set-password", "--username", "siapa", "--password", NEW_PASSWORD]) == 1
    assert "no officer" in capsys.readouterr().err
    assert cli.main(["officer", "set-password", "--username", "admin", "--password", NEW_PASSWORD]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"username": "admin", "sessions_ended": 0} and NEW_PASSWORD not in out

    async def password_hash() -> str:
        db = Database(sqlite_db_url)
        try:
            return (await accounts.get_credentials(db, "admin")).password_hash
        finally:
            await db.dispose()

    stored = in_thread(asyncio.run, password_hash())
    assert security._verify(stored, NEW_PASSWORD) and not security._verify(stored, PASSWORD)


async def test_a_long_new_password_is_stored_whole(console: Gateway) -> None:
    """What the form hashes must be what the login form later sends: nothing trimmed or cut."""
    officer = await console.logged_in("sari", "desa", VILLAGE_A)
    long_password = " Panjang-Sekali-1 " * 16  # 288 characters, spaces at both ends
    status, _, _ = await officer.post("/officer/akun/sandi", {"current_password": PASSWORD,
                                                              "new_password": long_password,
                                                              "new_password_again": long_password})
    assert status == 302
    assert await console.browser().login("sari", long_password[:200]) == 401
    assert await console.browser().login("sari", long_password) == 302
