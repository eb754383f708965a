"""The officers' map (/officer/peta): the officer's own area shaded by its proposals per desa, with the pinned
proposals on top as links; nothing of another area."""

from __future__ import annotations

import re

from tests.bot.test_officer_console import VILLAGE_A, VILLAGE_B, Gateway, gateway, make_officer, propose  # noqa: F401

WEDOMARTANI = "34.04.11.2004"


async def test_a_kecamatan_officer_sees_its_desa_and_its_pins_only(gateway: Gateway) -> None:  # noqa: F811
    db = gateway.db
    pinned = await propose(db, "c1", "a", VILLAGE_A, "Jalan berlubang dekat kampus", latitude=-7.7713,
                           longitude=110.3776)
    await propose(db, "c2", "b", VILLAGE_A, "Talud longsor")
    await propose(db, "c3", "c", VILLAGE_B, "Lampu jalan mati")
    elsewhere = await propose(db, "c4", "d", WEDOMARTANI, "Saluran air tersumbat", latitude=-7.7366,
                              longitude=110.4353)
    await make_officer(db, "camat", "kecamatan", "34.04.07")
    officer = gateway.browser()
    await officer.login("camat")
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


async def test_a_desa_officer_sees_one_desa_and_nobody_else_sees_the_map(gateway: Gateway) -> None:  # noqa: F811
    db = gateway.db
    code = await propose(db, "c1", "a", VILLAGE_A, "Jalan rusak", latitude=-7.7713, longitude=110.3776)
    await make_officer(db, "desa_a", "desa", VILLAGE_A)
    officer = gateway.browser()
    await officer.login("desa_a")
    _, page, _ = await officer.get("/officer/peta")
    assert page.count('<g class="area desa') == 1 and f'href="/officer/usulan/{code}"' in page
    assert "?village=" not in page  # one desa: no link to filter by desa
    status, _, response = await gateway.browser().get("/officer/peta", allow_redirects=False)
    assert status == 302 and "/officer/login" in response.headers["Location"]
