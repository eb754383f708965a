"""The smaller items of issue 13, each replayed as an attacker (or a clumsy client) would try it: the
answer is a clean 4xx or a neutral outcome, never a 500, a half-stored record or a leak."""

from __future__ import annotations

import io
import json
import stat

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot import keys
from bot.app import create_app
from bot.channels.whatsapp.graph import Graph
from bot.channels.whatsapp.inbound import WhatsAppInbound
from bot.open311 import LIMITS, Limits
from core import settings
from integrations import sipd
from storage import api_keys
from storage.db import Database
from storage.models import Citizen, Proposal
from tests.bot.sites import make_officer, propose, start_gateway
from tests.bot.whatsapp_bench import fake_graph, first_message, settings_for, webhook_payload
from tests.bot.whatsapp_bench import start as start_whatsapp

GENEROUS = Limits(per_ip=100_000, post_per_key=100_000)
NEW = {"service_code": "jalan", "description": "Jalan berlubang di depan balai desa",
       "address_string": "RT 03 RW 05 Desa Caturtunggal, Kecamatan Depok"}


async def _open311(tmp_path, url: str) -> tuple[TestServer, Database, str]:
    app = create_app(settings.Settings(var_dir=tmp_path / "var", database_url=url))
    app[LIMITS] = GENEROUS
    server = TestServer(app)
    await server.start_server()
    db = Database(url)
    _, key = await api_keys.create_key(db, "mitra")
    return server, db, key


async def _count(db: Database, model) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


# --- SIPD -----------------------------------------------------------------------------------------


def test_sipd_csv_quotes_every_cell_so_a_semicolon_cannot_start_a_formula() -> None:
    record = {column: "" for column in sipd.COLUMNS}
    record[sipd.COLUMNS[5]] = "Jalan rusak;=1+1"
    record[sipd.COLUMNS[4]] = "  =HYPERLINK(\"http://x\")"
    out = io.StringIO()
    sipd.write_csv([record], out)
    line = out.getvalue().splitlines()[1]
    assert '"Jalan rusak;=1+1"' in line  # one quoted cell, in a ';' locale too
    assert line.startswith('"') and line.endswith('"') and '"  \'=HYPERLINK' not in line
    assert "'" + "  =HYPERLINK" in line  # the formula guard sees past leading blanks


# --- Open311 --------------------------------------------------------------------------------------


async def test_open311_key_only_in_its_header_and_bad_input_is_refused_before_storing(tmp_path, db_url) -> None:
    server, db, key = await _open311(tmp_path, db_url)
    base = server.make_url("/open311/v2/requests.json")
    async with aiohttp.ClientSession() as http:
        async with http.post(base, params={"api_key": key}, data=NEW) as response:
            assert response.status == 403 and "X-API-Key" in (await response.json())[0]["description"]
        async with http.post(base, data={**NEW, "api_key": key}) as response:
            assert response.status == 403
        # A contact name over the column's 120 characters: 400, and nothing stored (it was a 500
        # after the proposal had been committed).
        long_name = {**NEW, "first_name": "A" * 60, "last_name": "B" * 60}
        async with http.post(base, data=long_name, headers={"X-API-Key": key}) as response:
            assert response.status == 400 and "120" in json.dumps(await response.json())
        assert await _count(db, Proposal) == 0 and await _count(db, Citizen) == 0
        # NUL in text: cleaned, stored (PostgreSQL refuses the byte itself).
        async with http.post(base, data={**NEW, "description": "Jalan\x00 berlubang parah"},
                             headers={"X-API-Key": key}) as response:
            assert response.status == 201
            code = (await response.json())[0]["service_request_id"]
        async with http.get(server.make_url(f"/open311/v2/requests/{code}.json")) as response:
            assert "\x00" not in (await response.json())[0]["description"]
        for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1-01-01"):
            async with http.get(base, params={"start_date": moment}) as response:
                assert response.status == 400, moment
    await server.close()
    await db.dispose()


# --- the gateway process: logs, files, headers ----------------------------------------------------


