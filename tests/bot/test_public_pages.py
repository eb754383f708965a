"""The public dashboard over HTTP, on the real gateway app (aiohttp test server, temporary SQLite):
the numbers show, search and filters work, nothing personal or internal is ever published (even
when the database holds it), citizens' HTML stays text, unknown codes get an Indonesian 404, and
the static files are vendored, compressed and cached."""

from __future__ import annotations

import gzip
import re
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import update

from core import calendar
from storage import status_changes
from storage.models import Proposal
from tests.bot.sites import (
    BALECATUR,
    CATURTUNGGAL,
    MAGUWOHARJO,
    SECRETS,
    Site,
    propose,
    seed_private,
    start_site,
)


async def test_dashboard_shows_counts_indicators_and_the_list(site: Site) -> None:
    code, other = await seed_private(site.db)
    await propose(site.db, "warga-03", "k3", "Sumur bor", "air_bersih", BALECATUR)
    status, page, response = await site.get("/")
    assert status == 200
    assert '<html lang="id">' in page
    year = calendar.planning_year()
    assert f"tahun {year}" in page
    assert re.search(r"<dt>Usulan masuk</dt>\s*<dd class=\"big\">3</dd>", page)
    assert re.search(r"<dt>Warga pengusul</dt>\s*<dd class=\"big\">3</dd>", page)
    assert "33,3%" in page and "1 dari 3 usulan" in page  # one of three verified
    assert "Rata-rata waktu sampai verifikasi pertama" in page
    for label in ("Menurut status", "Menurut bidang", "Menurut kecamatan", "Desa/kelurahan dengan usulan terbanyak"):
        assert label in page
    assert "Caturtunggal (Kec. Depok)" in page and "Gamping" in page
    assert f'href="/usulan/{code}"' in page and f'href="/usulan/{other}"' in page
    assert "Diverifikasi desa/kelurahan" in page and "Ditolak" in page
    assert response.headers["Cache-Control"].startswith("public")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp
    assert 'id="peta-usulan"' in page and "Mode luring" in page
    assert 'data-tiles=""' in page


async def test_root_is_the_dashboard_and_the_chat_stays_at_chat(site: Site) -> None:
    async with site.session.get("/", allow_redirects=False) as response:
        assert response.status == 200
    status, page, _ = await site.get("/chat")
    assert status == 200 and "<html" in page


async def test_no_personal_data_or_internal_notes_anywhere(site: Site) -> None:
    code, other = await seed_private(site.db)
    year = calendar.planning_year()
    paths = ["/", f"/?tahun={year}&q=jalan", f"/?q={code}", "/?status=diverifikasi_desa", "/desa",
             f"/usulan/{code}", f"/usulan/{other}", "/api/public/proposals.geojson",
             f"/api/public/proposals.geojson?q={code}", "/usulan/USL-000000"]
    for path in paths:
        _, body, _ = await site.get(path)
        for secret in SECRETS:
            assert secret not in body, (path, secret)
    _, page, _ = await site.get(f"/usulan/{code}")
    assert "Jalan berlubang, telepon saya [disembunyikan]" in page
    assert "oleh petugas" in page and "oleh pengusul" in page
    _, rejected, _ = await site.get(f"/usulan/{other}")
    assert "Sudah diusulkan tahun lalu" in rejected  # the public reason is shown


async def test_citizens_html_is_escaped_everywhere(site: Site) -> None:
    code = await propose(site.db, "warga-html-1", "k1", 'Jalan <script>alert("x")</script> <b>rusak</b> & "licin"',
                         latitude=-7.77, longitude=110.37)
    await status_changes.change_status(site.db, code, "ditolak", "officer:x",
                                       reason="<img src=x onerror=alert(1)> lihat USL-7K3Q9D")
    for path in ("/", f"/usulan/{code}", "/?q=rusak"):
        _, page, _ = await site.get(path)
        assert "<script>alert" not in page and "<b>rusak</b>" not in page
        assert "&lt;script&gt;alert(" in page and "&lt;b&gt;rusak&lt;/b&gt;" in page
    _, page, _ = await site.get(f"/usulan/{code}")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert '<a href="/usulan/USL-7K3Q9D">USL-7K3Q9D</a>' in page  # a code in a reason links to it
    _, data, response = await site.get("/api/public/proposals.geojson")
    assert response.content_type == "application/geo+json"
    assert "<script>" not in data and "\\u003cscript>" in data


