"""The shaded maps per wilayah in a real browser (headless Chromium) against a real gateway process: the
keyboard reaches every area, its name says the count, focus is visible, Enter filters the list; nothing is
loaded from another site (offline by design); and the yearly report's maps print without a network.
Screenshots: test-artifacts/peta-wilayah.png, test-artifacts/laporan-peta.png (copied to docs/img/)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.public import report
from core import calendar
from storage import proposals
from storage.db import Database
from tests.e2e.conftest import ARTIFACTS, needs_chromium
from tests.e2e.test_dashboard_browser import CONTRAST_JS, tab_until

pytestmark = needs_chromium

# (desa code, how many proposals): Depok busiest, a few elsewhere, most desa with none.
SEEDED = {"34.04.07.2001": 6, "34.04.07.2002": 3, "34.04.07.2003": 4, "34.04.11.2004": 2, "34.04.12.2003": 1,
          "34.04.01.2001": 1, "34.04.09.2006": 2}


async def seed(env: dict[str, str]) -> None:
    db = Database(env["DATABASE_URL"])
    try:
        for village, count in SEEDED.items():
            for i in range(count):
                await proposals.submit_proposal(db, "web", f"w-{village}-{i}", f"d-{village}-{i}",
                                                proposals.ProposalDraft(description=f"Perbaikan jalan rusak {i}",
                                                                        sector="jalan", village_code=village))
    finally:
        await db.dispose()


async def test_the_shaded_maps_by_keyboard_offline_and_in_the_report(gateway: str, gateway_env: dict[str, str],
                                                                      browser, tmp_path: Path) -> None:
    await seed(gateway_env)
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((gateway, "data:")) else elsewhere.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{gateway}/")

    section = page.locator("#peta-wilayah")
    assert await section.locator("#peta-kecamatan svg g.area.kecamatan").count() == 17
    assert await section.locator("#peta-desa svg g.area.desa").count() == 86
    # The same numbers as a table: Depok 13, and the whole kabupaten 19.
    table = page.locator("#peta-kecamatan-tabel")
    assert await table.locator("tr", has_text="Kec. Depok").locator("td").inner_text() == "13"
    assert await table.locator("tfoot td").inner_text() == "19"

    # The keyboard alone: Tab reaches the skip link, then the map's areas; each says its name and count.
    await tab_until(page, "#peta-kecamatan .skip-map")
    await page.keyboard.press("Tab")
    first = await page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert first.startswith("Kec. ") and first.endswith(" usulan")
    await tab_until(page, "#peta-kecamatan a[aria-label='Kec. Depok: 13 usulan']", limit=20)
    stroke = await page.evaluate("getComputedStyle(document.activeElement.querySelector('g')).strokeWidth")
    assert stroke == "3px"  # the focused area is outlined
    name = await page.evaluate("""() => {
        const a = document.activeElement; return [a.getAttribute('aria-label'), a.closest('svg').getAttribute('role')];
    }""")
    assert name == ["Kec. Depok: 13 usulan", "group"]
    await section.locator("#peta-kecamatan").scroll_into_view_if_needed()
    await section.screenshot(path=str(ARTIFACTS / "peta-wilayah.png"))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**kecamatan=34.04.07**")
    assert await page.locator("#daftar table.list tbody tr").count() == 13

    # The desa table is folded on the dashboard; opened, it has every desa.
    await page.go_back()
    await page.locator("#peta-wilayah details.area-table summary").click()
    assert await page.locator("#peta-desa-tabel tbody tr").count() == 86
    assert await page.evaluate(CONTRAST_JS) == []
    assert elsewhere == [] and errors == []

    # A 360-px phone: the maps shrink to fit.
    phone = await browser.new_page(viewport={"width": 360, "height": 740}, locale="id-ID")
    await phone.goto(f"{gateway}/")
    assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    width = await phone.evaluate("document.querySelector('#peta-desa svg').getBoundingClientRect().width")
    assert 250 < width <= 360

    # The yearly report: self-contained HTML opened from a file with the network cut off.
    db = Database(gateway_env["DATABASE_URL"])
    try:
        html = report.render(await report.build(db, "34.04", calendar.planning_year()))
    finally:
        await db.dispose()
    (tmp_path / "laporan.html").write_text(html, encoding="utf-8")
    printed = await browser.new_page(viewport={"width": 1100, "height": 1400}, locale="id-ID")
    await printed.context.set_offline(True)
    await printed.goto((tmp_path / "laporan.html").as_uri())
    maps = printed.locator("#peta-wilayah")
    assert await maps.locator("svg g.area.kecamatan, svg g.area.desa").count() == 17 + 86
    assert await maps.locator("a").count() == 0  # printed: no links
    assert await printed.locator("#peta-desa-tabel tbody tr").count() == 86
    await printed.locator("#peta-kecamatan").scroll_into_view_if_needed()
    await asyncio.sleep(0.1)
    await printed.screenshot(path=str(ARTIFACTS / "laporan-peta.png"))
    assert (ARTIFACTS / "peta-wilayah.png").stat().st_size > 20_000