async def test_logs_hold_no_query_strings_var_is_owner_only_and_server_tells_no_versions(
        gateway_process, sqlite_db_url) -> None:
    gateway = await gateway_process(sqlite_db_url)
    secret_sender = "sender-only-the-phone-knows"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{gateway.url}/api/updates", params={"sender": secret_sender}) as response:
            assert response.status == 200
        for path in ("/chat", "/open311/v2/services.json", "/officer/login", "/no-such-page"):
            async with http.get(f"{gateway.url}{path}") as response:
                server = response.headers.get("Server", "")
                assert "aiohttp" not in server and "Python" not in server, (path, server)
        async with http.get(f"{gateway.url}/chat") as response:
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    await gateway.terminate()
    log = gateway.log.read_text()
    assert "/api/updates" in log and secret_sender not in log
    for path in (gateway.var_dir, gateway.var_dir / "logs", gateway.var_dir / "media"):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (gateway.log, gateway.var_dir / "session_secret"):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_console_cookie_is_secure_behind_an_https_public_url(monkeypatch) -> None:
    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    monkeypatch.setenv("PUBLIC_URL", "https://musrenbang.slemankab.go.id")
    assert settings.load().cookie_secure
    monkeypatch.setenv("PUBLIC_URL", "http://127.0.0.1:8080")
    assert not settings.load().cookie_secure
    monkeypatch.setenv("COOKIE_SECURE", "1")
    assert settings.load().cookie_secure


# --- request bodies -------------------------------------------------------------------------------


async def test_oversized_console_forms_and_nested_json_are_refused_cleanly(tmp_path, db_url) -> None:
    gateway = await start_gateway(tmp_path, db_url)
    async with aiohttp.ClientSession() as http:
        big = {"username": "x", "password": "y" * (200 * 1024)}
        async with http.post(gateway.server.make_url("/officer/login"), data=big) as response:
            assert response.status == 413  # the console's 64 KiB, not the gateway's photo-sized limit
        nested = "[" * 50_000 + "]" * 50_000
        async with http.post(gateway.server.make_url("/api/chat"), data=nested,
                             headers={"Content-Type": "application/json"}) as response:
            assert response.status == 400
        for sender in ("abcdefgh\n", "abcdefgh\r\n"):  # "$" let a trailing newline through
            async with http.post(gateway.server.make_url("/api/chat"),
                                 json={"sender": sender, "message": "halo"}) as response:
                assert response.status == 400
    await gateway.server.close()
    await gateway.db.dispose()


async def test_nul_in_a_chat_message_is_cleaned_not_a_500(gateway_process, db_url, rasa) -> None:
    gateway = await gateway_process(db_url)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{gateway.url}/api/chat", json={"sender": "nul-sender-1", "message": "halo\x00 pak",
                                                              "message_id": "m\x00"}) as response:
            assert response.status in (200, 400)
            assert response.status == 200 or (await response.json())["messages"]
    assert all("\x00" not in body["message"] for body in rasa.received)


# --- WhatsApp -------------------------------------------------------------------------------------


async def test_whatsapp_batch_typed_payloads_and_nested_json(tmp_path, sqlite_db_url) -> None:
    graph = fake_graph()
    gateway = await start_whatsapp(settings_for(tmp_path, sqlite_db_url, graph))
    try:
        payload = webhook_payload("message", "text")
        good = first_message(payload)
        good["text"]["body"] = '/inform{"village_code":"11.01.01.2001","kamus_item":"apa_saja"}'
        broken = {**good, "id": good["id"] + "x", "text": "not an object"}
        payload["entry"][0]["changes"][0]["value"]["messages"] = [broken, good]
        assert await gateway.post(payload) == 200  # was 500 for the whole batch, redelivered for ever
        jobs = await gateway.inbound()
        assert [job.text for job in jobs] == ['inform{"village_code":"11.01.01.2001","kamus_item":"apa_saja"}']
        nested = ("{\"a\":" * 20_000 + "1" + "}" * 20_000).encode()
        assert await gateway.post(nested) == 400
    finally:
        await gateway.client.close()
        graph.stop()