async def test_unknown_code_gets_an_indonesian_404(site: Site) -> None:
    for path in ("/usulan/USL-000000", "/usulan/bukan-kode", "/usulan/USL-0000"):
        status, page, response = await site.get(path)
        assert status == 404, path
        assert '<html lang="id">' in page and "Usulan tidak ditemukan" in page
        assert "Periksa kembali penulisannya" in page and 'href="/"' in page
        assert response.headers["Cache-Control"] == "no-store"
    _, page, _ = await site.get("/usulan/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert "<script>alert" not in page


async def test_a_code_written_loosely_redirects_to_its_page(site: Site) -> None:
    code = await propose(site.db, "warga-01", "k1", "Jalan rusak")
    async with site.session.get(f"/usulan/{code.lower()}", allow_redirects=False) as response:
        assert response.status == 301 and response.headers["Location"] == f"/usulan/{code}"
    status, page, _ = await site.get(f"/usulan/{code.replace('-', '')}")
    assert status == 200 and f"Usulan <span class=\"code\">{code}</span>" in page


async def test_proposal_page_shows_public_fields_and_history(site: Site) -> None:
    code = await propose(site.db, "warga-01", "k1", "Drainase mampet di depan balai", "drainase", rt="03", rw="05",
                         latitude=-7.771234, longitude=110.377654)
    await status_changes.change_status(site.db, code, "diverifikasi_desa", "officer:x")
    await status_changes.change_status(site.db, code, "perlu_perbaikan", "officer:y", reason="Sebutkan panjang saluran")
    status, page, _ = await site.get(f"/usulan/{code}")
    assert status == 200
    for text in ("Drainase mampet di depan balai", "Drainase/saluran air", "Desa/Kelurahan Caturtunggal",
                 "Kecamatan Depok", "RT 03", "RW 05", "Perlu perbaikan", "Sebutkan panjang saluran",
                 "-7.771, 110.378", "Riwayat status", "Lihat di peta"):
        assert text in page, text
    assert page.count('<ol class="timeline">') == 1 and page.count("oleh petugas") == 2


async def test_search_filters_and_bad_parameters(site: Site) -> None:
    road = await propose(site.db, "warga-01", "k1", "Perbaikan jalan berlubang")
    lamp = await propose(site.db, "warga-02", "k2", "Lampu jalan mati", "penerangan_jalan", MAGUWOHARJO)
    well = await propose(site.db, "warga-03", "k3", "Sumur bor", "air_bersih", BALECATUR)

    async def listed(query: str) -> set[str]:
        status, page, _ = await site.get("/" + query)
        assert status == 200, query
        table = page.split('id="daftar"', 1)[1].split('id="peta"', 1)[0]
        return set(re.findall(r'href="/usulan/(USL-[0-9A-Z]{6})"', table))

    assert await listed("") == {road, lamp, well}
    assert await listed("?q=lampu") == {lamp}
    assert await listed("?q=Maguwoharjo") == {lamp}
    assert await listed(f"?q={well.lower()}") == {well}
    assert await listed("?bidang=air_bersih") == {well}
    assert await listed("?kecamatan=34.04.07") == {road, lamp}
    assert await listed(f"?desa={CATURTUNGGAL}") == {road}
    assert await listed("?q=tidak-ada-yang-cocok") == set()
    assert await listed("?status=bukan&bidang=%27;drop&kecamatan=../../etc&desa=x&tahun=abc&hal=-4") == {
        road, lamp, well}
    assert await listed("?kecamatan=34.71.01") == {road, lamp, well}  # outside the region: ignored
    _, page, _ = await site.get("/?q=lampu&bidang=penerangan_jalan")
    assert 'value="lampu"' in page and '<option value="penerangan_jalan" selected>' in page
    assert "Hapus semua filter" in page
    _, page, _ = await site.get("/?q=%22%3E%3Cscript%3E")
    assert '"><script>' not in page


async def test_list_pages(site: Site) -> None:
    codes = [await propose(site.db, f"warga-{i:02d}", f"k{i}", f"Usulan nomor {i}") for i in range(25)]
    _, first, _ = await site.get("/")
    assert "Menampilkan 1–20 dari 25 usulan" in first
    assert 'rel="next"' in first and 'aria-current="page"' in first
    _, second, _ = await site.get(f"/?tahun={calendar.planning_year()}&hal=2")
    assert "Menampilkan 21–25 dari 25 usulan" in second and 'rel="prev"' in second
    assert set(re.findall(r'href="/usulan/(USL-[0-9A-Z]{6})"', second)) == set(codes[:5])


async def test_earlier_years_and_the_full_desa_table(site: Site) -> None:
    year = calendar.planning_year()
    old = await propose(site.db, "warga-01", "k1", "Jalan tahun lalu")
    await propose(site.db, "warga-02", "k2", "Jalan tahun ini")
    async with site.db.session() as session:
        await session.execute(update(Proposal).where(Proposal.code == old)
                              .values(created_at=datetime(year - 1, 6, 1, tzinfo=timezone.utc)))
        await session.commit()
    _, page, _ = await site.get("/")
    assert f'href="/?tahun={year - 1}"' in page and "(1 usulan)" in page
    _, page, _ = await site.get(f"/?tahun={year - 1}")
    assert f"tahun {year - 1}" in page and f'href="/usulan/{old}"' in page
    status, table, _ = await site.get(f"/desa?tahun={year}")
    assert status == 200 and "Usulan per desa/kelurahan" in table
    assert table.count('<tr>') > 80  # every desa/kelurahan of Sleman
    assert f'href="/?tahun={year}&amp;desa={CATURTUNGGAL}#daftar">Caturtunggal</a>' in table


async def test_geojson_has_public_fields_of_pinned_proposals(site: Site) -> None:
    pinned = await propose(site.db, "warga-01", "k1", "Lampu jalan", "penerangan_jalan", latitude=-7.7713123,
                           longitude=110.3776456)
    await propose(site.db, "warga-02", "k2", "Tanpa titik")
    async with site.session.get("/api/public/proposals.geojson") as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        data = await response.json(content_type=None)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [110.378, -7.771]}
    assert set(feature["properties"]) == {"code", "url", "description", "sector", "sector_label", "status",
                                          "status_label", "desa", "kecamatan", "submitted"}
    assert feature["properties"]["code"] == pinned and feature["properties"]["url"] == f"/usulan/{pinned}"
    async with site.session.get("/api/public/proposals.geojson?q=tidakada") as response:
        assert (await response.json(content_type=None))["features"] == []


