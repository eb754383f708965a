"""The officers' map (/officer/peta): the officer's own area shaded by its proposals per desa, with the pinned
proposals on top as links; nothing of another area."""

from __future__ import annotations

import re

from tests.bot.sites import VILLAGE_A, VILLAGE_B, WEDOMARTANI, Gateway, propose


async def test_a_kecamatan_officer_sees_its_desa_and_its_pins_only(console: Gateway) -> None:
    db = console.db
    pinned = await propose(db, "c1", "a", "Jalan berlubang dekat kampus", village=VILLAGE_A, latitude=-7.7713,
                           longitude=110.3776)
    await propose(db, "c2", "b", "Talud longsor", village=VILLAGE_A)
    await propose(db, "c3", "c", "Lampu jalan mati", village=VILLAGE_B)
    elsewhere = await propose(db, "c4", "d", "Saluran air tersumbat", village=WEDOMARTANI, latitude=-7.7366,
                              longitude=110.4353)
    officer = await console.logged_in("camat", "kecamatan", "34.04.07")
    status, page, _ = await officer.get("/officer/peta")
    assert status == 200 and "Peta wilayah: Depok" in page
    assert page.count('<g class="area desa') == 3  # Depok's three desa, nothing else
    assert 'aria-label="Desa Caturtunggal, Kec. Depok: 2 usulan"' in page
    assert 'aria-label="Desa Maguwoharjo, Kec. Depok: 1 usulan"' in page
    assert f'<a href="/officer/usulan/{pinned}" aria-label="{pinned}: Jalan berlubang dekat kampus (Diajukan)">' in page
    assert elsewhere not in page and "Wedomartani" not in page
    assert re.search(r'<a href="/officer/usulan\?village=34\.04\.07\.2001" aria-label', page)
    assert "3 usulan" in page and "1 di antaranya punya titik lokasi" in page
    _, filtered, _ = await officer.get("/officer/peta", params={"status": "ditolak"})
    assert 'aria-label="Desa Caturtunggal, Kec. Depok: 0 usulan"' in filtered and pinned not in filtered


async def test_a_desa_officer_sees_one_desa_and_nobody_else_sees_the_map(console: Gateway) -> None:
    db = console.db
    code = await propose(db, "c1", "a", "Jalan rusak", village=VILLAGE_A, latitude=-7.7713, longitude=110.3776)
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    _, page, _ = await officer.get("/officer/peta")
    assert page.count('<g class="area desa') == 1 and f'href="/officer/usulan/{code}"' in page
    assert "?village=" not in page  # one desa: no link to filter by desa
    status, _, response = await console.browser().get("/officer/peta", allow_redirects=False)
    assert status == 302 and "/officer/login" in response.headers["Location"]


async def test_the_map_is_drawn_with_the_dashboards_one_stylesheet(console: Gateway) -> None:
    """The map's rules stand in one file (bot/public/static/area_map.css), cached once for the dashboard and
    the console alike; neither page's own stylesheet repeats them."""
    officer = await console.logged_in("desa_a", "desa", VILLAGE_A)
    _, page, response = await officer.get("/officer/peta")
    href = re.search(r'<link rel="stylesheet" href="(/aset/area_map\.css\?v=\w+)">', page).group(1)
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]  # the same origin: allowed
    _, dashboard, _ = await officer.get("/")
    assert f'href="{href}"' in dashboard
    status, css, response = await officer.get(href)
    assert status == 200 and response.content_type == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert ".area-map" in css and ".skip-map:focus" in css and ".area.s4" in css
    for own in ("/officer/static/console.css", "/aset/public.css"):
        status, text, _ = await officer.get(own)
        assert status == 200 and ".area-map" not in text and ".area.s4" not in text, own