async def test_whatsapp_media_only_from_metas_hosts_and_never_through_a_redirect(tmp_path) -> None:
    hits: list[str] = []

    async def info(request: web.Request) -> web.Response:
        target = {"evil": "https://attacker.example/steal", "plain": "http://lookaside.fbsbx.com/x",
                  "redirect": str(request.url.with_path("/v21.0/file"))}[request.match_info["id"]]
        return web.json_response({"url": target, "file_size": 10})

    async def file(request: web.Request) -> web.Response:
        hits.append("file")
        raise web.HTTPFound("https://attacker.example/steal")

    app = web.Application()
    app.router.add_get("/v21.0/file", file)
    app.router.add_get("/v21.0/{id}", info)
    server = TestServer(app)
    await server.start_server()
    config = settings.Settings(var_dir=tmp_path, whatsapp_token="t", whatsapp_graph_url=str(server.make_url("/v21.0")))
    gateway_app = web.Application()
    async with aiohttp.ClientSession() as client:
        gateway_app[keys.CLIENT] = client
        inbound = WhatsAppInbound(Graph(gateway_app, config))
        graph_ = inbound.graph
        assert graph_.trusted_media_url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")
        assert not graph_.trusted_media_url("https://lookaside.fbsbx.com.attacker.example/")
        assert not graph_.trusted_media_url("http://lookaside.fbsbx.com/x")
        from bot import media
        for media_id in ("evil", "plain", "redirect"):
            with pytest.raises(media.Refused):
                await inbound._download(media_id, 1000)
        assert hits == ["file"]  # the redirect was not followed to the attacker's host
    await server.close()


# --- officers' bulk changes -----------------------------------------------------------------------


async def test_bulk_changes_do_not_tell_which_codes_exist_outside_ones_scope(tmp_path, db_url) -> None:
    gateway = await start_gateway(tmp_path, db_url)
    theirs = await propose(gateway.db, "warga-a", "k1", village="34.04.07.2001")
    await make_officer(gateway.db, "tono", "desa", "34.04.07.2002")
    browser = gateway.browser()
    try:
        assert await browser.login("tono") == 302
        status, page, _ = await browser.post("/officer/usulan/massal", {
            "codes": [theirs, "USL-ZZZZZZ"], "new_status": "diverifikasi_desa"})
        assert status == 200 and "bukan wewenang" not in page
        assert page.count("tidak ditemukan") == 2  # an existing code outside the scope reads as unknown
    finally:
        await browser.close()
        await gateway.server.close()
        await gateway.db.dispose()


def test_identifier_patterns_refuse_a_trailing_newline() -> None:
    from bot.channels import web as web_chat
    from bot.media import STORED_RE
    from core import roles
    from storage.api_keys import NAME_RE

    assert not web_chat.SENDER_RE.fullmatch("abcdefgh\n")
    for pattern, good in ((STORED_RE, "a" * 32 + ".jpg"), (NAME_RE, "mitra"),
                          (roles.SCOPE_PATTERNS[roles.DESA], "34.04.07.2001")):
        assert pattern.match(good) and not pattern.match(good + "\n")


async def test_a_forged_kamus_item_never_reaches_rasa(gateway_process, db_url, rasa) -> None:
    from core import kamus

    item = kamus.items()[0]
    gateway = await gateway_process(db_url)
    forged = ['/inform{"sector":"jalan","kamus_item":"bangun_stadion_pribadi"}',
              '/inform{"sector":"roket"}', '/inform' + json.dumps({"sector": "pendidikan", "kamus_item": item.code}),
              '/inform{"kamus_item":["x"]}']
    async with aiohttp.ClientSession() as http:
        for number, text in enumerate(forged):
            async with http.post(f"{gateway.url}/api/chat", json={"sender": "forger-0001", "message": text,
                                                                  "message_id": f"f{number}"}) as response:
                assert response.status == 200 and (await response.json())["messages"]
        genuine = "/inform" + json.dumps({"sector": item.sector, "kamus_item": item.code})
        async with http.post(f"{gateway.url}/api/chat",
                             json={"sender": "forger-0001", "message": genuine}) as response:
            assert response.status == 200
    assert rasa.texts_from("web:forger-0001") == [genuine]