async def test_assets_are_vendored_compressed_and_cached(site: Site) -> None:
    _, page, _ = await site.get("/")
    loaded = re.findall(r'(?:<script src|<link [^>]*href|data-leaflet[a-z-]*|data-geojson)="([^"]+)"', page)
    assert len(loaded) >= 7 and all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded
    leaflet = re.search(r'data-leaflet="(/aset/vendor/leaflet/leaflet\.js\?v=([0-9a-f]+))"', page)
    assert leaflet
    async with site.session.get(leaflet.group(1), headers={"Accept-Encoding": "gzip"},
                                auto_decompress=False) as response:
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
        body = gzip.decompress(await response.read())
        assert body.startswith(b"/* @preserve") and b"Leaflet 1.9.4" in body[:200]
        etag = response.headers["ETag"]
    async with site.session.get("/aset/vendor/leaflet/leaflet.js", headers={"If-None-Match": etag}) as response:
        assert response.status == 304
    async with site.session.get("/aset/vendor/leaflet/images/marker-icon.png") as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert response.headers["Cache-Control"] == "public, max-age=86400"
    for path in ("/aset/tidak-ada.js", "/aset/../app.py", "/aset/%2e%2e/views.py"):
        async with site.session.get(path) as response:
            assert response.status == 404, path
    async with site.session.get("/aset/vendor/leaflet/LICENSE") as response:
        assert "BSD 2-Clause" in await response.text()


async def test_a_configured_tile_server_is_allowed_by_the_csp(tmp_path: Path, sqlite_db_url: str) -> None:
    running = await start_site(tmp_path, sqlite_db_url, public_map_tile_url="https://{s}.tile.contoh.id/{z}/{x}/{y}.png",
                               public_map_attribution="© kontributor OpenStreetMap")
    try:
        _, page, response = await running.get("/")
        assert "img-src 'self' data: https://*.tile.contoh.id;" in response.headers["Content-Security-Policy"]
        assert 'data-tiles="https://{s}.tile.contoh.id/{z}/{x}/{y}.png"' in page
        assert "© kontributor OpenStreetMap" in page and "Mode luring" not in page
    finally:
        await running.session.close()
        await running.server.close()
        await running.db.dispose()


async def test_every_form_field_has_a_label(site: Site) -> None:
    _, page, _ = await site.get("/")
    fields = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page)
    assert {"f-q", "f-status", "f-bidang", "f-kecamatan"} <= set(fields)
    for field in fields:
        assert f'<label for="{field}">' in page, field
    assert '<a class="skip" href="#konten">' in page and '<main id="konten"' in page
