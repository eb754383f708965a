"""The yearly evaluation report: its numbers per kecamatan and sector, its self-contained HTML with the
dashboard's charts, and that it shows exactly what the public dashboard shows for the same year.

The data is the SIPD tests' seeded year (tests/seeding.py): four proposals in 2026, one in 2025.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.public import report
from core import texts
from ops import pdf
from storage import proposals, status_changes
from storage.db import Database
from tests.bot.sites import start_site
from tests.seeding import seed

UTC = timezone.utc
KRICAK = "34.71.01.1001"  # Kota Yogyakarta: another kabupaten/kota


async def test_report_numbers_per_kecamatan_and_sector(db: Database) -> None:
    s = await seed(db)
    built = await report.build(db, "34.04", 2026)
    total = built.data.indicators
    assert (total.proposals, total.proposers, total.verified, total.accepted, total.realised) == (4, 3, 2, 1, 1)
    assert total.avg_days_to_verification == pytest.approx(2.5, abs=1e-3)  # (3.5 + 1.5) / 2
    assert (total.share(total.verified), total.share(total.accepted)) == (0.5, 0.25)
    kecamatan = {k.name: k.indicators for k in built.per_kecamatan}
    assert len(kecamatan) == 17 and kecamatan["Berbah"].proposals == 0  # every kecamatan of Sleman
    assert [k.name for k in built.per_kecamatan] == sorted(kecamatan)
    depok, gamping = kecamatan["Depok"], kecamatan["Gamping"]
    assert (depok.proposals, depok.proposers, depok.verified, depok.accepted, depok.realised) == (2, 1, 2, 1, 1)
    assert depok.avg_days_to_verification == pytest.approx(2.5, abs=1e-3)
    assert (gamping.proposals, gamping.proposers, gamping.verified, gamping.avg_days_to_verification) == (
        2, 2, 0, None)
    sector = {texts.sector_label(code): found for code, found in built.data.per_sector.items()}
    assert len(sector) == 12
    assert (sector["Jalan"].proposals, sector["Jalan"].proposers, sector["Jalan"].verified,
            sector["Jalan"].realised) == (2, 2, 1, 1)
    assert sector["Jalan"].avg_days_to_verification == pytest.approx(3.5, abs=1e-3)
    assert sector["Drainase/saluran air"].verified == 1
    assert sector["Drainase/saluran air"].avg_days_to_verification == pytest.approx(1.5, abs=1e-3)
    assert sector["Lampu jalan"].proposals == 1 and sector["Air bersih"].share(0) is None
    last_year = (await report.build(db, "34.04", 2025)).data.indicators
    assert last_year.proposals == 1
    assert last_year.avg_days_to_verification == pytest.approx(2.0, abs=1e-3)
    assert s.e  # the 2025 proposal is E


async def test_report_counts_only_the_deployments_region(db: Database) -> None:
    """The drift fixed: the report used to count every proposal in the database, the dashboard only
    the region's."""
    await seed(db)
    view, _ = await proposals.submit_proposal(db, "web", "kricak-1", "k", proposals.ProposalDraft(
        "Jalan kampung rusak", "jalan", KRICAK))
    await status_changes.change_status(db, view.code, "diverifikasi_desa", "test")
    built = await report.build(db, "34.04", 2026)
    assert (built.data.indicators.proposals, built.data.indicators.verified) == (4, 2)
    assert len(built.per_kecamatan) == 17 and all(k.code.startswith("34.04.") for k in built.per_kecamatan)
    assert built.data.per_sector["jalan"].proposals == 2


async def test_report_html_is_self_contained_indonesian_with_the_charts_and_prints_to_pdf(
        db: Database, tmp_path: Path) -> None:
    await seed(db)
    page = report.render(await report.build(db, "34.04", 2026, now=datetime(2027, 1, 5, 3, tzinfo=UTC)))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="id">' in page and "<style>" in page
    assert ".area.s4 {" in page and ".area-map {" in page  # the maps' stylesheet, inlined too
    assert "Laporan Evaluasi Musrenbang 2026 — Kabupaten Sleman" in page
    assert "Per kecamatan" in page and "Per bidang" in page and "5 Januari 2027, 10:00 WIB" in page
    assert ('<tr class=""><th scope="row">Depok</th><td class="num">2</td><td class="num">1</td>'
            '<td class="num">100,0%</td><td class="num">50,0%</td><td class="num">50,0%</td>'
            '<td class="num">2,5 hari</td></tr>') in page
    for chart in ("grafik-status", "grafik-bidang", "grafik-kecamatan", "grafik-desa"):
        assert f'<table class="bars" id="{chart}">' in page
    assert '<svg class="bar"' in page and "svg.bar .fill" in page  # the dashboard's bars and their style
    for outside in ("<script", "src=", "href=", "http://", "https://", "@import"):
        assert outside not in page
    if pdf.chromium_binary() is None:
        pytest.skip("no Chromium: the PDF is optional")
    html_file = tmp_path / "r.html"
    html_file.write_text(page, encoding="utf-8")
    assert pdf.print_pdf(html_file, tmp_path / "r.pdf") is None
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def _cards(page: str) -> list[tuple[str, str]]:
    """(title, figure) of every summary card."""
    block = re.search(r'<dl class="cards">.*?</dl>', page, re.S).group(0)
    return re.findall(r'<dt>(.*?)</dt>\s*<dd class="big">(.*?)</dd>', block, re.S)


def _charts(page: str) -> dict[str, list[tuple[str, str, str]]]:
    """Chart id → (label, count, percent) per bar, links stripped."""
    found = {}
    for chart, body in re.findall(r'<table class="bars" id="(grafik-[a-z]+)">(.*?)</table>', page, re.S):
        rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(.*?)</td><td class="num">(.*?)</td>', body)
        found[chart] = [(re.sub(r"<[^>]+>", "", label), count, share) for label, count, share in rows]
    return found


async def test_the_dashboard_and_the_report_show_the_same_numbers(tmp_path: Path, sqlite_db_url: str) -> None:
    site = await start_site(tmp_path, sqlite_db_url)
    try:
        await seed(site.db)
        await proposals.submit_proposal(site.db, "web", "kricak-1", "k", proposals.ProposalDraft(
            "Jalan kampung rusak", "jalan", KRICAK))  # another region's: in neither
        status, dashboard, _ = await site.get("/?tahun=2026")
        assert status == 200
        printed = report.render(await report.build(site.db, "34.04", 2026))
    finally:
        await site.session.close()
        await site.server.close()
        await site.db.dispose()
    cards = _cards(dashboard)
    assert cards == _cards(printed)
    assert dict(cards) == {"Usulan masuk": "4", "Warga pengusul": "3", "Sudah diverifikasi desa/kelurahan": "50,0%",
                           "Masuk RKPD": "25,0%", "Sudah direalisasikan": "25,0%",
                           "Rata-rata waktu sampai verifikasi pertama": "2,5 hari"}
    charts = _charts(dashboard)
    assert set(charts) == {"grafik-status", "grafik-bidang", "grafik-kecamatan", "grafik-desa"}
    assert charts == _charts(printed)
    assert ("Depok", "2", "50,0%") in charts["grafik-kecamatan"]
    # The report's table rows add up to the same totals the dashboard's charts show.
    total_row = re.search(r'<tfoot>\s*<tr class="total">(.*?)</tr>', printed, re.S).group(1)
    assert re.findall(r'<td class="num">(.*?)</td>', total_row) == ["4", "3", "50,0%", "25,0%", "25,0%", "2,5 hari"]
