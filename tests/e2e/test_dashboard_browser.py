"""The public dashboard in a real browser (headless Chromium) against a real gateway process.

Only the gateway runs (Rasa is not needed for public pages). Proposals are stored through the
storage functions, as the actions and the officers' console would, with a citizen's name and
phone and an officer's internal note in the database. A visitor sees the numbers, searches,
reaches the list and the map with the keyboard alone, opens a pin and a proposal's page; the
page loads nothing from another site, and no personal data or internal note shows anywhere.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from storage import proposals, status_changes
from storage.db import Database
from storage.models import Citizen
from tests.e2e.conftest import ARTIFACTS, needs_chromium

ROOT = Path(__file__).resolve().parents[2]
CATURTUNGGAL, MAGUWOHARJO, BALECATUR = "34.04.07.2001", "34.04.07.2002", "34.04.01.2001"
PRIVATE = ("Sri Rahayu Pengusul", "081377778888", "web-citizen-rahasia", "cek ulang KTP-nya", "officer:budi_petugas")

pytestmark = needs_chromium

# Contrast of every visible text against its nearest opaque background (WCAG 2 formula).
CONTRAST_JS = """
() => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] > 0.5)) { return color.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".leaflet-container, svg, script, noscript, .visually-hidden, .skip, .skip-map")) continue;
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const fore = lum(rgb(getComputedStyle(element).color)), back = lum(background(element));
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    if (ratio < 4.5) failures.push(`${element.tagName}.${element.className}: ${ratio.toFixed(2)}`);
  }
  return failures;
}
"""




async def seed(env: dict[str, str]) -> dict[str, str]:
    """Three proposals of two citizens: two with a map pin, one verified, one rejected."""
    db = Database(env["DATABASE_URL"])
    try:
        road, _ = await proposals.submit_proposal(db, "web", "web-citizen-rahasia", "d-1", proposals.ProposalDraft(
            description="Perbaikan jalan berlubang di depan SD Caturtunggal 3 <b>segera</b>", sector="jalan",
            village_code=CATURTUNGGAL, rt="03", rw="05", latitude=-7.7713, longitude=110.3776))
        lamp, _ = await proposals.submit_proposal(db, "web", "web-citizen-rahasia", "d-2", proposals.ProposalDraft(
            description="Lampu penerangan jalan di gang mati total", sector="penerangan_jalan",
            village_code=MAGUWOHARJO, latitude=-7.7625, longitude=110.4201))
        well, _ = await proposals.submit_proposal(db, "telegram", "5550001", "d-3", proposals.ProposalDraft(
            description="Sumur bor untuk dusun yang kekeringan", sector="air_bersih", village_code=BALECATUR))
        async with db.session() as session:
            await session.execute(update(Citizen).where(Citizen.external_id == "web-citizen-rahasia")
                                  .values(name="Sri Rahayu Pengusul", phone="081377778888"))
            await session.commit()
        await status_changes.change_status(db, road.code, "diverifikasi_desa", "officer:budi_petugas",
                                           note="cek ulang KTP-nya")
        await status_changes.change_status(db, well.code, "ditolak", "officer:budi_petugas",
                                           reason="Sudah dianggarkan lewat Dana Desa", note="cek ulang KTP-nya")
        return {"road": road.code, "lamp": lamp.code, "well": well.code}
    finally:
        await db.dispose()


async def tab_until(page, selector: str, limit: int = 200) -> int:
    """Press Tab until the focused element matches `selector`; how many presses it took."""
    for presses in range(1, limit + 1):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"keyboard focus never reached {selector}")


async def test_visitor_reads_searches_and_opens_a_proposal(gateway: str, gateway_env: dict[str, str],
                                                          browser) -> None:
    codes = await seed(gateway_env)
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((gateway, "data:")) else elsewhere.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    await page.goto(f"{gateway}/")
    assert await page.locator("html").get_attribute("lang") == "id"
    cards = page.locator("dl.cards .card")
    assert await cards.filter(has_text="Usulan masuk").locator("dd.big").inner_text() == "3"
    assert await cards.filter(has_text="Warga pengusul").locator("dd.big").inner_text() == "2"
    assert "33,3%" in await cards.filter(has_text="diverifikasi desa").inner_text()
    assert "Caturtunggal" in await page.locator("#grafik-desa").inner_text()
    listed = page.locator("#daftar table.list")
    for code in codes.values():
        assert await listed.locator(f"a[href='/usulan/{code}']").count() == 1
    assert "<b>segera</b>" in await listed.inner_text()  # shown as text, not markup

    # The keyboard alone: the skip link first, then the list, then the map and a pin on it.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Langsung ke isi halaman"
    await tab_until(page, "#daftar table.list a[href^='/usulan/']")
    await tab_until(page, "#peta-usulan")
    await page.locator("#peta-usulan[data-pins='2']").wait_for(state="attached")  # (CSP: no eval)
    assert await page.locator("#peta-usulan .leaflet-marker-icon").count() == 2
    assert "2 usulan dengan titik lokasi" in await page.locator("#peta-status").inner_text()
    assert await page.evaluate(CONTRAST_JS) == []
    await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")
    await page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    await popup.wait_for()
    shown = await popup.inner_text()
    assert codes["road"] in shown or codes["lamp"] in shown
    await page.locator(".leaflet-popup-content a").focus()
    await page.keyboard.press("Enter")  # the pin's link leads to the proposal's page
    await page.wait_for_url("**/usulan/USL-*")
    assert await page.locator("h1").inner_text() in (f"Usulan {codes['road']}", f"Usulan {codes['lamp']}")
    await page.go_back()
    await page.wait_for_selector("#f-q")

    # Search by words: the list and the map follow.
    await page.fill("#f-q", "lampu gang")
    await page.press("#f-q", "Enter")
    await page.wait_for_url("**q=lampu+gang**")
    rows = page.locator("#daftar table.list tbody tr")
    assert await rows.count() == 1
    assert codes["lamp"] in await rows.inner_text()
    await page.locator("#peta-usulan").scroll_into_view_if_needed()
    await page.locator("#peta-usulan[data-pins='1']").wait_for(state="attached")
    await page.select_option("#f-status", "ditolak")
    await page.fill("#f-q", "Balecatur")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**status=ditolak**")
    assert await rows.count() == 1 and codes["well"] in await rows.inner_text()

    # A proposal's own page, from the list.
    await page.click(f"#daftar a[href='/usulan/{codes['well']}']")
    await page.wait_for_url(f"**/usulan/{codes['well']}")
    assert codes["well"] in await page.locator("h1").inner_text()
    assert "Ditolak" in await page.locator(".status-line").inner_text()
    history = await page.locator("ol.timeline").inner_text()
    assert "Diajukan" in history and "Sudah dianggarkan lewat Dana Desa" in history
    assert await page.evaluate(CONTRAST_JS) == []
    await page.screenshot(path=str(ARTIFACTS / "dashboard-usulan.png"), full_page=True)

    await page.goto(f"{gateway}/usulan/{codes['road']}")
    assert "<b>segera</b>" in await page.locator("p.desc").inner_text()
    html = await page.content()
    for secret in PRIVATE:
        assert secret not in html, secret

    assert errors == []  # no script error, no missing file (a 404 is logged as a console error)
    await page.goto(f"{gateway}/usulan/USL-000000")
    assert "Usulan tidak ditemukan" in await page.locator("h1").inner_text()

    phone = await browser.new_page(viewport={"width": 360, "height": 740}, locale="id-ID")
    phone.on("request", lambda r: None if r.url.startswith((gateway, "data:")) else elsewhere.append(r.url))
    await phone.goto(f"{gateway}/")
    assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await phone.screenshot(path=str(ARTIFACTS / "dashboard-mobile.png"), full_page=True)
    assert elsewhere == []  # nothing from a CDN or a tile server: the offline default
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 20_000
